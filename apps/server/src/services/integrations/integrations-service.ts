import type {
  CreateIntegration,
  Integration,
  IntegrationConfigField,
  IntegrationMapping,
  UpdateIntegration,
  UpdateMapping,
  UpsertMapping,
} from "@bifrost/contracts";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { IntegrationRow, IntegrationsRepository, MappingRow } from "../../repositories/integrations.js";
import type { OAuthRepository } from "../../repositories/oauth.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { AccessTokens } from "../oauth/access-tokens.js";
import type { IntegrationConfigValues } from "./config-values.js";

export const schemaOf = (row: IntegrationRow): IntegrationConfigField[] =>
  row.configSchema as IntegrationConfigField[];

/**
 * Integrations for platform admins: the config schema, integration-level defaults, and the
 * mappings (one per organization, at most one global). Secret config values are sealed and
 * REST shows them as "[SECRET]".
 */
export class IntegrationsService {
  constructor(
    private readonly deps: {
      integrations: IntegrationsRepository;
      oauth: OAuthRepository;
      organizations: OrganizationsRepository;
      tokens: AccessTokens;
      values: IntegrationConfigValues;
      audit: AuditLog;
    },
  ) {}

  private async view(row: IntegrationRow): Promise<Integration> {
    const provider = row.oauthProviderId
      ? await this.deps.oauth.findProviderById(row.oauthProviderId)
      : undefined;
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      configSchema: schemaOf(row),
      defaults: this.deps.values.masked(schemaOf(row), row.defaults),
      oauthProvider: provider?.name ?? null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  mappingView(integration: IntegrationRow, row: MappingRow): IntegrationMapping {
    return {
      id: row.id,
      integrationId: row.integrationId,
      organizationId: row.organizationId,
      entityId: row.entityId,
      entityName: row.entityName,
      config: this.deps.values.masked(schemaOf(integration), row.config),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  async find(id: string): Promise<IntegrationRow> {
    const row = await this.deps.integrations.findById(id);
    if (!row) throw new NotFoundError("Integration not found");
    return row;
  }

  async list(): Promise<Integration[]> {
    return await Promise.all((await this.deps.integrations.list()).map((row) => this.view(row)));
  }

  async get(id: string): Promise<Integration> {
    return await this.view(await this.find(id));
  }

  async getByName(name: string): Promise<Integration> {
    const row = await this.deps.integrations.findByName(name);
    if (!row) throw new NotFoundError("Integration not found");
    return await this.view(row);
  }

  private async providerId(name: string | null | undefined): Promise<string | null> {
    if (!name) return null;
    const provider = await this.deps.oauth.findProvider(name);
    if (!provider) {
      throw new ValidationError("Unknown OAuth connection", [
        { path: "body.oauthProvider", message: "no such OAuth connection" },
      ]);
    }
    return provider.id;
  }

  async create(input: CreateIntegration, actor: AuditActor): Promise<Integration> {
    const row = await this.deps.integrations.insert({
      name: input.name,
      description: input.description ?? null,
      configSchema: input.configSchema,
      defaults: {},
      oauthProviderId: await this.providerId(input.oauthProvider),
    });
    if (!row) throw new ConflictError(`The integration ${input.name} already exists`);
    await this.record(actor, "integration.create", row);
    return await this.view(row);
  }

  async update(id: string, patch: UpdateIntegration, actor: AuditActor): Promise<Integration> {
    const existing = await this.find(id);
    const row = await this.deps.integrations
      .update(id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description ?? null } : {}),
        ...(patch.configSchema !== undefined ? { configSchema: patch.configSchema } : {}),
        ...(patch.oauthProvider !== undefined
          ? { oauthProviderId: await this.providerId(patch.oauthProvider) }
          : {}),
      })
      .catch((error: unknown) => {
        if ((error as { cause?: { code?: string } }).cause?.code === "23505") {
          throw new ConflictError(`The integration ${patch.name ?? existing.name} already exists`);
        }
        throw error;
      });
    if (!row) throw new NotFoundError("Integration not found");
    await this.record(actor, "integration.update", row);
    return await this.view(row);
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    const existing = await this.find(id);
    if (!(await this.deps.integrations.softDelete(id))) throw new NotFoundError("Integration not found");
    await this.record(actor, "integration.delete", existing);
  }

  async setDefaults(id: string, config: Record<string, unknown>, actor: AuditActor): Promise<Integration> {
    const existing = await this.find(id);
    const defaults = this.deps.values.toStored(schemaOf(existing), config, existing.defaults, "body.config");
    const row = await this.deps.integrations.update(id, { defaults });
    if (!row) throw new NotFoundError("Integration not found");
    await this.record(actor, "integration.config", row, { keys: Object.keys(config) });
    return await this.view(row);
  }

  async listMappings(id: string): Promise<IntegrationMapping[]> {
    const integration = await this.find(id);
    return (await this.deps.integrations.listMappings(id)).map((m) => this.mappingView(integration, m));
  }

  async getMapping(id: string, mappingId: string): Promise<IntegrationMapping> {
    const integration = await this.find(id);
    const row = await this.deps.integrations.findMapping(id, mappingId);
    if (!row) throw new NotFoundError("Mapping not found");
    return this.mappingView(integration, row);
  }

  /** Creates the scope's mapping; 409 when it has one already. */
  async createMapping(id: string, input: UpsertMapping, actor: AuditActor): Promise<IntegrationMapping> {
    const integration = await this.find(id);
    const organizationId = await this.organization(input.organizationId ?? null);
    const row = await this.deps.integrations.insertMapping(id, organizationId, {
      entityId: input.entityId ?? null,
      entityName: input.entityName ?? null,
      config: this.deps.values.toStored(schemaOf(integration), input.config, {}, "body.config"),
    });
    if (!row) throw new ConflictError("This scope already has a mapping of the integration");
    await this.recordMapping(actor, "integration.mapping.create", row);
    return this.mappingView(integration, row);
  }

  /** Creates or replaces the mappings of several scopes. */
  async batchMappings(id: string, inputs: UpsertMapping[], actor: AuditActor): Promise<IntegrationMapping[]> {
    const integration = await this.find(id);
    const results: IntegrationMapping[] = [];
    for (const [index, input] of inputs.entries()) {
      const organizationId = await this.organization(input.organizationId ?? null);
      const previous = (await this.deps.integrations.mappingsIn(id, [organizationId]))[0]?.config ?? {};
      const { row } = await this.deps.integrations.upsertMapping(id, organizationId, {
        entityId: input.entityId ?? null,
        entityName: input.entityName ?? null,
        config: this.deps.values.toStored(
          schemaOf(integration),
          input.config,
          previous,
          `body.mappings.${index}.config`,
        ),
      });
      await this.recordMapping(actor, "integration.mapping.upsert", row);
      results.push(this.mappingView(integration, row));
    }
    return results;
  }

  async updateMapping(
    id: string,
    mappingId: string,
    patch: UpdateMapping,
    actor: AuditActor,
  ): Promise<IntegrationMapping> {
    const integration = await this.find(id);
    const existing = await this.deps.integrations.findMapping(id, mappingId);
    if (!existing) throw new NotFoundError("Mapping not found");
    const row = await this.deps.integrations.updateMapping(mappingId, {
      ...(patch.entityId !== undefined ? { entityId: patch.entityId ?? null } : {}),
      ...(patch.entityName !== undefined ? { entityName: patch.entityName ?? null } : {}),
      ...(patch.config !== undefined
        ? {
            config: this.deps.values.toStored(
              schemaOf(integration),
              patch.config,
              existing.config,
              "body.config",
            ),
          }
        : {}),
    });
    if (!row) throw new NotFoundError("Mapping not found");
    await this.recordMapping(actor, "integration.mapping.update", row);
    return this.mappingView(integration, row);
  }

  async deleteMapping(id: string, mappingId: string, actor: AuditActor): Promise<void> {
    await this.find(id);
    const existing = await this.deps.integrations.findMapping(id, mappingId);
    const row = existing ? await this.deps.integrations.deleteMapping(mappingId) : undefined;
    if (!row) throw new NotFoundError("Mapping not found");
    await this.recordMapping(actor, "integration.mapping.delete", row);
  }

  /** Whether the integration is usable for an organization (or globally): config and OAuth token. */
  async test(id: string, organizationId: string | null): Promise<{ ok: boolean; problems: string[] }> {
    const integration = await this.find(id);
    const order = organizationId === null ? [null] : [organizationId, null];
    const mappings = await this.deps.integrations.mappingsIn(id, order);
    const mapping = mappings.find((m) => m.organizationId === organizationId) ?? mappings[0];
    const problems = this.deps.values
      .missing(schemaOf(integration), integration.defaults, mapping?.config ?? {})
      .map((key) => `The required config key ${key} has no value`);
    if (integration.oauthProviderId) {
      const provider = await this.deps.oauth.findProviderById(integration.oauthProviderId);
      try {
        if (provider) await this.deps.tokens.tokenFor(provider, organizationId);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    return { ok: problems.length === 0, problems };
  }

  private async organization(organizationId: string | null): Promise<string | null> {
    if (organizationId !== null && !(await this.deps.organizations.find(organizationId))) {
      throw new ValidationError("Unknown organization", [
        { path: "body.organizationId", message: "no such organization" },
      ]);
    }
    return organizationId;
  }

  private async record(
    actor: AuditActor,
    action: string,
    row: IntegrationRow,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.deps.audit.record(actor, {
      action,
      resourceType: "integration",
      resourceId: row.id,
      details: { name: row.name, ...details },
    });
  }

  async recordMapping(actor: AuditActor, action: string, row: MappingRow, extra: object = {}): Promise<void> {
    await this.deps.audit.record(actor, {
      action,
      resourceType: "integration_mapping",
      resourceId: row.id,
      details: { integrationId: row.integrationId, organizationId: row.organizationId, ...extra },
    });
  }
}
