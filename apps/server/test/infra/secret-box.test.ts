import { hkdfSync } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { SecretBox, SecretBoxError } from "../../src/infra/crypto/secret-box.js";

const ROOT = "test-root-key-0123456789-abcdefghijklmnopqrstuvwxyz";
const OTHER_ROOT = "another-root-key-0123456789-abcdefghijklmnopqrstuv";
const box = new SecretBox(ROOT);

/** Replaces one base64url character of a part with another valid one, so only the bytes change. */
function flipCharacter(part: string, index = 0): string {
  const original = part[index];
  const replacement = original === "A" ? "B" : "A";
  return part.slice(0, index) + replacement + part.slice(index + 1);
}

function withPart(sealed: string, index: number, change: (part: string) => string): string {
  const parts = sealed.split(".");
  parts[index] = change(parts[index] ?? "");
  return parts.join(".");
}

function expectSecretBoxError(open: () => unknown): SecretBoxError {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    return error as SecretBoxError;
  }
  throw new Error("expected a SecretBoxError, nothing was thrown");
}

describe("SecretBox sealing", () => {
  it.each([
    ["ascii", "JBSWY3DPEHPK3PXP"],
    ["empty", ""],
    ["unicode", "pässwörd 🔐 秘密 \u0000 end"],
    ["long", "x".repeat(100_000)],
  ])("round-trips a %s plaintext", (_label, plaintext) => {
    expect(box.open(box.seal(plaintext, "mfa:totp"), "mfa:totp")).toBe(plaintext);
  });

  it("produces the versioned format v1.<iv>.<ciphertext>.<tag> in base64url", () => {
    const sealed = box.seal("hello", "mfa:totp");
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(box.seal("", "mfa:totp")).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.\.[A-Za-z0-9_-]{22}$/);
  });

  it("seals the same plaintext differently each time (random IV)", () => {
    const first = box.seal("same secret", "mfa:totp");
    const second = box.seal("same secret", "mfa:totp");
    expect(first).not.toBe(second);
    expect(first.split(".")[1]).not.toBe(second.split(".")[1]);
  });

  it("opens a value sealed by another instance built from the same root key", () => {
    expect(new SecretBox(ROOT).open(box.seal("shared", "secrets"), "secrets")).toBe("shared");
  });

  it("does not put the plaintext into the sealed string", () => {
    const sealed = box.seal("VERY-RECOGNISABLE-PLAINTEXT", "secrets");
    expect(sealed).not.toContain("VERY-RECOGNISABLE");
    expect(sealed).not.toContain(Buffer.from("VERY-RECOGNISABLE-PLAINTEXT").toString("base64url"));
  });
});

describe("SecretBox refuses what it did not seal for this purpose", () => {
  const sealed = box.seal("the secret", "mfa:totp");

  it("refuses another purpose", () => {
    expectSecretBoxError(() => box.open(sealed, "secrets"));
  });

  it("refuses another root key", () => {
    expectSecretBoxError(() => new SecretBox(OTHER_ROOT).open(sealed, "mfa:totp"));
  });

  it.each([
    ["iv", 1],
    ["ciphertext", 2],
    ["tag", 3],
  ])("refuses a tampered %s", (_label, index) => {
    expectSecretBoxError(() => box.open(withPart(sealed, index, flipCharacter), "mfa:totp"));
  });

  it("refuses swapped parts of two sealed values", () => {
    const other = box.seal("the secret", "mfa:totp");
    const mixed = withPart(sealed, 3, () => other.split(".")[3] ?? "");
    expectSecretBoxError(() => box.open(mixed, "mfa:totp"));
  });

  it.each([
    ["an empty string", ""],
    ["the version only", "v1"],
    ["three parts", sealed.split(".").slice(0, 3).join(".")],
    ["five parts", `${sealed}.AAAA`],
    ["a truncated tag", sealed.slice(0, -2)],
    ["a tag cut to 12 bytes", withPart(sealed, 3, (tag) => tag.slice(0, 16))],
    ["a truncated iv", withPart(sealed, 1, (iv) => iv.slice(0, 12))],
    ["an empty iv", withPart(sealed, 1, () => "")],
    ["an empty tag", withPart(sealed, 3, () => "")],
    ["a truncated ciphertext", withPart(sealed, 2, (c) => c.slice(0, -1))],
    ["padding", withPart(sealed, 1, (iv) => `${iv}==`)],
    ["standard base64 characters", withPart(sealed, 1, (iv) => `+/${iv.slice(2)}`)],
    ["whitespace", sealed.replace(".", ". ")],
  ])("refuses %s", (_label, value) => {
    expectSecretBoxError(() => box.open(value, "mfa:totp"));
  });

  it.each([["v2"], ["V1"], ["v0"], [""]])("refuses version %j", (version) => {
    expectSecretBoxError(() =>
      box.open(
        withPart(sealed, 0, () => version),
        "mfa:totp",
      ),
    );
  });

  it("says nothing about the plaintext, ciphertext or keys in its message", () => {
    const error = expectSecretBoxError(() => box.open(sealed, "secrets"));
    expect(error.name).toBe("SecretBoxError");
    for (const secret of [
      "the secret",
      ROOT,
      ...sealed.split(".").slice(1),
      box.deriveKey("secrets").toString("hex"),
    ]) {
      expect(error.message).not.toContain(secret);
    }
  });
});

describe("SecretBox key derivation", () => {
  it("derives 32-byte keys, the same for the same root key and purpose", () => {
    const key = box.deriveKey("jwt");
    expect(key).toHaveLength(32);
    expect(new SecretBox(ROOT).deriveKey("jwt").equals(key)).toBe(true);
  });

  it("derives different keys for different purposes and different root keys", () => {
    const keys = [
      box.deriveKey("jwt"),
      box.deriveKey("mfa:totp"),
      box.deriveKey("secrets"),
      new SecretBox(OTHER_ROOT).deriveKey("jwt"),
    ].map((k) => k.toString("hex"));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("returns a copy: changing it does not change later keys or seals", () => {
    const key = box.deriveKey("mfa:totp");
    const sealed = box.seal("still fine", "mfa:totp");
    key.fill(0);
    expect(box.deriveKey("mfa:totp").equals(Buffer.alloc(32))).toBe(false);
    expect(box.open(sealed, "mfa:totp")).toBe("still fine");
  });

  // Stored values depend on these exact inputs: changing them would make every sealed value unreadable.
  it("is HKDF-SHA256 with the documented salt and info", () => {
    const expected = Buffer.from(hkdfSync("sha256", ROOT, "bifrost/secret-box/v1", "bifrost:jwt", 32));
    expect(box.deriveKey("jwt").equals(expected)).toBe(true);
  });
});

describe("SecretBox input checks", () => {
  it.each([[""], ["UPPER"], ["has space"], ["ünïcode"], ["a/b"], ["x".repeat(65)]])(
    "rejects the purpose %j",
    (purpose) => {
      expect(() => box.deriveKey(purpose)).toThrow(RangeError);
      expect(() => box.seal("x", purpose)).toThrow(RangeError);
      expect(() => box.open("v1.a.b.c", purpose)).toThrow(RangeError);
    },
  );

  it("accepts purposes of the documented alphabet up to 64 characters", () => {
    for (const purpose of ["a", "mfa:totp", "org.secrets_v2-x", "x".repeat(64)]) {
      expect(box.open(box.seal("ok", purpose), purpose)).toBe("ok");
    }
  });

  it("rejects a root key shorter than 32 characters", () => {
    expect(() => new SecretBox("x".repeat(31))).toThrow(RangeError);
    expect(() => new SecretBox("x".repeat(32))).not.toThrow();
  });
});

describe("SecretBox keeps its key material private", () => {
  const derived = ["jwt", "mfa:totp", "secrets"].map((p) => box.deriveKey(p));
  // Warm the key cache so cached keys would show if they leaked.
  box.open(box.seal("x", "mfa:totp"), "mfa:totp");
  const forbidden = [
    ROOT,
    Buffer.from(ROOT).toString("hex"),
    Buffer.from(ROOT).toString("base64"),
    ...derived.flatMap((k) => [k.toString("hex"), k.toString("base64"), k.toString("base64url")]),
  ];

  it.each([
    ["util.inspect", () => inspect(box, { showHidden: true, depth: 10, getters: true })],
    ["JSON.stringify", () => JSON.stringify(box)],
    ["JSON.stringify in an object", () => JSON.stringify({ box })],
    ["util.inspect of a nested object", () => inspect({ nested: { box } }, { showHidden: true, depth: 10 })],
  ])("%s reveals no key material", (_label, render) => {
    const text = render();
    for (const secret of forbidden) expect(text).not.toContain(secret);
  });

  it("prints as [SecretBox]", () => {
    expect(inspect(box)).toBe("[SecretBox]");
    expect(JSON.stringify(box)).toBe('"[SecretBox]"');
  });

  it("has no enumerable or reflectable properties holding keys", () => {
    expect(Object.keys(box)).toEqual([]);
    expect(Object.getOwnPropertyNames(box)).toEqual([]);
    expect(Object.getOwnPropertySymbols(box)).toEqual([]);
    expect({ ...box }).toEqual({});
  });
});
