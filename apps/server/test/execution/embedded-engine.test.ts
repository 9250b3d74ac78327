import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { firstAdminToken, runEngineJourney } from "../support/engine-journey.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "../support/server-process.js";

// `bifrost-server start` with no service URLs: PGlite, in-memory queue and bus, the worker's pool
// and the scheduler in the same process.

describe("the engine in embedded mode (bifrost-server start)", () => {
  let dataDir: string;
  let server: ServerProcess;
  let url: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-embedded-engine-"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = startServer("start", {
      PORT: String(port),
      BIFROST_DATA_DIR: dataDir,
      BIFROST_MFA_REQUIRED: "false",
    });
    const ready = eventually(
      async () => ((await getJson(`${url}/health/ready`))?.status === 200 ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 250,
        what: "the embedded server to be ready",
      },
    );
    await Promise.race([
      ready,
      server.exited.then((code) => {
        throw new Error(`exited (${code}) before ready:\n${server.output()}`);
      }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("a workflow written through the API runs sync and async, with logs and the WebSocket update", async () => {
    await runEngineJourney(url, await firstAdminToken(url));
  });
});
