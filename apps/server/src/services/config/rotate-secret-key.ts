import { eq, isNotNull } from "drizzle-orm";
import type { Db } from "../../db/database.js";
import { configs, users } from "../../db/schema/index.js";
import { SecretBox, SecretBoxError } from "../../infra/crypto/secret-box.js";
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
 * Every kind of value sealed with the SecretBox under BIFROST_SECRET_KEY. A new kind (credentials,
 * OAuth tokens…) must be added here, or rotation would leave it unreadable; `grep secretBox.seal`
 * finds them. Keys derived for signing (JWTs, execution tokens) need no re-encryption: the tokens
 * simply stop verifying, which ends signed-in sessions.
 */
export const SEALED_KINDS: SealedKind[] = [
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
