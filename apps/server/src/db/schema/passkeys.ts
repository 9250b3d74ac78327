import {
  bigint,
  boolean,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id } from "./columns.js";
import { users } from "./users.js";

export const passkeyDeviceTypes = ["singleDevice", "multiDevice"] as const;

/**
 * A WebAuthn credential a user signs in with (issue 23). Only public material: the credential's id
 * and COSE public key (base64url), the authenticator's signature counter (a clone that signs with a
 * lower one is refused), and what the browser said about it. Bound to the relying-party id it was
 * made for (the host name of BIFROST_PUBLIC_URL, else of the request).
 */
export const passkeys = pgTable(
  "passkeys",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    credentialId: text("credential_id").notNull(),
    publicKey: text("public_key").notNull(),
    // A 32-bit unsigned counter: past PostgreSQL's integer.
    counter: bigint("counter", { mode: "number" }).notNull().default(0),
    transports: jsonb("transports").$type<string[]>().notNull().default([]),
    deviceType: text("device_type", { enum: passkeyDeviceTypes }).notNull(),
    backedUp: boolean("backed_up").notNull().default(false),
    name: text("name").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("passkeys_credential_id_unique").on(t.credentialId),
    index("passkeys_user_idx").on(t.userId),
  ],
);
