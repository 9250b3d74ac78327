import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { EgressRuleError, parseEgressRules, type EgressRule } from "./infra/net/egress-policy.js";
import type { DatabaseSafety } from "./db/database.js";
import type { FileStoreConfig } from "./infra/files/file-store.js";

/**
 * The only reader of `process.env`: parsed once per process at boot, then passed down.
 * Every variable here is documented in the README with its default.
 */

export const processRoles = ["start", "api", "worker", "scheduler", "migrate"] as const;
export type ProcessRole = (typeof processRoles)[number];

const booleanFromEnv = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

// Whole decimal numbers only: "", "1e3", "0x1F" and " " are refused or unset, never coerced to 0.
const wholeNumber = optionalString.refine(
  (v) => v === undefined || /^\d+$/.test(v),
  "must be a whole number",
);
const integer = (min: number, max: number, fallback: number) =>
  wholeNumber
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .pipe(z.number().int().min(min).max(max));
const optionalInteger = (min: number, max: number) =>
  wholeNumber
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .pipe(z.number().int().min(min).max(max).optional());
const MAX_INT = Number.MAX_SAFE_INTEGER;
/** A positive decimal number ("168", "0.5"), else the fallback when unset. */
const decimal = (min: number, max: number, fallback: number) =>
  optionalString
    .refine((v) => v === undefined || /^\d+(\.\d+)?$/.test(v), "must be a number such as 168 or 0.5")
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .pipe(z.number().min(min).max(max));

const envSchema = z.object({
  PORT: integer(0, 65535, 3000),
  BIFROST_HOST: z.string().min(1).default("127.0.0.1"),
  BIFROST_DATA_DIR: z.string().min(1).default("./.bifrost"),
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  RABBITMQ_URL: optionalString.pipe(z.url({ protocol: /^amqps?$/ }).optional()),
  BIFROST_SECRET_KEY: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  BIFROST_NEW_SECRET_KEY: optionalString.pipe(
    z.string().min(32, "must be at least 32 characters").optional(),
  ),
  BIFROST_PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  BIFROST_MFA_REQUIRED: booleanFromEnv.default(true),
  BIFROST_DEFAULT_USER_EMAIL: optionalString.pipe(z.email().optional()),
  BIFROST_DEFAULT_USER_PASSWORD: optionalString,
  BIFROST_MIN_WORKERS: integer(1, 1024, 1),
  BIFROST_MAX_WORKERS: integer(1, 1024, 10),
  BIFROST_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "must be 1-40 lowercase letters, digits, _ or -")
    .default("bifrost"),
  BIFROST_API_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  BIFROST_WORKER_RECYCLE_RUNS: integer(1, MAX_INT, 1000),
  BIFROST_WORKER_IDLE_SECONDS: integer(1, MAX_INT, 300),
  BIFROST_WORKER_MEMORY_MB: integer(64, 65_536, 512),
  BIFROST_EXECUTION_LEASE_SECONDS: integer(3, 3600, 30),
  BIFROST_WORKER_MEMORY_PRESSURE: integer(0, 100, 90),
  BIFROST_MAX_RESULT_BYTES: integer(1, MAX_INT, 10 * 1024 * 1024),
  BIFROST_ORG_MAX_CONCURRENT_RUNS: optionalInteger(1, 10_000),
  BIFROST_SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
  BIFROST_MAIL_FROM: z.string().trim().min(3).max(320).default("Bifrost <bifrost@localhost>"),
  BIFROST_INVITATION_HOURS: decimal(0.001, 720, 168),
  BIFROST_SANDBOX: optionalString.pipe(z.enum(["isolated", "permission-only"]).optional()),
  BIFROST_EGRESS_ALLOW: z.string().default(""),
  BIFROST_EGRESS_DENY: z.string().default(""),
  BIFROST_OUTBOUND_DENY: z.string().default(""),
  BIFROST_EGRESS_RESOLVER: z.string().default(""),
  BIFROST_SANDBOX_UID: integer(1, 2 ** 31 - 2, 64_000),
  BIFROST_SANDBOX_GID: optionalInteger(1, 2 ** 31 - 2),
  BIFROST_LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  BIFROST_HEALTH_PORT: optionalInteger(0, 65535),
  BIFROST_LOGIN_RATE_LIMIT: integer(1, MAX_INT, 10),
  BIFROST_DEVICE_POLL_INTERVAL_SECONDS: integer(1, 60, 5),
  BIFROST_TRUSTED_PROXIES: z.string().default(""),
  BIFROST_RETENTION_DAYS: integer(1, 36_500, 90),
  BIFROST_DB_POOL_SIZE: integer(1, 1_000, 10),
  BIFROST_DB_GUARD: booleanFromEnv.optional(),
  BIFROST_DB_WAIT_TIMEOUT_MS: integer(0, MAX_INT, 10_000),
  BIFROST_DB_TRANSACTION_TIMEOUT_MS: integer(0, MAX_INT, 30_000),
  BIFROST_MAX_BODY_BYTES: integer(1, MAX_INT, 5 * 1024 * 1024),
  BIFROST_SHUTDOWN_TIMEOUT_MS: integer(1, MAX_INT, 15_000),
  BIFROST_WEB_DIR: optionalString,
  BIFROST_S3_BUCKET: optionalString,
  BIFROST_S3_ENDPOINT: optionalString.pipe(z.url().optional()),
  BIFROST_S3_REGION: z.string().default("us-east-1"),
  BIFROST_S3_ACCESS_KEY_ID: optionalString,
  BIFROST_S3_SECRET_ACCESS_KEY: optionalString,
  BIFROST_S3_FORCE_PATH_STYLE: booleanFromEnv.default(true),
});

export type Config = {
  role: ProcessRole;
  http: { host: string; port: number; bodyLimitBytes: number; trustedProxies: string[] };
  healthPort: number | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** The transaction guard and the bounds on waits and transactions (`db/database.ts`). */
  databaseSafety: DatabaseSafety;
  redisUrl: string | undefined;
  rabbitmqUrl: string | undefined;
  /** Root key material for every secret at rest. Never logged. */
  secretKey: string;
  publicUrl: string | undefined;
  mfaRequired: boolean;
  defaultUser: { email: string; password: string } | undefined;
  /** Prefix of Redis keys and channels and of RabbitMQ queues: installations may share the services. */
  namespace: string;
  workers: { min: number; max: number };
  execution: {
    /** How the SDK inside a run reaches the API; unset: this process's own API (`start`) or port. */
    apiUrl: string | undefined;
    recycleAfterRuns: number;
    idleTimeoutMs: number;
    memoryLimitMb: number;
    /** A run whose worker has not renewed its lease for this long is recovered by the sweeper. */
    leaseMs: number;
    /** Fraction of memory in use above which a worker claims no new run (it hands them back). */
    memoryPressure: number;
    /** A larger result (as JSON) fails its run with ResultTooLarge. */
    maxResultBytes: number;
    /** The concurrency limit of an organization without its own (`maxConcurrentRuns`); null: none. */
    orgMaxConcurrentRuns: number | null;
  };
  /**
   * Outgoing mail (invitations, password resets): `smtpUrl` unset means no mail server — the admin
   * who sends a link sees it once instead. `smtp://user:pass@host:587` (STARTTLS when offered) or
   * `smtps://…:465`.
   */
  mail: { smtpUrl: string | undefined; from: string; invitationHours: number };
  /**
   * How the OS isolates children (services/execution/pool/isolation.ts). Unset or `isolated`: every role
   * that runs user code refuses to start without it, except the embedded `start` when the mode is
   * unset, which falls back with a warning. `permission-only`: Node's permission model alone, by choice.
   */
  sandbox: {
    mode: "isolated" | "permission-only" | undefined;
    identity: { uid: number; gid: number };
  };
  /**
   * Where workflows may connect (infra/net/egress-policy.ts) and what the platform's own outgoing
   * calls may never reach (infra/net/outbound.ts). `protectedHosts`: the services' hosts. `resolver`:
   * the DNS server both ask (`address[:port]`), or null for the system's resolver.
   */
  egress: {
    allow: EgressRule[];
    deny: EgressRule[];
    outboundDeny: EgressRule[];
    protectedHosts: string[];
    resolver: string | null;
  };
  logLevel: z.infer<typeof envSchema>["BIFROST_LOG_LEVEL"];
  loginRateLimit: number;
  /** BIFROST_DEVICE_POLL_INTERVAL_SECONDS: seconds between a device login's polls. */
  devicePollIntervalSeconds: number;
  retentionDays: number;
  shutdownTimeoutMs: number;
  webDir: string | undefined;
  files: FileStoreConfig;
};

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const SECRET_KEY_FILE = "secret-key";

/**
 * In embedded mode the key is generated once and kept under the data directory; in distributed
 * mode every process must be given the same key, so it is required.
 */
function resolveSecretKey(role: ProcessRole, env: z.infer<typeof envSchema>, dataDir: string): string {
  if (env.BIFROST_SECRET_KEY) return env.BIFROST_SECRET_KEY;
  const distributed = role !== "start" || env.DATABASE_URL !== undefined;
  if (role === "migrate") return "";
  if (distributed) {
    throw new ConfigError(
      "BIFROST_SECRET_KEY is required when DATABASE_URL is set or a single role runs (api, worker, scheduler): " +
        "every process must share the key that encrypts stored secrets",
    );
  }
  const file = path.join(dataDir, SECRET_KEY_FILE);
  try {
    const existing = readFileSync(file, "utf8").trim();
    if (existing.length >= 32) return existing;
    throw new ConfigError(`${file} holds a key shorter than 32 characters`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const generated = randomBytes(48).toString("base64url");
  // `wx`: if another process created it first, read theirs instead of overwriting.
  try {
    writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: "wx" });
    return generated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readKeyWrittenByAnother(file);
  }
}

/** The other process may not have written its key yet: wait briefly for a complete one. */
function readKeyWrittenByAnother(file: string): string {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const key = readFileSync(file, "utf8").trim();
    if (key.length >= 32) return key;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  throw new ConfigError(`${file} holds a key shorter than 32 characters`);
}

/** `BIFROST_EGRESS_RESOLVER`: an IP address with an optional port (`10.0.0.2`, `[fd00::53]:5353`). */
function parseDnsServer(text: string): string {
  const value = text.trim();
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)|([0-9a-fA-F:]+))(?::(\d{1,5}))?$/.exec(value);
  const address = match?.[1] ?? match?.[2] ?? match?.[3];
  const port = match?.[4] === undefined ? 53 : Number(match[4]);
  if (!address || isIP(address) === 0 || (match?.[3] && match[4] !== undefined) || port < 1 || port > 65_535)
    throw new ConfigError(
      `BIFROST_EGRESS_RESOLVER: "${value}" is not a DNS server's IP address with an optional port`,
    );
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The egress lists, checked now: a typo is a start-up error, not a hole. */
function egressConfig(e: z.infer<typeof envSchema>): Config["egress"] {
  try {
    const hosts = [e.DATABASE_URL, e.REDIS_URL, e.RABBITMQ_URL, e.BIFROST_S3_ENDPOINT]
      .filter((url): url is string => url !== undefined)
      .map((url) => new URL(url).hostname.replace(/^\[|\]$/g, ""))
      .filter(Boolean);
    return {
      allow: parseEgressRules(e.BIFROST_EGRESS_ALLOW, "BIFROST_EGRESS_ALLOW"),
      deny: parseEgressRules(e.BIFROST_EGRESS_DENY, "BIFROST_EGRESS_DENY"),
      outboundDeny: parseEgressRules(e.BIFROST_OUTBOUND_DENY, "BIFROST_OUTBOUND_DENY"),
      protectedHosts: [...new Set(hosts)],
      resolver: e.BIFROST_EGRESS_RESOLVER.trim() === "" ? null : parseDnsServer(e.BIFROST_EGRESS_RESOLVER),
    };
  } catch (error) {
    if (error instanceof EgressRuleError) throw new ConfigError(error.message);
    throw error;
  }
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
}

export function loadConfig(role: ProcessRole, env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${formatIssues(parsed.error)}`);
  const e = parsed.data;
  const dataDir = path.resolve(e.BIFROST_DATA_DIR);
  if (e.BIFROST_MIN_WORKERS > e.BIFROST_MAX_WORKERS) {
    throw new ConfigError("BIFROST_MIN_WORKERS must not exceed BIFROST_MAX_WORKERS");
  }
  if ((e.BIFROST_S3_ACCESS_KEY_ID === undefined) !== (e.BIFROST_S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError("BIFROST_S3_ACCESS_KEY_ID and BIFROST_S3_SECRET_ACCESS_KEY go together");
  }
  if ((e.BIFROST_DEFAULT_USER_EMAIL === undefined) !== (e.BIFROST_DEFAULT_USER_PASSWORD === undefined)) {
    throw new ConfigError("BIFROST_DEFAULT_USER_EMAIL and BIFROST_DEFAULT_USER_PASSWORD go together");
  }
  const s3Credentials =
    e.BIFROST_S3_ACCESS_KEY_ID && e.BIFROST_S3_SECRET_ACCESS_KEY
      ? { accessKeyId: e.BIFROST_S3_ACCESS_KEY_ID, secretAccessKey: e.BIFROST_S3_SECRET_ACCESS_KEY }
      : undefined;
  return {
    role,
    http: {
      host: e.BIFROST_HOST,
      port: e.PORT,
      bodyLimitBytes: e.BIFROST_MAX_BODY_BYTES,
      trustedProxies: e.BIFROST_TRUSTED_PROXIES.split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    },
    healthPort: e.BIFROST_HEALTH_PORT,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.BIFROST_DB_POOL_SIZE,
    databaseSafety: {
      // On in tests and development unless said otherwise: a guard error beats a hang.
      guard: e.BIFROST_DB_GUARD ?? (env.NODE_ENV === "test" || env.NODE_ENV === "development"),
      waitMs: e.BIFROST_DB_WAIT_TIMEOUT_MS,
      transactionMs: e.BIFROST_DB_TRANSACTION_TIMEOUT_MS,
    },
    redisUrl: e.REDIS_URL,
    rabbitmqUrl: e.RABBITMQ_URL,
    secretKey: resolveSecretKey(role, e, dataDir),
    publicUrl: e.BIFROST_PUBLIC_URL,
    mfaRequired: e.BIFROST_MFA_REQUIRED,
    defaultUser:
      e.BIFROST_DEFAULT_USER_EMAIL && e.BIFROST_DEFAULT_USER_PASSWORD
        ? { email: e.BIFROST_DEFAULT_USER_EMAIL, password: e.BIFROST_DEFAULT_USER_PASSWORD }
        : undefined,
    namespace: e.BIFROST_NAMESPACE,
    workers: { min: e.BIFROST_MIN_WORKERS, max: e.BIFROST_MAX_WORKERS },
    execution: {
      apiUrl: e.BIFROST_API_URL?.replace(/\/+$/, ""),
      recycleAfterRuns: e.BIFROST_WORKER_RECYCLE_RUNS,
      idleTimeoutMs: e.BIFROST_WORKER_IDLE_SECONDS * 1000,
      memoryLimitMb: e.BIFROST_WORKER_MEMORY_MB,
      leaseMs: e.BIFROST_EXECUTION_LEASE_SECONDS * 1000,
      memoryPressure: e.BIFROST_WORKER_MEMORY_PRESSURE / 100,
      maxResultBytes: e.BIFROST_MAX_RESULT_BYTES,
      orgMaxConcurrentRuns: e.BIFROST_ORG_MAX_CONCURRENT_RUNS ?? null,
    },
    egress: egressConfig(e),
    mail: {
      smtpUrl: e.BIFROST_SMTP_URL,
      from: e.BIFROST_MAIL_FROM,
      invitationHours: e.BIFROST_INVITATION_HOURS,
    },
    sandbox: {
      mode: e.BIFROST_SANDBOX,
      identity: { uid: e.BIFROST_SANDBOX_UID, gid: e.BIFROST_SANDBOX_GID ?? e.BIFROST_SANDBOX_UID },
    },
    logLevel: e.BIFROST_LOG_LEVEL,
    loginRateLimit: e.BIFROST_LOGIN_RATE_LIMIT,
    devicePollIntervalSeconds: e.BIFROST_DEVICE_POLL_INTERVAL_SECONDS,
    retentionDays: e.BIFROST_RETENTION_DAYS,
    shutdownTimeoutMs: e.BIFROST_SHUTDOWN_TIMEOUT_MS,
    webDir: e.BIFROST_WEB_DIR ? path.resolve(e.BIFROST_WEB_DIR) : undefined,
    files: e.BIFROST_S3_BUCKET
      ? {
          kind: "s3",
          s3: {
            bucket: e.BIFROST_S3_BUCKET,
            endpoint: e.BIFROST_S3_ENDPOINT,
            region: e.BIFROST_S3_REGION,
            forcePathStyle: e.BIFROST_S3_FORCE_PATH_STYLE,
            credentials: s3Credentials,
          },
        }
      : { kind: "disk", root: path.join(dataDir, "files") },
  };
}

/**
 * `bifrost-server rotate-secret-key`: the database and key every role would use, the key replacing
 * it (BIFROST_NEW_SECRET_KEY), and the generated key file to rewrite when the key came from one
 * (embedded mode without BIFROST_SECRET_KEY).
 */
export function loadKeyRotationConfig(env: NodeJS.ProcessEnv = process.env): {
  config: Config;
  newSecretKey: string;
  keyFile: string | undefined;
} {
  const config = loadConfig("start", env);
  const parsed = envSchema.parse(env);
  if (!parsed.BIFROST_NEW_SECRET_KEY) {
    throw new ConfigError(
      "BIFROST_NEW_SECRET_KEY (at least 32 characters) is required to rotate the secret key",
    );
  }
  const fromFile = !parsed.BIFROST_SECRET_KEY && !parsed.DATABASE_URL;
  return {
    config,
    newSecretKey: parsed.BIFROST_NEW_SECRET_KEY,
    keyFile: fromFile ? path.join(config.dataDir, SECRET_KEY_FILE) : undefined,
  };
}
