import type { ConfigValueType, SdkConfigItem } from "@bifrost/contracts";
import { callApi, onFirstUse } from "../client.js";
import { currentRuntime } from "../context.js";

/** Any value JSON can carry: what a config entry holds. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type ConfigType = ConfigValueType;

/**
 * One entry as `config.list()` shows it: a secret's value is always "[SECRET]"; `scope` says where the
 * value the run sees comes from, its organization's entry or the global one.
 */
export type ConfigItem = Omit<SdkConfigItem, "value"> & { value: JsonValue };

/** A value the API stored: JSON by construction (the server accepts only JSON values). */
const asJson = (value: unknown): JsonValue => value as JsonValue;
const item = (entry: SdkConfigItem): ConfigItem => ({ ...entry, value: asJson(entry.value) });

// Config calls carry a key and are safe to repeat (a set writes the same value again), so they are
// retried like idempotent calls across a rolling restart of the API.
const retried = { idempotent: true };
const answers = onFirstUse(() => import("@bifrost/contracts/config"));

/** A fallback's literal type widened: `get("retries", 3)` is a number, not the literal 3. */
export type Widened<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T;

/**
 * The run's organization's value of `key`, else the global one, else `fallback` (undefined when not
 * given). A secret comes back in clear and is registered for redaction: it shows as `[REDACTED]` in
 * the run's logs, result and error.
 */
async function get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
async function get<T extends JsonValue>(key: string, fallback: T): Promise<Widened<T>>;
async function get(key: string, fallback?: JsonValue): Promise<JsonValue | undefined> {
  const result = await callApi(
    "POST",
    "/api/sdk/config/get",
    { key },
    { ...retried, answer: (await answers()).sdkConfigGetResultSchema },
  );
  if (!result.found) return fallback;
  if (result.secret && typeof result.value === "string") currentRuntime().registerSecret(result.value);
  return asJson(result.value);
}

export const config = {
  get,

  /**
   * Writes `key` in the run's organization (a global entry of the same key is left as it is). The
   * type follows the value (string, int, bool or json); `{ secret: true }` stores a string sealed.
   */
  async set(key: string, value: JsonValue, options: { secret?: boolean } = {}): Promise<ConfigItem> {
    const secret = options.secret ?? false;
    // Registered before the call: an error message that echoed it would already be redacted.
    if (secret && typeof value === "string") currentRuntime().registerSecret(value);
    const body = { key, value, secret };
    return item(
      await callApi("POST", "/api/sdk/config/set", body, {
        ...retried,
        answer: (await answers()).sdkConfigItemSchema,
      }),
    );
  },

  /** Every entry the run sees: global ones overridden by its organization's, secrets as "[SECRET]". */
  async list(): Promise<ConfigItem[]> {
    const answer = { ...retried, answer: (await answers()).sdkConfigListResultSchema };
    return (await callApi("POST", "/api/sdk/config/list", {}, answer)).items.map(item);
  },

  /** Deletes the run's organization's entry of `key`; answers whether there was one. */
  async delete(key: string): Promise<boolean> {
    const answer = { ...retried, answer: (await answers()).sdkConfigDeleteResultSchema };
    return (await callApi("POST", "/api/sdk/config/delete", { key }, answer)).deleted;
  },
};
