import type { TestContext } from "../support/context.js";
import { workflowId, workflowsFile, writeWorkspaceFile } from "../workspace/workspace-fixtures.js";

/** One row of the access matrix: a route, how to call it, and who may. */
export type Entry = {
  method: string;
  url: () => Promise<string> | string;
  payload?: () => Promise<object> | object;
  /**
   * `anyUser`: every signed-in user, and a run's SDK as its caller; `userOnly`: every signed-in user,
   * never a run (the `user` rule: account, sessions, MFA, the WebSocket); `adminOnly`: platform
   * admins; `runOnly`: `/api/sdk/*` routes, for a run's execution token alone (every user gets 403).
   */
  kind: "adminOnly" | "anyUser" | "userOnly" | "runOnly";
  allowedStatus?: number;
};

/** The entities the matrix entries call routes on, made through the API as an admin would. */
export function matrixFixtures(c: () => TestContext) {
  const UNKNOWN = "00000000-0000-4000-8000-0000000000bb";

  let workspaceFiles = 0;
  /** A fresh number for names that must be unique. */
  const unique = (): number => ++workspaceFiles;
  /** A workspace file of its own (writes and deletes must not step on each other). */
  const matrixFile = async (): Promise<string> => {
    const path = `matrix/file-${++workspaceFiles}.txt`;
    await writeWorkspaceFile(c().admin, path, "matrix");
    return path;
  };
  /** A new global workflow any signed-in user may see. */
  /** A new global table of its own, by name; with `doc`, the URL of a document in it. */
  const matrixTable = async (): Promise<string> => {
    const name = `matrix-table-${++workspaceFiles}`;
    await c().admin.request("POST", "/api/tables", { name });
    return name;
  };
  const matrixDocument = async (): Promise<string> => {
    const table = await matrixTable();
    await c().admin.request("POST", `/api/tables/${table}/documents`, { id: "doc", data: { n: 1 } });
    return `/api/tables/${table}/documents/doc`;
  };
  const matrixWorkflow = async (): Promise<string> => {
    const name = `matrix${++workspaceFiles}`;
    const id = workflowId(
      await writeWorkspaceFile(c().admin, `matrix/${name}.ts`, workflowsFile(name)),
      name,
    );
    await c().admin.request("PATCH", `/api/workflows/${id}`, { accessLevel: "authenticated" });
    return id;
  };

  /** A new schedule of its own (disabled: it never fires). */
  const matrixSchedule = async (): Promise<string> =>
    (
      await c().admin.request("POST", "/api/schedules", {
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
    (await c().admin.request("POST", "/api/forms", await matrixFormBody())).json<{ id: string }>().id;

  /** A new global config entry of its own. */
  const matrixConfig = async (): Promise<string> =>
    (
      await c().admin.request("POST", "/api/config", {
        key: `matrix-${++workspaceFiles}`,
        value: "x",
        type: "string",
      })
    ).json<{ id: string }>().id;

  /** A new OAuth connection of its own, by name. */
  const matrixProvider = async (): Promise<string> => {
    const name = `matrix-oauth-${++workspaceFiles}`;
    await c().admin.request("POST", "/api/oauth/connections", {
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
      await c().admin.request("POST", "/api/integrations", { name: `matrix-integration-${++workspaceFiles}` })
    ).json<{ id: string }>().id;
  const matrixMapping = async (): Promise<string> => {
    const id = await matrixIntegration();
    const mapping = await c().admin.request("POST", `/api/integrations/${id}/mappings`, { entityId: "e" });
    return `/api/integrations/${id}/mappings/${mapping.json<{ id: string }>().id}`;
  };

  /** A new event source of its own: its URL; with a subscription, the subscription's URL. */
  const matrixSource = async (): Promise<string> =>
    `/api/events/sources/${
      (
        await c().admin.request("POST", "/api/events/sources", { name: `matrix-source-${++workspaceFiles}` })
      ).json<{ id: string }>().id
    }`;
  const matrixSubscription = async (): Promise<string> => {
    const source = await matrixSource();
    const created = await c().admin.request("POST", `${source}/subscriptions`, {
      workflowId: await matrixWorkflow(),
    });
    return `${source}/subscriptions/${created.json<{ id: string }>().id}`;
  };
  return {
    unique,
    UNKNOWN,
    matrixFile,
    matrixTable,
    matrixDocument,
    matrixWorkflow,
    matrixSchedule,
    matrixFormBody,
    matrixForm,
    matrixConfig,
    matrixProvider,
    matrixIntegration,
    matrixMapping,
    matrixSource,
    matrixSubscription,
  };
}

export type MatrixFixtures = ReturnType<typeof matrixFixtures>;
