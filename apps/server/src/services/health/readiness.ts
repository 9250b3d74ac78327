import type { ComponentHealth, Readiness } from "@bifrost/contracts";
import type { Logger } from "../../infra/logger.js";
import { withTimeout } from "../../infra/timeouts.js";

export type HealthProbe = { name: string; adapter: string; check(): Promise<void> };

const CHECK_TIMEOUT_MS = 3_000;

/** Every message and code in an error's cause chain, for classification. */
function describeChain(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 6; depth += 1) {
    const code = (current as { code?: unknown }).code;
    parts.push(current.message, typeof code === "string" || typeof code === "number" ? String(code) : "");
    current = current.cause;
  }
  return parts.join(" ");
}

/**
 * `/health/ready` is public: it says which component is down and roughly why, never the driver's
 * own text (hosts, ports, user names). The detail goes to the log.
 */
export function publicReason(error: unknown): string {
  const text = describeChain(error);
  if (/auth|password|ACCESS_REFUSED|28P01|NOAUTH|WRONGPASS/i.test(text)) return "authentication failed";
  if (/ECONNREFUSED|connection refused/i.test(text)) return "connection refused";
  if (/timed? ?out|no answer|ETIMEDOUT/i.test(text)) return "no answer in time";
  if (/not connected|closed|ECONNRESET|EPIPE|lost/i.test(text)) return "not connected";
  return "unavailable";
}

/** Asks every backing service of this process, in parallel, whether it answers. */
export class ReadinessService {
  private readonly lastStatus = new Map<string, ComponentHealth["status"]>();

  constructor(
    private readonly role: string,
    private readonly probes: HealthProbe[],
    private readonly logger?: Logger,
  ) {}

  async check(): Promise<Readiness> {
    const results = await Promise.all(
      this.probes.map(async (probe): Promise<[string, ComponentHealth]> => {
        try {
          await withTimeout(probe.check(), CHECK_TIMEOUT_MS, () => new Error("no answer within 3 s"));
          this.record(probe, "ok");
          return [probe.name, { status: "ok", adapter: probe.adapter }];
        } catch (error) {
          this.record(probe, "down", error);
          return [probe.name, { status: "down", adapter: probe.adapter, error: publicReason(error) }];
        }
      }),
    );
    const components = Object.fromEntries(results);
    const healthy = results.every(([, health]) => health.status === "ok");
    return { status: healthy ? "ok" : "unavailable", role: this.role, components };
  }

  /** Logs changes only: readiness is polled every few seconds by orchestrators. */
  private record(probe: HealthProbe, status: ComponentHealth["status"], error?: unknown): void {
    const previous = this.lastStatus.get(probe.name);
    if (previous === status) return;
    this.lastStatus.set(probe.name, status);
    if (status === "down") this.logger?.warn({ component: probe.name, err: error }, "component is down");
    else if (previous === "down") this.logger?.info({ component: probe.name }, "component is back");
  }
}
