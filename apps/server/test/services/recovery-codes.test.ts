import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_LENGTH,
} from "../../src/services/auth/recovery-codes.js";

const FORMAT = /^[23456789abcdefghjkmnpqrstuvwxyz]{5}-[23456789abcdefghjkmnpqrstuvwxyz]{5}$/;

describe("generateRecoveryCodes", () => {
  it("gives 10 distinct codes formatted xxxxx-xxxxx by default", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(FORMAT);
  });

  it("honours the count and refuses a nonsensical one", () => {
    expect(generateRecoveryCodes(3)).toHaveLength(3);
    expect(new Set(generateRecoveryCodes(100)).size).toBe(100);
    for (const bad of [0, -1, 1.5, 101, Number.NaN]) {
      expect(() => generateRecoveryCodes(bad), String(bad)).toThrow(RangeError);
    }
  });

  it("uses a 31-symbol alphabet without look-alikes (0/o, 1/i/l)", () => {
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(31);
    expect(new Set(RECOVERY_CODE_ALPHABET).size).toBe(31);
    for (const ambiguous of "01ilo") expect(RECOVERY_CODE_ALPHABET).not.toContain(ambiguous);
    expect(RECOVERY_CODE_ALPHABET).toMatch(/^[a-z2-9]+$/);
  });

  it("draws every symbol about equally often (no modulo bias, whole alphabet used)", () => {
    const counts = new Map<string, number>();
    const codes = generateRecoveryCodes(100);
    for (let i = 0; i < 19; i++) codes.push(...generateRecoveryCodes(100));
    for (const code of codes) {
      for (const char of code.replace("-", "")) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    // 20,000 draws: each symbol is expected 645 times with a standard deviation of ~25;
    // 500..800 is a > 5σ band, so this fails only on a real bias, not on bad luck.
    expect([...counts.keys()].sort().join("")).toBe(RECOVERY_CODE_ALPHABET);
    for (const [char, count] of counts) {
      expect(count, char).toBeGreaterThan(500);
      expect(count, char).toBeLessThan(800);
    }
  });

  it("has the entropy the arithmetic promises", () => {
    // 10 independent uniform draws from 31 symbols: 10 · log2(31) ≈ 49.54 bits. A true base32
    // alphabet would give 50 bits, but only 31 lowercase alphanumerics are free of look-alikes.
    const bits = RECOVERY_CODE_LENGTH * Math.log2(RECOVERY_CODE_ALPHABET.length);
    expect(RECOVERY_CODE_LENGTH).toBe(10);
    expect(bits).toBeCloseTo(49.54, 2);
    expect(bits).toBeGreaterThan(49.5);
    // What that buys: one online guess against a user's 10 codes succeeds with p = 10 / 31^10,
    // about 1.2e-14; even 10^9 guesses (far beyond the rate limits) stay below 1.2e-5.
    const perGuess = 10 / RECOVERY_CODE_ALPHABET.length ** RECOVERY_CODE_LENGTH;
    expect(perGuess).toBeLessThan(1.3e-14);
    expect(perGuess * 1e9).toBeLessThan(1.3e-5);
  });
});

describe("normalizeRecoveryCode", () => {
  it("lowercases and strips spaces and dashes, so any typed form maps to one value", () => {
    for (const typed of [
      "abcde-fghjk",
      "ABCDE-FGHJK",
      "abcdefghjk",
      " abcde fghjk ",
      "abcde--fghjk",
      "Ab-Cd-Ef-Gh-Jk",
    ]) {
      expect(normalizeRecoveryCode(typed), typed).toBe("abcdefghjk");
    }
    expect(normalizeRecoveryCode("")).toBe("");
  });

  it("keeps every other character, so a wrong code stays wrong", () => {
    expect(normalizeRecoveryCode("abcde_fghjk")).toBe("abcde_fghjk");
    expect(normalizeRecoveryCode("abcde-fghj0")).toBe("abcdefghj0");
  });

  it("is idempotent on generated codes", () => {
    for (const code of generateRecoveryCodes()) {
      const once = normalizeRecoveryCode(code);
      expect(once).toMatch(/^[a-z2-9]{10}$/);
      expect(normalizeRecoveryCode(once)).toBe(once);
    }
  });
});

describe("hashRecoveryCode", () => {
  const key = randomBytes(32);
  const otherKey = randomBytes(32);

  it("is HMAC-SHA256 of the normalised code, hex encoded", () => {
    const [code] = generateRecoveryCodes(1);
    if (code === undefined) throw new Error("no code generated");
    const expected = createHmac("sha256", key).update(normalizeRecoveryCode(code)).digest("hex");
    expect(hashRecoveryCode(code, key)).toBe(expected);
    expect(hashRecoveryCode(code, key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is stable for the same key and any typed form of the code", () => {
    const hash = hashRecoveryCode("abcde-fghjk", key);
    expect(hashRecoveryCode("abcde-fghjk", key)).toBe(hash);
    expect(hashRecoveryCode("ABCDEFGHJK", key)).toBe(hash);
    expect(hashRecoveryCode(" abcde fghjk ", key)).toBe(hash);
    expect(hashRecoveryCode("abcde-fghjk", Buffer.from(key))).toBe(hash);
  });

  it("differs for another key and for another code", () => {
    const hash = hashRecoveryCode("abcde-fghjk", key);
    expect(hashRecoveryCode("abcde-fghjk", otherKey)).not.toBe(hash);
    expect(hashRecoveryCode("abcde-fghjm", key)).not.toBe(hash);
    const hashes = new Set(generateRecoveryCodes().map((code) => hashRecoveryCode(code, key)));
    expect(hashes.size).toBe(10);
  });

  it("refuses a key too short to keep the hashes secret", () => {
    expect(() => hashRecoveryCode("abcde-fghjk", Buffer.alloc(0))).toThrow(RangeError);
    expect(() => hashRecoveryCode("abcde-fghjk", randomBytes(15))).toThrow(RangeError);
    expect(hashRecoveryCode("abcde-fghjk", randomBytes(16))).toMatch(/^[0-9a-f]{64}$/);
  });
});
