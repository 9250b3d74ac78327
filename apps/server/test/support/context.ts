import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { createTestApp, type TestApp } from "./app.js";

export type Client = {
  userId: string;
  token: string;
  request(method: string, url: string, payload?: object): Promise<LightMyRequestResponse>;
};

type TestOrganization = { id: string; name: string; withRole: Client; withoutRole: Client };

export type TestContext = {
  app: TestApp;
  admin: Client;
  anonymous: Omit<Client, "userId" | "token">;
  roleId: string;
  orgA: TestOrganization;
  orgB: TestOrganization;
  close(): Promise<void>;
};

/** The password of every user the test context creates (and of users a test creates the same way). */
export const PASSWORD = "a test user's passphrase";

function client(t: TestApp, token: string | undefined, userId = ""): Client {
  return {
    userId,
    token: token ?? "",
    request: (method, url, payload) =>
      t.app.inject({
        method: method as "GET",
        url,
        ...(payload ? { payload } : {}),
        headers: token ? { authorization: `Bearer ${token}` } : {},
      }),
  };
}

async function signIn(t: TestApp, email: string): Promise<string> {
  const response = await t.app.inject({
    method: "POST",
    url: "/auth/login",
    payload: { email, password: PASSWORD },
  });
  expect(response.statusCode, `sign in ${email}`).toBe(200);
  return response.json<{ accessToken: string }>().accessToken;
}

/** A user created with `PASSWORD`, signed in: a client acting with their access token. */
export async function signedInAs(t: TestApp, email: string, userId: string): Promise<Client> {
  return client(t, await signIn(t, email), userId);
}

/**
 * A platform with a platform admin and two organizations, each with a user holding the role
 * "Technicians" and a user without it, all signed in. MFA is off: these tests are about access.
 * Everything is made through the public API, as an admin would.
 */
/** A new user of `organizationId`, signed in: for routes that end the caller's own login. */
export async function signedInUser(
  ctx: Pick<TestContext, "app" | "admin">,
  organizationId: string,
): Promise<Client> {
  const email = `user-${Math.random().toString(36).slice(2, 10)}@throwaway.example`;
  const created = await ctx.admin.request("POST", "/api/users", {
    email,
    name: "Throwaway",
    password: PASSWORD,
    organizationId,
  });
  expect(created.statusCode, `create ${email}`).toBe(201);
  return client(ctx.app, await signIn(ctx.app, email), created.json<{ id: string }>().id);
}

export async function createTestContext(
  options: Omit<Parameters<typeof createTestApp>[0], "mfaRequired"> = {},
): Promise<TestContext> {
  const t = await createTestApp({ ...options, mfaRequired: false });
  const setup = await t.app.inject({
    method: "POST",
    url: "/auth/setup",
    payload: { email: "admin@msp.example", password: PASSWORD, name: "Admin" },
  });
  expect(setup.statusCode).toBe(201);
  const adminId = setup.json<{ user: { id: string } }>().user.id;
  const admin = client(t, await signIn(t, "admin@msp.example"), adminId);
  const role = await admin.request("POST", "/api/roles", { name: "Technicians" });
  const roleId = role.json<{ id: string }>().id;

  const organization = async (name: string): Promise<TestOrganization> => {
    const org = (await admin.request("POST", "/api/organizations", { name })).json<{ id: string }>();
    const user = async (label: string, withRole: boolean): Promise<Client> => {
      const email = `${label}@${name.toLowerCase()}.example`;
      const created = await admin.request("POST", "/api/users", {
        email,
        name: label,
        password: PASSWORD,
        organizationId: org.id,
      });
      expect(created.statusCode, `create ${email}`).toBe(201);
      const id = created.json<{ id: string }>().id;
      if (withRole)
        expect(
          (await admin.request("POST", `/api/roles/${roleId}/users`, { userIds: [id] })).statusCode,
        ).toBe(204);
      return client(t, await signIn(t, email), id);
    };
    return { id: org.id, name, withRole: await user("tech", true), withoutRole: await user("clerk", false) };
  };

  return {
    app: t,
    admin,
    anonymous: client(t, undefined),
    roleId,
    orgA: await organization("Contoso"),
    orgB: await organization("Fabrikam"),
    close: () => t.close(),
  };
}

/**
 * The access matrix of API.md "403 or 404" for one route: anonymous → 401; an organization user on
 * a platform-admin route → 403; another organization's entity, or a role_based one without the
 * role → 404; the allowed caller → 2xx. Cases that do not apply to the route are left out.
 */
export async function expectAccessMatrix(
  ctx: TestContext,
  route: { method: string; url: string; payload?: object },
  expected: {
    adminOnly?: boolean;
    /** A client of the entity's own organization that may use it. */
    allowed?: Client;
    /** Clients that must get 404: another organization's user, a user without the role. */
    hidden?: Client[];
    /** What the allowed caller gets when it is not a 2xx (e.g. 409: allowed, but not in this state). */
    allowedStatus?: number;
  },
): Promise<void> {
  const label = `${route.method} ${route.url}`;
  const anonymous = await ctx.anonymous.request(route.method, route.url, route.payload);
  expect(anonymous.statusCode, `${label} anonymous`).toBe(401);
  if (expected.adminOnly) {
    for (const user of [ctx.orgA.withRole, ctx.orgB.withoutRole]) {
      const response = await user.request(route.method, route.url, route.payload);
      expect(response.statusCode, `${label} organization user`).toBe(403);
      expect(response.json(), `${label} organization user`).toMatchObject({ error: "forbidden" });
    }
  }
  for (const user of expected.hidden ?? []) {
    expect((await user.request(route.method, route.url, route.payload)).statusCode, `${label} hidden`).toBe(
      404,
    );
  }
  const allowed = await (expected.allowed ?? ctx.admin).request(route.method, route.url, route.payload);
  if (expected.allowedStatus !== undefined) {
    expect(allowed.statusCode, `${label} allowed: ${allowed.body}`).toBe(expected.allowedStatus);
  } else {
    expect(allowed.statusCode, `${label} allowed: ${allowed.body}`).toBeGreaterThanOrEqual(200);
    expect(allowed.statusCode, `${label} allowed: ${allowed.body}`).toBeLessThan(300);
  }
}
