import { SECRET_PLACEHOLDER, type IntegrationConfigField } from "@bifrost/contracts";
import { ValidationError } from "../../errors.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";

/** SecretBox purpose of integration config secrets (defaults and mapping overrides). */
export const INTEGRATION_SECRET_PURPOSE = "integration-secret";

type Values = Record<string, unknown>;

function mismatch(field: IntegrationConfigField, value: unknown): string | undefined {
  switch (field.type) {
    case "int":
      return Number.isSafeInteger(value) ? undefined : "must be an integer";
    case "bool":
      return typeof value === "boolean" ? undefined : "must be a boolean";
    case "json":
      return undefined;
    case "string":
      return typeof value === "string" ? undefined : "must be a string";
  }
}

/**
 * Integration config values against the integration's schema: what is stored (secrets sealed),
 * what REST shows (secrets as "[SECRET]") and what a run gets (defaults merged, secrets opened).
 */
export class IntegrationConfigValues {
  constructor(private readonly secretBox: SecretBox) {}

  /**
   * The stored form of `input`, checked against the schema. A secret given as "[SECRET]" keeps
   * the value `previous` holds, so a REST answer can be sent back unchanged; null removes a key.
   */
  toStored(schema: IntegrationConfigField[], input: Values, previous: Values, path: string): Values {
    const fields = new Map(schema.map((f) => [f.key, f]));
    const errors: Array<{ path: string; message: string }> = [];
    const stored: Values = {};
    for (const [key, value] of Object.entries(input)) {
      const field = fields.get(key);
      if (!field) {
        errors.push({ path: `${path}.${key}`, message: "is not in the integration's config schema" });
        continue;
      }
      if (value === null) continue;
      if (field.secret && value === SECRET_PLACEHOLDER) {
        if (previous[key] !== undefined) stored[key] = previous[key];
        continue;
      }
      const problem = mismatch(field, value);
      if (problem) errors.push({ path: `${path}.${key}`, message: problem });
      else
        stored[key] = field.secret
          ? this.secretBox.seal(JSON.stringify(value), INTEGRATION_SECRET_PURPOSE)
          : value;
    }
    if (errors.length) throw new ValidationError("The config does not fit the integration's schema", errors);
    return stored;
  }

  /** What REST shows. */
  masked(schema: IntegrationConfigField[], stored: Values): Values {
    const secret = new Set(schema.filter((f) => f.secret).map((f) => f.key));
    return Object.fromEntries(
      Object.entries(stored).map(([key, value]) => [key, secret.has(key) ? SECRET_PLACEHOLDER : value]),
    );
  }

  /** Schema defaults, then integration defaults, then the mapping's overrides; secrets opened. */
  merged(
    schema: IntegrationConfigField[],
    defaults: Values,
    overrides: Values,
  ): { config: Values; secretKeys: string[] } {
    const config: Values = {};
    const secretKeys: string[] = [];
    for (const field of schema) {
      const stored = overrides[field.key] ?? defaults[field.key];
      if (stored === undefined) {
        if (field.default !== undefined) config[field.key] = field.default;
        continue;
      }
      if (field.secret && typeof stored === "string") {
        config[field.key] = JSON.parse(this.secretBox.open(stored, INTEGRATION_SECRET_PURPOSE)) as unknown;
        secretKeys.push(field.key);
      } else {
        config[field.key] = stored;
      }
    }
    return { config, secretKeys };
  }

  /** The required keys the merged config lacks. */
  missing(schema: IntegrationConfigField[], defaults: Values, overrides: Values): string[] {
    return schema
      .filter((f) => f.required && overrides[f.key] === undefined && defaults[f.key] === undefined)
      .filter((f) => f.default === undefined)
      .map((f) => f.key);
  }
}
