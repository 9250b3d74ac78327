import type { TestContext } from "../support/context.js";
import type { Entry, MatrixFixtures } from "./access-matrix.fixtures.js";

/** Documents, schedules, config, OAuth, integrations, webhooks and the WebSocket. */
export function dataEntries(c: () => TestContext, f: MatrixFixtures): Record<string, Entry> {
  const {
    UNKNOWN,
    matrixDocument,
    matrixWorkflow,
    matrixSchedule,
    matrixConfig,
    matrixProvider,
    matrixIntegration,
    matrixMapping,
    matrixSource,
    matrixSubscription,
    unique,
  } = f;
  return {
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
      payload: () => ({ key: `matrix-${unique()}`, value: "x", type: "string" }),
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
        name: `matrix-oauth-${unique()}`,
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
      payload: () => ({ name: `matrix-integration-${unique()}` }),
      kind: "adminOnly",
    },
    "GET /api/integrations": { method: "GET", url: () => "/api/integrations", kind: "adminOnly" },
    "GET /api/integrations/by-name/{name}": {
      method: "GET",
      url: async () => {
        const id = await matrixIntegration();
        const row = await c().admin.request("GET", `/api/integrations/${id}`);
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
    "GET /api/integrations/{id}/mappings/{mappingId}": {
      method: "GET",
      url: matrixMapping,
      kind: "adminOnly",
    },
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
        const key = await c().admin.request("POST", "/api/workflow-keys", { workflowId });
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
    "GET /ws/connect": { method: "GET", url: () => "/ws/connect", kind: "userOnly", allowedStatus: 404 },
  };
}
