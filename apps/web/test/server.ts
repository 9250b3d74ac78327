import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

const SERVER_BIN = path.resolve(import.meta.dirname, "../../server/bin/bifrost-server.js");

export type TestServer = { baseUrl: string; stop: () => Promise<void> };

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const address = probe.address();
  probe.close();
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * A real `bifrost-server start` on a free port with a fresh data dir (MFA required, the default,
 * unless `env` says otherwise).
 */
export async function startServer(
  env: Record<string, string> = {},
  options: {
    /** A command that runs the server (e.g. setpriv dropping a capability). */ wrap?: string[];
    /** BIFROST_PUBLIC_URL set to the server's own address (links in mail point back at it). */
    publicUrlIsSelf?: boolean;
    /** `http://localhost:<port>` instead of 127.0.0.1: WebAuthn (passkeys) refuses IP addresses. */
    localhost?: boolean;
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bifrost-web-test-"));
  const port = await freePort();
  const baseUrl = `http://${options.localhost ? "localhost" : "127.0.0.1"}:${port}`;
  const [command = process.execPath, ...args] = [
    ...(options.wrap ?? []),
    process.execPath,
    SERVER_BIN,
    "start",
  ];
  const server: ChildProcess = spawn(command, args, {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      BIFROST_DATA_DIR: dataDir,
      BIFROST_LOG_LEVEL: "warn",
      // The transaction guard, as in every test: a query outside an open transaction fails, never hangs.
      BIFROST_DB_GUARD: "true",
      // A build of the client elsewhere than apps/web/dist (e.g. to test one while another builds).
      ...(process.env.BIFROST_WEB_DIR ? { BIFROST_WEB_DIR: process.env.BIFROST_WEB_DIR } : {}),
      ...(options.publicUrlIsSelf ? { BIFROST_PUBLIC_URL: baseUrl } : {}),
      ...env,
    },
    stdio: "ignore",
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || server.exitCode !== null) throw new Error("the server did not become ready");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    stop: async () => {
      if (server.exitCode === null) {
        server.kill("SIGTERM");
        await once(server, "exit");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
