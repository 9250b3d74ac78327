import type { SdkIntegration, SdkMapping, SdkOAuthToken } from "@bifrost/contracts";
import { callApi, onFirstUse } from "../client.js";
import { currentRuntime } from "../context.js";

/** An OAuth access token, refreshed by the platform when it was about to expire. */
export type OAuthToken = SdkOAuthToken;

/**
 * An integration as the run's organization sees it: its entity, the defaults merged with the
 * organization's mapping (else the global one) with secrets in clear, and a fresh OAuth token.
 */
export type Integration = Omit<SdkIntegration, "secretKeys">;

/** A mapping as `listMappings`/`getMapping` show it: secret config values as "[SECRET]". */
export type IntegrationMapping = SdkMapping;

// Reads and upserts are safe to repeat across a rolling restart of the API.
const retried = { idempotent: true };
const answers = onFirstUse(() => import("@bifrost/contracts/integrations"));

export const integrations = {
  /**
   * The integration `name` for the run's organization: its mapping (else the global one), the
   * merged config and a fresh OAuth token; null when neither mapping exists. Secret config values
   * and the access token are registered for redaction. A connection whose refresh token was
   * revoked throws a BifrostApiError saying it must be authorized again.
   */
  async get(name: string): Promise<Integration | null> {
    const { integration } = await callApi(
      "POST",
      "/api/sdk/integrations/get",
      { name },
      { ...retried, answer: (await answers()).sdkIntegrationGetResultSchema },
    );
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
    const result = await callApi(
      "POST",
      "/api/sdk/integrations/mappings/list",
      { name },
      { ...retried, answer: (await answers()).sdkMappingListResultSchema },
    );
    return result.items;
  },

  /** The run's organization's own mapping of `name`, or null. */
  async getMapping(name: string): Promise<IntegrationMapping | null> {
    const result = await callApi(
      "POST",
      "/api/sdk/integrations/mappings/get",
      { name },
      { ...retried, answer: (await answers()).sdkMappingResultSchema },
    );
    return result.mapping;
  },

  /** Creates or replaces the run's organization's mapping of `name`. */
  async upsertMapping(
    name: string,
    mapping: { entityId?: string | null; entityName?: string | null; config?: Record<string, unknown> },
  ): Promise<IntegrationMapping> {
    return await callApi(
      "POST",
      "/api/sdk/integrations/mappings/upsert",
      { name, ...mapping, config: mapping.config ?? {} },
      { ...retried, answer: (await answers()).sdkMappingSchema },
    );
  },

  /** Deletes the run's organization's mapping of `name`; answers whether there was one. */
  async deleteMapping(name: string): Promise<boolean> {
    const result = await callApi(
      "POST",
      "/api/sdk/integrations/mappings/delete",
      { name },
      { answer: (await answers()).sdkDeleteMappingResultSchema },
    );
    return result.deleted;
  },
};
