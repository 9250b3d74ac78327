import type { ServiceCredentialWarning } from "@bifrost/contracts";
import { connect as netConnect, isIP } from "node:net";
import tls from "node:tls";
import { withTimeout } from "./timeouts.js";

export type ServiceName = ServiceCredentialWarning["service"];

/**
 * What a service said to a client without a password: `open` (it let the client in, `reason` says
 * as whom), `closed` (it asked for credentials), or `unknown` (unreachable, too slow, or an answer
 * that says neither — never a warning, since nothing was proven).
 */
export type CredentialCheck =
  | { service: ServiceName; address: string; verdict: "open"; reason: string }
  | { service: ServiceName; address: string; verdict: "closed" }
  | { service: ServiceName; address: string; verdict: "unknown"; error: string };

export type ServiceUrls = {
  postgres?: string | undefined;
  redis?: string | undefined;
  rabbitmq?: string | undefined;
};

/** Thrown from pg's password callback: the server asked for a password, which is the answer. */
class PasswordRequested extends Error {}

/** `host:port` of a service URL: never its user or password. */
function serviceAddress(url: string, defaultPort: number): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || defaultPort}`;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Tries each configured service the way a process next to it could without knowing a password
 * (issue 17: workflow code runs beside the platform), all at once, each bounded by `timeoutMs`.
 * Never throws: whatever goes wrong is `unknown`.
 */
export async function checkServiceCredentials(
  urls: ServiceUrls,
  options: { timeoutMs: number },
): Promise<CredentialCheck[]> {
  const checks: Array<[ServiceName, string, number, (url: string, ms: number) => Promise<Outcome>]> = [];
  if (urls.postgres) checks.push(["postgresql", urls.postgres, 5432, postgresWithoutPassword]);
  if (urls.redis) checks.push(["redis", urls.redis, 6379, redisWithoutPassword]);
  if (urls.rabbitmq) checks.push(["rabbitmq", urls.rabbitmq, 5672, rabbitmqWithoutPassword]);
  return await Promise.all(
    checks.map(async ([service, url, port, check]): Promise<CredentialCheck> => {
      const address = serviceAddress(url, port);
      try {
        const outcome = await withTimeout(
          check(url, options.timeoutMs),
          options.timeoutMs + 500,
          () => new Error(`no answer within ${options.timeoutMs} ms`),
        );
        return outcome.open
          ? { service, address, verdict: "open", reason: outcome.reason }
          : { service, address, verdict: "closed" };
      } catch (error) {
        return {
          service,
          address,
          verdict: "unknown",
          error: error instanceof Error ? error.message : String(error),
        };
      }
    }),
  );
}

type Outcome = { open: true; reason: string } | { open: false };

/**
 * The URL's user and database with no password at all: a password callback that throws means the
 * server asked for one. The URL is parsed as pg parses it, but not given to pg as a connection
 * string: pg would then take its empty password for none given and fall back to PGPASSWORD or
 * ~/.pgpass, which are not "no password".
 */
async function postgresWithoutPassword(url: string, timeoutMs: number): Promise<Outcome> {
  const [{ default: pg }, { parseIntoClientConfig }] = await Promise.all([
    import("pg"),
    import("pg-connection-string"),
  ]);
  const client = new pg.Client({
    ...parseIntoClientConfig(url),
    password: () => {
      throw new PasswordRequested();
    },
    connectionTimeoutMillis: timeoutMs,
    application_name: "bifrost-credential-check",
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return { open: true, reason: `accepts user "${client.user ?? ""}" without a password` };
  } catch (error) {
    if (error instanceof PasswordRequested) return { open: false };
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * No AUTH at all: does PING work? A server with a password (requirepass, or an ACL default user
 * that has one) answers NOAUTH. One inline command on a plain socket: a client library would first
 * send its own handshake (HELLO), whose refusal says less.
 */
async function redisWithoutPassword(url: string, timeoutMs: number): Promise<Outcome> {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, "") || "localhost";
  const port = Number(parsed.port || 6379);
  const secure = parsed.protocol === "rediss:";
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = secure
      ? tls.connect({ host, port, ...(isIP(host) ? {} : { servername: host }) })
      : netConnect({ host, port });
    let received = "";
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once(secure ? "secureConnect" : "connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      const end = received.indexOf("\r\n");
      if (end < 0) return;
      resolve(received.slice(0, end));
      socket.destroy();
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("closed without an answer")));
  });
  if (reply === "+PONG") return { open: true, reason: "accepts commands without a password" };
  if (/^-(NOAUTH|WRONGPASS)/.test(reply)) return { open: false };
  throw new Error(`unexpected answer to PING: ${reply.slice(0, 80)}`);
}

/**
 * AMQP always sends a user and a password, so "without a password" is the one everyone knows: the
 * default account `guest`/`guest` (RabbitMQ lets it in from the broker's own host only, unless told
 * otherwise), and the URL's user with an empty password. A login that is then refused the vhost
 * still got in.
 */
async function rabbitmqWithoutPassword(url: string, timeoutMs: number): Promise<Outcome> {
  const { connect } = await import("amqplib");
  const given = new URL(url);
  const attempts: Array<{ user: string; password: string; reason: string }> = [
    {
      user: "guest",
      password: "guest",
      reason: 'accepts the default account "guest" with its default password',
    },
  ];
  const user = decodeURIComponent(given.username);
  if (user && user !== "guest")
    attempts.push({ user, password: "", reason: `accepts user "${user}" with an empty password` });
  for (const attempt of attempts) {
    const target = new URL(url);
    target.username = encodeURIComponent(attempt.user);
    target.password = attempt.password;
    try {
      const connection = await connect(target.toString(), { timeout: timeoutMs });
      await connection.close().catch(() => undefined);
      return { open: true, reason: attempt.reason };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/NOT[-_]ALLOWED.*vhost/i.test(message)) return { open: true, reason: attempt.reason };
      if (!/ACCESS[-_]REFUSED/i.test(message)) throw error;
    }
  }
  return { open: false };
}
