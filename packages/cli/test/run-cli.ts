import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";

export const CLI = path.resolve(import.meta.dirname, "../dist/main.js");

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** The built CLI as a child process: `env` on top of PATH; `onStdout` sees the output as it comes. */
export function startCli(
  args: string[],
  options: { env: Record<string, string>; cwd?: string; onStdout?: (text: string) => void },
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? "", ...options.env },
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    options.onStdout?.(stdout);
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** Fetches an npm tarball the platform serves and unpacks its `package/` into `target` (`scratch`: a temporary folder). */
export async function unpackTarball(url: string, target: string, scratch: string): Promise<void> {
  const answer = await fetch(url);
  expect(answer.status).toBe(200);
  expect(answer.headers.get("content-type")).toBe("application/gzip");
  const file = path.join(scratch, `${path.basename(target)}.tgz`);
  writeFileSync(file, Buffer.from(await answer.arrayBuffer()));
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", file, "-C", target, "--strip-components=1"]);
}
