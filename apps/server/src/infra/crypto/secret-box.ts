import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";

/**
 * Authenticated encryption of secrets at rest (MFA secrets, credentials) under keys derived from
 * `BIFROST_SECRET_KEY` (DESIGN.md §7).
 *
 * Sealed format: `v1.<iv>.<ciphertext>.<tag>`, each part base64url without padding. The version
 * prefix lets a later format or a rotated root key coexist with values already stored.
 */

const VERSION = "v1";
// Fixed and public: HKDF's salt only separates this use of the root key from any other.
const HKDF_SALT = "bifrost/secret-box/v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MIN_ROOT_KEY_LENGTH = 32;
const PURPOSE_PATTERN = /^[a-z0-9:._-]{1,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const MAX_CACHED_KEYS = 256;

/** A sealed value could not be opened. The message never holds plaintext, ciphertext or key material. */
export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
}

function checkPurpose(purpose: string): void {
  // A bad purpose is a programming error, not a bad stored value: it is not a SecretBoxError, so a
  // caller treating "cannot open" as recoverable never hides it.
  if (!PURPOSE_PATTERN.test(purpose)) {
    throw new RangeError("A key purpose must match /^[a-z0-9:._-]{1,64}$/");
  }
}

/** Strict base64url: `Buffer.from(s, "base64url")` skips foreign characters, which would make sealed strings malleable. */
function decodePart(part: string): Buffer | undefined {
  if (!BASE64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, "base64url");
  // Re-encoding catches non-canonical trailing bits and impossible lengths (one leftover character).
  return bytes.toString("base64url") === part ? bytes : undefined;
}

export class SecretBox {
  // ES private fields: not enumerable, not reachable by reflection, not printed by util.inspect.
  // KeyObjects rather than Buffers, so even a stray reference does not print key bytes.
  readonly #root: KeyObject;
  readonly #keys = new Map<string, KeyObject>();

  constructor(rootKey: string) {
    if (rootKey.length < MIN_ROOT_KEY_LENGTH) {
      throw new RangeError(`The root secret key must be at least ${MIN_ROOT_KEY_LENGTH} characters`);
    }
    this.#root = createSecretKey(Buffer.from(rootKey, "utf8"));
  }

  /**
   * A 32-byte key for one purpose (e.g. "jwt"), the same for the same root key and purpose. Returns
   * a fresh Buffer, so a caller may wipe or change it without affecting this box.
   */
  deriveKey(purpose: string): Buffer {
    checkPurpose(purpose);
    return Buffer.from(hkdfSync("sha256", this.#root, HKDF_SALT, `bifrost:${purpose}`, KEY_BYTES));
  }

  seal(plaintext: string, purpose: string): string {
    const key = this.#keyFor(purpose);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    // The key is already per purpose; the AAD states the binding explicitly in the ciphertext too.
    cipher.setAAD(Buffer.from(purpose, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, ciphertext, tag]
      .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
      .join(".");
  }

  /** Throws SecretBoxError for a malformed value, another version, another purpose, key or any tampering. */
  open(sealed: string, purpose: string): string {
    const key = this.#keyFor(purpose);
    const parts = sealed.split(".");
    if (parts.length !== 4) throw new SecretBoxError("The sealed value is malformed");
    const [version, ivPart = "", ciphertextPart = "", tagPart = ""] = parts;
    if (version !== VERSION) throw new SecretBoxError("The sealed value has an unsupported version");
    const iv = decodePart(ivPart);
    const ciphertext = decodePart(ciphertextPart);
    const tag = decodePart(tagPart);
    if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined) {
      throw new SecretBoxError("The sealed value is malformed");
    }
    // authTagLength pins the tag size: GCM would otherwise accept a truncated tag, which is easier to forge.
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(purpose, "utf8"));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
    } catch {
      // Node's own message ("Unsupported state or unable to authenticate data") says no more than this.
      throw new SecretBoxError("The sealed value cannot be opened: wrong key, wrong purpose or tampered");
    }
  }

  toJSON(): string {
    return "[SecretBox]";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "[SecretBox]";
  }

  #keyFor(purpose: string): KeyObject {
    checkPurpose(purpose);
    const cached = this.#keys.get(purpose);
    if (cached !== undefined) return cached;
    const bytes = this.deriveKey(purpose);
    const key = createSecretKey(bytes);
    bytes.fill(0);
    // HKDF costs ~10 µs; caching saves it per seal/open. Bounded in case a caller builds purposes
    // from data (e.g. per organization): past the bound keys are simply derived again.
    if (this.#keys.size < MAX_CACHED_KEYS) this.#keys.set(purpose, key);
    return key;
  }
}
