import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, expectAccessMatrix, signedInUser, type TestContext } from "../support/context.js";
import { workflowId, workflowsFile, writeWorkspaceFile } from "../workspace/workspace-fixtures.js";

// Every route that needs a token, with its access matrix (API.md "403 or 404"). A route added
// without an entry here fails the first test.

let ctx: TestContext;

type Entry = {
  method: string;
  url: () => Promise<string> | string;
  payload?: () => Promise<object> | object;
  /** `runOnly`: `/api/sdk/*` routes, for a run's execution token alone (every user gets 403). */
  kind: "adminOnly" | "anyUser" | "runOnly";
  allowedStatus?: number;
};

const UNKNOWN = "00000000-0000-4000-8000-0000000000bb";

let workspaceFiles = 0;
/** A workspace file of its own (writes and deletes must not step on each other). */
const matrixFile = async (): Promise<string> => {
  const path = `matrix/file-${++workspaceFiles}.txt`;
  await writeWorkspaceFile(ctx.admin, path, "matrix");
  return path;
};
/** A new global workflow any signed-in user may see. */
/** A new global table of its own, by name; with `doc`, the URL of a document in it. */
const matrixTable = async (): Promise<string> => {
  const name = `matrix-table-${++workspaceFiles}`;
  await ctx.admin.request("POST", "/api/tables", { name });
  return name;
};
const matrixDocument = async (): Promise<string> => {
  const table = await matrixTable();
  await ctx.admin.request("POST", `/api/tables/${table}/documents`, { id: "doc", data: { n: 1 } });
  return `/api/tables/${table}/documents/doc`;
};
const matrixWorkflow = async (): Promise<string> => {
  const name = `matrix${++workspaceFiles}`;
  const id = workflowId(await writeWorkspaceFile(ctx.admin, `matrix/${name}.ts`, workflowsFile(name)), name);
  await ctx.admin.request("PATCH", `/api/workflows/${id}`, { accessLevel: "authenticated" });
  return id;
};

/** A new schedule of its own (disabled: it never fires). */
const matrixSchedule = async (): Promise<string> =>
  (
    await ctx.admin.request("POST", "/api/schedules", {
      workflowId: await matrixWorkflow(),
      cron: "0 3 * * *",
      enabled: false,
    })
  ).json<{ id: string }>().id;

/** A new global form any signed-in user may run, on a workflow of its own. */
const matrixFormBody = async (): Promise<object> => ({
  name: `matrix form ${++workspaceFiles}`,
  workflowId: await matrixWorkflow(),
  accessLevel: "authenticated",
  fields: [{ name: "note", label: "Note", type: "text" }],
});
const matrixForm = async (): Promise<string> =>
  (await ctx.admin.request("POST", "/api/forms", await matrixFormBody())).json<{ id: string }>().id;

/** A new global config entry of its own. */
const matrixConfig = async (): Promise<string> =>
  (
    await ctx.admin.request("POST", "/api/config", {
      key: `matrix-${++workspaceFiles}`,
      value: "x",
      type: "string",
    })
  ).json<{ id: string }>().id;

/** A new OAuth connection of its own, by name. */
const matrixProvider = async (): Promise<string> => {
  const name = `matrix-oauth-${++workspaceFiles}`;
  await ctx.admin.request("POST", "/api/oauth/connections", {
    name,
    flow: "authorization_code",
    clientId: "client",
    authorizeUrl: "https://idp.example/authorize",
    tokenUrl: "https://idp.example/token",
  });
  return name;
};
/** A new integration of its own; with a mapping, the mapping's URL. */
const matrixIntegration = async (): Promise<string> =>
  (
    await ctx.admin.request("POST", "/api/integrations", { name: `matrix-integration-${++workspaceFiles}` })
  ).json<{ id: string }>().id;
const matrixMapping = async (): Promise<string> => {
  const id = await matrixIntegration();
  const mapping = await ctx.admin.request("POST", `/api/integrations/${id}/mappings`, { entityId: "e" });
  return `/api/integrations/${id}/mappings/${mapping.json<{ id: string }>().id}`;
};

/** A new event source of its own: its URL; with a subscription, the subscription's URL. */
const matrixSource = async (): Promise<string> =>
  `/api/events/sources/${
    (
      await ctx.admin.request("POST", "/api/events/sources", { name: `matrix-source-${++workspaceFiles}` })
    ).json<{ id: string }>().id
  }`;
const matrixSubscription = async (): Promise<string> => {
  const source = await matrixSource();
  const created = await ctx.admin.request("POST", `${source}/subscriptions`, {
    workflowId: await matrixWorkflow(),
  });
  return `${source}/subscriptions/${created.json<{ id: string }>().id}`;
};

const entries: Record<string, Entry> = {
  "GET /auth/me": { method: "GET", url: () => "/auth/me", kind: "anyUser" },
  "POST /auth/logout": { method: "POST", url: () => "/auth/logout", kind: "anyUser" },
  "POST /auth/revoke-all": { method: "POST", url: () => "/auth/revoke-all", kind: "anyUser" },
  "POST /api/profile/password": {
    method: "POST",
    url: () => "/api/profile/password",
    payload: () => ({ currentPassword: "wrong", newPassword: "whatever new passphrase" }),
    kind: "anyUser",
    allowedStatus: 422,
  },
  "GET /auth/mfa/status": { method: "GET", url: () => "/auth/mfa/status", kind: "anyUser" },
  "DELETE /auth/mfa": {
    method: "DELETE",
    url: () => "/auth/mfa",
    payload: () => ({ code: "123456" }),
    kind: "anyUser",
    allowedStatus: 409,
  },
  "POST /auth/mfa/recovery-codes/regenerate": {
    method: "POST",
    url: () => "/auth/mfa/recovery-codes/regenerate",
    payload: () => ({ code: "123456" }),
    kind: "anyUser",
    allowedStatus: 409,
  },
  "POST /auth/admin/revoke-user": {
    method: "POST",
    url: () => "/auth/admin/revoke-user",
    payload: async () => ({ userId: (await signedInUser(ctx, ctx.orgA.id)).userId }),
    kind: "adminOnly",
  },
  "DELETE /api/users/{id}/mfa": {
    method: "DELETE",
    url: async () => `/api/users/${(await signedInUser(ctx, ctx.orgB.id)).userId}/mfa`,
    kind: "adminOnly",
  },
  "GET /api/audit": { method: "GET", url: () => "/api/audit", kind: "adminOnly" },
  "GET /api/organizations": { method: "GET", url: () => "/api/organizations", kind: "adminOnly" },
  "POST /api/organizations": {
    method: "POST",
    url: () => "/api/organizations",
    payload: () => ({ name: "Matrix Co" }),
    kind: "adminOnly",
  },
  "GET /api/organizations/{id}": {
    method: "GET",
    url: () => `/api/organizations/${ctx.orgA.id}`,
    kind: "adminOnly",
  },
  "PATCH /api/organizations/{id}": {
    method: "PATCH",
    url: () => `/api/organizations/${ctx.orgB.id}`,
    payload: () => ({ domain: "fabrikam.example" }),
    kind: "adminOnly",
  },
  "DELETE /api/organizations/{id}": {
    method: "DELETE",
    url: async () =>
      `/api/organizations/${(await ctx.admin.request("POST", "/api/organizations", { name: "Doomed" })).json<{ id: string }>().id}`,
    kind: "adminOnly",
  },
  "GET /api/users": { method: "GET", url: () => "/api/users", kind: "adminOnly" },
  "POST /api/users": {
    method: "POST",
    url: () => "/api/users",
    payload: () => ({ email: "matrix-user@contoso.example", name: "M", organizationId: ctx.orgA.id }),
    kind: "adminOnly",
  },
  "GET /api/users/{id}": {
    method: "GET",
    url: () => `/api/users/${ctx.orgB.withRole.userId}`,
    kind: "adminOnly",
  },
  "PATCH /api/users/{id}": {
    method: "PATCH",
    url: () => `/api/users/${ctx.orgA.withoutRole.userId}`,
    payload: () => ({ name: "Renamed" }),
    kind: "adminOnly",
  },
  "DELETE /api/users/{id}": {
    method: "DELETE",
    url: async () => {
      const user = await signedInUser(ctx, ctx.orgA.id);
      await ctx.admin.request("PATCH", `/api/users/${user.userId}`, { isActive: false });
      return `/api/users/${user.userId}`;
    },
    kind: "adminOnly",
  },
  "GET /api/roles": { method: "GET", url: () => "/api/roles", kind: "adminOnly" },
  "POST /api/roles": {
    method: "POST",
    url: () => "/api/roles",
    payload: () => ({ name: "Matrix Role" }),
    kind: "adminOnly",
  },
  "POST /api/roles/{id}/users": {
    method: "POST",
    url: () => `/api/roles/${ctx.roleId}/users`,
    payload: () => ({ userIds: [ctx.orgB.withoutRole.userId] }),
    kind: "adminOnly",
  },
  "GET /api/files/editor": { method: "GET", url: () => "/api/files/editor", kind: "adminOnly" },
  "GET /api/files/editor/content": {
    method: "GET",
    url: async () => `/api/files/editor/content?path=${await matrixFile()}`,
    kind: "adminOnly",
  },
  "PUT /api/files/editor/content": {
    method: "PUT",
    url: () => "/api/files/editor/content",
    payload: () => ({ path: "matrix/put.txt", content: "written" }),
    kind: "adminOnly",
  },
  "DELETE /api/files/editor": {
    method: "DELETE",
    url: async () => `/api/files/editor?path=${await matrixFile()}`,
    kind: "adminOnly",
  },
  "POST /api/files/editor/rename": {
    method: "POST",
    url: () => "/api/files/editor/rename",
    payload: async () => ({ from: await matrixFile(), to: "matrix/renamed.txt" }),
    kind: "adminOnly",
  },
  // Files: platform admins and runs (a run's side is tested in test/files).
  "POST /api/files/read": {
    method: "POST",
    url: () => "/api/files/read",
    payload: () => ({ path: "matrix/never-written.txt" }),
    kind: "adminOnly",
    allowedStatus: 404,
  },
  "POST /api/files/write": {
    method: "POST",
    url: () => "/api/files/write",
    payload: () => ({ path: "matrix/written.txt", content: "x" }),
    kind: "adminOnly",
  },
  "POST /api/files/delete": {
    method: "POST",
    url: () => "/api/files/delete",
    payload: () => ({ path: "matrix/written.txt" }),
    kind: "adminOnly",
  },
  "POST /api/files/list": {
    method: "POST",
    url: () => "/api/files/list",
    payload: () => ({ prefix: "matrix/" }),
    kind: "adminOnly",
  },
  "POST /api/files/exists": {
    method: "POST",
    url: () => "/api/files/exists",
    payload: () => ({ path: "matrix/written.txt" }),
    kind: "adminOnly",
  },
  "POST /api/files/signed-url": {
    method: "POST",
    url: () => "/api/files/signed-url",
    payload: () => ({ path: "matrix/written.txt", method: "GET" }),
    kind: "adminOnly",
  },
  "GET /api/workflows": { method: "GET", url: () => "/api/workflows", kind: "anyUser" },
  "GET /api/workflows/{id}": {
    method: "GET",
    url: async () => `/api/workflows/${await matrixWorkflow()}`,
    kind: "anyUser",
  },
  "PATCH /api/workflows/{id}": {
    method: "PATCH",
    url: async () => `/api/workflows/${await matrixWorkflow()}`,
    payload: () => ({ timeoutSeconds: 60 }),
    kind: "adminOnly",
  },
  // Forms: platform admins write them; the run routes answer 404 for a form out of reach.
  "POST /api/forms": { method: "POST", url: () => "/api/forms", payload: matrixFormBody, kind: "adminOnly" },
  "GET /api/forms": { method: "GET", url: () => "/api/forms", kind: "anyUser" },
  "GET /api/forms/{id}": {
    method: "GET",
    url: () => `/api/forms/${UNKNOWN}`,
    kind: "anyUser",
    allowedStatus: 404,
  },
  "PUT /api/forms/{id}": {
    method: "PUT",
    url: async () => `/api/forms/${await matrixForm()}`,
    payload: matrixFormBody,
    kind: "adminOnly",
  },
  "DELETE /api/forms/{id}": {
    method: "DELETE",
    url: async () => `/api/forms/${await matrixForm()}`,
    kind: "adminOnly",
  },
  "POST /api/forms/{id}/startup": {
    method: "POST",
    url: () => `/api/forms/${UNKNOWN}/startup`,
    kind: "anyUser",
    allowedStatus: 404,
  },
  "POST /api/forms/{id}/fields/{fieldName}/options": {
    method: "POST",
    url: () => `/api/forms/${UNKNOWN}/fields/note/options`,
    payload: () => ({ values: {} }),
    kind: "anyUser",
    allowedStatus: 404,
  },
  "POST /api/forms/{id}/execute": {
    method: "POST",
    url: () => `/api/forms/${UNKNOWN}/execute`,
    payload: () => ({ values: {} }),
    kind: "anyUser",
    allowedStatus: 404,
  },
  "POST /api/forms/{id}/upload": {
    method: "POST",
    url: () => `/api/forms/${UNKNOWN}/upload`,
    payload: () => ({ fieldName: "note", fileName: "a.txt", contentType: "text/plain", size: 1 }),
    kind: "anyUser",
    allowedStatus: 404,
  },
  // Executions: a user reaches only their own runs; an unknown or foreign one is 404.
  "POST /api/workflows/execute": {
    method: "POST",
    url: () => "/api/workflows/execute",
    payload: () => ({ workflowName: "no-such-workflow", inputData: {} }),
    kind: "anyUser",
    allowedStatus: 404,
  },
  "GET /api/executions": { method: "GET", url: () => "/api/executions", kind: "anyUser" },
  "GET /api/executions/{id}": {
    method: "GET",
    url: () => `/api/executions/${UNKNOWN}`,
    kind: "anyUser",
    allowedStatus: 404,
  },
  "GET /api/executions/{id}/logs": {
    method: "GET",
    url: () => `/api/executions/${UNKNOWN}/logs`,
    kind: "anyUser",
    allowedStatus: 404,
  },
  "GET /api/executions/{id}/result": {
    method: "GET",
    url: () => `/api/executions/${UNKNOWN}/result`,
    kind: "anyUser",
    allowedStatus: 404,
  },
  "POST /api/executions/{id}/cancel": {
    method: "POST",
    url: () => `/api/executions/${UNKNOWN}/cancel`,
    kind: "anyUser",
    allowedStatus: 404,
  },
  "GET /api/platform/workers": { method: "GET", url: () => "/api/platform/workers", kind: "adminOnly" },
  // Tables: platform admins over REST (and runs through the SDK); organization users get 403.
  "POST /api/tables": {
    method: "POST",
    url: () => "/api/tables",
    payload: () => ({ name: `matrix-new-${++workspaceFiles}` }),
    kind: "adminOnly",
  },
  "GET /api/tables": { method: "GET", url: () => "/api/tables", kind: "adminOnly" },
  "GET /api/tables/{idOrName}": {
    method: "GET",
    url: async () => `/api/tables/${await matrixTable()}`,
    kind: "adminOnly",
  },
  "PATCH /api/tables/{idOrName}": {
    method: "PATCH",
    url: async () => `/api/tables/${await matrixTable()}`,
    payload: () => ({ description: "changed" }),
    kind: "adminOnly",
  },
  "DELETE /api/tables/{idOrName}": {
    method: "DELETE",
    url: async () => `/api/tables/${await matrixTable()}`,
    kind: "adminOnly",
  },
  "POST /api/tables/{idOrName}/documents": {
    method: "POST",
    url: async () => `/api/tables/${await matrixTable()}/documents`,
    payload: () => ({ data: { n: 1 } }),
    kind: "adminOnly",
  },
  "POST /api/tables/{idOrName}/documents/upsert": {
    method: "POST",
    url: async () => `/api/tables/${await matrixTable()}/documents/upsert`,
    payload: () => ({ id: "doc", data: { n: 1 } }),
    kind: "adminOnly",
  },
  "POST /api/tables/{idOrName}/documents/query": {
    method: "POST",
    url: async () => `/api/tables/${await matrixTable()}/documents/query`,
    payload: () => ({ where: { n: 1 } }),
    kind: "adminOnly",
  },
  "POST /api/tables/{idOrName}/documents/count": {
    method: "POST",
    url: async () => `/api/tables/${await matrixTable()}/documents/count`,
    payload: () => ({}),
    kind: "adminOnly",
  },
  "POST /api/tables/{idOrName}/documents/batch": {
    method: "POST",
    url: async () => `/api/tables/${await matrixTable()}/documents/batch`,
    payload: () => ({ mode: "upsert", documents: [{ id: "doc", data: { n: 1 } }] }),
    kind: "adminOnly",
  },
  "POST /api/tables/{idOrName}/documents/batch-delete": {
    method: "POST",
    url: async () => `/api/tables/${await matrixTable()}/documents/batch-delete`,
    payload: () => ({ ids: ["doc"] }),
    kind: "adminOnly",
  },
  "GET /api/tables/{idOrName}/documents/{docId}": {
    method: "GET",
    url: matrixDocument,
    kind: "adminOnly",
  },
  "PATCH /api/tables/{idOrName}/documents/{docId}": {
    method: "PATCH",
    url: matrixDocument,
    payload: () => ({ data: { n: 2 } }),
    kind: "adminOnly",
  },
  "DELETE /api/tables/{idOrName}/documents/{docId}": {
    method: "DELETE",
    url: matrixDocument,
    kind: "adminOnly",
  },
  "POST /api/config": {
    method: "POST",
    url: () => "/api/config",
    payload: () => ({ key: `matrix-${++workspaceFiles}`, value: "x", type: "string" }),
    kind: "adminOnly",
  },
  "GET /api/config": { method: "GET", url: () => "/api/config", kind: "adminOnly" },
  "POST /api/schedules": {
    method: "POST",
    url: () => "/api/schedules",
    payload: async () => ({ workflowId: await matrixWorkflow(), cron: "0 3 * * *" }),
    kind: "adminOnly",
  },
  "GET /api/schedules": { method: "GET", url: () => "/api/schedules", kind: "adminOnly" },
  "POST /api/schedules/validate": {
    method: "POST",
    url: () => "/api/schedules/validate",
    payload: () => ({ cron: "0 3 * * *" }),
    kind: "adminOnly",
  },
  "PATCH /api/schedules/{id}": {
    method: "PATCH",
    url: async () => `/api/schedules/${await matrixSchedule()}`,
    payload: () => ({ enabled: false }),
    kind: "adminOnly",
  },
  "DELETE /api/schedules/{id}": {
    method: "DELETE",
    url: async () => `/api/schedules/${await matrixSchedule()}`,
    kind: "adminOnly",
  },
  "PUT /api/config/{id}": {
    method: "PUT",
    url: async () => `/api/config/${await matrixConfig()}`,
    payload: () => ({ value: "y" }),
    kind: "adminOnly",
  },
  "DELETE /api/config/{id}": {
    method: "DELETE",
    url: async () => `/api/config/${await matrixConfig()}`,
    kind: "adminOnly",
  },
  "POST /api/sdk/config/get": {
    method: "POST",
    url: () => "/api/sdk/config/get",
    payload: () => ({ key: "k" }),
    kind: "runOnly",
  },
  "POST /api/sdk/config/set": {
    method: "POST",
    url: () => "/api/sdk/config/set",
    payload: () => ({ key: "k", value: "v" }),
    kind: "runOnly",
  },
  "POST /api/sdk/config/list": { method: "POST", url: () => "/api/sdk/config/list", kind: "runOnly" },
  "POST /api/sdk/config/delete": {
    method: "POST",
    url: () => "/api/sdk/config/delete",
    payload: () => ({ key: "k" }),
    kind: "runOnly",
  },
  "POST /api/oauth/connections": {
    method: "POST",
    url: () => "/api/oauth/connections",
    payload: () => ({
      name: `matrix-oauth-${++workspaceFiles}`,
      flow: "client_credentials",
      clientId: "c",
      tokenUrl: "https://idp.example/token",
    }),
    kind: "adminOnly",
  },
  "GET /api/oauth/connections": { method: "GET", url: () => "/api/oauth/connections", kind: "adminOnly" },
  "GET /api/oauth/connections/{name}": {
    method: "GET",
    url: async () => `/api/oauth/connections/${await matrixProvider()}`,
    kind: "adminOnly",
  },
  "PUT /api/oauth/connections/{name}": {
    method: "PUT",
    url: async () => `/api/oauth/connections/${await matrixProvider()}`,
    payload: () => ({ scopes: ["a"] }),
    kind: "adminOnly",
  },
  "DELETE /api/oauth/connections/{name}": {
    method: "DELETE",
    url: async () => `/api/oauth/connections/${await matrixProvider()}`,
    kind: "adminOnly",
  },
  "POST /api/oauth/connections/{name}/authorize": {
    method: "POST",
    url: async () => `/api/oauth/connections/${await matrixProvider()}/authorize`,
    payload: () => ({}),
    kind: "adminOnly",
  },
  "POST /api/integrations": {
    method: "POST",
    url: () => "/api/integrations",
    payload: () => ({ name: `matrix-integration-${++workspaceFiles}` }),
    kind: "adminOnly",
  },
  "GET /api/integrations": { method: "GET", url: () => "/api/integrations", kind: "adminOnly" },
  "GET /api/integrations/by-name/{name}": {
    method: "GET",
    url: async () => {
      const id = await matrixIntegration();
      const row = await ctx.admin.request("GET", `/api/integrations/${id}`);
      return `/api/integrations/by-name/${row.json<{ name: string }>().name}`;
    },
    kind: "adminOnly",
  },
  "GET /api/integrations/{id}": {
    method: "GET",
    url: async () => `/api/integrations/${await matrixIntegration()}`,
    kind: "adminOnly",
  },
  "PUT /api/integrations/{id}": {
    method: "PUT",
    url: async () => `/api/integrations/${await matrixIntegration()}`,
    payload: () => ({ description: "d" }),
    kind: "adminOnly",
  },
  "DELETE /api/integrations/{id}": {
    method: "DELETE",
    url: async () => `/api/integrations/${await matrixIntegration()}`,
    kind: "adminOnly",
  },
  "PUT /api/integrations/{id}/config": {
    method: "PUT",
    url: async () => `/api/integrations/${await matrixIntegration()}/config`,
    payload: () => ({ config: {} }),
    kind: "adminOnly",
  },
  "POST /api/integrations/{id}/test": {
    method: "POST",
    url: async () => `/api/integrations/${await matrixIntegration()}/test`,
    payload: () => ({}),
    kind: "adminOnly",
  },
  "POST /api/integrations/{id}/mappings": {
    method: "POST",
    url: async () => `/api/integrations/${await matrixIntegration()}/mappings`,
    payload: () => ({ entityId: "e" }),
    kind: "adminOnly",
  },
  "GET /api/integrations/{id}/mappings": {
    method: "GET",
    url: async () => `/api/integrations/${await matrixIntegration()}/mappings`,
    kind: "adminOnly",
  },
  "POST /api/integrations/{id}/mappings/batch": {
    method: "POST",
    url: async () => `/api/integrations/${await matrixIntegration()}/mappings/batch`,
    payload: () => ({ mappings: [{ entityId: "e" }] }),
    kind: "adminOnly",
  },
  "GET /api/integrations/{id}/mappings/{mappingId}": { method: "GET", url: matrixMapping, kind: "adminOnly" },
  "PUT /api/integrations/{id}/mappings/{mappingId}": {
    method: "PUT",
    url: matrixMapping,
    payload: () => ({ entityName: "n" }),
    kind: "adminOnly",
  },
  "DELETE /api/integrations/{id}/mappings/{mappingId}": {
    method: "DELETE",
    url: matrixMapping,
    kind: "adminOnly",
  },
  "POST /api/sdk/integrations/get": {
    method: "POST",
    url: () => "/api/sdk/integrations/get",
    payload: () => ({ name: "n" }),
    kind: "runOnly",
  },
  "POST /api/sdk/integrations/mappings/list": {
    method: "POST",
    url: () => "/api/sdk/integrations/mappings/list",
    payload: () => ({ name: "n" }),
    kind: "runOnly",
  },
  "POST /api/sdk/integrations/mappings/get": {
    method: "POST",
    url: () => "/api/sdk/integrations/mappings/get",
    payload: () => ({ name: "n" }),
    kind: "runOnly",
  },
  "POST /api/sdk/integrations/mappings/upsert": {
    method: "POST",
    url: () => "/api/sdk/integrations/mappings/upsert",
    payload: () => ({ name: "n" }),
    kind: "runOnly",
  },
  "POST /api/sdk/integrations/mappings/delete": {
    method: "POST",
    url: () => "/api/sdk/integrations/mappings/delete",
    payload: () => ({ name: "n" }),
    kind: "runOnly",
  },
  "POST /api/workflow-keys": {
    method: "POST",
    url: () => "/api/workflow-keys",
    payload: async () => ({ workflowId: await matrixWorkflow() }),
    kind: "adminOnly",
    allowedStatus: 201,
  },
  "GET /api/workflow-keys": { method: "GET", url: () => "/api/workflow-keys", kind: "adminOnly" },
  "DELETE /api/workflow-keys/{id}": {
    method: "DELETE",
    url: async () => {
      const workflowId = await matrixWorkflow();
      const key = await ctx.admin.request("POST", "/api/workflow-keys", { workflowId });
      return `/api/workflow-keys/${key.json<{ id: string }>().id}`;
    },
    kind: "adminOnly",
    allowedStatus: 204,
  },
  "POST /api/events/sources": {
    method: "POST",
    url: () => "/api/events/sources",
    payload: () => ({ name: "matrix source" }),
    kind: "adminOnly",
  },
  "GET /api/events/sources": { method: "GET", url: () => "/api/events/sources", kind: "adminOnly" },
  "GET /api/events/sources/{id}": { method: "GET", url: matrixSource, kind: "adminOnly" },
  "PATCH /api/events/sources/{id}": {
    method: "PATCH",
    url: matrixSource,
    payload: () => ({ enabled: false }),
    kind: "adminOnly",
  },
  "DELETE /api/events/sources/{id}": { method: "DELETE", url: matrixSource, kind: "adminOnly" },
  "POST /api/events/sources/{id}/subscriptions": {
    method: "POST",
    url: async () => `${await matrixSource()}/subscriptions`,
    payload: async () => ({ workflowId: await matrixWorkflow() }),
    kind: "adminOnly",
  },
  "GET /api/events/sources/{id}/subscriptions": {
    method: "GET",
    url: async () => `${await matrixSource()}/subscriptions`,
    kind: "adminOnly",
  },
  "PATCH /api/events/sources/{id}/subscriptions/{subId}": {
    method: "PATCH",
    url: matrixSubscription,
    payload: () => ({ enabled: false }),
    kind: "adminOnly",
  },
  "DELETE /api/events/sources/{id}/subscriptions/{subId}": {
    method: "DELETE",
    url: matrixSubscription,
    kind: "adminOnly",
  },
  "GET /api/events/sources/{id}/events": {
    method: "GET",
    url: async () => `${await matrixSource()}/events`,
    kind: "adminOnly",
  },
  "GET /api/events/{eventId}": {
    method: "GET",
    url: () => `/api/events/${UNKNOWN}`,
    kind: "adminOnly",
    allowedStatus: 404,
  },
  "POST /api/events/deliveries/{deliveryId}/retry": {
    method: "POST",
    url: () => `/api/events/deliveries/${UNKNOWN}/retry`,
    kind: "adminOnly",
    allowedStatus: 404,
  },
  // A plain GET (no upgrade) is authenticated like any route, then refused as not a WebSocket.
  "GET /ws/connect": { method: "GET", url: () => "/ws/connect", kind: "anyUser", allowedStatus: 404 },
};

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

describe("the access matrix", () => {
  it("covers every route that needs a token", () => {
    const paths = (
      ctx.app.app.swagger() as { paths: Record<string, Record<string, { security?: unknown[] }>> }
    ).paths;
    const protectedRoutes = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => (operation.security?.length ?? 0) > 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(protectedRoutes.length).toBeGreaterThan(10);
    expect(protectedRoutes.filter((route) => !(route in entries))).toEqual([]);
  });

  for (const [name, entry] of Object.entries(entries).filter(([, e]) => e.kind === "runOnly")) {
    it(`${name}: anonymous 401, every signed-in user 403 (runs only)`, async () => {
      const url = await entry.url();
      const payload = entry.payload ? await entry.payload() : undefined;
      const request = { method: entry.method as "POST", url, ...(payload ? { payload } : {}) };
      expect((await ctx.app.app.inject(request)).statusCode).toBe(401);
      for (const user of [ctx.admin, ctx.orgA.withRole]) {
        expect((await user.request(entry.method, url, payload)).statusCode).toBe(403);
      }
    });
  }

  for (const [name, entry] of Object.entries(entries).filter(([, e]) => e.kind !== "runOnly")) {
    it(`${name}: anonymous 401${entry.kind === "adminOnly" ? ", organization users 403" : ""}, allowed caller served`, async () => {
      const url = await entry.url();
      const payload = entry.payload ? await entry.payload() : undefined;
      // A route that ends the caller's own login gets a caller of its own.
      const allowed = entry.kind === "anyUser" ? await signedInUser(ctx, ctx.orgA.id) : ctx.admin;
      await expectAccessMatrix(
        ctx,
        { method: entry.method, url, ...(payload ? { payload } : {}) },
        {
          adminOnly: entry.kind === "adminOnly",
          allowed,
          ...(entry.allowedStatus !== undefined ? { allowedStatus: entry.allowedStatus } : {}),
        },
      );
    });
  }

  it("an unknown id on an admin route is 404, not the data of something else", async () => {
    expect((await ctx.admin.request("GET", `/api/users/${UNKNOWN}`)).statusCode).toBe(404);
    expect((await ctx.admin.request("GET", `/api/organizations/${UNKNOWN}`)).statusCode).toBe(404);
  });
});
