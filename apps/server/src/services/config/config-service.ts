import {
  SECRET_PLACEHOLDER,
  type ConfigEntry,
  type ConfigValueType,
  type CreateConfig,
  type SdkConfigGetResult,
  type SdkConfigItem,
  type UpdateConfig,
} from "@bifrost/contracts";
import { NotFoundError, ConflictError, ValidationError } from "../../errors.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type { ConfigFields, ConfigRow, ConfigsRepository } from "../../repositories/configs.js";
import type { ScopeFilter } from "../../repositories/org-scoped.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { Page } from "../../repositories/pagination.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import { readOrder, type Caller, type RunDataScope } from "../../principal.js";

/** SecretBox purpose of config secrets: its own derived key, so no other kind of sealed value opens as one. */
export const CONFIG_SECRET_PURPOSE = "config-secret";

/** Why `value` does not fit `type`, or undefined when it does. */
function typeMismatch(type: ConfigValueType, value: unknown): string | undefined {
  switch (type) {
    case "int":
      return Number.isSafeInteger(value) ? undefined : "must be an integer";
    case "bool":
      return typeof value === "boolean" ? undefined : "must be a boolean";
    case "json":
      return value === undefined ? "is required" : undefined;
    case "string":
    case "secret":
      return typeof value === "string" ? undefined : "must be a string";
  }
}

/** The type a value written by a run gets: its JSON kind, or `secret` when asked. */
function inferType(value: unknown, secret: boolean): ConfigValueType {
  if (secret) return "secret";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (Number.isSafeInteger(value)) return "int";
  return "json";
}

const toEntry = (row: ConfigRow): ConfigEntry => ({
  id: row.id,
  key: row.key,
  value: row.type === "secret" ? SECRET_PLACEHOLDER : row.value,
  type: row.type,
  description: row.description,
  organizationId: row.organizationId,
  updatedBy: row.updatedBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** What the audit log keeps of a change: names and scope, never the value. */
const auditDetails = (row: ConfigRow, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  key: row.key,
  type: row.type,
  organizationId: row.organizationId,
  ...extra,
});

/**
 * Configuration values and secrets (DESIGN.md §4, §7): platform admins manage every scope over REST;
 * a run reads its organization's entries, then global ones, and writes only its organization's.
 * Secrets are stored sealed (AES-256-GCM) and leave the API in clear only towards the run that reads
 * them, whose SDK registers them for redaction.
 */
export class ConfigService {
  constructor(
    private readonly deps: {
      configs: ConfigsRepository;
      organizations: OrganizationsRepository;
      secretBox: SecretBox;
      audit: AuditLog;
    },
  ) {}

  async list(
    caller: Caller,
    options: { limit: number; cursor?: string | undefined; scope?: ScopeFilter | undefined },
  ): Promise<Page<ConfigEntry>> {
    const page = await this.deps.configs.list(caller, options);
    return { items: page.items.map(toEntry), nextCursor: page.nextCursor };
  }

  async create(input: CreateConfig, actor: AuditActor): Promise<ConfigEntry> {
    const organizationId = input.organizationId ?? null;
    if (organizationId !== null && !(await this.deps.organizations.find(organizationId))) {
      throw new ValidationError("Unknown organization", [
        { path: "body.organizationId", message: "no such organization" },
      ]);
    }
    const fields = this.fieldsFor(input.type, input.value, "body.value", actor);
    const row = await this.deps.configs.insert(organizationId, input.key, {
      ...fields,
      description: input.description ?? null,
    });
    if (!row) throw new ConflictError(`The key ${input.key} already exists in this scope`);
    await this.deps.audit.record(actor, {
      action: "config.create",
      resourceType: "config",
      resourceId: row.id,
      details: auditDetails(row),
    });
    return toEntry(row);
  }

  async update(caller: Caller, id: string, patch: UpdateConfig, actor: AuditActor): Promise<ConfigEntry> {
    const existing = await this.deps.configs.findById(caller, id);
    if (!existing) throw new NotFoundError("Config entry not found");
    const type = patch.type ?? existing.type;
    let value: unknown = patch.value;
    if (value === undefined && type !== existing.type) {
      // Turning a secret into a plain value would print it in clear: the new value must be given.
      if (existing.type === "secret") {
        throw new ValidationError("A new value is required", [
          { path: "body.value", message: "is required when a secret becomes a plain value" },
        ]);
      }
      value = existing.value;
    }
    const fields: ConfigFields =
      value === undefined
        ? {
            value: existing.value,
            secretSealed: existing.secretSealed,
            type,
            updatedBy: actor.userId ?? null,
          }
        : this.fieldsFor(type, value, "body.value", actor);
    const row = await this.deps.configs.update(id, {
      ...fields,
      description: patch.description === undefined ? existing.description : patch.description,
    });
    if (!row) throw new NotFoundError("Config entry not found");
    await this.deps.audit.record(actor, {
      action: "config.update",
      resourceType: "config",
      resourceId: row.id,
      details: auditDetails(row, { valueChanged: patch.value !== undefined }),
    });
    return toEntry(row);
  }

  async remove(caller: Caller, id: string, actor: AuditActor): Promise<void> {
    const existing = await this.deps.configs.findById(caller, id);
    if (!existing || !(await this.deps.configs.deleteById(id))) {
      throw new NotFoundError("Config entry not found");
    }
    await this.deps.audit.record(actor, {
      action: "config.delete",
      resourceType: "config",
      resourceId: existing.id,
      details: auditDetails(existing),
    });
  }

  /** A run's read: its organization's entry, else the global one; a secret comes back opened. */
  async get(scope: RunDataScope, key: string): Promise<SdkConfigGetResult> {
    const row = await this.deps.configs.findByKey(readOrder(scope), key);
    if (!row) return { found: false, value: null, secret: false };
    if (row.type !== "secret") return { found: true, value: row.value, secret: false };
    return {
      found: true,
      value: this.deps.secretBox.open(row.secretSealed ?? "", CONFIG_SECRET_PURPOSE),
      secret: true,
    };
  }

  /** A run's write, always into its own organization (a global entry of the same key stays as it is). */
  async set(
    scope: RunDataScope,
    input: { key: string; value: unknown; secret?: boolean | undefined },
    actor: AuditActor,
  ): Promise<SdkConfigItem> {
    const type = inferType(input.value, input.secret ?? false);
    const fields = this.fieldsFor(type, input.value, "body.value", actor);
    const { row, created } = await this.deps.configs.upsertInOrganization(
      scope.organizationId,
      input.key,
      fields,
    );
    await this.deps.audit.record(actor, {
      action: created ? "config.create" : "config.update",
      resourceType: "config",
      resourceId: row.id,
      details: auditDetails(row, { executionId: scope.executionId }),
    });
    return { key: row.key, value: toEntry(row).value, type: row.type, scope: "organization" };
  }

  /** What a run sees: global entries overridden by its organization's, secrets masked. */
  async listMerged(scope: RunDataScope): Promise<SdkConfigItem[]> {
    const seen = new Map<string, SdkConfigItem>();
    for (const row of await this.deps.configs.listIn(readOrder(scope))) {
      const own = row.organizationId !== null;
      if (seen.has(row.key) && !own) continue;
      seen.set(row.key, {
        key: row.key,
        value: toEntry(row).value,
        type: row.type,
        scope: own ? "organization" : "global",
      });
    }
    return [...seen.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Deletes the run's organization's entry only; a global entry of the same key is untouched. */
  async delete(scope: RunDataScope, key: string, actor: AuditActor): Promise<boolean> {
    const row = await this.deps.configs.deleteInOrganization(scope.organizationId, key);
    if (!row) return false;
    await this.deps.audit.record(actor, {
      action: "config.delete",
      resourceType: "config",
      resourceId: row.id,
      details: auditDetails(row, { executionId: scope.executionId }),
    });
    return true;
  }

  /** The stored form of a value: checked against its type, sealed when it is a secret. */
  private fieldsFor(type: ConfigValueType, value: unknown, path: string, actor: AuditActor): ConfigFields {
    const mismatch = typeMismatch(type, value);
    if (mismatch)
      throw new ValidationError(`The value does not fit type ${type}`, [{ path, message: mismatch }]);
    const updatedBy = actor.userId ?? null;
    if (type === "secret") {
      return {
        value: null,
        secretSealed: this.deps.secretBox.seal(value as string, CONFIG_SECRET_PURPOSE),
        type,
        updatedBy,
      };
    }
    return { value, secretSealed: null, type, updatedBy };
  }
}
