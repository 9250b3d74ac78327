import { signedInUser, type TestContext } from "../support/context.js";
import type { Entry, MatrixFixtures } from "./access-matrix.fixtures.js";

/** The caller's own account and logins (MFA, sessions, remembered browsers, device login, SSO, passkeys). */
export function accountEntries(c: () => TestContext, f: MatrixFixtures): Record<string, Entry> {
  const { UNKNOWN, unique } = f;
  return {
    "GET /auth/me": { method: "GET", url: () => "/auth/me", kind: "userOnly" },
    "POST /auth/logout": { method: "POST", url: () => "/auth/logout", kind: "userOnly" },
    "POST /auth/revoke-all": { method: "POST", url: () => "/auth/revoke-all", kind: "userOnly" },
    "POST /api/profile/password": {
      method: "POST",
      url: () => "/api/profile/password",
      payload: () => ({ currentPassword: "wrong", newPassword: "whatever new passphrase" }),
      kind: "userOnly",
      allowedStatus: 422,
    },
    "GET /auth/mfa/status": { method: "GET", url: () => "/auth/mfa/status", kind: "userOnly" },
    "GET /auth/sessions": { method: "GET", url: () => "/auth/sessions", kind: "userOnly" },
    // A login of nobody: the caller's own are ended in test/auth/sessions.test.ts.
    "DELETE /auth/sessions/{id}": {
      method: "DELETE",
      url: () => `/auth/sessions/${UNKNOWN}`,
      kind: "userOnly",
      allowedStatus: 404,
    },
    "GET /api/users/{id}/sessions": {
      method: "GET",
      url: () => `/api/users/${c().orgA.withRole.userId}/sessions`,
      kind: "adminOnly",
    },
    "DELETE /api/users/{id}/sessions/{sessionId}": {
      method: "DELETE",
      url: async () => {
        const user = await signedInUser(c(), c().orgA.id);
        const sessions = (await user.request("GET", "/auth/sessions")).json<{
          items: Array<{ id: string }>;
        }>();
        return `/api/users/${user.userId}/sessions/${sessions.items[0]?.id ?? UNKNOWN}`;
      },
      kind: "adminOnly",
    },
    "DELETE /auth/mfa": {
      method: "DELETE",
      url: () => "/auth/mfa",
      payload: () => ({ code: "123456" }),
      kind: "userOnly",
      allowedStatus: 409,
    },
    "POST /auth/mfa/recovery-codes/regenerate": {
      method: "POST",
      url: () => "/auth/mfa/recovery-codes/regenerate",
      payload: () => ({ code: "123456" }),
      kind: "userOnly",
      allowedStatus: 409,
    },
    "PATCH /api/profile": {
      method: "PATCH",
      url: () => "/api/profile",
      payload: () => ({ name: "Renamed in the matrix" }),
      kind: "userOnly",
    },
    "POST /auth/mfa/enrol": {
      method: "POST",
      url: () => "/auth/mfa/enrol",
      payload: () => ({}),
      kind: "userOnly",
    },
    "POST /auth/mfa/enrol/verify": {
      method: "POST",
      url: () => "/auth/mfa/enrol/verify",
      payload: () => ({ code: "123456" }),
      kind: "userOnly",
      // Nothing started: no authenticator waits for a code.
      allowedStatus: 409,
    },
    "GET /auth/trusted-devices": { method: "GET", url: () => "/auth/trusted-devices", kind: "userOnly" },
    // A device of nobody: the caller's own are forgotten in test/auth/trusted-devices.test.ts.
    "DELETE /auth/trusted-devices/{id}": {
      method: "DELETE",
      url: () => `/auth/trusted-devices/${UNKNOWN}`,
      kind: "userOnly",
      allowedStatus: 404,
    },
    // No device login waits for this code; approving one is in test/auth/device-login.test.ts.
    ...Object.fromEntries(
      ["lookup", "approve", "deny"].map((step) => [
        `POST /auth/device/${step}`,
        {
          method: "POST",
          url: () => `/auth/device/${step}`,
          payload: () => ({ userCode: "BCDF-GHJK" }),
          kind: "userOnly" as const,
          allowedStatus: 404,
        },
      ]),
    ),
    // Single sign-on (issue 23): provider settings are the platform admins'; identities the user's own.
    "GET /api/settings/oauth": { method: "GET", url: () => "/api/settings/oauth", kind: "adminOnly" },
    "PUT /api/settings/oauth/{name}": {
      method: "PUT",
      url: () => `/api/settings/oauth/matrix-${unique()}`,
      payload: () => ({
        kind: "oidc",
        displayName: "Matrix",
        issuer: "https://idp.matrix.example",
        clientId: "matrix",
      }),
      kind: "adminOnly",
    },
    "DELETE /api/settings/oauth/{name}": {
      method: "DELETE",
      url: () => "/api/settings/oauth/nobody",
      kind: "adminOnly",
      allowedStatus: 404,
    },
    "POST /api/settings/oauth/{name}/test": {
      method: "POST",
      url: () => "/api/settings/oauth/nobody/test",
      kind: "adminOnly",
      allowedStatus: 404,
    },
    "GET /auth/identities": { method: "GET", url: () => "/auth/identities", kind: "userOnly" },
    "DELETE /auth/identities/{id}": {
      method: "DELETE",
      url: () => `/auth/identities/${UNKNOWN}`,
      kind: "userOnly",
      allowedStatus: 404,
    },
    // Passkeys (issue 23): the caller's own; adding and signing in with one in test/auth/passkeys.test.ts.
    "POST /auth/passkeys/register/options": {
      method: "POST",
      url: () => "/auth/passkeys/register/options",
      kind: "userOnly",
    },
    "POST /auth/passkeys/register/verify": {
      method: "POST",
      url: () => "/auth/passkeys/register/verify",
      payload: () => ({
        id: "bWF0cml4",
        rawId: "bWF0cml4",
        type: "public-key",
        clientExtensionResults: {},
        response: {
          clientDataJSON: Buffer.from(JSON.stringify({ challenge: "never-issued" })).toString("base64url"),
          attestationObject: "bWF0cml4",
        },
      }),
      kind: "userOnly",
      // No options call issued this challenge.
      allowedStatus: 400,
    },
    "GET /auth/passkeys": { method: "GET", url: () => "/auth/passkeys", kind: "userOnly" },
    "PATCH /auth/passkeys/{id}": {
      method: "PATCH",
      url: () => `/auth/passkeys/${UNKNOWN}`,
      payload: () => ({ name: "Matrix" }),
      kind: "userOnly",
      allowedStatus: 404,
    },
    "DELETE /auth/passkeys/{id}": {
      method: "DELETE",
      url: () => `/auth/passkeys/${UNKNOWN}`,
      kind: "userOnly",
      allowedStatus: 404,
    },
    "POST /auth/admin/revoke-user": {
      method: "POST",
      url: () => "/auth/admin/revoke-user",
      payload: async () => ({ userId: (await signedInUser(c(), c().orgA.id)).userId }),
      kind: "adminOnly",
    },
    "DELETE /api/users/{id}/mfa": {
      method: "DELETE",
      url: async () => `/api/users/${(await signedInUser(c(), c().orgB.id)).userId}/mfa`,
      kind: "adminOnly",
    },
  };
}
