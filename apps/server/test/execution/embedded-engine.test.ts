import { afterAll, beforeAll, describe, it } from "vitest";
import { firstAdminToken, runEngineJourney } from "../support/engine-journey.js";
import {
  runConcurrencyLimitJourney,
  runFairnessJourney,
  runRetryJourney,
  writePolicyWorkflows,
} from "../support/fairness-journey.js";
import { startEmbedded, type EmbeddedServer } from "../support/embedded-server.js";

// `bifrost-server start` with no service URLs: PGlite, in-memory queue and bus, the worker's pool
// and the scheduler in the same process.

describe("the engine in embedded mode (bifrost-server start)", () => {
  let embedded: EmbeddedServer;
  let token: string;

  beforeAll(async () => {
    embedded = await startEmbedded();
    token = await firstAdminToken(embedded.url);
  }, 120_000);

  afterAll(() => embedded?.close());

  it("a workflow written through the API runs sync and async, with logs and the WebSocket update", async () => {
    await runEngineJourney(embedded.url, token);
  });

  it("an organization's backlog of 500 runs does not hold back another organization's run", async () => {
    await writePolicyWorkflows(embedded.url, token);
    const figures = await runFairnessJourney(embedded.url, token, { backlog: 500, runMs: 200 });
    console.info("embedded fairness:", figures);
  });

  it("an organization limited to 2 never has more than 2 runs running", async () => {
    await runConcurrencyLimitJourney(embedded.url, token, 12);
  });

  it("a workflow failing twice succeeds on its third attempt under its retry policy; a UserError is not retried", async () => {
    await runRetryJourney(embedded.url, token);
  });
});
