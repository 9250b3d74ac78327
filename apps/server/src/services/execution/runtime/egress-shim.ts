import { randomBytes } from "node:crypto";
import { once } from "node:events";
import net, { type Socket } from "node:net";

/**
 * Inside a workflow child (sandbox v2 part 2): every TCP connection — `fetch`, `node:http(s)`,
 * `node:tls`, `node:net`, and so npm packages unchanged — goes through the spawning process's egress
 * proxy, which decides. `net.Socket.prototype.connect` is replaced before any user code runs: for a
 * TCP destination it asks the proxy (`CONNECT host:port` over its Unix socket, with the child's
 * credential); once the proxy has connected, the caller's socket is connected to a one-use abstract
 * Unix socket that pipes to the proxy's connection, so its stream carries only the destination's
 * bytes. A refusal fails the socket with `EgressDenied: <address:port> is a private address`.
 *
 * This is the convenience, not the enforcement: the child's network namespace has no route anywhere,
 * so code that gets around this patch reaches nothing.
 */

class EgressDenied extends Error {
  override readonly name = "EgressDenied";
  readonly code = "EGRESS_DENIED";
}

type ConnectOptions = { host?: unknown; port?: unknown; path?: unknown };

/**
 * net's own argument forms: (options[, cb]), (path[, cb]), (port[, host][, cb]), and the one
 * `net.connect` itself passes, a single array `[options, cb]`.
 */
function normalize(args: unknown[]): { options: ConnectOptions; callback: (() => void) | undefined } {
  if (args.length === 1 && Array.isArray(args[0])) return normalize(args[0] as unknown[]);
  const last = args.at(-1);
  const callback = typeof last === "function" ? (last as () => void) : undefined;
  const [first, second] = args;
  if (first !== null && typeof first === "object") return { options: first, callback };
  if (typeof first === "string" && !/^\d+$/.test(first)) return { options: { path: first }, callback };
  return { options: { port: first, ...(typeof second === "string" ? { host: second } : {}) }, callback };
}

/** The head of the proxy's answer: its status, headers, and any bytes after it (the socket paused). */
function readAnswer(
  upstream: Socket,
): Promise<{ status: number; headers: Map<string, string>; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const done = (error?: Error) => {
      upstream.off("data", onData);
      upstream.off("close", onClose);
      upstream.off("error", onClose);
      upstream.pause();
      if (error) reject(error);
    };
    const onClose = () => done(new Error("the egress proxy closed the connection without answering"));
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) {
        if (buffered.length > 16 * 1024) done(new Error("the egress proxy's answer is not HTTP"));
        return;
      }
      done();
      const [statusLine = "", ...lines] = buffered.subarray(0, end).toString("latin1").split("\r\n");
      const headers = new Map(
        lines.map((line) => {
          const colon = line.indexOf(":");
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
        }),
      );
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      resolve({ status, headers, rest: buffered.subarray(end + 4) });
    };
    upstream.on("data", onData);
    upstream.once("close", onClose);
    upstream.once("error", onClose);
  });
}

export type EgressShim = {
  /** Restores `net.Socket.prototype.connect` (tests). */
  uninstall(): void;
};

export function installEgressShim(options: { socketPath: string; token: string }): EgressShim {
  // Kept unbound on purpose: it is always called with the socket as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = net.Socket.prototype.connect;
  const connectRaw = (socket: Socket, path: string): Socket =>
    (original as (this: Socket, options: { path: string }) => Socket).call(socket, { path });

  /** Asks the proxy for `host:port`; answers the abstract socket to connect to once it is through. */
  async function tunnel(host: string, port: number): Promise<{ path: string; abort: () => void }> {
    const upstream = new net.Socket();
    connectRaw(upstream, options.socketPath);
    await once(upstream, "connect");
    const target = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    upstream.write(
      `CONNECT ${target}:${port} HTTP/1.1\r\nHost: ${target}:${port}\r\nProxy-Authorization: Bearer ${options.token}\r\n\r\n`,
    );
    const answer = await readAnswer(upstream);
    if (answer.status !== 200) {
      upstream.destroy();
      if (answer.status === 403)
        throw new EgressDenied(answer.headers.get("x-egress-denied") ?? `${target}:${port}`);
      const reason = answer.headers.get("x-egress-error") ?? `the egress proxy answered ${answer.status}`;
      throw Object.assign(new Error(reason), { code: "ECONNREFUSED" });
    }
    upstream.pause();
    const path = `\0bifrost-egress-${process.pid}-${randomBytes(12).toString("hex")}`;
    const bridge = net.createServer({ pauseOnConnect: true });
    bridge.listen(path);
    await once(bridge, "listening");
    bridge.once("connection", (local: Socket) => {
      bridge.close();
      if (answer.rest.length > 0) local.write(answer.rest);
      local.pipe(upstream);
      upstream.pipe(local);
      local.on("error", () => upstream.destroy());
      upstream.on("error", () => local.destroy());
      local.resume();
      upstream.resume();
    });
    return {
      path,
      abort: () => {
        bridge.close();
        upstream.destroy();
      },
    };
  }

  /** `connecting` is read-only in Node's types; net itself sets it, and so does this stand-in. */
  const setConnecting = (socket: Socket, value: boolean) => {
    (socket as { connecting: boolean }).connecting = value;
  };

  function connect(this: Socket, ...args: unknown[]): Socket {
    const { options: target, callback } = normalize(args);
    const port = Number(target.port);
    // Unix sockets, and arguments Node itself will refuse, go as they came. A path counts only when
    // truthy, as net reads it: node:http passes \`path: null\` with every TCP destination.
    if (target.path || !Number.isInteger(port) || port <= 0 || port > 65_535)
      return (original as (...a: unknown[]) => Socket).apply(this, args);
    const host = typeof target.host === "string" && target.host !== "" ? target.host : "localhost";
    if (callback) this.once("connect", callback);
    // Writes made meanwhile wait for 'connect', as they do while a lookup runs.
    setConnecting(this, true);
    tunnel(host, port).then(
      ({ path, abort }) => {
        if (this.destroyed) return abort();
        setConnecting(this, false);
        connectRaw(this, path);
      },
      (error: unknown) => {
        setConnecting(this, false);
        this.destroy(error as Error);
      },
    );
    return this;
  }

  net.Socket.prototype.connect = connect;
  return {
    uninstall() {
      net.Socket.prototype.connect = original;
    },
  };
}
