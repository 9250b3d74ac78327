import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { firstAdminToken, writeWorkspaceFile } from "./engine-journey.js";
import { eventually, freePort, getJson, startServer, type ServerProcess } from "./server-process.js";

/** `bifrost-server start` (what `npm start` runs) on a fresh data directory. */
export type EmbeddedServer = {
  server: ServerProcess;
  url: string;
  port: number;
  dataDir: string;
  /** Starts `start` again on the same data directory and port (after a stop or a kill). */
  restart(): Promise<void>;
  /** Stops the server (SIGTERM) and removes its data directory. */
  close(): Promise<void>;
};

const READY_TIMEOUT_MS = 90_000;

/** Resolves once /health/ready answers 200; fails at once, with the output, if the process exits first. */
export async function waitUntilReady(server: ServerProcess, url: string): Promise<void> {
  await Promise.race([
    eventually(async () => ((await getJson(`${url}/health/ready`))?.status === 200 ? true : undefined), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 250,
      what: `${url}/health/ready to answer 200`,
    }),
    server.exited.then((code) => {
      throw new Error(`bifrost-server exited (${code}) before it was ready:\n${server.output()}`);
    }),
  ]);
}

/**
 * Starts the embedded platform with MFA off (the tests sign in with a password) and `env` on top;
 * resolves when it is ready.
 */
export async function startEmbedded(
  env: Record<string, string> = {},
  options: { wrap?: string[]; publicUrlIsSelf?: boolean } = {},
): Promise<EmbeddedServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "bifrost-embedded-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const launch = () =>
    startServer(
      "start",
      {
        PORT: String(port),
        BIFROST_DATA_DIR: dataDir,
        BIFROST_MFA_REQUIRED: "false",
        ...(options.publicUrlIsSelf ? { BIFROST_PUBLIC_URL: url } : {}),
        ...env,
      },
      options.wrap ? { wrap: options.wrap } : {},
    );
  const embedded: EmbeddedServer = {
    server: launch(),
    url,
    port,
    dataDir,
    async restart() {
      embedded.server = launch();
      await waitUntilReady(embedded.server, url);
    },
    async close() {
      await embedded.server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await waitUntilReady(embedded.server, url);
  return embedded;
}

/**
 * The embedded platform with its first platform admin signed in (`auth`: the bearer header) and
 * `files` written to the workspace.
 */
export async function startEmbeddedWithWorkspace(
  files: Record<string, string>,
  env: Record<string, string> = {},
): Promise<{ embedded: EmbeddedServer; auth: Record<string, string> }> {
  const embedded = await startEmbedded(env);
  const auth = { authorization: `Bearer ${await firstAdminToken(embedded.url)}` };
  for (const [path, content] of Object.entries(files)) {
    await writeWorkspaceFile(embedded.url, auth, path, content);
  }
  return { embedded, auth };
}
