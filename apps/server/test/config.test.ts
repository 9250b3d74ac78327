import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bifrost-config-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const KEY = "k".repeat(40);

describe("configuration", () => {
  it("has the documented defaults when nothing is set", () => {
    const dir = dataDir();
    const config = loadConfig("start", { BIFROST_DATA_DIR: dir });
    expect(config.http).toEqual({
      host: "127.0.0.1",
      port: 3000,
      bodyLimitBytes: 5 * 1024 * 1024,
      trustedProxies: [],
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.rabbitmqUrl).toBeUndefined();
    expect(config.mfaRequired).toBe(true);
    expect(config.loginRateLimit).toBe(10);
    expect(config.retentionDays).toBe(90);
    expect(config.logLevel).toBe("info");
    expect(config.healthPort).toBeUndefined();
    expect(config.files).toEqual({ kind: "disk", root: path.join(dir, "files") });
  });

  it("generates the secret key once in embedded mode, keeps it private and reuses it", () => {
    const dir = dataDir();
    const first = loadConfig("start", { BIFROST_DATA_DIR: dir }).secretKey;
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dir, "secret-key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).toBe(first);
    expect(loadConfig("start", { BIFROST_DATA_DIR: dir }).secretKey).toBe(first);
  });

  it("refuses a stored secret key that is too short rather than replacing it", () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, "secret-key"), "short\n");
    expect(() => loadConfig("start", { BIFROST_DATA_DIR: dir })).toThrow(ConfigError);
    expect(readFileSync(path.join(dir, "secret-key"), "utf8")).toBe("short\n");
  });

  it.each(["api", "worker", "scheduler"] as const)("requires BIFROST_SECRET_KEY for the %s role", (role) => {
    expect(() => loadConfig(role, { BIFROST_DATA_DIR: dataDir() })).toThrow(/BIFROST_SECRET_KEY is required/);
  });

  it("requires BIFROST_SECRET_KEY for start when DATABASE_URL is set", () => {
    expect(() =>
      loadConfig("start", { BIFROST_DATA_DIR: dataDir(), DATABASE_URL: "postgres://u@127.0.0.1:5432/db" }),
    ).toThrow(/BIFROST_SECRET_KEY/);
  });

  it("reads the egress lists, refuses a malformed entry, and protects the services' hosts", () => {
    const key = "k".repeat(40);
    const config = loadConfig("api", {
      BIFROST_SECRET_KEY: key,
      DATABASE_URL: "postgres://u@db.internal:5432/db",
      REDIS_URL: "redis://10.0.0.7:6379",
      BIFROST_EGRESS_ALLOW: "10.1.0.0/16, psa.internal:8443",
      BIFROST_OUTBOUND_DENY: "192.168.0.0/16",
    });
    expect(config.egress.allow.map((rule) => rule.text)).toEqual(["10.1.0.0/16", "psa.internal:8443"]);
    expect(config.egress.outboundDeny.map((rule) => rule.text)).toEqual(["192.168.0.0/16"]);
    expect(config.egress.protectedHosts).toEqual(["db.internal", "10.0.0.7"]);
    expect(() => loadConfig("api", { BIFROST_SECRET_KEY: key, BIFROST_EGRESS_DENY: "10.0.0.0/40" })).toThrow(
      /^BIFROST_EGRESS_DENY: "10\.0\.0\.0\/40" has a prefix longer than its address$/,
    );
    expect(() => loadConfig("api", { BIFROST_SECRET_KEY: key, BIFROST_EGRESS_DENY: "10.0.0.0/40" })).toThrow(
      ConfigError,
    );
  });

  it("reads the egress DNS server (an IP address, optional port) and refuses anything else", () => {
    const resolver = (value: string) =>
      loadConfig("api", { BIFROST_SECRET_KEY: "k".repeat(40), BIFROST_EGRESS_RESOLVER: value }).egress
        .resolver;
    expect(resolver("")).toBeNull();
    expect(resolver("10.0.0.2")).toBe("10.0.0.2:53");
    expect(resolver(" 127.0.0.1:5353 ")).toBe("127.0.0.1:5353");
    expect(resolver("fd00::53")).toBe("[fd00::53]:53");
    expect(resolver("[fd00::53]:5353")).toBe("[fd00::53]:5353");
    for (const bad of ["dns.internal", "10.0.0.2:0", "10.0.0.2:99999", "300.1.1.1", "10.0.0.2:53:1"]) {
      expect(() => resolver(bad), bad).toThrow(
        /^BIFROST_EGRESS_RESOLVER: ".+" is not a DNS server's IP address/,
      );
    }
  });

  it("rejects a secret key shorter than 32 characters", () => {
    expect(() => loadConfig("api", { BIFROST_SECRET_KEY: "too-short" })).toThrow(
      /BIFROST_SECRET_KEY: must be at least 32/,
    );
  });

  it("names each invalid variable", () => {
    const attempt = (env: Record<string, string>) => () =>
      loadConfig("api", { BIFROST_SECRET_KEY: KEY, ...env });
    expect(attempt({ PORT: "abc" })).toThrow(/PORT/);
    expect(attempt({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(attempt({ REDIS_URL: "http://x" })).toThrow(/REDIS_URL/);
    expect(attempt({ RABBITMQ_URL: "not a url" })).toThrow(/RABBITMQ_URL/);
    expect(attempt({ BIFROST_MFA_REQUIRED: "maybe" })).toThrow(/BIFROST_MFA_REQUIRED/);
    expect(attempt({ BIFROST_LOG_LEVEL: "loud" })).toThrow(/BIFROST_LOG_LEVEL/);
    expect(attempt({ BIFROST_MIN_WORKERS: "9", BIFROST_MAX_WORKERS: "2" })).toThrow(/BIFROST_MIN_WORKERS/);
    expect(attempt({ BIFROST_DEFAULT_USER_EMAIL: "a@b.example" })).toThrow(/BIFROST_DEFAULT_USER_PASSWORD/);
    expect(attempt({ BIFROST_S3_BUCKET: "b", BIFROST_S3_ACCESS_KEY_ID: "id" })).toThrow(
      /BIFROST_S3_SECRET_ACCESS_KEY/,
    );
    expect(attempt({ PORT: "1e3" })).toThrow(/PORT: must be a whole number/);
    expect(attempt({ BIFROST_HEALTH_PORT: "0x1F90" })).toThrow(/BIFROST_HEALTH_PORT/);
    expect(attempt({ PORT: "70000" })).toThrow(/PORT/);
    expect(attempt({ BIFROST_DB_POOL_SIZE: "0" })).toThrow(/BIFROST_DB_POOL_SIZE/);
  });

  it("reads the distributed settings", () => {
    const config = loadConfig("api", {
      BIFROST_SECRET_KEY: KEY,
      DATABASE_URL: "postgresql://bifrost:pw@db:5432/bifrost",
      REDIS_URL: "redis://cache:6379",
      RABBITMQ_URL: "amqp://guest:guest@mq:5672",
      BIFROST_MFA_REQUIRED: "false",
      BIFROST_TRUSTED_PROXIES: "10.0.0.1, 10.0.0.0/8",
      BIFROST_HEALTH_PORT: "9100",
      BIFROST_S3_BUCKET: "files",
      BIFROST_S3_ENDPOINT: "http://minio:9000",
    });
    expect(config.secretKey).toBe(KEY);
    expect(config.mfaRequired).toBe(false);
    expect(config.http.trustedProxies).toEqual(["10.0.0.1", "10.0.0.0/8"]);
    expect(config.healthPort).toBe(9100);
    expect(config.files).toMatchObject({
      kind: "s3",
      s3: { bucket: "files", endpoint: "http://minio:9000" },
    });
  });

  it("treats empty variables as unset", () => {
    const config = loadConfig("start", {
      BIFROST_DATA_DIR: dataDir(),
      DATABASE_URL: "",
      REDIS_URL: " ",
      PORT: "",
      BIFROST_HEALTH_PORT: " ",
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.http.port).toBe(3000);
    expect(config.healthPort).toBeUndefined();
  });
});
