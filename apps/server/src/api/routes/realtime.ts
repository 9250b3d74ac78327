import type { FastifyPluginAsync } from "fastify";
import type { WebSocket } from "@fastify/websocket";
import type { WsServerMessage } from "@bifrost/contracts";
import { z } from "zod";
import type { ExecutionsRepository } from "../../repositories/executions.js";
import { syncAnswerOf } from "../../services/execution/channels.js";
import { requireUserPrincipal } from "../access.js";
import type { AuthStateCache } from "../../services/auth/auth-state.js";
import { MAX_CHANNELS_PER_SOCKET, type RealtimeClient, type RealtimeHub } from "../realtime/realtime-hub.js";
import { checkSocketOrigin, guardSocketLifetime } from "../realtime/socket-guard.js";
import { callerOf } from "../../principal.js";

const clientMessageSchema = z.object({
  type: z.enum(["subscribe", "unsubscribe", "ping"]),
  channels: z.array(z.string().max(200)).max(MAX_CHANNELS_PER_SOCKET).optional(),
});

const channelsOf = (query: unknown): string[] => {
  const value = (query as { channels?: unknown } | undefined)?.channels;
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((c): c is string => typeof c === "string").slice(0, MAX_CHANNELS_PER_SOCKET);
};

/**
 * `GET /ws/connect` (API.md "Real time"): bearer, cookie or `?token=`; channels from the query and
 * from `subscribe` messages, each authorized on its own. On joining `execution:{id}` the client gets
 * the run's current status at once, so an update sent before it joined is never missed.
 */
export const realtimeRoutes: FastifyPluginAsync<{
  hub: RealtimeHub;
  executions: ExecutionsRepository;
  authState: AuthStateCache;
  publicUrl: string | undefined;
}> = async (app, { hub, executions, authState, publicUrl }) => {
  app.get(
    "/ws/connect",
    {
      websocket: true,
      config: { access: "user", queryToken: true },
      schema: { tags: ["realtime"], summary: "WebSocket: execution updates, logs and history" },
      // Before the upgrade: a socket from another origin is refused with 403 (socket-guard.ts).
      preValidation: async (request) => checkSocketOrigin(request, publicUrl),
    },
    (socket: WebSocket, request) => {
      const principal = requireUserPrincipal(request);
      const stopGuard = guardSocketLifetime(socket, principal, authState, (error) =>
        request.log.warn({ err: error }, "websocket login re-check failed"),
      );
      const joined = new Set<string>();
      const client: RealtimeClient = {
        principal,
        send: (message: WsServerMessage) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
        },
      };
      const subscribe = async (channels: string[]): Promise<string[]> => {
        const accepted: string[] = [];
        for (const channel of channels) {
          if (joined.has(channel)) continue;
          if (joined.size >= MAX_CHANNELS_PER_SOCKET) {
            client.send({ type: "error", channel, message: "too many channels on one connection" });
            continue;
          }
          const refusal = await hub.refusal(principal, channel);
          if (refusal) {
            client.send({ type: "error", channel, message: refusal });
            continue;
          }
          joined.add(channel);
          await hub.join(client, channel);
          accepted.push(channel);
        }
        return accepted;
      };
      const sendCurrent = async (channels: string[]): Promise<void> => {
        for (const channel of channels) {
          if (!channel.startsWith("execution:")) continue;
          const row = await executions.findVisible(callerOf(principal), channel.slice("execution:".length));
          if (!row) continue;
          const answer = syncAnswerOf(row);
          client.send({
            type: "execution_update",
            executionId: row.id,
            status: row.status,
            ...(row.completedAt
              ? { result: answer.result, error: answer.error, durationMs: answer.durationMs }
              : {}),
          });
        }
      };
      socket.on("close", () => {
        stopGuard();
        for (const channel of joined) hub.leave(client, channel);
        joined.clear();
      });
      socket.on("message", (data: Buffer) => {
        let parsed: z.infer<typeof clientMessageSchema>;
        try {
          parsed = clientMessageSchema.parse(JSON.parse(data.toString("utf8")));
        } catch {
          client.send({
            type: "error",
            message: "messages are {type: subscribe|unsubscribe|ping, channels?}",
          });
          return;
        }
        const channels = parsed.channels ?? [];
        if (parsed.type === "ping") return client.send({ type: "connected", channels: [...joined] });
        if (parsed.type === "unsubscribe") {
          for (const channel of channels) {
            if (joined.delete(channel)) hub.leave(client, channel);
          }
          return;
        }
        void subscribe(channels)
          .then(async (accepted) => {
            client.send({ type: "connected", channels: [...joined] });
            await sendCurrent(accepted);
          })
          .catch((error: unknown) => request.log.warn({ err: error }, "websocket subscribe failed"));
      });
      void subscribe(channelsOf(request.query))
        .then(async (accepted) => {
          client.send({ type: "connected", channels: accepted });
          await sendCurrent(accepted);
        })
        .catch((error: unknown) => {
          request.log.warn({ err: error }, "websocket subscribe failed");
          socket.close(1011, "subscribe failed");
        });
    },
  );
};
