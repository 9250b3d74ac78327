import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DiskFileStore } from "../../src/infra/files/disk-file-store.js";
import { createLogger } from "../../src/infra/logger.js";
import { storeKeyOf } from "../../src/services/files/files-service.js";
import { TempFilesCleanup } from "../../src/services/files/temp-cleanup.js";

const HOUR = 3600_000;
const root = mkdtempSync(path.join(os.tmpdir(), "bifrost-temp-cleanup-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("temp files cleanup", () => {
  it("deletes temp files last modified more than 24 h ago, in every scope, and nothing else", async () => {
    const files = new DiskFileStore({ root });
    const org = "7f0c1e5e-0000-4000-8000-000000000001";
    const keys = {
      oldOrgTemp: storeKeyOf({ organizationId: org, location: "temp" }, "old/report.csv"),
      oldGlobalTemp: storeKeyOf({ organizationId: null, location: "temp" }, "old.txt"),
      freshTemp: storeKeyOf({ organizationId: org, location: "temp" }, "fresh.txt"),
      oldPersistent: storeKeyOf({ organizationId: org, location: "files" }, "old.txt"),
      oldUpload: storeKeyOf({ organizationId: org, location: "uploads" }, "old.txt"),
    };
    for (const key of Object.values(keys)) await files.put(key, "x");
    const now = Date.now();
    const dayAndMinuteAgo = new Date(now - 24 * HOUR - 60_000);
    for (const key of [keys.oldOrgTemp, keys.oldGlobalTemp, keys.oldPersistent, keys.oldUpload]) {
      utimesSync(path.join(root, ...key.split("/")), dayAndMinuteAgo, dayAndMinuteAgo);
    }
    // 23 h old: still within its day.
    const almost = new Date(now - 23 * HOUR);
    utimesSync(path.join(root, ...keys.freshTemp.split("/")), almost, almost);

    const cleanup = new TempFilesCleanup({
      files,
      clock: { now: () => now },
      logger: createLogger({ level: "silent", role: "test" }),
      options: { intervalMs: HOUR },
    });
    await cleanup.cleanup();
    expect(await files.exists(keys.oldOrgTemp)).toBe(false);
    expect(await files.exists(keys.oldGlobalTemp)).toBe(false);
    for (const key of [keys.freshTemp, keys.oldPersistent, keys.oldUpload]) {
      expect(await files.exists(key), key).toBe(true);
    }

    // A day later (an injected clock), the remaining temp file goes too.
    const later = new TempFilesCleanup({
      files,
      clock: { now: () => now + 2 * HOUR },
      logger: createLogger({ level: "silent", role: "test" }),
      options: { intervalMs: HOUR },
    });
    expect(await later.cleanup()).toBe(1);
    expect(await files.exists(keys.freshTemp)).toBe(false);
  });
});
