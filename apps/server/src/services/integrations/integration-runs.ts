import type { SdkIntegration } from "@bifrost/contracts";
import { NotFoundError } from "../../errors.js";
import type { IntegrationRow, IntegrationsRepository, MappingRow } from "../../repositories/integrations.js";
import type { OAuthRepository } from "../../repositories/oauth.js";
import type { AuditActor } from "../../principal.js";
import type { AccessTokens } from "../oauth/access-tokens.js";
import type { IntegrationConfigValues } from "./config-values.js";
import { schemaOf, type IntegrationsService } from "./integrations-service.js";
import { type RunDataScope } from "../../principal.js";

type SdkMapping = {
  organizationId: string | null;
  entityId: string | null;
  entityName: string | null;
  config: Record<string, unknown>;
};

/**
 * What a run's SDK may do with integrations: read the one that applies to its organization (its
 * own mapping, else the global one) with a fresh OAuth token, and manage its organization's
 * mapping. It never names an organization, so it cannot reach another one's mapping.
 */
export class IntegrationRuns {
  constructor(
    private readonly deps: {
      integrations: IntegrationsRepository;
      oauth: OAuthRepository;
      tokens: AccessTokens;
      values: IntegrationConfigValues;
      service: IntegrationsService;
    },
  ) {}

  private async integration(name: string): Promise<IntegrationRow> {
    const row = await this.deps.integrations.findByName(name);
    if (!row) throw new NotFoundError(`Integration ${name} not found`);
    return row;
  }

  private view(integration: IntegrationRow, row: MappingRow): SdkMapping {
    return {
      organizationId: row.organizationId,
      entityId: row.entityId,
      entityName: row.entityName,
      config: this.deps.values.masked(schemaOf(integration), row.config),
    };
  }

  /** The run's organization's mapping, else the global one; null when neither exists. */
  async get(scope: RunDataScope, name: string): Promise<SdkIntegration | null> {
    const integration = await this.integration(name);
    const mappings = await this.deps.integrations.mappingsIn(integration.id, [scope.organizationId, null]);
    const mapping = mappings.find((m) => m.organizationId === scope.organizationId) ?? mappings[0];
    if (!mapping) return null;
    const { config, secretKeys } = this.deps.values.merged(
      schemaOf(integration),
      integration.defaults,
      mapping.config,
    );
    let oauth: SdkIntegration["oauth"] = null;
    if (integration.oauthProviderId) {
      const provider = await this.deps.oauth.findProviderById(integration.oauthProviderId);
      if (provider) {
        const token = await this.deps.tokens.tokenFor(provider, scope.organizationId);
        oauth = { ...token, expiresAt: token.expiresAt?.toISOString() ?? null };
      }
    }
    return { entityId: mapping.entityId, entityName: mapping.entityName, config, secretKeys, oauth };
  }

  /** The mappings the run sees: its organization's and the global one (secrets masked). */
  async listMappings(scope: RunDataScope, name: string): Promise<SdkMapping[]> {
    const integration = await this.integration(name);
    const rows = await this.deps.integrations.mappingsIn(integration.id, [scope.organizationId, null]);
    return rows.map((row) => this.view(integration, row));
  }

  async getMapping(scope: RunDataScope, name: string): Promise<SdkMapping | null> {
    const integration = await this.integration(name);
    const [row] = await this.deps.integrations.mappingsIn(integration.id, [scope.organizationId]);
    return row ? this.view(integration, row) : null;
  }

  async upsertMapping(
    scope: RunDataScope,
    input: {
      name: string;
      entityId?: string | null | undefined;
      entityName?: string | null | undefined;
      config: Record<string, unknown>;
    },
    actor: AuditActor,
  ): Promise<SdkMapping> {
    const integration = await this.integration(input.name);
    const [previous] = await this.deps.integrations.mappingsIn(integration.id, [scope.organizationId]);
    const { row, created } = await this.deps.integrations.upsertMapping(
      integration.id,
      scope.organizationId,
      {
        entityId: input.entityId ?? null,
        entityName: input.entityName ?? null,
        config: this.deps.values.toStored(
          schemaOf(integration),
          input.config,
          previous?.config ?? {},
          "body.config",
        ),
      },
    );
    await this.deps.service.recordMapping(
      actor,
      created ? "integration.mapping.create" : "integration.mapping.update",
      row,
      { executionId: scope.executionId },
    );
    return this.view(integration, row);
  }

  async deleteMapping(scope: RunDataScope, name: string, actor: AuditActor): Promise<boolean> {
    const integration = await this.integration(name);
    const [row] = await this.deps.integrations.mappingsIn(integration.id, [scope.organizationId]);
    if (!row || !(await this.deps.integrations.deleteMapping(row.id))) return false;
    await this.deps.service.recordMapping(actor, "integration.mapping.delete", row, {
      executionId: scope.executionId,
    });
    return true;
  }
}
