import { NotFoundError, UnauthorizedError } from "../../errors.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type { Logger } from "../../infra/logger.js";
import type { EventSourceRow, EventsRepository } from "../../repositories/events.js";
import type { RateLimiter } from "../auth/rate-limiter.js";
import { QUERY_HEADER, type EventDeliverer } from "./event-deliveries.js";
import { signatureMatches } from "./signature.js";

/** SecretBox purpose of webhook HMAC secrets. */
export const WEBHOOK_SECRET_PURPOSE = "webhook-secret";

/** Never stored: credentials a sender may put on the request. */
const DROPPED_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-bifrost-key",
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A source and its enabled subscriptions, cached briefly: the receiver is a hot path (≥ 2,000
 * events/s), and a change to a source takes effect within this delay on every API process.
 */
const SOURCE_CACHE_MS = 2_000;
type CachedSource = {
  source: EventSourceRow;
  secret: string | null;
  subscriptionIds: string[];
  until: number;
};

export type IncomingWebhook = {
  sourceId: string;
  rawBody: Buffer;
  contentType: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  ip: string;
};

/** JSON when it parses as JSON, else the text; NUL characters (which jsonb refuses) are replaced. */
function bodyOf(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return null;
  const text = raw.toString("utf8");
  const clean = (value: unknown): unknown =>
    typeof value === "string" ? value.replaceAll("\0", "\uFFFD") : value;
  if (contentType?.toLowerCase().includes("json")) {
    try {
      return JSON.parse(text, (_key, value: unknown) => clean(value));
    } catch {
      // A sender's malformed JSON is still an event: it is kept as text.
    }
  }
  return clean(text);
}

/**
 * The public receiver `POST /api/hooks/{sourceId}`: unknown or disabled source → 404; the source's
 * rate limit (bus counters, so it holds across API processes) is checked before anything is
 * written; a bad signature → 401 with nothing stored; then the event and one delivery per enabled
 * subscription are stored, and delivered after the answer.
 */
export class WebhookReceiver {
  private readonly cache = new Map<string, CachedSource>();

  constructor(
    private readonly deps: {
      events: EventsRepository;
      deliverer: EventDeliverer;
      rateLimiter: RateLimiter;
      secretBox: SecretBox;
      logger: Logger;
    },
  ) {}

  async receive(hook: IncomingWebhook): Promise<{ eventId: string }> {
    const cached = await this.sourceOf(hook.sourceId);
    if (!cached?.source.enabled) throw new NotFoundError("Event source not found");
    const { source } = cached;
    await this.deps.rateLimiter.hit(`webhook:${source.id}`, source.rateLimitPerMinute);
    if (source.signatureHeader && cached.secret !== null) {
      const given = hook.headers[source.signatureHeader];
      if (!signatureMatches(hook.rawBody, cached.secret, typeof given === "string" ? given : undefined)) {
        throw new UnauthorizedError("The webhook signature is missing or wrong");
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(hook.headers)) {
      if (value === undefined || DROPPED_HEADERS.has(name) || name.startsWith(":")) continue;
      headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    if (Object.keys(hook.query).length > 0) headers[QUERY_HEADER] = JSON.stringify(hook.query);
    const { event, deliveries } = await this.deps.events.insertEvent(
      { sourceId: source.id, headers, body: bodyOf(hook.rawBody, hook.contentType), sourceIp: hook.ip },
      cached.subscriptionIds,
      new Date(Date.now() + this.deps.deliverer.options.leaseMs),
    );
    for (const delivery of deliveries) void this.deps.deliverer.attempt(delivery, event);
    return { eventId: event.id };
  }

  private async sourceOf(id: string): Promise<CachedSource | undefined> {
    if (!UUID.test(id)) return undefined;
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit;
    const source = await this.deps.events.findSource(id);
    if (!source) {
      this.cache.delete(id);
      return undefined;
    }
    const subscriptions = await this.deps.events.subscriptionsOf(id, true);
    const entry: CachedSource = {
      source,
      secret: source.secretSealed
        ? this.deps.secretBox.open(source.secretSealed, WEBHOOK_SECRET_PURPOSE)
        : null,
      subscriptionIds: subscriptions.map((s) => s.id),
      until: now + SOURCE_CACHE_MS,
    };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, entry);
    return entry;
  }

  /** Forgets a source this process changed, so its own next request sees the change at once. */
  forget(id: string): void {
    this.cache.delete(id);
  }
}
