import type { ComponentHealth, Readiness } from "@bifrost/contracts";
import { withTimeout } from "../../infra/timeouts.js";

export type HealthProbe = { name: string; adapter: string; check(): Promise<void> };

const CHECK_TIMEOUT_MS = 3_000;

/** Asks every backing service of this process, in parallel, whether it answers. */
export class ReadinessService {
  constructor(
    private readonly role: string,
    private readonly probes: HealthProbe[],
  ) {}

  async check(): Promise<Readiness> {
    const results = await Promise.all(
      this.probes.map(async (probe): Promise<[string, ComponentHealth]> => {
        try {
          await withTimeout(probe.check(), CHECK_TIMEOUT_MS, () => new Error("no answer within 3 s"));
          return [probe.name, { status: "ok", adapter: probe.adapter }];
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return [probe.name, { status: "down", adapter: probe.adapter, error: message }];
        }
      }),
    );
    const components = Object.fromEntries(results);
    const healthy = results.every(([, health]) => health.status === "ok");
    return { status: healthy ? "ok" : "unavailable", role: this.role, components };
  }
}
