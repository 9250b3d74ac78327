import fc from "fast-check";
import type { PasskeyCreationOptions, PasskeyRequestOptions } from "@bifrost/contracts";
import { afterAll, beforeAll, describe, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.js";
import { expectNo5xx, fuzzBody } from "../support/fuzz.js";

// The public passkey routes (issue 23), fuzzed: only 2xx or 4xx, never a 500 — arbitrary bodies,
// credentials whose fields hold anything (client data that is not JSON, JSON without a challenge,
// a live challenge with garbage around it), and any Host header. 300 cases per route. On a platform
// without users, so the setup routes are reachable too.

let t: TestApp;
const b64 = (text: string) => Buffer.from(text).toString("base64url");

beforeAll(async () => {
  t = await createTestApp({ mfaRequired: true });
});
afterAll(() => t?.close());

const post = (url: string, payload: string, host?: string) =>
  expectNo5xx(t, {
    method: "POST",
    url,
    payload,
    headers: { "content-type": "application/json", ...(host ? { host } : {}) },
  });

/** Client data: not base64, not JSON, JSON of any shape, or a real challenge with anything around it. */
const clientData = (challenge: string) =>
  fc.oneof(
    fc.string({ maxLength: 100 }),
    fc.json({ maxDepth: 2 }).map(b64),
    fc
      .record({
        type: fc.string(),
        challenge: fc.oneof(fc.constant(challenge), fc.string()),
        origin: fc.string(),
      })
      .map((o) => b64(JSON.stringify(o))),
  );
const b64Bytes = fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("base64url"));

const credential = (challenge: string) =>
  fc.record({
    id: fc.oneof(b64Bytes, fc.string({ maxLength: 50 })),
    rawId: fc.oneof(b64Bytes, fc.string({ maxLength: 50 })),
    type: fc.constantFrom("public-key", "other"),
    clientExtensionResults: fc.oneof(fc.constant({}), fc.dictionary(fc.string(), fc.jsonValue())),
    response: fc.record(
      {
        clientDataJSON: clientData(challenge),
        attestationObject: b64Bytes,
        authenticatorData: b64Bytes,
        signature: b64Bytes,
        userHandle: fc.oneof(b64Bytes, fc.string({ maxLength: 20 })),
        transports: fc.array(fc.string({ maxLength: 40 }), { maxLength: 12 }),
      },
      { requiredKeys: [] },
    ),
  });

async function liveChallenge(url: string, payload: object): Promise<string> {
  const options = await t.app.inject({ method: "POST", url, payload });
  return options.json<PasskeyCreationOptions | PasskeyRequestOptions>().challenge ?? "";
}

describe("fuzzing the public passkey routes", () => {
  for (const [url, fields] of [
    ["/auth/passkeys/authenticate/options", []],
    ["/auth/setup/passkey/options", ["email", "name"]],
    ["/auth/register-from-invite/passkey/options", ["token"]],
  ] as const) {
    it(`POST ${url} with any body and any host`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fuzzBody(fields),
          fc.oneof(
            fc.constant(undefined),
            fc.string({ maxLength: 60 }),
            fc.ipV4(),
            fc.ipV6().map((ip) => `[${ip}]`),
          ),
          async (payload, host) => post(url, payload, host),
        ),
        { numRuns: 300 },
      );
    }, 120_000);
  }

  it("POST /auth/passkeys/authenticate/verify with any credential", async () => {
    const challenge = await liveChallenge("/auth/passkeys/authenticate/options", {});
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fuzzBody([]),
          credential(challenge).map((c) => JSON.stringify(c)),
        ),
        (payload) => post("/auth/passkeys/authenticate/verify", payload),
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it("POST /auth/setup/passkey/verify with any credential", async () => {
    const person = { email: "fuzz@msp.example", name: "Fuzz" };
    const challenge = await liveChallenge("/auth/setup/passkey/options", person);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fuzzBody(["email", "name", "credential"]),
          credential(challenge).map((c) => JSON.stringify({ ...person, credential: c })),
        ),
        (payload) => post("/auth/setup/passkey/verify", payload),
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it("POST /auth/register-from-invite/passkey/verify with any credential", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fuzzBody(["token", "credential"]),
          credential("").map((c) => JSON.stringify({ token: "t".repeat(43), credential: c })),
        ),
        (payload) => post("/auth/register-from-invite/passkey/verify", payload),
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});
