import { execFile, spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { promisify } from "node:util";
import { generate, generateSecret, ScureBase32Plugin, verify } from "otplib";
import { describe, expect, it } from "vitest";
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  otpauthUri,
  timeStep,
  totpAt,
  verifyTotp,
} from "../../src/services/auth/totp.js";

/** RFC 6238 Appendix B: the ASCII key "12345678901234567890" (SHA-1 rows). */
const RFC_SECRET = base32Encode(Buffer.from("12345678901234567890", "ascii"));
const RFC_VECTORS: Array<[seconds: number, step: number, code8: string]> = [
  [59, 0x1, "94287082"],
  [1111111109, 0x23523ec, "07081804"],
  [1111111111, 0x23523ed, "14050471"],
  [1234567890, 0x273ef07, "89005924"],
  [2000000000, 0x3f940aa, "69279037"],
  [20000000000, 0x27bc86aa, "65353130"],
];

/** Unix seconds to check against other implementations: RFC times, step edges, and random ones. */
const TIMES: number[] = [
  0,
  29,
  30,
  ...RFC_VECTORS.map(([seconds]) => seconds),
  Math.floor(Date.now() / 1000),
];
TIMES.push(...Array.from({ length: 5 }, () => randomInt(0, 4102444800))); // until 2100
/** Secrets from both generators, so neither encoder's quirks hide behind the other's. */
const SECRETS: string[] = [
  RFC_SECRET,
  ...Array.from({ length: 5 }, () => generateTotpSecret()),
  ...Array.from({ length: 5 }, () => generateSecret()),
];

const ms = (seconds: number): number => seconds * 1000;
const stepStart = (step: number): number => step * 30_000;

describe("base32", () => {
  it("encodes the RFC 4648 §10 vectors without padding", () => {
    // The encodings of "", "f", "fo", … "foobar", padding removed.
    const vectors = ["", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"];
    for (const [length, encoded] of vectors.entries()) {
      const plain = "foobar".slice(0, length);
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
    expect(RFC_SECRET).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  });

  it("decodes case-insensitively, ignoring spaces and trailing '=' padding", () => {
    expect(base32Decode("mzxw6ytboi").toString()).toBe("foobar");
    expect(base32Decode("MZXW 6YTB OI").toString()).toBe("foobar");
    expect(base32Decode("MZXW6YTBOI======").toString()).toBe("foobar");
    expect(base32Decode(" mZxW6 yTbOi== ").toString()).toBe("foobar");
  });

  it("rejects other characters, inner padding and impossible lengths", () => {
    for (const bad of ["MZXW1", "MZXW0", "MZXW8", "MZ=XW6", "MZXW6!", "MZXW6-YTB", "A", "ABC", "ABCDEF"]) {
      expect(() => base32Decode(bad), bad).toThrow(TypeError);
    }
  });

  it("round-trips random bytes and agrees with otplib's base32 plugin", () => {
    const scure = new ScureBase32Plugin();
    for (let length = 0; length <= 40; length++) {
      const bytes = randomBytes(length);
      const encoded = base32Encode(bytes);
      expect(encoded).toMatch(/^[A-Z2-7]*$/);
      expect(base32Decode(encoded).equals(bytes)).toBe(true);
      expect(encoded).toBe(scure.encode(bytes).replace(/=+$/, ""));
      expect(Buffer.from(scure.decode(encoded)).equals(bytes)).toBe(true);
    }
  });

  it("generateTotpSecret gives 20 random bytes as 32 unpadded base32 characters", () => {
    const secrets = new Set(Array.from({ length: 50 }, () => generateTotpSecret()));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(base32Decode(secret)).toHaveLength(20);
    }
  });
});

describe("timeStep and totpAt", () => {
  it("counts 30-second steps from the epoch", () => {
    expect(timeStep(0)).toBe(0);
    expect(timeStep(29_999)).toBe(0);
    expect(timeStep(30_000)).toBe(1);
    expect(timeStep(59_999)).toBe(1);
    for (const [seconds, step] of RFC_VECTORS) expect(timeStep(ms(seconds))).toBe(step);
    expect(() => timeStep(Number.NaN)).toThrow(RangeError);
  });

  it("matches the RFC 6238 Appendix B SHA-1 vectors (last 6 of the 8 digits)", () => {
    for (const [seconds, step, code8] of RFC_VECTORS) {
      expect(totpAt(RFC_SECRET, timeStep(ms(seconds))), `T=${seconds}`).toBe(code8.slice(-6));
      expect(verifyTotp(RFC_SECRET, code8.slice(-6), { nowMs: ms(seconds), window: 0 })).toBe(step);
    }
  });

  it("zero-pads codes and refuses steps a counter cannot hold", () => {
    expect(totpAt(RFC_SECRET, 0x23523ec)).toBe("081804"); // leading zero kept
    expect(() => totpAt(RFC_SECRET, -1)).toThrow(RangeError);
    expect(() => totpAt(RFC_SECRET, 1.5)).toThrow(RangeError);
    expect(() => totpAt("not base32!", 1)).toThrow(TypeError);
    expect(() => totpAt("", 1)).toThrow(TypeError);
  });
});

describe("cross-check with otplib 13", () => {
  it("otplib's codes verify here and ours verify with otplib, for random secrets and times", async () => {
    for (const secret of SECRETS) {
      for (const seconds of TIMES) {
        const where = `secret ${secret} at ${seconds}`;
        const step = timeStep(ms(seconds));
        const theirs = await generate({ secret, epoch: seconds });
        const ours = totpAt(secret, step);
        expect(ours, where).toBe(theirs);
        expect(verifyTotp(secret, theirs, { nowMs: ms(seconds), window: 0 }), where).toBe(step);
        expect((await verify({ secret, token: ours, epoch: seconds })).valid, where).toBe(true);
      }
    }
  });

  it("agrees on the ±1 window and on replay protection (otplib's afterTimeStep)", async () => {
    const secret = generateTotpSecret();
    const now = timeStep(Date.now());
    const midStep = { epoch: now * 30 + 15, epochTolerance: 30 }; // ±30 s around mid-step is ±1 step
    for (let offset = -3; offset <= 3; offset++) {
      const token = totpAt(secret, now + offset);
      const theirs = await verify({ secret, token, ...midStep });
      const ours = verifyTotp(secret, token, { nowMs: stepStart(now) + 15_000 });
      expect(ours !== null, `offset ${offset}`).toBe(theirs.valid);
      for (const last of [now - 2, now - 1, now, now + 1]) {
        const replay = await verify({ secret, token, ...midStep, afterTimeStep: last });
        const mine = verifyTotp(secret, token, { nowMs: stepStart(now) + 15_000, lastAcceptedStep: last });
        expect(mine !== null, `offset ${offset}, last ${last - now}`).toBe(replay.valid);
      }
    }
  });
});

// oathtool (OATH Toolkit, a C implementation; Debian package `oathtool`) is a second reference.
const hasOathtool = spawnSync("oathtool", ["--version"]).status === 0;
const oathSkipped = hasOathtool ? "" : " (SKIPPED: `oathtool` not on PATH; apt-get install oathtool)";

const execFileAsync = promisify(execFile);
async function oath(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("oathtool", args, { encoding: "utf8" });
  return stdout.trim();
}
/** Fewer secrets than for otplib: each check spawns a process. */
const OATH_SECRETS = SECRETS.filter((_, i) => [0, 1, 2, 6, 7].includes(i));

describe.skipIf(!hasOathtool)(`cross-check with oathtool${oathSkipped}`, () => {
  it("oathtool reproduces the 8-digit RFC vectors (so it is a trustworthy reference)", async () => {
    for (const [seconds, , code8] of RFC_VECTORS) {
      expect(await oath(["--totp", "-d", "8", "-b", RFC_SECRET, "-N", `@${seconds}`])).toBe(code8);
    }
  });

  it("oathtool's codes verify here and ours are accepted by oathtool", async () => {
    const checks = OATH_SECRETS.flatMap((secret) =>
      TIMES.map(async (seconds) => {
        const where = `secret ${secret} at ${seconds}`;
        const step = timeStep(ms(seconds));
        // `-w 2` prints the codes of steps step, step+1, step+2: three references per process.
        const theirs = (await oath(["--totp", "-w", "2", "-b", secret, "-N", `@${seconds}`])).split("\n");
        expect(theirs, where).toHaveLength(3);
        theirs.forEach((code, i) => {
          expect(verifyTotp(secret, code, { nowMs: stepStart(step + i), window: 0 }), where).toBe(step + i);
        });
        // In validation mode oathtool exits 0 and prints the matching offset within its window.
        const ours = totpAt(secret, step);
        expect(await oath(["--totp", "-w", "0", "-b", secret, "-N", `@${seconds}`, ours]), where).toBe("0");
      }),
    );
    await Promise.all(checks);
  });
});

describe("verifyTotp", () => {
  const secret = generateTotpSecret();
  const now = 57_000_000; // any step; mid-step time below so only the step, not rounding, matters
  const nowMs = stepStart(now) + 12_345;
  const code = totpAt(secret, now);

  it("accepts the current, previous and next step by default, refuses ±2, honours an explicit window", () => {
    for (const offset of [-2, -1, 0, 1, 2]) {
      const expected = Math.abs(offset) <= 1 ? now + offset : null;
      expect(verifyTotp(secret, totpAt(secret, now + offset), { nowMs }), `offset ${offset}`).toBe(expected);
    }
    expect(verifyTotp(secret, totpAt(secret, now - 1), { nowMs, window: 0 })).toBeNull();
    expect(verifyTotp(secret, totpAt(secret, now + 2), { nowMs, window: 2 })).toBe(now + 2);
    expect(() => verifyTotp(secret, "123456", { nowMs, window: -1 })).toThrow(RangeError);
    expect(() => verifyTotp(secret, "123456", { nowMs, window: 1.5 })).toThrow(RangeError);
  });

  it("uses the step boundaries exactly", () => {
    expect(verifyTotp(secret, code, { nowMs: stepStart(now + 1) + 29_999 })).toBe(now);
    expect(verifyTotp(secret, code, { nowMs: stepStart(now + 2) })).toBeNull();
    expect(verifyTotp(secret, code, { nowMs: stepStart(now - 1) })).toBe(now);
    expect(verifyTotp(secret, code, { nowMs: stepStart(now - 1) - 1 })).toBeNull();
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, 0), { nowMs: 0 })).toBe(0); // step −1 is skipped
  });

  it("never accepts a step at or before the last accepted one", () => {
    expect(verifyTotp(secret, code, { nowMs, lastAcceptedStep: null })).toBe(now);
    expect(verifyTotp(secret, code, { nowMs, lastAcceptedStep: now - 1 })).toBe(now);
    expect(verifyTotp(secret, code, { nowMs, lastAcceptedStep: now })).toBeNull();
    expect(verifyTotp(secret, code, { nowMs, lastAcceptedStep: now + 1 })).toBeNull();
    // Enrolment accepted the next step early (clock drift): the current step is then refused too,
    expect(verifyTotp(secret, totpAt(secret, now - 1), { nowMs, lastAcceptedStep: now })).toBeNull();
    // and the next code works once its step is later than the stored one — once.
    expect(verifyTotp(secret, totpAt(secret, now + 1), { nowMs, lastAcceptedStep: now })).toBe(now + 1);
    expect(verifyTotp(secret, totpAt(secret, now + 1), { nowMs, lastAcceptedStep: now + 1 })).toBeNull();
  });

  it("returns the highest step when two steps of the window share a code, burning both", () => {
    // Found by a search over the RFC secret's steps: pairs of steps that share a code.
    const codes = [910737, 910738, 153567, 153569].map((step) => totpAt(RFC_SECRET, step));
    expect(codes.join(" ")).toBe("911617 911617 468457 468457");
    const at = (step: number) => stepStart(step) + 1;
    expect(verifyTotp(RFC_SECRET, "911617", { nowMs: at(910737) })).toBe(910738);
    expect(verifyTotp(RFC_SECRET, "911617", { nowMs: at(910737), lastAcceptedStep: 910738 })).toBeNull();
    expect(verifyTotp(RFC_SECRET, "911617", { nowMs: at(910739), lastAcceptedStep: 910737 })).toBe(910738);
    expect(verifyTotp(RFC_SECRET, "468457", { nowMs: at(153568) })).toBe(153569);
  });

  it("accepts spaces inside or around the six digits", () => {
    for (const typed of [`${code.slice(0, 3)} ${code.slice(3)}`, ` ${code} `, `${code}\n`]) {
      expect(verifyTotp(secret, typed, { nowMs }), JSON.stringify(typed)).toBe(now);
    }
  });

  it("refuses malformed codes", () => {
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join("");
    const arabicIndic = [...code].map((d) => String.fromCharCode(0x0660 + Number(d))).join("");
    const malformed = ["", "12345", "1234567", "abcdef", "1e5000", `${code}0`, code.slice(1)];
    malformed.push(`+${code.slice(1)}`, `${code.slice(0, 3)}-${code.slice(3)}`, fullWidth, arabicIndic);
    for (const typed of malformed) {
      expect(verifyTotp(secret, typed, { nowMs }), JSON.stringify(typed)).toBeNull();
    }
  });

  it("returns null, not a throw, for a malformed secret", () => {
    for (const bad of ["", "   ", "not base32!", "GEZDGNBV1Y3TQOJQ", "GEZ=DGNBV", "A"]) {
      expect(verifyTotp(bad, "123456", { nowMs }), JSON.stringify(bad)).toBeNull();
    }
    // An empty key's codes are computable by anyone: "812658" is HMAC-SHA1("", step 1), truncated.
    for (const empty of ["", "  ", "===="]) expect(verifyTotp(empty, "812658", { nowMs: ms(59) })).toBeNull();
  });

  it("accepts the secret in the forms users copy it (lowercase, grouped, padded)", () => {
    const rfcCode = totpAt(RFC_SECRET, 1);
    expect(verifyTotp("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", rfcCode, { nowMs: ms(59) })).toBe(1);
    expect(verifyTotp("MZXW6YTBOI======", totpAt("MZXW6YTBOI", 1), { nowMs: ms(59) })).toBe(1);
  });
});

describe("otpauthUri", () => {
  it("parses with URL and carries the right parameters, with spaces and '@' encoded", () => {
    const [secret, issuer] = [generateTotpSecret(), "Bifrost Acme & Co"];
    const uri = otpauthUri({ secret, accountName: "Jane Doe@example.com", issuer });
    expect(uri.startsWith("otpauth://totp/Bifrost%20Acme%20%26%20Co:Jane%20Doe%40example.com?")).toBe(true);
    expect(uri).not.toContain("+");
    const url = new URL(uri);
    expect([url.protocol, url.host]).toEqual(["otpauth:", "totp"]);
    expect(decodeURIComponent(url.pathname)).toBe("/Bifrost Acme & Co:Jane Doe@example.com");
    const params = Object.fromEntries(url.searchParams);
    expect(params).toEqual({ secret, issuer, algorithm: "SHA1", digits: "6", period: "30" });
  });

  it("encodes ':' inside the issuer or account so the label splits unambiguously", () => {
    const uri = otpauthUri({ secret: RFC_SECRET, accountName: "a:b", issuer: "x:y" });
    const label = new URL(uri).pathname.slice(1);
    expect(label.split(":").map(decodeURIComponent)).toEqual(["x:y", "a:b"]);
  });

  it("normalises the secret and rejects an invalid one or empty names", () => {
    const uri = otpauthUri({ secret: "mzxw 6ytb oi==", accountName: "a", issuer: "b" });
    expect(new URL(uri).searchParams.get("secret")).toBe("MZXW6YTBOI");
    expect(() => otpauthUri({ secret: "bad!", accountName: "a", issuer: "b" })).toThrow(TypeError);
    expect(() => otpauthUri({ secret: RFC_SECRET, accountName: "", issuer: "b" })).toThrow(RangeError);
    expect(() => otpauthUri({ secret: RFC_SECRET, accountName: "a", issuer: "" })).toThrow(RangeError);
  });
});
