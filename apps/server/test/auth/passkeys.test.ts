import type {
  Passkey,
  PasskeyCreationOptions,
  PasskeyRegistration,
  PasskeyRequestOptions,
} from "@bifrost/contracts";
import { and, desc, eq, sql } from "drizzle-orm";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogs, passkeys } from "../../src/db/schema/index.js";
import { createTestApp, type TestApp } from "../support/app.js";
import { createTestContext, signedInUser, type Client, type TestContext } from "../support/context.js";
import { SoftwareAuthenticator } from "../support/software-authenticator.js";

// Passkeys in-process on PostgreSQL, driven by a software authenticator (ES256, attestation "none")
// where a browser would use a real one: the options the server hands out, what its verification
// refuses (no user verification, another origin, a replayed challenge or counter, an unknown
// credential), the relying-party id rules, and each user's own passkeys. First-run setup and
// invitations with a passkey are in passkeys-onboarding.test.ts; the browser journey in apps/web.

/** `app.inject()`'s default Host is `localhost:80`: the origin a browser would have used. */
const ORIGIN = "http://localhost";

let ctx: TestContext;

const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  ctx.app.app.inject({ method: "POST", url, payload, headers });

async function addPasskey(
  client: Client,
  authenticator: SoftwareAuthenticator,
  name?: string,
): Promise<{ passkey: Passkey; credential: PasskeyRegistration }> {
  const options = (
    await client.request("POST", "/auth/passkeys/register/options")
  ).json<PasskeyCreationOptions>();
  const credential = authenticator.register(options);
  const verified = await client.request("POST", "/auth/passkeys/register/verify", {
    ...credential,
    ...(name ? { name } : {}),
  });
  expect(verified.statusCode, verified.body).toBe(201);
  return { passkey: verified.json<Passkey>(), credential };
}

async function signInOptions(headers: Record<string, string> = {}): Promise<PasskeyRequestOptions> {
  const options = await post("/auth/passkeys/authenticate/options", {}, headers);
  expect(options.statusCode, options.body).toBe(200);
  return options.json<PasskeyRequestOptions>();
}

const lastLoginAudit = async () => {
  const [row] = await ctx.app.database.db
    .select()
    .from(auditLogs)
    .where(eq(auditLogs.action, "auth.login"))
    .orderBy(desc(auditLogs.createdAt))
    .limit(1);
  return row;
};

const tokensOf = (response: LightMyRequestResponse) =>
  response.json<{ accessToken: string; user: { id: string } }>();

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx?.close());

describe("adding a passkey (signed in)", () => {
  it("options ask for a discoverable credential with user verification, for this host, excluding the user's own", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const first = await user.request("POST", "/auth/passkeys/register/options");
    expect(first.statusCode).toBe(200);
    const options = first.json<PasskeyCreationOptions>();
    expect(options.rp).toEqual({ id: "localhost", name: "Bifrost" });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: "required",
      requireResidentKey: true,
      userVerification: "required",
    });
    expect(options.attestation).toBe("none");
    expect(Buffer.from(options.user.id, "base64url").toString()).toBe(user.userId);
    expect(options.user.name).toMatch(/@throwaway\.example$/);
    expect(options.excludeCredentials).toEqual([]);

    const { passkey } = await addPasskey(user, new SoftwareAuthenticator(ORIGIN), "Laptop");
    expect(passkey).toMatchObject({ name: "Laptop", lastUsedAt: null, deviceType: "singleDevice" });
    const again = (
      await user.request("POST", "/auth/passkeys/register/options")
    ).json<PasskeyCreationOptions>();
    const [stored] = await ctx.app.database.db.select().from(passkeys).where(eq(passkeys.id, passkey.id));
    expect(again.excludeCredentials).toEqual([
      { id: stored?.credentialId, type: "public-key", transports: ["internal"] },
    ]);
  });

  it("lists the caller's passkeys without key material, named 'Passkey' when no name was given", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    await addPasskey(user, new SoftwareAuthenticator(ORIGIN));
    const list = await user.request("GET", "/auth/passkeys");
    expect(list.statusCode).toBe(200);
    const items = list.json<{ items: Passkey[] }>().items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ name: "Passkey", backedUp: false });
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(
      ["backedUp", "createdAt", "deviceType", "id", "lastUsedAt", "name"].sort(),
    );
  });

  it("a credential made without user verification is refused", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const options = (
      await user.request("POST", "/auth/passkeys/register/options")
    ).json<PasskeyCreationOptions>();
    const credential = new SoftwareAuthenticator(ORIGIN).register(options, { userVerified: false });
    const refused = await user.request("POST", "/auth/passkeys/register/verify", credential);
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ message: string }>().message).toMatch(/verif/i);
    expect((await user.request("GET", "/auth/passkeys")).json()).toEqual({ items: [] });
  });

  it("a credential made for another origin is refused", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const options = (
      await user.request("POST", "/auth/passkeys/register/options")
    ).json<PasskeyCreationOptions>();
    const credential = new SoftwareAuthenticator(ORIGIN).register(options, {
      origin: "https://evil.example",
    });
    expect((await user.request("POST", "/auth/passkeys/register/verify", credential)).statusCode).toBe(400);
  });

  it("a challenge works once, only for the user it was made for, and only for a registration", async () => {
    const [alice, bob] = [await signedInUser(ctx, ctx.orgA.id), await signedInUser(ctx, ctx.orgA.id)];
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    // Bob presents a credential answering Alice's challenge.
    const aliceOptions = (
      await alice.request("POST", "/auth/passkeys/register/options")
    ).json<PasskeyCreationOptions>();
    const forAlice = authenticator.register(aliceOptions);
    expect((await bob.request("POST", "/auth/passkeys/register/verify", forAlice)).statusCode).toBe(400);
    // Bob's try spent it: Alice cannot use it either.
    expect((await alice.request("POST", "/auth/passkeys/register/verify", forAlice)).statusCode).toBe(400);

    const { credential } = await addPasskey(alice, authenticator);
    const replay = await alice.request("POST", "/auth/passkeys/register/verify", credential);
    expect(replay.statusCode).toBe(400);
    expect(replay.json<{ message: string }>().message).toMatch(/unknown, used or expired/);

    // A sign-in challenge is not a registration challenge; a made-up one is nothing.
    const signIn = await signInOptions();
    const crossFlow = authenticator.register({ ...aliceOptions, challenge: signIn.challenge });
    expect((await alice.request("POST", "/auth/passkeys/register/verify", crossFlow)).statusCode).toBe(400);
    const madeUp = authenticator.register({ ...aliceOptions, challenge: "bm90LWlzc3VlZC1ieS10aGUtc2VydmVy" });
    expect((await alice.request("POST", "/auth/passkeys/register/verify", madeUp)).statusCode).toBe(400);
  });
});

describe("one's own passkeys", () => {
  it("rename and delete one's own; another user's passkey is 404 and stays as it was", async () => {
    const owner = await signedInUser(ctx, ctx.orgA.id);
    const stranger = await signedInUser(ctx, ctx.orgB.id);
    const { passkey } = await addPasskey(owner, new SoftwareAuthenticator(ORIGIN), "Phone");
    const url = `/auth/passkeys/${passkey.id}`;

    expect((await stranger.request("PATCH", url, { name: "Mine now" })).statusCode).toBe(404);
    expect((await stranger.request("DELETE", url)).statusCode).toBe(404);
    // Not even a platform admin reaches another user's passkey through these routes.
    expect((await ctx.admin.request("DELETE", url)).statusCode).toBe(404);

    const renamed = await owner.request("PATCH", url, { name: "  Work phone " });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: passkey.id, name: "Work phone" });
    expect((await owner.request("PATCH", url, { name: "" })).statusCode).toBe(422);

    expect((await owner.request("DELETE", url)).statusCode).toBe(204);
    expect((await owner.request("DELETE", url)).statusCode).toBe(404);
    expect((await owner.request("GET", "/auth/passkeys")).json()).toEqual({ items: [] });
  });

  it("the last passkey of an account without a password or single sign-on is kept (409)", async () => {
    const owner = await signedInUser(ctx, ctx.orgA.id);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const first = await addPasskey(owner, authenticator);
    const second = await addPasskey(owner, authenticator);
    await ctx.app.database.db.execute(sql`update users set password_hash = null where id = ${owner.userId}`);
    expect((await owner.request("DELETE", `/auth/passkeys/${first.passkey.id}`)).statusCode).toBe(204);
    const last = await owner.request("DELETE", `/auth/passkeys/${second.passkey.id}`);
    expect(last.statusCode).toBe(409);
    expect(last.json<{ message: string }>().message).toMatch(/only passkey/);
    // With a linked single sign-on, the account keeps a way in: the last passkey may go.
    await ctx.app.database.db.execute(
      sql`insert into sso_providers (name, kind, display_name, issuer, client_id)
          values ('corp-passkeys', 'oidc', 'Corp', 'https://idp.passkeys.example', 'client')
          on conflict do nothing`,
    );
    await ctx.app.database.db.execute(
      sql`insert into user_identities (user_id, provider, subject) values (${owner.userId}, 'corp-passkeys', ${owner.userId})`,
    );
    expect((await owner.request("DELETE", `/auth/passkeys/${second.passkey.id}`)).statusCode).toBe(204);
  });
});

describe("signing in with a passkey", () => {
  it("options name no credential, require user verification, and the RP is this host", async () => {
    const options = await signInOptions();
    expect(options.rpId).toBe("localhost");
    expect(options.allowCredentials).toEqual([]);
    expect(options.userVerification).toBe("required");
    expect(options.challenge.length).toBeGreaterThanOrEqual(32);
  });

  it("answers tokens and cookies as a login does, records the use, and the challenge works once", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const { passkey } = await addPasskey(user, authenticator);
    const assertion = authenticator.authenticate(await signInOptions());
    const signedIn = await post("/auth/passkeys/authenticate/verify", assertion);
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const { accessToken, user: who } = tokensOf(signedIn);
    expect(who.id).toBe(user.userId);
    expect(signedIn.cookies.map((c) => c.name)).toEqual(
      expect.arrayContaining(["access_token", "refresh_token", "csrf_token"]),
    );
    const me = await ctx.app.app.inject({
      method: "GET",
      url: "/auth/me",
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.json()).toMatchObject({ id: user.userId });
    expect(await lastLoginAudit()).toMatchObject({ actorId: user.userId, details: { method: "passkey" } });
    const [listed] = (await user.request("GET", "/auth/passkeys")).json<{ items: Passkey[] }>().items;
    expect(listed?.id).toBe(passkey.id);
    expect(listed?.lastUsedAt).not.toBeNull();

    const replay = await post("/auth/passkeys/authenticate/verify", assertion);
    expect(replay.statusCode).toBe(401);
    expect(replay.json<{ message: string }>().message).toMatch(/unknown, used or expired/);
  });

  it("an unknown credential is refused with 401 and an audit entry", async () => {
    const stranger = new SoftwareAuthenticator(ORIGIN);
    // A credential this platform never registered (made against options of a user who never verified it).
    const user = await signedInUser(ctx, ctx.orgA.id);
    stranger.register(
      (await user.request("POST", "/auth/passkeys/register/options")).json<PasskeyCreationOptions>(),
    );
    const refused = await post(
      "/auth/passkeys/authenticate/verify",
      stranger.authenticate(await signInOptions()),
    );
    expect(refused.statusCode).toBe(401);
    expect(refused.json<{ message: string }>().message).toMatch(/not registered/);
    expect(await lastLoginAudit()).toMatchObject({
      actorId: null,
      details: { outcome: "failure", method: "passkey", reason: "unknown passkey" },
    });
  });

  it("a signature without user verification is refused", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(user, authenticator);
    const assertion = authenticator.authenticate(await signInOptions(), { userVerified: false });
    expect((await post("/auth/passkeys/authenticate/verify", assertion)).statusCode).toBe(401);
    expect(await lastLoginAudit()).toMatchObject({
      actorId: user.userId,
      details: { outcome: "failure", method: "passkey" },
    });
  });

  it("a counter that does not move forward (a cloned authenticator) is refused", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(user, authenticator);
    const ok = authenticator.authenticate(await signInOptions(), { counter: 7 });
    expect((await post("/auth/passkeys/authenticate/verify", ok)).statusCode).toBe(200);
    const cloned = authenticator.authenticate(await signInOptions(), { counter: 7 });
    expect((await post("/auth/passkeys/authenticate/verify", cloned)).statusCode).toBe(401);
    expect(await lastLoginAudit()).toMatchObject({ details: { outcome: "failure" } });
    const later = authenticator.authenticate(await signInOptions(), { counter: 8 });
    expect((await post("/auth/passkeys/authenticate/verify", later)).statusCode).toBe(200);
  });

  it("a signature for another origin is refused", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(user, authenticator);
    const phished = authenticator.authenticate(await signInOptions(), { origin: "https://evil.example" });
    expect((await post("/auth/passkeys/authenticate/verify", phished)).statusCode).toBe(401);
  });

  it("a deactivated user, or a user of a deactivated organization, is refused", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(user, authenticator);
    expect(
      (await ctx.admin.request("PATCH", `/api/users/${user.userId}`, { isActive: false })).statusCode,
    ).toBe(200);
    const refused = await post(
      "/auth/passkeys/authenticate/verify",
      authenticator.authenticate(await signInOptions()),
    );
    expect(refused.statusCode).toBe(401);
    expect(await lastLoginAudit()).toMatchObject({ details: { reason: "inactive" } });
    await ctx.admin.request("PATCH", `/api/users/${user.userId}`, { isActive: true });

    const organization = (
      await ctx.admin.request("POST", "/api/organizations", { name: "Closing Co" })
    ).json<{
      id: string;
    }>();
    const member = await signedInUser(ctx, organization.id);
    const theirs = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(member, theirs);
    await ctx.admin.request("PATCH", `/api/organizations/${organization.id}`, { isActive: false });
    expect(
      (await post("/auth/passkeys/authenticate/verify", theirs.authenticate(await signInOptions())))
        .statusCode,
    ).toBe(401);
  });

  it("an organization that signs in only through SSO still lets its users in with a passkey", async () => {
    const organization = (await ctx.admin.request("POST", "/api/organizations", { name: "SSO Co" })).json<{
      id: string;
    }>();
    const member = await signedInUser(ctx, organization.id);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(member, authenticator);
    expect(
      (await ctx.admin.request("PATCH", `/api/organizations/${organization.id}`, { ssoOnly: true }))
        .statusCode,
    ).toBe(200);
    const signedIn = await post(
      "/auth/passkeys/authenticate/verify",
      authenticator.authenticate(await signInOptions()),
    );
    expect(signedIn.statusCode).toBe(200);
  });
});

describe("the relying party", () => {
  it("is the host the request names, without its port", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const headers = { host: "bifrost.msp.example:8443", authorization: `Bearer ${user.token}` };
    const options = await ctx.app.app.inject({
      method: "POST",
      url: "/auth/passkeys/register/options",
      headers,
    });
    expect(options.json<PasskeyCreationOptions>().rp.id).toBe("bifrost.msp.example");
    expect((await signInOptions({ host: "bifrost.msp.example:8443" })).rpId).toBe("bifrost.msp.example");
    // Signed in through that host, the passkey works there — and only there.
    const authenticator = new SoftwareAuthenticator("http://bifrost.msp.example:8443");
    const verified = await ctx.app.app.inject({
      method: "POST",
      url: "/auth/passkeys/register/verify",
      headers,
      payload: authenticator.register(options.json<PasskeyCreationOptions>()),
    });
    expect(verified.statusCode, verified.body).toBe(201);
    const there = authenticator.authenticate(await signInOptions({ host: "bifrost.msp.example:8443" }));
    expect(
      (await post("/auth/passkeys/authenticate/verify", there, { host: "bifrost.msp.example:8443" }))
        .statusCode,
    ).toBe(200);
    const elsewhere = authenticator.authenticate(await signInOptions({ host: "bifrost.msp.example:8443" }));
    expect(
      (await post("/auth/passkeys/authenticate/verify", elsewhere, { host: "other.example" })).statusCode,
    ).toBe(401);
  });

  it("is never an IP address: 400 explaining to use localhost or BIFROST_PUBLIC_URL", async () => {
    for (const host of ["127.0.0.1:3000", "[::1]:3000", "10.1.2.3"]) {
      const refused = await post("/auth/passkeys/authenticate/options", {}, { host });
      expect(refused.statusCode, host).toBe(400);
      expect(refused.json<{ message: string }>().message).toMatch(/localhost.*BIFROST_PUBLIC_URL/);
    }
    const user = await signedInUser(ctx, ctx.orgA.id);
    const signedIn = await ctx.app.app.inject({
      method: "POST",
      url: "/auth/passkeys/register/options",
      headers: { host: "127.0.0.1:3000", authorization: `Bearer ${user.token}` },
    });
    expect(signedIn.statusCode).toBe(400);
  });

  describe("with BIFROST_PUBLIC_URL", () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ publicUrl: "https://bifrost.msp.example/", mfaRequired: false });
    });
    afterAll(() => t?.close());

    it("is the public URL's host name whatever the request says, and its origin is the one expected", async () => {
      for (const host of ["localhost", "127.0.0.1:3000", "attacker.example"]) {
        const options = await t.app.inject({
          method: "POST",
          url: "/auth/passkeys/authenticate/options",
          headers: { host },
        });
        expect(options.statusCode, host).toBe(200);
        expect(options.json<PasskeyRequestOptions>().rpId).toBe("bifrost.msp.example");
      }
      const setup = (
        await t.app.inject({
          method: "POST",
          url: "/auth/setup/passkey/options",
          payload: { email: "root@msp.example", name: "Root" },
        })
      ).json<PasskeyCreationOptions>();
      expect(setup.rp.id).toBe("bifrost.msp.example");
      // A browser on another origin (here the request's own) signs that origin: refused.
      const elsewhere = new SoftwareAuthenticator("http://localhost").register(setup);
      const refused = await t.app.inject({
        method: "POST",
        url: "/auth/setup/passkey/verify",
        payload: { email: "root@msp.example", name: "Root", credential: elsewhere },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json<{ message: string }>().message).toMatch(/origin/i);
      // The public origin is the one accepted.
      const again = (
        await t.app.inject({
          method: "POST",
          url: "/auth/setup/passkey/options",
          payload: { email: "root@msp.example", name: "Root" },
        })
      ).json<PasskeyCreationOptions>();
      const there = new SoftwareAuthenticator("https://bifrost.msp.example").register(again);
      const created = await t.app.inject({
        method: "POST",
        url: "/auth/setup/passkey/verify",
        payload: { email: "root@msp.example", name: "Root", credential: there },
      });
      expect(created.statusCode, created.body).toBe(201);
    });
  });
});

describe("audit", () => {
  it("adding, renaming and removing a passkey are recorded for the user", async () => {
    const user = await signedInUser(ctx, ctx.orgA.id);
    const { passkey } = await addPasskey(user, new SoftwareAuthenticator(ORIGIN));
    await user.request("PATCH", `/auth/passkeys/${passkey.id}`, { name: "Renamed" });
    await user.request("DELETE", `/auth/passkeys/${passkey.id}`);
    const rows = await ctx.app.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.resourceType, "passkey"), eq(auditLogs.resourceId, passkey.id)));
    expect(rows.map((r) => r.action).sort()).toEqual([
      "auth.passkey.delete",
      "auth.passkey.register",
      "auth.passkey.rename",
    ]);
    expect(rows.every((r) => r.actorId === user.userId)).toBe(true);
  });
});
