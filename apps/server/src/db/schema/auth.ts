import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "./columns.js";
import { users } from "./users.js";

/**
 * One login: the family of refresh tokens it issues. Revoking it ends every token of that login;
 * presenting a retired refresh token revokes it (token theft detection).
 */
export const authSessions = pgTable(
  "auth_sessions",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedReason: text("revoked_reason"),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
  },
  (t) => [index("auth_sessions_user_idx").on(t.userId)],
);

/** Opaque, single-use refresh tokens; only a SHA-256 of each is stored. */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: id(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => authSessions.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_unique").on(t.tokenHash),
    index("refresh_tokens_session_idx").on(t.sessionId),
  ],
);

/** Single-use MFA recovery codes, stored as keyed hashes. */
export const mfaRecoveryCodes = pgTable(
  "mfa_recovery_codes",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("mfa_recovery_codes_user_hash_unique").on(t.userId, t.codeHash)],
);

/**
 * A browser remembered at the MFA prompt for 30 days: a sign-in from it whose password is right
 * skips the second factor. Only a SHA-256 of its cookie is kept; revoked or expired, it counts for
 * nothing. Changing the password or the second factor forgets every one of the user's browsers.
 */
export const trustedDevices = pgTable(
  "trusted_devices",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
  },
  (t) => [
    uniqueIndex("trusted_devices_hash_unique").on(t.tokenHash),
    index("trusted_devices_user_idx").on(t.userId),
  ],
);

export const deviceAuthorizationStatuses = ["pending", "approved", "denied", "consumed"] as const;
export type DeviceAuthorizationStatus = (typeof deviceAuthorizationStatuses)[number];

/**
 * A device login (RFC 8628): a CLI holds the device code (only its SHA-256 is kept) and polls; a
 * signed-in user approves or denies the short user code in the browser. Approved, the next poll
 * turns it into a normal login (`consumed`); it is never answered twice.
 */
export const deviceAuthorizations = pgTable(
  "device_authorizations",
  {
    id: id(),
    deviceCodeHash: text("device_code_hash").notNull(),
    userCode: text("user_code").notNull(),
    clientName: text("client_name"),
    status: text("status", { enum: deviceAuthorizationStatuses }).notNull().default("pending"),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    intervalSeconds: integer("interval_seconds").notNull(),
    lastPolledAt: timestamp("last_polled_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    ipAddress: text("ip_address"),
    createdAt: createdAt(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("device_authorizations_device_code_unique").on(t.deviceCodeHash),
    uniqueIndex("device_authorizations_user_code_unique").on(t.userCode),
    index("device_authorizations_expires_idx").on(t.expiresAt),
  ],
);
