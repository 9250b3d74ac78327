import { eq, isNotNull } from "drizzle-orm";
import type { Db } from "../../db/database.js";
import {
  configs,
  integrationMappings,
  integrations,
  oauthProviders,
  oauthTokens,
  users,
} from "../../db/schema/index.js";
import { SecretBox, SecretBoxError } from "../../infra/crypto/secret-box.js";
import { INTEGRATION_SECRET_PURPOSE } from "../integrations/config-values.js";
import { OAUTH_CLIENT_SECRET_PURPOSE, OAUTH_TOKEN_PURPOSE } from "../oauth/access-tokens.js";
import { CONFIG_SECRET_PURPOSE } from "./config-service.js";

/** A column of sealed values: how to read them (locked) and write one back, and its purpose. */
type SealedKind = {
  /** Plural, for the command's report. */
  name: string;
  purpose: string;
  read(tx: Db): Promise<Array<{ id: string; sealed: string | null }>>;
  write(tx: Db, id: string, sealed: string): Promise<void>;
};

/**
 * The sealed values inside a JSON config column (integration defaults, mapping overrides): the
 * keys the integration's schema marks secret. One SealedKind row per (row, key): the id is
 * "<rowId>/<key>".
 */
type ConfigColumnTable = typeof integrations | typeof integrationMappings;

async function secretKeysByIntegration(tx: Db): Promise<Map<string, string[]>> {
  const rows = await tx.select({ id: integrations.id, schema: integrations.configSchema }).from(integrations);
  return new Map(
    rows.map((r) => [r.id, r.schema.filter((f) => f.secret === true).map((f) => String(f.key))]),
  );
}

function sealedConfigKind(name: string, table: ConfigColumnTable): SealedKind {
  const configOf = async (tx: Db) =>
    table === integrations
      ? await tx
          .select({ id: integrations.id, integrationId: integrations.id, config: integrations.defaults })
          .from(integrations)
          .for("update")
      : await tx
          .select({
            id: integrationMappings.id,
            integrationId: integrationMappings.integrationId,
            config: integrationMappings.config,
          })
          .from(integrationMappings)
          .for("update");
  return {
    name,
    purpose: INTEGRATION_SECRET_PURPOSE,
    async read(tx) {
      const secretKeys = await secretKeysByIntegration(tx);
      return (await configOf(tx)).flatMap((row) =>
        (secretKeys.get(row.integrationId) ?? [])
          .filter((key) => typeof row.config[key] === "string")
          .map((key) => ({ id: `${row.id}/${key}`, sealed: row.config[key] as string })),
      );
    },
    async write(tx, id, sealed) {
      const [rowId = "", key = ""] = id.split("/");
      const [row] = (await configOf(tx)).filter((r) => r.id === rowId);
      if (!row) return;
      const config = { ...row.config, [key]: sealed };
      if (table === integrations) {
        await tx.update(integrations).set({ defaults: config }).where(eq(integrations.id, rowId));
      } else {
        await tx.update(integrationMappings).set({ config }).where(eq(integrationMappings.id, rowId));
      }
    },
  };
}

/** OAuth connections and integrations (issue 6). */
const OAUTH_AND_INTEGRATION_KINDS: SealedKind[] = [
  {
    name: "OAuth client secrets",
    purpose: OAUTH_CLIENT_SECRET_PURPOSE,
    read: (tx) =>
      tx
        .select({ id: oauthProviders.id, sealed: oauthProviders.clientSecretSealed })
        .from(oauthProviders)
        .where(isNotNull(oauthProviders.clientSecretSealed))
        .for("update"),
    async write(tx, id, sealed) {
      await tx.update(oauthProviders).set({ clientSecretSealed: sealed }).where(eq(oauthProviders.id, id));
    },
  },
  {
    name: "OAuth access tokens",
    purpose: OAUTH_TOKEN_PURPOSE,
    read: (tx) =>
      tx
        .select({ id: oauthTokens.id, sealed: oauthTokens.accessTokenSealed })
        .from(oauthTokens)
        .where(isNotNull(oauthTokens.accessTokenSealed))
        .for("update"),
    async write(tx, id, sealed) {
      await tx.update(oauthTokens).set({ accessTokenSealed: sealed }).where(eq(oauthTokens.id, id));
    },
  },
  {
    name: "OAuth refresh tokens",
    purpose: OAUTH_TOKEN_PURPOSE,
    read: (tx) =>
      tx
        .select({ id: oauthTokens.id, sealed: oauthTokens.refreshTokenSealed })
        .from(oauthTokens)
        .where(isNotNull(oauthTokens.refreshTokenSealed))
        .for("update"),
    async write(tx, id, sealed) {
      await tx.update(oauthTokens).set({ refreshTokenSealed: sealed }).where(eq(oauthTokens.id, id));
    },
  },
  sealedConfigKind("integration default secrets", integrations),
  sealedConfigKind("integration mapping secrets", integrationMappings),
];

/**
 * Every kind of value sealed with the SecretBox under BIFROST_SECRET_KEY. A new kind (credentials,
 * OAuth tokens…) must be added here, or rotation would leave it unreadable; `grep secretBox.seal`
 * finds them. Keys derived for signing (JWTs, execution tokens) need no re-encryption: the tokens
 * simply stop verifying, which ends signed-in sessions.
 */
const SEALED_KINDS: SealedKind[] = [
  {
    name: "config secrets",
    purpose: CONFIG_SECRET_PURPOSE,
    read: (tx) =>
      tx
        .select({ id: configs.id, sealed: configs.secretSealed })
        .from(configs)
        .where(isNotNull(configs.secretSealed))
        .for("update"),
    async write(tx, id, sealed) {
      await tx.update(configs).set({ secretSealed: sealed }).where(eq(configs.id, id));
    },
  },
  {
    name: "MFA seeds",
    // The purpose services/auth/mfa-codes.ts seals TOTP seeds with.
    purpose: "mfa-totp",
    read: (tx) =>
      tx
        .select({ id: users.id, sealed: users.mfaSecretSealed })
        .from(users)
        .where(isNotNull(users.mfaSecretSealed))
        .for("update"),
    async write(tx, id, sealed) {
      await tx.update(users).set({ mfaSecretSealed: sealed }).where(eq(users.id, id));
    },
  },
  ...OAUTH_AND_INTEGRATION_KINDS,
];

export class KeyRotationError extends Error {
  override readonly name = "KeyRotationError";
}

/**
 * Re-encrypts every sealed value from the old root key to the new one, in one transaction: either
 * all of them move or none does. A value the old key cannot open aborts the rotation (it would be
 * lost otherwise); the message names its kind and row, never a value. Rows are locked while they
 * are rewritten, but a process still running with the old key could seal new values after the
 * commit: rotate with the platform stopped.
 */
export async function rotateSecretKey(
  db: Db,
  keys: { oldKey: string; newKey: string },
  kinds: SealedKind[] = SEALED_KINDS,
): Promise<Record<string, number>> {
  if (keys.oldKey === keys.newKey) throw new KeyRotationError("The new secret key is the key in use");
  const oldBox = new SecretBox(keys.oldKey);
  const newBox = new SecretBox(keys.newKey);
  return await db.transaction(async (tx) => {
    const counts: Record<string, number> = {};
    for (const kind of kinds) {
      let count = 0;
      for (const { id, sealed } of await kind.read(tx)) {
        if (sealed === null) continue;
        let plaintext: string;
        try {
          plaintext = oldBox.open(sealed, kind.purpose);
        } catch (error) {
          if (!(error instanceof SecretBoxError)) throw error;
          throw new KeyRotationError(
            `One of the ${kind.name} (row ${id}) does not open with BIFROST_SECRET_KEY: nothing was changed`,
          );
        }
        await kind.write(tx, id, newBox.seal(plaintext, kind.purpose));
        count += 1;
      }
      counts[kind.name] = count;
    }
    return counts;
  });
}
