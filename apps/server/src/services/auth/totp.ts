/**
 * TOTP (RFC 6238) over HOTP (RFC 4226) with the parameters every authenticator app supports:
 * HMAC-SHA-1, 6 digits, 30-second steps, T0 = 0. Pure functions over node:crypto only, so the login
 * flow owns all state (the encrypted secret and the last accepted step) and this module owns none.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const TOTP_PERIOD_SECONDS = 30;
const TOTP_DIGITS = 6;
/** RFC 4226 recommends 160-bit secrets; that is also the SHA-1 block-size sweet spot. */
const TOTP_SECRET_BYTES = 20;
/** The largest window the caller may ask for: beyond a few steps a guessed code gets too likely. */
const MAX_WINDOW = 10;

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE32_VALUES: ReadonlyMap<string, number> = new Map(
  [...BASE32_ALPHABET].map((char, index) => [char, index]),
);

/** RFC 4648 base32 without '=' padding: authenticator apps and otpauth URIs expect it unpadded. */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff; // Only the unread low bits matter; keep the number small.
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 base32. Lenient where users (or apps showing the secret in groups) differ —
 * case, whitespace, trailing '=' padding — and strict otherwise: any other character, '=' before the
 * end, or a length no encoder can produce (1, 3 or 6 characters past a multiple of 8) throws.
 */
export function base32Decode(input: string): Buffer {
  const cleaned = input.replace(/\s+/g, "").replace(/=+$/, "").toUpperCase();
  const remainder = cleaned.length % 8;
  if (remainder === 1 || remainder === 3 || remainder === 6) {
    throw new TypeError("base32: invalid length");
  }
  const out = Buffer.alloc(Math.floor((cleaned.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let offset = 0;
  for (const char of cleaned) {
    const value = BASE32_VALUES.get(char);
    if (value === undefined) throw new TypeError("base32: invalid character");
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[offset++] = (buffer >>> bits) & 0xff;
    }
  }
  // Leftover bits (< 5) are the encoder's zero fill; ignoring them matches common decoders.
  return out;
}

/** A fresh secret for enrolment: 20 random bytes as unpadded base32 (32 characters). */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(TOTP_SECRET_BYTES));
}

/**
 * The Key URI Format authenticator apps scan from a QR code. Encoded with encodeURIComponent rather
 * than URLSearchParams because the latter writes spaces as '+', which several apps show literally;
 * '%20' is read correctly by all of them. The issuer goes both in the label prefix (older apps) and
 * in the `issuer` parameter (the one newer apps prefer).
 */
export function otpauthUri(options: { secret: string; accountName: string; issuer: string }): string {
  const { accountName, issuer } = options;
  if (issuer === "" || accountName === "")
    throw new RangeError("otpauthUri: issuer and account are required");
  // Normalising through decode/encode both validates the secret and drops spaces and padding.
  const secret = base32Encode(base32Decode(options.secret));
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = [
    `secret=${secret}`,
    `issuer=${encodeURIComponent(issuer)}`,
    "algorithm=SHA1",
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ].join("&");
  return `otpauth://totp/${label}?${query}`;
}

/** The RFC 6238 time step (T0 = 0) containing `nowMs`. */
export function timeStep(nowMs: number): number {
  if (!Number.isFinite(nowMs)) throw new RangeError("timeStep: nowMs must be a finite number");
  // One division by the period in ms: the same integer as floor(now / 1000 / 30), with one rounding less.
  return Math.floor(nowMs / (TOTP_PERIOD_SECONDS * 1000));
}

/** RFC 4226 HOTP of one counter value with a decoded key. */
function hotp(key: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  // RFC 4226 §5.2: the counter is an 8-byte big-endian integer, not a 32-bit one.
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac("sha1", key).update(message).digest();
  // Dynamic truncation (RFC 4226 §5.3): the low nibble of the last byte picks 4 bytes, top bit masked.
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, "0");
}

function assertStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new RangeError("TOTP step must be a non-negative safe integer");
  }
}

/** The 6-digit code of a time step. Throws on a malformed secret (callers pass their own secrets). */
export function totpAt(secret: string, step: number): string {
  assertStep(step);
  const key = base32Decode(secret);
  if (key.length === 0) throw new TypeError("TOTP secret is empty");
  return hotp(key, step);
}

export interface VerifyTotpOptions {
  nowMs: number;
  /** Steps accepted either side of the current one (default 1, i.e. ±30 s of clock drift). */
  window?: number;
  /** The step of the last code this user had accepted; that step and every earlier one are refused. */
  lastAcceptedStep?: number | null;
}

/**
 * Checks a code typed by a user. Returns the matched step, which the caller must store atomically
 * (compare-and-set) as the user's new `lastAcceptedStep`, or null. Never throws on user input or on a
 * malformed stored secret — a login must fail closed, not with a 500.
 */
export function verifyTotp(secret: string, code: string, options: VerifyTotpOptions): number | null {
  const window = options.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > MAX_WINDOW) {
    throw new RangeError(`verifyTotp: window must be an integer in 0..${MAX_WINDOW}`);
  }
  const now = timeStep(options.nowMs);
  const last = options.lastAcceptedStep ?? null;

  // Users paste "123 456" or add a trailing space; anything else than 6 ASCII digits is refused
  // (no \d with Unicode digits, no signs or exponents a Number() parse would allow).
  const typed = code.replace(/\s+/g, "");
  if (!/^[0-9]{6}$/.test(typed)) return null;

  let key: Buffer;
  try {
    key = base32Decode(secret);
  } catch {
    return null;
  }
  if (key.length === 0) return null;

  const typedBytes = Buffer.from(typed, "ascii");
  let matched: number | null = null;
  // Every step of the window is computed and compared so the time taken does not reveal which step
  // (or whether any) matched. On the rare collision of two steps' codes the highest step wins: storing
  // it as lastAcceptedStep also burns the lower one, so the same digits cannot be replayed later.
  for (let step = now - window; step <= now + window; step++) {
    if (step < 0) continue; // Only reachable with clocks near 1970; the counter is unsigned.
    const expected = Buffer.from(hotp(key, step), "ascii");
    const equal = timingSafeEqual(expected, typedBytes);
    if (equal && (last === null || step > last)) matched = step;
  }
  return matched;
}
