import { renameSync, writeFileSync } from "node:fs";
import type { Config } from "../config.js";
import { openDatabase } from "../db/database.js";
import type { Logger } from "../infra/logger.js";
import { rotateSecretKey } from "../services/config/rotate-secret-key.js";
import { databaseOptions } from "./infrastructure.js";

/**
 * `bifrost-server rotate-secret-key`: re-encrypts every stored secret under BIFROST_NEW_SECRET_KEY
 * and prints how many of each kind moved. In embedded mode with a generated key, the key file is
 * replaced after the commit, so the next start uses the new key.
 */
export async function runKeyRotation(
  options: { config: Config; newSecretKey: string; keyFile: string | undefined },
  logger: Logger,
): Promise<void> {
  const { config } = options;
  const database = await openDatabase(databaseOptions(config, logger, 1));
  try {
    await database.migrate();
    const counts = await rotateSecretKey(database.db, {
      oldKey: config.secretKey,
      newKey: options.newSecretKey,
    });
    if (options.keyFile) {
      // Written beside, then renamed: a crash never leaves a half-written key.
      const next = `${options.keyFile}.next`;
      writeFileSync(next, `${options.newSecretKey}\n`, { mode: 0o600 });
      renameSync(next, options.keyFile);
    }
    const lines = Object.entries(counts).map(([kind, count]) => `  ${kind}: ${count}`);
    process.stdout.write(
      `Re-encrypted with the new secret key:\n${lines.join("\n")}\n` +
        (options.keyFile
          ? `The new key is stored in ${options.keyFile}.\n`
          : "Set BIFROST_SECRET_KEY to the new key in every process, then start them again.\n") +
        "Signed-in sessions end: their token keys derive from the secret key.\n",
    );
  } finally {
    await database.close();
  }
}
