import { afterAll, beforeAll, describe, it } from "vitest";
import { firstAdminToken, runEngineJourney } from "../support/engine-journey.js";
import { startEmbedded, type EmbeddedServer } from "../support/embedded-server.js";

// `bifrost-server start` with no service URLs: PGlite, in-memory queue and bus, the worker's pool
// and the scheduler in the same process.

describe("the engine in embedded mode (bifrost-server start)", () => {
  let embedded: EmbeddedServer;

  beforeAll(async () => {
    embedded = await startEmbedded();
  }, 120_000);

  afterAll(() => embedded?.close());

  it("a workflow written through the API runs sync and async, with logs and the WebSocket update", async () => {
    await runEngineJourney(embedded.url, await firstAdminToken(embedded.url));
  });
});
