#!/usr/bin/env node
// Runs the built server (`npm run build`, or `npm start` which builds what is missing).
//
// Every role may run user code in child processes (discovery in the API, runs in the worker), so the
// server never lets SIGUSR1 open Node's inspector: started without `--disable-sigusr1`, it replaces
// itself (same pid, same stdio) with a Node that has the flag, before anything else is loaded.
const FLAG = "--disable-sigusr1";
const hasFlag =
  process.execArgv.includes(FLAG) || (process.env.NODE_OPTIONS ?? "").split(/\s+/).includes(FLAG);
if (!hasFlag && typeof process.execve === "function") {
  process.execve(process.execPath, [process.execPath, FLAG, ...process.execArgv, ...process.argv.slice(1)]);
}
await import("../dist/main.js");
