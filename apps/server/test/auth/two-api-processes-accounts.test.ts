import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../support/login-journey.js";
import { startTwoApis, type TwoApis } from "../support/two-apis.js";

// Accounts part 2 (issue 22) across two `bifrost-server api` processes sharing PostgreSQL and Redis:
// a role taken away or deleted, or a login ended, on one process is seen on the user's next request
// on the other (the access-state cache is told through Redis); a device login started on one process
// is approved on the other.

const PASSWORD = "a two-process passphrase";
let apis: TwoApis;
let admin: Record<string, string>;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signIn(
  url: string,
  email: string,
): Promise<{ token: string; sessions: () => Promise<unknown> }> {
  const login = await call(`${url}/auth/login`, "POST", { email, password: PASSWORD });
  expect(login.status).toBe(200);
  const token = String(login.body.accessToken);
  return {
    token,
    sessions: async () => (await call(`${url}/auth/sessions`, "GET", undefined, bearer(token))).body,
  };
}

beforeAll(async () => {
  apis = await startTwoApis({ BIFROST_MFA_REQUIRED: "false", BIFROST_DEVICE_POLL_INTERVAL_SECONDS: "1" });
  const [a] = apis.urls;
  expect(
    (await call(`${a}/auth/setup`, "POST", { email: "admin@msp.example", password: PASSWORD, name: "Admin" }))
      .status,
  ).toBe(201);
  admin = bearer((await signIn(a, "admin@msp.example")).token);
}, 90_000);

afterAll(async () => {
  await apis?.stop();
});

async function newUserWithRole(label: string): Promise<{ userId: string; roleId: string; email: string }> {
  const [a] = apis.urls;
  const organization = await call(`${a}/api/organizations`, "POST", { name: `${label} Ltd` }, admin);
  const email = `${label}@two-apis.example`;
  const user = await call(
    `${a}/api/users`,
    "POST",
    { email, name: label, password: PASSWORD, organizationId: organization.body.id },
    admin,
  );
  expect(user.status).toBe(201);
  const role = await call(`${a}/api/roles`, "POST", { name: `${label} technicians` }, admin);
  const userId = String(user.body.id);
  expect(
    (await call(`${a}/api/roles/${String(role.body.id)}/users`, "POST", { userIds: [userId] }, admin)).status,
  ).toBe(204);
  return { userId, roleId: String(role.body.id), email };
}

const rolesOn = async (url: string, token: string) =>
  (await call(`${url}/auth/me`, "GET", undefined, bearer(token))).body.roles;

describe("two API processes: accounts part 2", () => {
  it("a role removed on one process is gone on the user's next request on the other", async () => {
    const [a, b] = apis.urls;
    const { userId, roleId, email } = await newUserWithRole("ada");
    const { token } = await signIn(b, email);
    expect(await rolesOn(b, token)).toEqual(["ada technicians"]);
    expect((await call(`${a}/api/roles/${roleId}/users/${userId}`, "DELETE", undefined, admin)).status).toBe(
      204,
    );
    expect(await rolesOn(b, token)).toEqual([]);
  });

  it("a role deleted on one process is gone on the other, with no member left", async () => {
    const [a, b] = apis.urls;
    const { roleId, email } = await newUserWithRole("grace");
    const { token } = await signIn(b, email);
    expect(await rolesOn(b, token)).toEqual(["grace technicians"]);
    expect((await call(`${a}/api/roles/${roleId}`, "DELETE", undefined, admin)).status).toBe(204);
    expect(await rolesOn(b, token)).toEqual([]);
    expect((await call(`${b}/api/roles/${roleId}/users`, "GET", undefined, admin)).status).toBe(404);
  });

  it("a bulk deactivation on one process refuses all its users' next requests on the other", async () => {
    const [a, b] = apis.urls;
    const users = await Promise.all(["ida", "joan", "karen"].map((label) => newUserWithRole(label)));
    const tokens = await Promise.all(users.map(async (user) => (await signIn(b, user.email)).token));
    for (const token of tokens)
      expect((await call(`${b}/auth/me`, "GET", undefined, bearer(token))).status).toBe(200);
    const bulk = await call(
      `${a}/api/users/bulk`,
      "POST",
      { userIds: users.map((user) => user.userId), action: { type: "deactivate" } },
      admin,
    );
    expect(bulk.status).toBe(200);
    for (const token of tokens)
      expect((await call(`${b}/auth/me`, "GET", undefined, bearer(token))).status).toBe(401);
  });

  it("a login ended by an admin on one process is refused on its next request on the other", async () => {
    const [a, b] = apis.urls;
    const { userId, email } = await newUserWithRole("linus");
    const { token } = await signIn(b, email);
    expect((await call(`${b}/auth/me`, "GET", undefined, bearer(token))).status).toBe(200);
    const listed = await call(`${a}/api/users/${userId}/sessions`, "GET", undefined, admin);
    const [session] = listed.body.items as Array<{ id: string }>;
    expect(
      (await call(`${a}/api/users/${userId}/sessions/${session?.id}`, "DELETE", undefined, admin)).status,
    ).toBe(204);
    expect((await call(`${b}/auth/me`, "GET", undefined, bearer(token))).status).toBe(401);
  });

  it("a device login started on one process is approved on the other and polled back on the first", async () => {
    const [a, b] = apis.urls;
    const { email } = await newUserWithRole("margaret");
    const user = await signIn(b, email);
    const pair = await call(`${a}/auth/device/code`, "POST", { clientName: "bifrost CLI" });
    expect(pair.status).toBe(200);
    expect(
      (await call(`${a}/auth/device/token`, "POST", { deviceCode: pair.body.deviceCode })).body,
    ).toMatchObject({
      error: "authorization_pending",
    });
    expect(
      (await call(`${b}/auth/device/approve`, "POST", { userCode: pair.body.userCode }, bearer(user.token)))
        .status,
    ).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const granted = await call(`${a}/auth/device/token`, "POST", { deviceCode: pair.body.deviceCode });
    expect(granted.status).toBe(200);
    expect(
      (await call(`${b}/auth/me`, "GET", undefined, bearer(String(granted.body.accessToken)))).body,
    ).toMatchObject({
      email,
    });
  });
});
