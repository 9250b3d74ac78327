import { readFileSync } from "node:fs";
import { hash, verify } from "@node-rs/argon2";
import type { Algorithm, Options } from "@node-rs/argon2";

/**
 * Password hashing (Argon2id) and the password policy (DESIGN.md §7, issue 3).
 *
 * Passwords are NFKC-normalized before hashing and checking (NIST SP 800-63B §5.1.1.2), so the same
 * password typed on keyboards that compose accents differently still matches. Changing this later
 * would orphan every stored hash, which is why it is decided here.
 */

const MIN_PASSWORD_LENGTH = 12;
// Bounds what one login or password change costs (hash input and the policy checks), not Argon2's limit.
const MAX_PASSWORD_LENGTH = 256;

// `Algorithm` is an ambient const enum, which isolatedModules forbids reading at runtime: 2 is its Argon2id.
const ARGON2ID: Algorithm = 2;

/** OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane): about 15 ms per hash on one core. */
export const HASH_OPTIONS = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const satisfies Options;

/**
 * A hash with HASH_OPTIONS of a random password that was thrown away. Verifying against it costs
 * what verifying a real hash costs, since Argon2's time depends on the parameters only. A test keeps
 * its parameters equal to HASH_OPTIONS.
 */
export const DUMMY_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$2yy2jajLR9kxFmj/X7ChzQ$VbRkh9zrQ21xww0W/2d0g2iDOx/vohLxQh+bPR++otA";

/**
 * Resolves to apps/server/src/infra/crypto/ from both src/infra/crypto/ (tsx, vitest) and
 * dist/infra/crypto/ (the build, which does not copy the list): both sit three levels below apps/server.
 */
export const COMMON_PASSWORDS_FILE = new URL(
  "../../../src/infra/crypto/common-passwords.txt",
  import.meta.url,
);

function normalize(password: string): string {
  return password.normalize("NFKC");
}

export function hashPassword(password: string): Promise<string> {
  return hash(normalize(password), HASH_OPTIONS);
}

/** False for a wrong password and for a hash that cannot be parsed: a corrupt row must not become a 500. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, normalize(password));
  } catch {
    return false;
  }
}

/**
 * Spends the time of a real verification and returns false. Login calls it when no user has the
 * e-mail address, so the response time does not tell which addresses have accounts.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  // The result is ignored: whatever the password, an unknown account never logs in.
  await verifyPassword(DUMMY_HASH, password);
  return false;
}

// A memo of a read-only file, filled on first use: loading it at import would slow every process
// start (worker, scheduler) that never checks a password.
let commonPasswords: ReadonlySet<string> | undefined;

function isCommonPassword(lowercased: string): boolean {
  commonPasswords ??= new Set(
    readFileSync(COMMON_PASSWORDS_FILE, "utf8")
      .split("\n")
      .filter((line) => line !== ""),
  );
  return commonPasswords.has(lowercased);
}

export type PasswordContext = { email?: string | undefined; name?: string | undefined };

/**
 * Why a new password is refused, as a message for the `password` field, or undefined when it is
 * acceptable. Lengths count Unicode code points, so an accented letter is one character.
 */
export function passwordProblem(password: string, context: PasswordContext = {}): string | undefined {
  const normalized = normalize(password);
  const length = [...normalized].length;
  if (length < MIN_PASSWORD_LENGTH) return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `Password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lowercased = normalized.toLowerCase();
  if (isCommonPassword(lowercased)) return "Password is too common";
  if (personalValues(context).has(lowercased)) {
    return "Password must not be your e-mail address or name";
  }
  return undefined;
}

/** The values of the account a password must not equal: e-mail address, its local part, the name. */
function personalValues(context: PasswordContext): Set<string> {
  const values = new Set<string>();
  const email = context.email?.trim();
  if (email) {
    values.add(normalize(email).toLowerCase());
    const at = email.lastIndexOf("@");
    if (at > 0) values.add(normalize(email.slice(0, at)).toLowerCase());
  }
  const name = context.name?.trim();
  if (name) values.add(normalize(name).toLowerCase());
  return values;
}
