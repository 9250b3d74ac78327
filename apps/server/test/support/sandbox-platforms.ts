import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedWithWorkspace } from "./embedded-server.js";
import { createEngine } from "./engine.js";
import { call } from "./login-journey.js";
import { getJson } from "./server-process.js";

/**
 * The platform in both modes, as the sandbox suites (escapes, egress) drive it through its API:
 * `bifrost-server start` on PGlite in a process of its own, and the engine on PostgreSQL with the
 * worker's pool in this process.
 */

export type Response = { status: number; body: Record<string, unknown> };

/** One mode of the platform, as the suites drive it. */
export type Platform = {
  /** The process whose children run workflows (the server; in the engine's mode, this process). */
  serverPid: number;
  /** Files only the platform may read (the secret key, a test secret in a 0700 directory). */
  secretFiles: string[];
  save(file: string, content: string): Promise<Response>;
  /** Sync run through POST /api/workflows/execute, as the platform admin. */
  run(workflowName: string, inputData?: Record<string, unknown>): Promise<Response>;
  get(url: string): Promise<Response>;
  patch(url: string, body: Record<string, unknown>): Promise<Response>;
  ready(): Promise<boolean>;
};

export type RunningPlatform = { platform: Platform; close: () => Promise<void> };

/** `bifrost-server start` with `env`; `privateTmp`: its TMPDIR a 0700 directory, as on a hardened host. */
export async function embeddedPlatform(
  env: Record<string, string> = {},
  options: { privateTmp?: boolean } = {},
): Promise<RunningPlatform> {
  const privateTmp = options.privateTmp ? mkdtempSync(path.join(tmpdir(), "bifrost-escape-tmp-")) : null;
  const { embedded, auth } = await startEmbeddedWithWorkspace(
    {},
    privateTmp ? { ...env, TMPDIR: privateTmp } : env,
  );
  const request = async (method: string, url: string, body?: Record<string, unknown>) =>
    (await call(`${embedded.url}${url}`, method, body, auth)) as Response;
  const platform: Platform = {
    serverPid: embedded.server.child.pid!,
    secretFiles: [path.join(embedded.dataDir, "secret-key")],
    save: (file, content) => request("PUT", "/api/files/editor/content", { path: file, content }),
    run: (workflowName, inputData = {}) =>
      request("POST", "/api/workflows/execute", { workflowName, inputData, sync: true }),
    get: (url) => request("GET", url),
    patch: (url, body) => request("PATCH", url, body),
    ready: async () =>
      embedded.server.child.exitCode === null &&
      (await getJson(`${embedded.url}/health/ready`))?.status === 200,
  };
  return {
    platform,
    close: async () => {
      await embedded.close();
      if (privateTmp) rmSync(privateTmp, { recursive: true, force: true });
    },
  };
}

/** The engine on PostgreSQL (API and worker in this process) with the worker configured by `env`. */
export async function enginePlatform(env: Record<string, string> = {}): Promise<RunningPlatform> {
  const engine = await createEngine(env);
  const secretDir = mkdtempSync(path.join(tmpdir(), "bifrost-escape-secret-"));
  const secretFile = path.join(secretDir, "secret-key");
  writeFileSync(secretFile, "platform secret", { mode: 0o600 });
  const asResponse = (response: { statusCode: number; body: string }): Response => ({
    status: response.statusCode,
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {},
  });
  const platform: Platform = {
    serverPid: process.pid,
    secretFiles: [secretFile],
    save: async (file, content) =>
      asResponse(await engine.admin.request("PUT", "/api/files/editor/content", { path: file, content })),
    run: async (workflowName, inputData = {}) =>
      asResponse(
        await engine.admin.request("POST", "/api/workflows/execute", { workflowName, inputData, sync: true }),
      ),
    get: async (url) => asResponse(await engine.admin.request("GET", url)),
    patch: async (url, body) => asResponse(await engine.admin.request("PATCH", url, body)),
    ready: async () => (await engine.admin.request("GET", "/health/ready")).statusCode === 200,
  };
  return {
    platform,
    close: async () => {
      await engine.close();
      rmSync(secretDir, { recursive: true, force: true });
    },
  };
}
