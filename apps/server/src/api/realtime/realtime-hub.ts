import { parseWsChannel, type WsServerMessage } from "@bifrost/contracts";
import type { Bus, Subscription } from "../../infra/bus/bus.js";
import type { Logger } from "../../infra/logger.js";
import type { ExecutionsRepository } from "../../repositories/executions.js";
import type { ExecutionBusMessage } from "../../services/execution/channels.js";
import { callerOf, type Principal } from "../../principal.js";

/** One WebSocket as the hub sees it. */
export type RealtimeClient = {
  readonly principal: Principal;
  send(message: WsServerMessage): void;
};

type Channel = { subscription: Promise<Subscription>; clients: Set<RealtimeClient> };

export const MAX_CHANNELS_PER_SOCKET = 100;

/**
 * Fans bus messages out to this process's WebSockets. One bus subscription per channel per process,
 * shared by every socket on it, so replicas behind a load balancer all see every update.
 */
export class RealtimeHub {
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly deps: { bus: Bus; executions: ExecutionsRepository; logger: Logger }) {}

  /** Null when the caller may see the channel, else why not. */
  async refusal(principal: Principal, channel: string): Promise<string | null> {
    const parsed = parseWsChannel(channel);
    switch (parsed?.kind) {
      case "execution": {
        const row = await this.deps.executions.findVisible(callerOf(principal), parsed.executionId);
        return row ? null : "execution not found";
      }
      case "historyOfUser":
        return principal.isSuperuser || parsed.userId === principal.userId ? null : "not your history";
      case "historyGlobal":
      case "platformWorkers":
        return principal.isSuperuser ? null : "platform admins only";
      default:
        return "unknown channel";
    }
  }

  async join(client: RealtimeClient, channel: string): Promise<void> {
    let entry = this.channels.get(channel);
    if (!entry) {
      const clients = new Set<RealtimeClient>();
      entry = {
        clients,
        subscription: this.deps.bus.subscribe(channel, (message) => this.deliver(clients, message)),
      };
      this.channels.set(channel, entry);
      entry.subscription.catch((error: unknown) => {
        this.deps.logger.warn({ err: error, channel }, "realtime subscribe failed");
        this.channels.delete(channel);
      });
    }
    entry.clients.add(client);
    await entry.subscription;
  }

  leave(client: RealtimeClient, channel: string): void {
    const entry = this.channels.get(channel);
    if (!entry) return;
    entry.clients.delete(client);
    if (entry.clients.size > 0) return;
    this.channels.delete(channel);
    void entry.subscription.then((s) => s.unsubscribe()).catch(() => undefined);
  }

  async close(): Promise<void> {
    const entries = [...this.channels.values()];
    this.channels.clear();
    await Promise.allSettled(entries.map(async (e) => (await e.subscription).unsubscribe()));
  }

  private deliver(clients: Set<RealtimeClient>, raw: string): void {
    let message: ExecutionBusMessage;
    try {
      message = JSON.parse(raw) as ExecutionBusMessage;
    } catch {
      return;
    }
    for (const client of clients) {
      if (message.type !== "execution_logs") {
        client.send(message);
        continue;
      }
      for (const line of message.lines) {
        // DEBUG lines are for platform admins only, as in the REST route.
        if (line.level === "debug" && !client.principal.isSuperuser) continue;
        client.send({ type: "execution_log", executionId: message.executionId, ...line });
      }
    }
  }
}
