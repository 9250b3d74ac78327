import { randomBytes, randomInt } from "node:crypto";
import type { DeviceCodeResponse, DeviceRequest, TokenPair, deviceTokenErrors } from "@bifrost/contracts";
import { NotFoundError } from "../../errors.js";
import type { Clock } from "../../infra/clock.js";
import type {
  DeviceAuthorizationRow,
  DeviceAuthorizationsRepository,
} from "../../repositories/device-authorizations.js";
import type { AuditActor } from "../../principal.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuthService, RequestMeta } from "./auth-service.js";
import type { RateLimiter } from "./rate-limiter.js";
import { hashOpaqueToken } from "./tokens.js";

/** RFC 8628 §6.1: 20 consonants, no vowels (no words), no look-alikes; 8 of them ≈ 34 bits. */
const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LENGTH = 8;
const DEVICE_CODE_TTL_SECONDS = 10 * 60;
/** RFC 8628 §3.5: each poll that comes too soon adds 5 seconds to the interval. */
const SLOW_DOWN_SECONDS = 5;
/** Polls per minute per address (a CLI polls every few seconds). */
const POLLS_PER_MINUTE = 60;
/** Codes a signed-in user may look up or decide on per 5 minutes: no guessing other people's. */
const DECISIONS_PER_USER = 20;
const DECISIONS_WINDOW_MS = 5 * 60_000;
/** Expired requests are kept a day (their codes are not drawn again meanwhile), then dropped. */
const KEEP_EXPIRED_MS = 24 * 3600_000;

type DeviceTokenError = (typeof deviceTokenErrors)[number];
export type DevicePoll =
  { tokens: TokenPair } | { error: DeviceTokenError; message: string; interval?: number };

function drawUserCode(): string {
  let code = "";
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What a person types: any case, with or without the dash or spaces. */
function normalizeUserCode(typed: string): string | undefined {
  const letters = typed.toUpperCase().replace(/[\s-]/g, "");
  if (letters.length !== USER_CODE_LENGTH || [...letters].some((c) => !USER_CODE_ALPHABET.includes(c)))
    return undefined;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

/**
 * Device login for the CLI (RFC 8628): the CLI asks for a code pair and polls with the device code;
 * a signed-in user opens `/device`, checks the user code and approves or denies it. Approved, the
 * next poll gets a normal login of that user (listed in their sessions, revocable); a denied,
 * expired or already answered request gives nothing.
 */
export class DeviceLogin {
  constructor(
    private readonly deps: {
      devices: DeviceAuthorizationsRepository;
      auth: AuthService;
      rateLimiter: RateLimiter;
      audit: AuditLog;
      clock: Clock;
      /** BIFROST_PUBLIC_URL: the origin of the verification URI; unset, the one the request used. */
      publicUrl: string | undefined;
      /** Seconds a CLI waits between polls (BIFROST_DEVICE_POLL_INTERVAL_SECONDS). */
      intervalSeconds: number;
      loginRateLimit: number;
    },
  ) {}

  async start(
    clientName: string | undefined,
    meta: RequestMeta,
    origin: string,
  ): Promise<DeviceCodeResponse> {
    await this.deps.rateLimiter.hit(`device-code:ip:${meta.ip}`, this.deps.loginRateLimit);
    const now = this.deps.clock.now();
    await this.deps.devices.deleteExpired(new Date(now - KEEP_EXPIRED_MS));
    const deviceCode = randomBytes(32).toString("base64url");
    let row: DeviceAuthorizationRow | undefined;
    for (let attempt = 0; !row && attempt < 5; attempt++) {
      row = await this.deps.devices.create({
        deviceCodeHash: hashOpaqueToken(deviceCode),
        userCode: drawUserCode(),
        clientName: clientName ?? null,
        intervalSeconds: this.deps.intervalSeconds,
        expiresAt: new Date(now + DEVICE_CODE_TTL_SECONDS * 1000),
        ipAddress: meta.ip,
      });
    }
    if (!row) throw new Error("no free user code after 5 draws");
    const base = (this.deps.publicUrl ?? origin).replace(/\/+$/, "");
    return {
      deviceCode,
      userCode: row.userCode,
      verificationUri: `${base}/device`,
      verificationUriComplete: `${base}/device?code=${row.userCode}`,
      expiresIn: DEVICE_CODE_TTL_SECONDS,
      interval: this.deps.intervalSeconds,
    };
  }

  async poll(deviceCode: string, meta: RequestMeta): Promise<DevicePoll> {
    await this.deps.rateLimiter.hit(`device-token:ip:${meta.ip}`, POLLS_PER_MINUTE);
    const now = new Date(this.deps.clock.now());
    const row = await this.deps.devices.findByDeviceCode(hashOpaqueToken(deviceCode));
    if (!row || row.status === "consumed" || row.expiresAt <= now)
      return { error: "expired_token", message: "The device code is unknown, used or expired: start again" };
    if (row.status === "denied") return { error: "access_denied", message: "The sign-in was denied" };
    const { slowDown, intervalSeconds } = await this.deps.devices.poll(row.id, now, SLOW_DOWN_SECONDS);
    if (slowDown)
      return {
        error: "slow_down",
        message: `Polling too fast: wait ${intervalSeconds} seconds between polls`,
        interval: intervalSeconds,
      };
    if (row.status === "pending")
      return { error: "authorization_pending", message: "Waiting for the user to approve the sign-in" };
    // Approved: the first poll to consume it gets the login, never a second.
    if (!row.userId || !(await this.deps.devices.consume(row.id)))
      return { error: "expired_token", message: "The device code was already used: start again" };
    const label = `${row.clientName ?? "A device"} (device login)`;
    const tokens = await this.deps.auth.approvedLogin(row.userId, { ...meta, userAgent: label }, "device");
    if (!tokens) return { error: "access_denied", message: "The account can no longer sign in" };
    return { tokens };
  }

  /** The request a user code names, for its approval page; 404 when none waits for it. */
  async describe(userCode: string, userId: string): Promise<DeviceRequest> {
    const row = await this.pending(userCode, userId);
    return {
      userCode: row.userCode,
      clientName: row.clientName,
      ip: row.ipAddress,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
    };
  }

  async decide(
    userCode: string,
    decision: "approved" | "denied",
    userId: string,
    actor: AuditActor,
  ): Promise<void> {
    const row = await this.pending(userCode, userId);
    if (!(await this.deps.devices.decide(row.id, decision, userId, new Date(this.deps.clock.now()))))
      throw new NotFoundError("No device sign-in waits for this code (it may have expired)");
    await this.deps.audit.record(actor, {
      action: decision === "approved" ? "auth.device.approve" : "auth.device.deny",
      resourceType: "device_login",
      resourceId: row.id,
      details: { clientName: row.clientName, ip: row.ipAddress },
    });
  }

  private async pending(userCode: string, userId: string): Promise<DeviceAuthorizationRow> {
    await this.deps.rateLimiter.hit(`device-decide:user:${userId}`, DECISIONS_PER_USER, DECISIONS_WINDOW_MS);
    const code = normalizeUserCode(userCode);
    const row = code && (await this.deps.devices.findPending(code, new Date(this.deps.clock.now())));
    if (!row) throw new NotFoundError("No device sign-in waits for this code (it may have expired)");
    return row;
  }
}
