import { expect } from "vitest";
import { call } from "./login-journey.js";
import { eventually } from "./server-process.js";
import { tokenIn, type SmtpSink } from "./smtp-sink.js";

// Invitations and password resets against a real SMTP server (issue 21), over HTTP as a platform
// admin and as the people invited: the same journey runs on `bifrost-server start` and on the
// distributed processes. The server runs with BIFROST_SMTP_URL = the sink, BIFROST_PUBLIC_URL = itself.

const PASSWORD = "a sturdy invited passphrase";
const NEW_PASSWORD = "another sturdy passphrase";

type Mail = { to: string; template: string; status: string; attempts: number; lastError: string | null };

/**
 * `expireLinksOf(email)` lets the user's links expire: in the distributed test by moving their
 * expiry in the database; on `start` (whose database is inside the server) by waiting out a short
 * BIFROST_INVITATION_HOURS.
 */
export async function runAccountsJourney(
  baseUrl: string,
  adminToken: string,
  smtp: SmtpSink,
  expireLinksOf: (email: string) => Promise<void>,
): Promise<void> {
  const admin = { authorization: `Bearer ${adminToken}` };
  const api = async (method: string, path: string, body?: Record<string, unknown>, headers = admin) =>
    await call(`${baseUrl}${path}`, method, body, headers);
  const stamp = Date.now();
  const org = await api("POST", "/api/organizations", { name: `Invited ${stamp}` });
  expect(org.status).toBe(201);
  const newUser = async (label: string) => {
    const email = `${label}-${stamp}@invited.example`;
    const created = await api("POST", "/api/users", { email, name: label, organizationId: org.body.id });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: String(created.body.id), email };
  };

  // An invitation arrives; its link sets a password once and signs in.
  const ada = await newUser("ada");
  const invited = await api("POST", `/api/users/${ada.id}/invite`);
  expect(invited.status, JSON.stringify(invited.body)).toBe(200);
  expect(invited.body).toMatchObject({ sent: true, link: null });
  const invitation = await smtp.next(ada.email, /invited you/);
  const { link, token } = tokenIn(invitation);
  expect(link.startsWith(`${baseUrl}/invite#token=`)).toBe(true);
  expect(invitation.html).toContain(link);
  const registered = await call(`${baseUrl}/auth/register-from-invite`, "POST", {
    token,
    password: PASSWORD,
  });
  expect(registered.status, JSON.stringify(registered.body)).toBe(200);
  expect(typeof registered.body.accessToken).toBe("string");
  const again = await call(`${baseUrl}/auth/register-from-invite`, "POST", { token, password: PASSWORD });
  expect(again.status).toBe(400);
  const login = await call(`${baseUrl}/auth/login`, "POST", { email: ada.email, password: PASSWORD });
  expect(login.status).toBe(200);
  const adaSession = { authorization: `Bearer ${String(login.body.accessToken)}` };
  expect((await call(`${baseUrl}/auth/me`, "GET", undefined, adaSession)).status).toBe(200);

  // A reset asked for by e-mail: the same answer for an unknown address; the link works once and
  // ends every login of the user.
  const forgot = await call(`${baseUrl}/auth/password/forgot`, "POST", { email: ada.email });
  const unknown = await call(`${baseUrl}/auth/password/forgot`, "POST", {
    email: `nobody-${stamp}@x.example`,
  });
  expect([forgot.status, unknown.status]).toEqual([202, 202]);
  expect(unknown.body).toEqual(forgot.body);
  const resetMail = await smtp.next(ada.email, /Reset your/);
  const reset = tokenIn(resetMail);
  expect(reset.link.startsWith(`${baseUrl}/reset-password#token=`)).toBe(true);
  const done = await call(`${baseUrl}/auth/password/reset`, "POST", {
    token: reset.token,
    password: NEW_PASSWORD,
  });
  expect(done.status, JSON.stringify(done.body)).toBe(204);
  expect((await call(`${baseUrl}/auth/me`, "GET", undefined, adaSession)).status).toBe(401);
  const reused = await call(`${baseUrl}/auth/password/reset`, "POST", {
    token: reset.token,
    password: PASSWORD,
  });
  expect(reused.status).toBe(400);
  expect((await call(`${baseUrl}/auth/login`, "POST", { email: ada.email, password: PASSWORD })).status).toBe(
    401,
  );
  expect(
    (await call(`${baseUrl}/auth/login`, "POST", { email: ada.email, password: NEW_PASSWORD })).status,
  ).toBe(200);
  expect(smtp.received.filter((m) => m.to.startsWith("nobody-"))).toEqual([]);

  // An expired invitation is refused.
  const tardy = await newUser("tardy");
  await api("POST", `/api/users/${tardy.id}/invite`);
  const expired = tokenIn(await smtp.next(tardy.email, /invited you/));
  await expireLinksOf(tardy.email);
  const refused = await call(`${baseUrl}/auth/register-from-invite`, "POST", {
    token: expired.token,
    password: PASSWORD,
  });
  expect(refused.status).toBe(400);

  // The mail server is down: the invitation is answered at once, tried, and delivered once it is back.
  const bob = await newUser("bob");
  await smtp.stop();
  const started = Date.now();
  const queued = await api("POST", `/api/users/${bob.id}/invite`);
  expect(queued.status).toBe(200);
  expect(queued.body).toMatchObject({ sent: true });
  expect(Date.now() - started).toBeLessThan(2_000);
  const failedOnce = await eventually(
    async () => {
      const log = (await api("GET", "/api/platform/mail?limit=100")).body.items as Mail[];
      return log.find((m) => m.to === bob.email && m.attempts >= 1 && m.lastError !== null);
    },
    { timeoutMs: 20_000, intervalMs: 200, what: "the first attempt to fail" },
  );
  expect(failedOnce.status).toBe("queued");
  await smtp.start();
  const late = await smtp.next(bob.email, /invited you/, 30_000);
  expect(tokenIn(late).token).not.toBe(token);
  const log = (await api("GET", "/api/platform/mail?limit=100")).body.items as Mail[];
  expect(log.find((m) => m.to === bob.email)).toMatchObject({ status: "sent", template: "invitation" });
  expect(log.find((m) => m.to === bob.email)?.attempts).toBeGreaterThanOrEqual(2);
  // The log never carries a link.
  expect(JSON.stringify(log)).not.toContain("#token=");
}
