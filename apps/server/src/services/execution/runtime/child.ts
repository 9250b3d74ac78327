/**
 * Entry of a workflow child process (bundled to `<runtimeDir>/child.mjs`, started by the process
 * pool or by discovery under Node's permission model). It speaks the versioned IPC protocol of
 * `@bifrost/contracts` and nothing else: no platform config, no secrets, no database.
 */
import { Socket } from "node:net";
import {
  encodeIpcMessage,
  IPC_FD,
  IPC_VERSION,
  IpcLineReader,
  parentMessageSchema,
  type ChildMessage,
} from "@bifrost/contracts/ipc";
import { ChildRuntime } from "./child-runtime.js";
import { installEgressShim } from "./egress-shim.js";
import { DEFAULT_MAX_LOG_LINES } from "./run-log.js";
import { workspacePaths } from "./source-paths.js";

/** After SIGTERM, how long a run gets to settle (and send its last logs) before the process exits. */
const TERMINATE_SETTLE_MS = 1_000;
/** Exit code for a message this runtime cannot read: a pool of another version, or a bug. */
const EXIT_PROTOCOL_ERROR = 70;
/** What the pool sends (run input included) is bounded by the API; this only stops a runaway line. */
const MAX_PARENT_MESSAGE_BYTES = 256 * 1024 * 1024;

// Egress through the spawning process's proxy (sandbox v2 part 2), before any user code runs; the
// credential leaves the environment that user code sees (child-process.ts EGRESS_TOKEN_ENV).
const egressSocket = process.argv.find((arg) => arg.startsWith("--egress-socket="))?.split("=")[1];
const egressToken = process.env.BIFROST_EGRESS_TOKEN;
delete process.env.BIFROST_EGRESS_TOKEN;
if (egressSocket && egressToken) installEgressShim({ socketPath: egressSocket, token: egressToken });

// Opened before any user code runs (contracts `IPC_FD`: one JSON message per line, both ways).
let channel: Socket;
try {
  channel = new Socket({ fd: IPC_FD, readable: true, writable: true });
} catch (error) {
  process.stderr.write(`bifrost child runtime: started without its channel (${String(error)})\n`);
  process.exit(2);
}
const connected = () => channel.writable && !channel.destroyed;

let inFlight = 0;
function send(message: ChildMessage): void {
  if (!connected()) return;
  inFlight++;
  channel.write(encodeIpcMessage(message), () => {
    inFlight--;
  });
}

let exiting = false;
/** Exits once queued messages are written (bounded: a full pipe must not keep a dying child alive). */
function drainAndExit(code: number): void {
  if (exiting) return;
  exiting = true;
  const deadline = Date.now() + 1_000;
  const check = () => {
    if (inFlight === 0 || !connected() || Date.now() > deadline) process.exit(code);
    setTimeout(check, 5);
  };
  check();
}

function protocolError(reason: string): void {
  process.stderr.write(`bifrost child runtime: ${reason}\n`);
  process.exit(EXIT_PROTOCOL_ERROR);
}

const maxLogLinesArg = process.argv.find((arg) => arg.startsWith("--max-log-lines="));
const maxLogLines = maxLogLinesArg ? Number(maxLogLinesArg.split("=")[1]) : DEFAULT_MAX_LOG_LINES;
const maxResultBytesArg = process.argv.find((arg) => arg.startsWith("--max-result-bytes="));
const maxResultBytes = maxResultBytesArg ? Number(maxResultBytesArg.split("=")[1]) : undefined;
const compiledRoot = process.argv
  .find((arg) => arg.startsWith("--compiled-root="))
  ?.slice("--compiled-root=".length);
const runtime = new ChildRuntime({
  toWorkspacePaths: workspacePaths(compiledRoot),
  send,
  maxLogLines: Number.isInteger(maxLogLines) && maxLogLines > 0 ? maxLogLines : DEFAULT_MAX_LOG_LINES,
  ...(Number.isInteger(maxResultBytes) && maxResultBytes! > 0 ? { maxResultBytes: maxResultBytes! } : {}),
});

let terminating = false;

/**
 * An exception nobody caught (a throwing timer, an unawaited rejected promise): Node would print it
 * and die. The author sees it in the run's log instead; the process still exits, since the state of
 * the workflow's modules is unknown after it.
 */
function crash(error: unknown): void {
  const raw = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  const text = workspacePaths(compiledRoot)(raw);
  runtime.flushLogs(`Uncaught ${text}`);
  drainAndExit(1);
}
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);

// The pool is gone (it exited or closed the channel): a child never outlives it.
channel.on("end", () => process.exit(0));
channel.on("close", () => process.exit(0));
channel.on("error", () => process.exit(0));

process.on("SIGTERM", () => {
  terminating = true;
  runtime.abort("The run was stopped");
  if (!runtime.busy) return drainAndExit(143);
  setTimeout(() => {
    runtime.flushLogs();
    drainAndExit(143);
  }, TERMINATE_SETTLE_MS);
});

const reader = new IpcLineReader(MAX_PARENT_MESSAGE_BYTES);
channel.on("data", (chunk: Buffer) => {
  if (!reader.push(chunk, onMessage)) protocolError("a message from the pool over the size limit");
});

function onMessage(text: string): void {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return protocolError("a message from the pool that is not JSON");
  }
  const parsed = parentMessageSchema.safeParse(raw);
  if (!parsed.success) return protocolError(`invalid message from the pool: ${parsed.error.message}`);
  const message = parsed.data;
  switch (message.type) {
    case "run":
      if (runtime.busy || terminating) return protocolError("a run arrived while the child was not idle");
      runtime.run(message).then((result) => {
        send(result);
        if (terminating) drainAndExit(143);
      }, crash);
      return;
    case "abort":
      return runtime.abort(message.reason, message.executionId);
    case "discover":
      runtime.discover(message).then(send, crash);
      return;
  }
}

// Warm the SDK bundle (user modules import this very file through the workspace's node_modules), so
// the first run of a warm child does not pay for loading zod.
await import(new URL("./sdk.mjs", import.meta.url).href).catch(() => undefined);
send({ v: IPC_VERSION, type: "ready", pid: process.pid });
