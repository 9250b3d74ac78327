/** What a secret value is replaced with in a run's logs, result and error. */
const REDACTED = "[REDACTED]";

/**
 * Values shorter than this are not redacted: replacing "on" or "1" everywhere would garble every log
 * line while hiding next to nothing.
 */
const MIN_SECRET_LENGTH = 4;

/**
 * The secret values handed to one run (registered by the SDK when it fetches them). Everything the
 * child sends about the run goes through here first, so a secret never leaves the child in clear.
 */
export class SecretRedactor {
  /** Longest first, so a secret that contains another one is replaced whole. */
  private secrets: string[] = [];

  register(value: unknown): void {
    if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH || this.secrets.includes(value)) return;
    this.secrets = [...this.secrets, value].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.secrets.length;
  }

  redactText(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    return out;
  }

  /** Redacts every string (keys included) of a JSON value; returns the same value when there is none. */
  redactValue<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === "string") return this.redactText(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[this.redactText(key)] = this.walk(item);
      return out;
    }
    return value;
  }
}
