import { randomBytes } from "node:crypto";

/** The machine's shared services; each test file namespaces what it creates on them. */
export const TEST_POSTGRES_URL =
  process.env.BIFROST_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = process.env.BIFROST_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const TEST_RABBITMQ_URL = process.env.BIFROST_TEST_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";

/** Short random id for queue names, key prefixes and database names. */
export const uniqueId = (): string => randomBytes(5).toString("hex");

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A queue name no other test file or run uses: `bifrost-test.<label>.<random>`. */
export const testQueueName = (label: string): string => `bifrost-test.${label}.${uniqueId()}`;

/** A bus key/channel prefix no other test file or run uses. */
export const testKeyPrefix = (label = "t"): string => `bifrost-test:${label}:${uniqueId()}:`;
