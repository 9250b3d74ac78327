import { callApi } from "../client.js";
import { currentRuntime } from "../context.js";

/** An OAuth access token, refreshed by the platform when it was about to expire. */
export type OAuthToken = { accessToken: string; expiresAt: string | null; scopes: string[] };

/** An integration as the run's organization sees it. */
export type Integration = {
  entityId: string | null;
  entityName: string | null;
  /** Defaults merged with the organization's mapping (else the global one); secrets in clear. */
  config: Record<string, unknown>;
  oauth: OAuthToken | null;
};

/** A mapping as `listMappings`/`getMapping` show it: secret config values as "[SECRET]". */
export type IntegrationMapping = {
  organizationId: string | null;
  entityId: string | null;
  entityName: string | null;
  config: Record<string, unknown>;
};

type GetResult = { integration: (Integration & { secretKeys: string[] }) | null };

// Reads and upserts are safe to repeat across a rolling restart of the API.
const retried = { idempotent: true };

export const integrations = {
  /**
   * The integration `name` for the run's organization: its mapping (else the global one), the
   * merged config and a fresh OAuth token; null when neither mapping exists. Secret config values
   * and the access token are registered for redaction. A connection whose refresh token was
   * revoked throws a BifrostApiError saying it must be authorized again.
   */
  async get(name: string): Promise<Integration | null> {
    const { integration } = await callApi<GetResult>("POST", "/api/sdk/integrations/get", { name }, retried);
    if (!integration) return null;
    const runtime = currentRuntime();
    for (const key of integration.secretKeys) {
      const value = integration.config[key];
      if (value !== undefined && value !== null)
        runtime.registerSecret(typeof value === "string" ? value : JSON.stringify(value));
    }
    if (integration.oauth) runtime.registerSecret(integration.oauth.accessToken);
    const { secretKeys: _secretKeys, ...visible } = integration;
    return visible;
  },

  /** The run's organization's mapping of `name` and the global one. */
  async listMappings(name: string): Promise<IntegrationMapping[]> {
    const result = await callApi<{ items: IntegrationMapping[] }>(
      "POST",
      "/api/sdk/integrations/mappings/list",
      { name },
      retried,
    );
    return result.items;
  },

  /** The run's organization's own mapping of `name`, or null. */
  async getMapping(name: string): Promise<IntegrationMapping | null> {
    const result = await callApi<{ mapping: IntegrationMapping | null }>(
      "POST",
      "/api/sdk/integrations/mappings/get",
      { name },
      retried,
    );
    return result.mapping;
  },

  /** Creates or replaces the run's organization's mapping of `name`. */
  async upsertMapping(
    name: string,
    mapping: { entityId?: string | null; entityName?: string | null; config?: Record<string, unknown> },
  ): Promise<IntegrationMapping> {
    return await callApi<IntegrationMapping>(
      "POST",
      "/api/sdk/integrations/mappings/upsert",
      { name, ...mapping, config: mapping.config ?? {} },
      retried,
    );
  },

  /** Deletes the run's organization's mapping of `name`; answers whether there was one. */
  async deleteMapping(name: string): Promise<boolean> {
    const result = await callApi<{ deleted: boolean }>("POST", "/api/sdk/integrations/mappings/delete", {
      name,
    });
    return result.deleted;
  },
};
