// Signing in against a running server: the first admin through the API (setup, login, TOTP
// enrolment), MFA users written straight into a PostgreSQL bench database with the server's own
// built crypto modules, and timed complete sign-ins (password step + TOTP step).
import { randomBytes, randomInt } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { generate } from "otplib";
import { runSql } from "./postgres.mjs";
import { REPO_ROOT } from "./server.mjs";

/** The organization every platform user belongs to (apps/server/src/db/schema/organizations.ts). */
const PROVIDER_ORGANIZATION_ID = "00000000-0000-0000-0000-000000000002";
/** Purpose under which the server seals TOTP secrets (apps/server/src/services/auth/auth-service.ts). */
const MFA_SECRET_PURPOSE = "mfa-totp";

/**
 * @typedef {object} JsonResponse
 * @property {number} status
 * @property {any} body     parsed JSON, or the raw text when it is not JSON
 * @property {number} ms     from sending the request to the end of the response body
 */

/**
 * One JSON request over node:http (so that the source address can be chosen: the server rate-limits
 * per client IP).
 * @param {string} baseUrl
 * @param {"GET" | "POST"} method
 * @param {string} route
 * @param {{ body?: unknown, bearer?: string, agent?: http.Agent }} [options]
 * @returns {Promise<JsonResponse>}
 */
export function requestJson(baseUrl, method, route, { body, bearer, agent } = {}) {
  const url = new URL(route, baseUrl);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  /** @type {Record<string, string | number>} */
  const headers = { accept: "application/json" };
  if (payload)
    Object.assign(headers, { "content-type": "application/json", "content-length": payload.length });
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent, timeout: 10_000 }, (response) => {
      /** @type {Buffer[]} */
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
        resolve({ status: response.statusCode ?? 0, body: parsed, ms: performance.now() - started });
      });
    });
    request.on("timeout", () => request.destroy(new Error(`${method} ${route}: no answer within 10 s`)));
    request.on("error", reject);
    request.end(payload);
  });
}

/**
 * @param {JsonResponse} response
 * @param {number} expected
 * @param {string} what
 */
function expectStatus(response, expected, what) {
  if (response.status !== expected) {
    throw new Error(
      `${what} answered ${response.status} (expected ${expected}): ${JSON.stringify(response.body).slice(0, 300)}`,
    );
  }
}

/** The current TOTP code of a base32 secret. */
const totpNow = (/** @type {string} */ secret) => generate({ secret, epoch: Math.floor(Date.now() / 1000) });

/**
 * Creates the first admin through the API and signs them in the way a browser would on first use:
 * setup, login (answers mfaSetupRequired), mfa/setup, mfa/verify with a TOTP code. Returns the
 * access token.
 * @param {string} baseUrl
 * @returns {Promise<{ email: string, accessToken: string }>}
 */
export async function enrolFirstAdmin(baseUrl) {
  const email = "bench-admin@bench.example";
  const password = `Bench-${randomBytes(12).toString("base64url")}`;
  expectStatus(
    await requestJson(baseUrl, "POST", "/auth/setup", { body: { email, password, name: "Bench Admin" } }),
    201,
    "POST /auth/setup",
  );
  const login = await requestJson(baseUrl, "POST", "/auth/login", { body: { email, password } });
  expectStatus(login, 200, "POST /auth/login");
  if (!login.body?.mfaSetupRequired) {
    throw new Error(
      `POST /auth/login did not ask for MFA enrolment: ${JSON.stringify(login.body).slice(0, 300)}`,
    );
  }
  const mfaToken = login.body.mfaToken;
  const setup = await requestJson(baseUrl, "POST", "/auth/mfa/setup", { bearer: mfaToken });
  expectStatus(setup, 200, "POST /auth/mfa/setup");
  const verify = await requestJson(baseUrl, "POST", "/auth/mfa/verify", {
    bearer: mfaToken,
    body: { code: await totpNow(setup.body.secret) },
  });
  expectStatus(verify, 200, "POST /auth/mfa/verify");
  return { email, accessToken: verify.body.accessToken };
}

/**
 * @typedef {object} MfaUser
 * @property {string} email
 * @property {string} password
 * @property {string} secret     base32 TOTP secret
 */

/**
 * Writes `count` active users with MFA enabled into the bench database, as enrolment would have
 * left them: Argon2id password hash and TOTP secret sealed under the server's BIFROST_SECRET_KEY,
 * both made by the server's own built modules. One password (hashed once) serves every user: a
 * login verifies one hash whichever it is, and hashing each would only lengthen the preparation.
 * @param {{ databaseUrl: string, secretKey: string, count: number, tag: string }} options
 *   `tag` goes into the e-mail addresses (lowercase letters and digits)
 * @returns {Promise<MfaUser[]>}
 */
export async function createMfaUsers({ databaseUrl, secretKey, count, tag }) {
  if (!/^[a-z0-9]+$/.test(tag)) throw new Error(`unsafe tag: ${tag}`);
  const dist = (/** @type {string} */ file) =>
    pathToFileURL(path.join(REPO_ROOT, "apps/server/dist", file)).href;
  const { hashPassword } = await import(dist("infra/crypto/passwords.js"));
  const { SecretBox } = await import(dist("infra/crypto/secret-box.js"));
  const { generateTotpSecret } = await import(dist("services/auth/totp.js"));
  const box = new SecretBox(secretKey);
  const password = `Bench-${randomBytes(12).toString("base64url")}`;
  /** @type {string} */
  const passwordHash = await hashPassword(password);
  /** @type {MfaUser[]} */
  const created = [];
  const rows = [];
  /** @param {string} text */
  const literal = (text) => `'${text.replaceAll("'", "''")}'`;
  for (let i = 0; i < count; i += 1) {
    const email = `bench-${tag}-${i}@bench.example`;
    /** @type {string} */
    const secret = generateTotpSecret();
    created.push({ email, password, secret });
    rows.push(
      `(${[
        email,
        `Bench User ${i}`,
        passwordHash,
        PROVIDER_ORGANIZATION_ID,
        box.seal(secret, MFA_SECRET_PURPOSE),
      ]
        .map(literal)
        .join(", ")}, true)`,
    );
  }
  runSql(
    databaseUrl,
    "INSERT INTO users (email, name, password_hash, organization_id, mfa_secret_sealed, mfa_enabled) VALUES " +
      rows.join(", "),
  );
  return created;
}

/**
 * @typedef {object} SignIn
 * @property {string} email
 * @property {boolean} ok          both steps answered 200 with an access token
 * @property {string} failure     what went wrong, when not ok
 * @property {number} loginMs     POST /auth/login
 * @property {number} mfaMs       POST /auth/mfa/login (NaN if the first step failed)
 * @property {number} totalMs     both steps, the TOTP code computation in between included
 */

/**
 * One complete sign-in over its own connection from its own loopback source address (a distinct
 * "client IP": the server allows 30 MFA attempts per IP per minute, a limit no setting raises).
 * @param {string} baseUrl
 * @param {MfaUser} user
 * @param {string} localAddress
 * @returns {Promise<SignIn>}
 */
async function signIn(baseUrl, user, localAddress) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress });
  const started = performance.now();
  /** @type {SignIn} */
  const result = { email: user.email, ok: false, failure: "", loginMs: NaN, mfaMs: NaN, totalMs: NaN };
  try {
    const login = await requestJson(baseUrl, "POST", "/auth/login", {
      agent,
      body: { email: user.email, password: user.password },
    });
    result.loginMs = login.ms;
    if (login.status !== 200 || !login.body?.mfaRequired) {
      result.failure = `login ${login.status} ${JSON.stringify(login.body).slice(0, 120)}`;
      return result;
    }
    const code = await totpNow(user.secret);
    const mfa = await requestJson(baseUrl, "POST", "/auth/mfa/login", {
      agent,
      body: { mfaToken: login.body.mfaToken, code },
    });
    result.mfaMs = mfa.ms;
    result.totalMs = performance.now() - started;
    if (mfa.status !== 200 || typeof mfa.body?.accessToken !== "string") {
      result.failure = `mfa/login ${mfa.status} ${JSON.stringify(mfa.body).slice(0, 120)}`;
      return result;
    }
    result.ok = true;
    return result;
  } catch (error) {
    result.failure = error instanceof Error ? error.message : String(error);
    return result;
  } finally {
    agent.destroy();
  }
}

/**
 * Signs every user in once, at most `concurrency` sign-ins in flight.
 * @param {string} baseUrl
 * @param {MfaUser[]} users
 * @param {number} concurrency
 * @returns {Promise<{ signIns: SignIn[], wallMs: number }>}
 */
export async function runSignIns(baseUrl, users, concurrency) {
  // A source address per sign-in, 127.<a>.<b>.<c> with <a> random per call (never 127.0.0.1):
  // the rate-limit counters live in Redis, shared with earlier runs for a minute.
  const net = randomInt(2, 255);
  const address = (/** @type {number} */ i) => `127.${net}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  /** @type {SignIn[]} */
  const signIns = new Array(users.length);
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < users.length) {
      const i = next;
      next += 1;
      signIns[i] = await signIn(baseUrl, users[i], address(i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, users.length) }, lane));
  return { signIns, wallMs: performance.now() - started };
}
