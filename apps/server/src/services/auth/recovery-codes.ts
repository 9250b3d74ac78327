/**
 * Single-use MFA recovery codes. Shown once at enrolment (and on regeneration), stored only as keyed
 * hashes. The codes are random and long enough that a fast keyed hash is sufficient — unlike a
 * password, a code cannot be found by trying a dictionary, which is what a slow hash slows down — and
 * a deterministic hash lets the login find a code with an indexed equality match.
 */
import { createHmac, randomInt } from "node:crypto";

/**
 * Lowercase letters and digits without the look-alikes 0/o and 1/i/l, so a code read off paper or
 * a screen is typed correctly: 31 symbols, log2(31) ≈ 4.95 bits each, so 10 characters carry
 * ≈ 49.5 bits — not quite the 5 bits per character of true base32, because only 31 unambiguous
 * alphanumerics exist. Ample for a code that is rate limited online and hashed with a secret key.
 */
export const RECOVERY_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
/** Characters per code, shown as two groups of five. */
export const RECOVERY_CODE_LENGTH = 10;
const RECOVERY_CODE_COUNT = 10;
/** A shorter key would make the hash guessable offline if the table leaked. */
const MIN_KEY_BYTES = 16;

function randomCode(): string {
  let raw = "";
  // randomInt draws uniformly (it rejects out-of-range values internally), so there is no modulo bias.
  for (let i = 0; i < RECOVERY_CODE_LENGTH; i++) {
    raw += RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)];
  }
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

/** `count` distinct codes formatted `xxxxx-xxxxx`. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    throw new RangeError("generateRecoveryCodes: count must be an integer in 1..100");
  }
  const codes = new Set<string>();
  // A collision is astronomically unlikely, but distinctness is promised, so it is enforced.
  while (codes.size < count) codes.add(randomCode());
  return [...codes];
}

/** The canonical form that is hashed: users may type the code with or without the dash, in any case. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]+/g, "");
}

/** HMAC-SHA256 (hex) of the normalised code under a server-side key. */
export function hashRecoveryCode(code: string, key: Buffer): string {
  if (key.length < MIN_KEY_BYTES)
    throw new RangeError(`hashRecoveryCode: key must be ≥ ${MIN_KEY_BYTES} bytes`);
  return createHmac("sha256", key).update(normalizeRecoveryCode(code), "utf8").digest("hex");
}
