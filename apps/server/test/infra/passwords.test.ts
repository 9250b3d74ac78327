import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseOptions } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import {
  COMMON_PASSWORDS_FILE,
  DUMMY_HASH,
  HASH_OPTIONS,
  hashPassword,
  passwordProblem,
  verifyAgainstDummy,
  verifyPassword,
} from "../../src/infra/crypto/passwords.js";

const GOOD = "correct horse battery staple";
const commonList = readFileSync(COMMON_PASSWORDS_FILE, "utf8");
const commonLines = commonList.split("\n").slice(0, -1);

describe("password hashing", () => {
  it("verifies a password against its own hash and refuses a wrong one", async () => {
    const hash = await hashPassword(GOOD);
    expect(await verifyPassword(hash, GOOD)).toBe(true);
    expect(await verifyPassword(hash, "correct horse battery stapler")).toBe(false);
    expect(await verifyPassword(hash, GOOD.toUpperCase())).toBe(false);
    expect(await verifyPassword(hash, "")).toBe(false);
  });

  it("hashes with argon2id, m=19456, t=2, p=1 and a random salt", async () => {
    const [first, second] = await Promise.all([hashPassword(GOOD), hashPassword(GOOD)]);
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain(GOOD);
  });

  it("round-trips unicode, and matches a differently composed form of the same password", async () => {
    const composed = "pässwörd-mit-ümläuten-🔐";
    const hash = await hashPassword(composed);
    expect(await verifyPassword(hash, composed)).toBe(true);
    expect(await verifyPassword(hash, composed.normalize("NFD"))).toBe(true);
    expect(await verifyPassword(hash, "passwort-mit-umlauten-🔐")).toBe(false);
  });

  it.each([
    ["an empty string", ""],
    ["garbage", "not a hash"],
    ["a bcrypt hash", "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"],
    ["a hash without its digest", "$argon2id$v=19$m=19456,t=2,p=1$2yy2jajLR9kxFmj/X7ChzQ"],
    ["a truncated hash", DUMMY_HASH.slice(0, -10)],
    ["an unknown algorithm", DUMMY_HASH.replace("argon2id", "argon3")],
  ])("answers false, without throwing, for %s", async (_label, hash) => {
    await expect(verifyPassword(hash, GOOD)).resolves.toBe(false);
  });

  it("verifyAgainstDummy returns false, whatever the password", async () => {
    await expect(verifyAgainstDummy(GOOD)).resolves.toBe(false);
    await expect(verifyAgainstDummy("")).resolves.toBe(false);
  });

  // Equal parameters mean equal verification time: an unknown e-mail then costs what a wrong password costs.
  it("keeps the dummy hash's parameters equal to those of new hashes", async () => {
    const dummy = parseOptions(DUMMY_HASH);
    const real = parseOptions(await hashPassword(GOOD));
    expect(dummy).toEqual(real);
    expect(dummy).toMatchObject({
      algorithm: HASH_OPTIONS.algorithm,
      memoryCost: HASH_OPTIONS.memoryCost,
      timeCost: HASH_OPTIONS.timeCost,
      parallelism: HASH_OPTIONS.parallelism,
    });
  });
});

describe("password policy", () => {
  it("refuses 11 characters, accepts 12", () => {
    expect(passwordProblem("kq8#vZ2m!Lp4")).toBeUndefined();
    expect(passwordProblem("kq8#vZ2m!Lp")).toMatch(/at least 12 characters/);
    expect(passwordProblem("")).toMatch(/at least 12 characters/);
  });

  it("accepts 256 characters, refuses 257", () => {
    expect(passwordProblem("kq8#vZ2m".repeat(32))).toBeUndefined();
    expect(passwordProblem(`${"kq8#vZ2m".repeat(32)}x`)).toMatch(/at most 256 characters/);
  });

  it("counts characters, not UTF-16 units: 12 emoji are 12 characters", () => {
    expect("🔐".repeat(11).length).toBe(22);
    expect(passwordProblem("🔐".repeat(11))).toMatch(/at least 12/);
    expect(passwordProblem("🔐".repeat(12))).toBeUndefined();
  });

  it("refuses passwords from the list, in any case", () => {
    for (const listed of [commonLines[0], commonLines[499], commonLines[999]]) {
      if (listed === undefined) throw new Error("the list is shorter than expected");
      expect(passwordProblem(listed)).toBe("Password is too common");
      expect(passwordProblem(listed.toUpperCase())).toBe("Password is too common");
      expect(passwordProblem(listed.charAt(0).toUpperCase() + listed.slice(1))).toBe(
        "Password is too common",
      );
    }
    expect(passwordProblem("Qwerty123456")).toBe("Password is too common");
  });

  it("refuses a listed password written in full-width letters (NFKC)", () => {
    expect(passwordProblem("ｑｗｅｒｔｙ１２３４５６")).toBe("Password is too common");
  });

  it("refuses the e-mail address, its local part and the name, in any case", () => {
    const context = { email: "Jonathan.Doe-Smith@Example.org", name: "Jonathan Doe-Smith" };
    for (const password of [
      "jonathan.doe-smith@example.org",
      "JONATHAN.DOE-SMITH@EXAMPLE.ORG",
      "jonathan.doe-smith",
      "Jonathan.Doe-Smith",
      "jonathan doe-smith",
    ]) {
      expect(passwordProblem(password, context)).toMatch(/e-mail address or name/);
    }
    expect(passwordProblem("jonathan.doe-smith!", context)).toBeUndefined();
    expect(passwordProblem("jonathan.doe-smith", {})).toBeUndefined();
    expect(passwordProblem("jonathan.doe-smith", { email: undefined, name: "" })).toBeUndefined();
  });

  it("takes the local part before the last @ (quoted local parts may contain @)", () => {
    expect(passwordProblem('"odd@locally"', { email: '"odd@locally"@example.org' })).toMatch(/e-mail/);
  });
});

describe("common-passwords.txt", () => {
  it("has exactly 1,000 distinct lowercase passwords of at least 12 characters", () => {
    expect(commonList.endsWith("\n")).toBe(true);
    expect(commonList).not.toContain("\r");
    expect(commonLines).toHaveLength(1_000);
    expect(new Set(commonLines).size).toBe(1_000);
    for (const line of commonLines) {
      expect([...line].length).toBeGreaterThanOrEqual(12);
      expect(line).toBe(line.toLowerCase());
      expect(line).toBe(line.trim());
    }
  });

  it("resolves to the same file from src/ and from the build in dist/", () => {
    const serverRoot = new URL("../../", import.meta.url);
    const relative = "../../../src/infra/crypto/common-passwords.txt";
    const fromSrc = new URL(relative, new URL("src/infra/crypto/passwords.ts", serverRoot));
    const fromDist = new URL(relative, new URL("dist/infra/crypto/passwords.js", serverRoot));
    expect(fromDist.href).toBe(fromSrc.href);
    expect(fileURLToPath(COMMON_PASSWORDS_FILE)).toBe(fileURLToPath(fromSrc));
    expect(pathToFileURL(fileURLToPath(fromDist)).href).toBe(COMMON_PASSWORDS_FILE.href);
  });
});
