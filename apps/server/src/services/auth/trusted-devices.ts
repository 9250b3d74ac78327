import { randomBytes } from "node:crypto";
import type { TrustedDevice } from "@bifrost/contracts";
import { NotFoundError } from "../../errors.js";
import type { Clock } from "../../infra/clock.js";
import type { TrustedDeviceRow, TrustedDevicesRepository } from "../../repositories/trusted-devices.js";
import type { AuditActor } from "../../principal.js";
import type { AuditLog } from "../audit/audit-log.js";
import { hashOpaqueToken } from "./tokens.js";

/** How long "remember this browser" skips the MFA prompt. */
const TRUSTED_DEVICE_DAYS = 30;
const TRUSTED_DEVICE_TTL_SECONDS = TRUSTED_DEVICE_DAYS * 24 * 3600;

const toTrustedDevice = (row: TrustedDeviceRow, currentId: string | undefined): TrustedDevice => ({
  id: row.id,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
  userAgent: row.userAgent,
  ip: row.ipAddress,
  current: row.id === currentId,
});

/**
 * Browsers remembered at the MFA prompt. The browser keeps a random token in an HttpOnly cookie; the
 * database only its hash. It counts for its own user only, with the right password, for 30 days,
 * until revoked — and every one is forgotten when the user's password or second factor changes.
 */
export class TrustedDevices {
  constructor(private readonly deps: { devices: TrustedDevicesRepository; clock: Clock; audit: AuditLog }) {}

  async remember(
    userId: string,
    meta: { ip: string; userAgent: string | undefined },
  ): Promise<{ token: string; maxAgeSeconds: number }> {
    const token = randomBytes(32).toString("base64url");
    await this.deps.devices.create({
      userId,
      tokenHash: hashOpaqueToken(token),
      expiresAt: new Date(this.deps.clock.now() + TRUSTED_DEVICE_TTL_SECONDS * 1000),
      ipAddress: meta.ip,
      userAgent: meta.userAgent?.slice(0, 512),
    });
    return { token, maxAgeSeconds: TRUSTED_DEVICE_TTL_SECONDS };
  }

  /** Whether `token` is a live remembered browser of this user (its use is recorded). */
  async recognises(userId: string, token: string | undefined): Promise<boolean> {
    if (!token || token.length > 256) return false;
    return (
      (await this.deps.devices.use(userId, hashOpaqueToken(token), new Date(this.deps.clock.now()))) !==
      undefined
    );
  }

  async list(userId: string, currentToken: string | undefined): Promise<{ items: TrustedDevice[] }> {
    const now = new Date(this.deps.clock.now());
    const current =
      currentToken && currentToken.length <= 256
        ? await this.deps.devices.findByHash(hashOpaqueToken(currentToken), now)
        : undefined;
    const rows = await this.deps.devices.listActive(userId, now);
    return {
      items: rows.map((row) => toTrustedDevice(row, current?.userId === userId ? current.id : undefined)),
    };
  }

  /** 404 for a device that is not the user's, or no longer remembered. */
  async revoke(userId: string, id: string, actor: AuditActor): Promise<void> {
    if (!(await this.deps.devices.revoke(userId, id, new Date(this.deps.clock.now()))))
      throw new NotFoundError("Trusted device not found");
    await this.deps.audit.record(actor, {
      action: "auth.trusted_device_revoke",
      resourceType: "trusted_device",
      resourceId: id,
    });
  }

  /** Forgets every browser of the user (password or second factor changed, or the user asked). */
  async forgetAll(userId: string): Promise<number> {
    return await this.deps.devices.revokeAll(userId, new Date(this.deps.clock.now()));
  }
}
