import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireDirectoryLock, DirectoryInUseError } from "../../src/db/directory-lock.js";

const roots: string[] = [];
function dataDir(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "bifrost-lock-"));
  roots.push(root);
  const dir = path.join(root, "db");
  mkdirSync(dir);
  return dir;
}
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("the embedded database directory lock", () => {
  it("refuses a directory held by a running process, naming its pid", async () => {
    const dir = dataDir();
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      const stat = readFileSync(`/proc/${holder.pid}/stat`, "utf8");
      const started = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      writeFileSync(`${dir}.lock`, `${holder.pid} ${started}`);
      expect(() => acquireDirectoryLock(dir)).toThrow(DirectoryInUseError);
      expect(() => acquireDirectoryLock(dir)).toThrow(`pid ${holder.pid}`);
    } finally {
      holder.kill();
      await once(holder, "exit");
    }
  });

  it("takes over a lock whose process is gone", async () => {
    const dir = dataDir();
    const gone = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await once(gone, "exit");
    writeFileSync(`${dir}.lock`, `${gone.pid} 1`);
    const release = acquireDirectoryLock(dir);
    expect(readFileSync(`${dir}.lock`, "utf8")).toMatch(new RegExp(`^${process.pid} `));
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it("takes over a lock whose pid now belongs to another process (pid reuse after a crash)", () => {
    const dir = dataDir();
    // pid 1 is alive, but the lock names a start time no process ever has.
    writeFileSync(`${dir}.lock`, "1 -1");
    const release = acquireDirectoryLock(dir);
    release();
  });

  it("is released only by its owner", () => {
    const dir = dataDir();
    const release = acquireDirectoryLock(dir);
    writeFileSync(`${dir}.lock`, "999999999 5");
    release();
    expect(readFileSync(`${dir}.lock`, "utf8")).toBe("999999999 5");
  });
});
