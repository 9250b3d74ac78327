// `npm start`: builds what is missing, then runs every role in one process on the embedded
// defaults (or on the services whose URLs are set). Signals are passed on for a clean shutdown.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

const build = spawnSync(process.execPath, [path.resolve("scripts/build.mjs"), "--quiet"], {
  stdio: "inherit",
});
if (build.status !== 0) process.exit(build.status ?? 1);

// The server runs user code in child processes: SIGUSR1 must never open an inspector in it (nor in
// this launcher, which `npm start` runs with the same flag).
const server = spawn(
  process.execPath,
  ["--disable-sigusr1", path.resolve("apps/server/bin/bifrost-server.js"), "start"],
  { stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
