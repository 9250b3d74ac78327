import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { call, runLoginJourney } from "../support/login-journey.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "../support/server-process.js";

// As a new user would, on `bifrost-server start` — what `npm start` runs — with nothing configured.

const started: Array<{ server: ServerProcess; dataDir: string }> = [];

async function startEmbedded(env: Record<string, string> = {}): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-journey-"));
  const port = await freePort();
  const server = startServer("start", {
    PORT: String(port),
    BIFROST_DATA_DIR: dataDir,
    BIFROST_LOG_LEVEL: "warn",
    ...env,
  });
  started.push({ server, dataDir });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => ((await getJson(`${url}/health/ready`))?.status === 200 ? true : undefined), {
    timeoutMs: 90_000,
    intervalMs: 250,
    what: "the embedded server to be ready",
  });
  return url;
}

afterAll(async () => {
  for (const { server, dataDir } of started) {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe("the embedded platform, as a new user meets it", () => {
  it("setup, MFA enrolment, logout, MFA login again, refresh and a replayed refresh", async () => {
    await runLoginJourney(await startEmbedded());
  }, 150_000);

  it("BIFROST_DEFAULT_USER_* seeds the first admin, who enrols MFA at the first login", async () => {
    const email = "seeded@msp.example";
    const password = "a seeded admin's passphrase";
    const url = await startEmbedded({
      BIFROST_DEFAULT_USER_EMAIL: email,
      BIFROST_DEFAULT_USER_PASSWORD: password,
    });
    expect((await call(`${url}/auth/status`, "GET")).body).toMatchObject({ needsSetup: false });
    expect(
      (await call(`${url}/auth/setup`, "POST", { email: "late@msp.example", password, name: "Late" })).status,
    ).toBe(409);
    const login = await call(`${url}/auth/login`, "POST", { email, password });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ mfaSetupRequired: true });
  }, 120_000);
});
