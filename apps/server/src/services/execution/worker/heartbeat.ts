import { wsChannels } from "@bifrost/contracts";
import os from "node:os";
import type { Bus } from "../../../infra/bus/bus.js";
import type { Logger } from "../../../infra/logger.js";
import type { ExecutionsRepository } from "../../../repositories/executions.js";
import type { PlatformWorkersRepository } from "../../../repositories/platform-workers.js";

/**
 * The worker's pulse, every `intervalMs` (10 s by default, at most a third of the lease): renews
 * the leases of its runs, records its pool state for `GET /api/platform/workers`, and publishes it
 * on `platform_workers` for live screens.
 */
export class WorkerHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = new Date();
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      workerId: string;
      executions: ExecutionsRepository;
      workers: PlatformWorkersRepository;
      bus: Bus;
      logger: Logger;
      intervalMs: number;
      leaseMs: number;
      runningIds(): string[];
      poolState(): Record<string, unknown>;
      /** How many runs the pool runs at once: the dispatch window counts every live worker's. */
      capacity: number;
    },
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beating = this.beat();
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
  }

  private async beat(): Promise<void> {
    const { workerId } = this.deps;
    try {
      await this.deps.executions.renewLeases(workerId, this.deps.runningIds(), this.deps.leaseMs);
      const state = { ...this.deps.poolState(), memory: process.memoryUsage().rss };
      const row = {
        id: workerId,
        hostname: os.hostname(),
        pid: process.pid,
        startedAt: this.startedAt,
        capacity: this.deps.capacity,
        state,
      };
      await this.deps.workers.upsert(row);
      await this.deps.bus.publish(
        wsChannels.platformWorkers,
        JSON.stringify({
          type: "worker_heartbeat",
          worker: { ...row, lastSeenAt: new Date().toISOString() },
        }),
      );
    } catch (error) {
      this.deps.logger.warn({ err: error }, "worker heartbeat failed");
    }
  }
}
