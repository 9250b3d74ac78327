import { signedInUser, type TestContext } from "../support/context.js";
import type { Entry, MatrixFixtures } from "./access-matrix.fixtures.js";

/** Organizations, users and roles, workspace, workflows, files, forms, executions and the first table routes. */
export function coreEntries(c: () => TestContext, f: MatrixFixtures): Record<string, Entry> {
  const { UNKNOWN, matrixFile, matrixTable, matrixWorkflow, matrixFormBody, matrixForm, unique } = f;
  const userWithoutPassword = async (): Promise<string> =>
    (
      await c().admin.request("POST", "/api/users", {
        email: `invitee-${unique()}@contoso.example`,
        name: "Invitee",
        organizationId: c().orgA.id,
      })
    ).json<{ id: string }>().id;
  return {
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
      url: () => `/api/organizations/${c().orgA.id}`,
      kind: "adminOnly",
    },
    "PATCH /api/organizations/{id}": {
      method: "PATCH",
      url: () => `/api/organizations/${c().orgB.id}`,
      payload: () => ({ domain: "fabrikam.example", maxConcurrentRuns: 50 }),
      kind: "adminOnly",
    },
    "DELETE /api/organizations/{id}": {
      method: "DELETE",
      url: async () =>
        `/api/organizations/${(await c().admin.request("POST", "/api/organizations", { name: "Doomed" })).json<{ id: string }>().id}`,
      kind: "adminOnly",
    },
    "GET /api/users": { method: "GET", url: () => "/api/users", kind: "adminOnly" },
    "POST /api/users": {
      method: "POST",
      url: () => "/api/users",
      payload: () => ({ email: "matrix-user@contoso.example", name: "M", organizationId: c().orgA.id }),
      kind: "adminOnly",
    },
    "GET /api/users/{id}": {
      method: "GET",
      url: () => `/api/users/${c().orgB.withRole.userId}`,
      kind: "adminOnly",
    },
    "PATCH /api/users/{id}": {
      method: "PATCH",
      url: () => `/api/users/${c().orgA.withoutRole.userId}`,
      payload: () => ({ name: "Renamed" }),
      kind: "adminOnly",
    },
    // Invitations and reset links (issue 21): a user without a password of its own for each.
    "POST /api/users/{id}/invite": {
      method: "POST",
      url: async () => `/api/users/${await userWithoutPassword()}/invite`,
      kind: "adminOnly",
    },
    "DELETE /api/users/{id}/invite": {
      method: "DELETE",
      url: async () => {
        const id = await userWithoutPassword();
        await c().admin.request("POST", `/api/users/${id}/invite`);
        return `/api/users/${id}/invite`;
      },
      kind: "adminOnly",
    },
    "POST /api/users/{id}/password-reset": {
      method: "POST",
      url: () => `/api/users/${c().orgA.withoutRole.userId}/password-reset`,
      kind: "adminOnly",
    },
    "GET /api/platform/mail": { method: "GET", url: () => "/api/platform/mail", kind: "adminOnly" },
    "POST /api/users/bulk": {
      method: "POST",
      url: () => "/api/users/bulk",
      payload: () => ({ userIds: [c().orgA.withoutRole.userId], action: { type: "activate" } }),
      kind: "adminOnly",
    },
    "GET /api/roles/{id}": { method: "GET", url: () => `/api/roles/${c().roleId}`, kind: "adminOnly" },
    "GET /api/roles/{id}/users": {
      method: "GET",
      url: () => `/api/roles/${c().roleId}/users`,
      kind: "adminOnly",
    },
    "PATCH /api/roles/{id}": {
      method: "PATCH",
      url: () => `/api/roles/${c().roleId}`,
      payload: () => ({ description: "Renamed by the matrix" }),
      kind: "adminOnly",
    },
    "DELETE /api/roles/{id}": {
      method: "DELETE",
      url: async () =>
        `/api/roles/${(await c().admin.request("POST", "/api/roles", { name: `matrix-doomed-${unique()}` })).json<{ id: string }>().id}`,
      kind: "adminOnly",
    },
    "DELETE /api/roles/{id}/users/{userId}": {
      method: "DELETE",
      url: async () => {
        const role = (
          await c().admin.request("POST", "/api/roles", { name: `matrix-held-${unique()}` })
        ).json<{ id: string }>().id;
        await c().admin.request("POST", `/api/roles/${role}/users`, {
          userIds: [c().orgB.withoutRole.userId],
        });
        return `/api/roles/${role}/users/${c().orgB.withoutRole.userId}`;
      },
      kind: "adminOnly",
    },
    "DELETE /api/users/{id}": {
      method: "DELETE",
      url: async () => {
        const user = await signedInUser(c(), c().orgA.id);
        await c().admin.request("PATCH", `/api/users/${user.userId}`, { isActive: false });
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
      url: () => `/api/roles/${c().roleId}/users`,
      payload: () => ({ userIds: [c().orgB.withoutRole.userId] }),
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
      payload: () => ({ timeoutSeconds: 60, retryPolicy: { retries: 1 } }),
      kind: "adminOnly",
    },
    // Forms: platform admins write them; the run routes answer 404 for a form out of reach.
    "POST /api/forms": {
      method: "POST",
      url: () => "/api/forms",
      payload: matrixFormBody,
      kind: "adminOnly",
    },
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
    "POST /api/executions/{id}/rerun": {
      method: "POST",
      url: () => `/api/executions/${UNKNOWN}/rerun`,
      kind: "anyUser",
      allowedStatus: 404,
    },
    "POST /api/executions/{id}/cancel": {
      method: "POST",
      url: () => `/api/executions/${UNKNOWN}/cancel`,
      kind: "anyUser",
      allowedStatus: 404,
    },
    // Local runs (`bifrost run --local`): platform admins with their own login; a run's token is 403.
    "POST /api/local-runs": {
      method: "POST",
      url: () => "/api/local-runs",
      payload: () => ({ workflowName: "no-such-workflow", inputData: {} }),
      kind: "adminOnly",
      allowedStatus: 404,
    },
    "POST /api/local-runs/{id}/heartbeat": {
      method: "POST",
      url: () => `/api/local-runs/${UNKNOWN}/heartbeat`,
      kind: "adminOnly",
      allowedStatus: 404,
    },
    "POST /api/local-runs/{id}/logs": {
      method: "POST",
      url: () => `/api/local-runs/${UNKNOWN}/logs`,
      payload: () => ({ lines: [{ level: "info", message: "x", timestamp: 1 }] }),
      kind: "adminOnly",
      allowedStatus: 404,
    },
    "POST /api/local-runs/{id}/finish": {
      method: "POST",
      url: () => `/api/local-runs/${UNKNOWN}/finish`,
      payload: () => ({ status: "Success", durationMs: 1 }),
      kind: "adminOnly",
      allowedStatus: 404,
    },
    "GET /api/platform/workers": { method: "GET", url: () => "/api/platform/workers", kind: "adminOnly" },
    "GET /api/platform/queue": { method: "GET", url: () => "/api/platform/queue", kind: "adminOnly" },
    "GET /api/platform/api-process": {
      method: "GET",
      url: () => "/api/platform/api-process",
      kind: "adminOnly",
    },
    // Tables: platform admins over REST (and runs through the SDK); organization users get 403.
    "POST /api/tables": {
      method: "POST",
      url: () => "/api/tables",
      payload: () => ({ name: `matrix-new-${unique()}` }),
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
  };
}
