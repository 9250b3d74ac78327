import { randomBytes } from "node:crypto";
import type { NetworkUsage } from "@bifrost/contracts";
import { chmodSync, rmSync } from "node:fs";
import net, { type Server, type Socket } from "node:net";
import type { EgressPolicy } from "../../../infra/net/egress-policy.js";
import type { Logger } from "../../../infra/logger.js";
import { pickAllowedAddress, systemResolver, type Resolver } from "../../../infra/net/resolver.js";

/**
 * The egress proxy of the process that spawns workflow children (sandbox v2 part 2): children have
 * no network of their own, only this Unix socket, and ask it for each TCP connection with
 * `CONNECT host:port` and their own credential (`Proxy-Authorization: Bearer <token>`). The proxy
 * resolves the name itself, checks every address with the policy, connects to the first one allowed
 * (the address checked is the address reached) and pipes bytes both ways, counting them per child.
 * A refusal answers `403` with the reason (`X-Egress-Denied`), which the child runtime turns into an
 * `EgressDenied` error in the run; it is counted and logged.
 */

export type EgressCredential = {
  readonly token: string;
  /** What this child's connections moved since the last `reset`. */
  usage(): NetworkUsage;
  reset(): void;
  /** Forgets the credential: later requests with it are refused (407). */
  revoke(): void;
};

/** A request head larger than this is not a CONNECT line and a header or two. */
const MAX_HEAD_BYTES = 8 * 1024;
/** A request head must arrive within this. */
const HEAD_TIMEOUT_MS = 10_000;
/** An upstream connection must be established within this. */
const CONNECT_TIMEOUT_MS = 15_000;

export class EgressProxy {
  private readonly credentials = new Map<string, NetworkUsage>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly socketPath: string,
    private readonly server: Server,
    private readonly options: { policy: EgressPolicy; resolver: Resolver; logger: Logger },
  ) {}

  /** Listens on `socketPath` (created 0666 inside a directory that decides who may reach it). */
  static async start(options: {
    socketPath: string;
    policy: EgressPolicy;
    resolver?: Resolver;
    logger: Logger;
  }): Promise<EgressProxy> {
    rmSync(options.socketPath, { force: true });
    const server = net.createServer();
    const proxy = new EgressProxy(options.socketPath, server, {
      policy: options.policy,
      resolver: options.resolver ?? systemResolver,
      logger: options.logger,
    });
    server.on("connection", (socket) => proxy.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.socketPath, () => resolve());
    });
    chmodSync(options.socketPath, 0o666);
    return proxy;
  }

  register(): EgressCredential {
    const token = randomBytes(24).toString("base64url");
    const fresh = (): NetworkUsage => ({ bytesIn: 0, bytesOut: 0, connections: 0, denied: 0 });
    // One object for the credential's life: connections still open (kept alive by the child from
    // an earlier run) keep counting into it, so a reset zeroes it in place.
    const usage = fresh();
    this.credentials.set(token, usage);
    return {
      token,
      usage: () => ({ ...usage }),
      reset: () => {
        Object.assign(usage, fresh());
      },
      revoke: () => {
        this.credentials.delete(token);
      },
    };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.once("close", () => this.sockets.delete(client));
    client.on("error", () => client.destroy());
    client.setTimeout(HEAD_TIMEOUT_MS, () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) {
        if (head.length > MAX_HEAD_BYTES) answer(client, 431, "Request Header Fields Too Large");
        return;
      }
      client.off("data", onData);
      client.pause();
      client.setTimeout(0);
      void this.handle(client, head.subarray(0, end).toString("latin1"), head.subarray(end + 4));
    };
    client.on("data", onData);
  }

  private async handle(client: Socket, head: string, rest: Buffer): Promise<void> {
    const [requestLine = "", ...headerLines] = head.split("\r\n");
    const match = /^CONNECT (\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5}) HTTP\/1\.[01]$/.exec(requestLine);
    if (!match) {
      return answer(client, requestLine.startsWith("CONNECT ") ? 400 : 405, "Only CONNECT host:port");
    }
    const host = match[1]!;
    const port = Number(match[2]);
    if (port < 1 || port > 65_535) return answer(client, 400, "Bad port");
    const token = headerLines
      .map((line) => /^proxy-authorization:\s*Bearer\s+(\S+)\s*$/i.exec(line)?.[1])
      .find(Boolean);
    const usage = token ? this.credentials.get(token) : undefined;
    if (!usage) return answer(client, 407, "Proxy Authentication Required");
    const target = `${host}:${port}`;
    let picked;
    try {
      picked = await pickAllowedAddress(host, port, [this.options.policy], this.options.resolver);
    } catch {
      usage.denied++;
      return answer(client, 502, "Bad Gateway", { "X-Egress-Error": `${target}: the name did not resolve` });
    }
    if ("refused" in picked) {
      usage.denied++;
      this.options.logger.warn({ target, reason: picked.refused }, "egress denied");
      return answer(client, 403, "Forbidden", { "X-Egress-Denied": picked.refused });
    }
    usage.connections++;
    const upstream = net.connect({ host: picked.address, port });
    this.sockets.add(upstream);
    upstream.once("close", () => this.sockets.delete(upstream));
    upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(new Error("timed out")));
    upstream.once("error", (error) => {
      if (upstream.connecting)
        answer(client, 502, "Bad Gateway", { "X-Egress-Error": `${target}: ${error.message}` });
      else client.destroy();
    });
    upstream.once("connect", () => {
      upstream.setTimeout(0);
      client.write("HTTP/1.1 200 Connection established\r\n\r\n");
      if (rest.length > 0) {
        usage.bytesOut += rest.length;
        upstream.write(rest);
      }
      client.on("data", (chunk: Buffer) => (usage.bytesOut += chunk.length));
      upstream.on("data", (chunk: Buffer) => (usage.bytesIn += chunk.length));
      client.pipe(upstream);
      upstream.pipe(client);
      client.once("close", () => upstream.destroy());
      upstream.once("close", () => client.destroy());
      client.resume();
    });
  }
}

function answer(client: Socket, status: number, text: string, headers: Record<string, string> = {}): void {
  // Header values are ours (reasons from the policy), one line each.
  const lines = Object.entries(headers).map(
    ([name, value]) => `${name}: ${value.replace(/[\r\n]+/g, " ")}\r\n`,
  );
  client.end(`HTTP/1.1 ${status} ${text}\r\n${lines.join("")}Content-Length: 0\r\n\r\n`);
}
