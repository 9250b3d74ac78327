/**
 * Entry of a workflow child process (bundled to `<runtimeDir>/child.mjs`, started by the process
 * pool or by discovery under Node's permission model). It speaks the versioned IPC protocol of
 * `@bifrost/contracts` and nothing else: no platform config, no secrets, no database.
 */
import { IPC_VERSION, parentMessageSchema, type ChildMessage } from "@bifrost/contracts/ipc";
import { ChildRuntime } from "./child-runtime.js";
import { DEFAULT_MAX_LOG_LINES } from "./run-log.js";

/** After SIGTERM, how long a run gets to settle (and send its last logs) before the process exits. */
const TERMINATE_SETTLE_MS = 1_000;
/** Exit code for a message this runtime cannot read: a pool of another version, or a bug. */
const EXIT_PROTOCOL_ERROR = 70;

// Taken before any user code runs: a workflow that replaces `process.send` cannot cut the runtime off.
const rawSend = process.send?.bind(process);
if (!rawSend) {
  process.stderr.write("bifrost child runtime: started without an IPC channel\n");
  process.exit(2);
}

let inFlight = 0;
function send(message: ChildMessage): void {
  if (!process.connected) return;
  inFlight++;
  rawSend!(message, undefined, {}, () => {
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
    if (inFlight === 0 || !process.connected || Date.now() > deadline) process.exit(code);
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
const runtime = new ChildRuntime({
  send,
  maxLogLines: Number.isInteger(maxLogLines) && maxLogLines > 0 ? maxLogLines : DEFAULT_MAX_LOG_LINES,
});

let terminating = false;

/**
 * An exception nobody caught (a throwing timer, an unawaited rejected promise): Node would print it
 * and die. The author sees it in the run's log instead; the process still exits, since the state of
 * the workflow's modules is unknown after it.
 */
function crash(error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  runtime.flushLogs(`Uncaught ${text}`);
  drainAndExit(1);
}
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);

// The pool is gone (it exited or closed the channel): a child never outlives it.
process.on("disconnect", () => process.exit(0));

process.on("SIGTERM", () => {
  terminating = true;
  runtime.abort("The run was stopped");
  if (!runtime.busy) return drainAndExit(143);
  setTimeout(() => {
    runtime.flushLogs();
    drainAndExit(143);
  }, TERMINATE_SETTLE_MS);
});

process.on("message", (raw: unknown) => {
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
});

// Warm the SDK bundle (user modules import this very file through the workspace's node_modules), so
// the first run of a warm child does not pay for loading zod.
await import(new URL("./sdk.mjs", import.meta.url).href).catch(() => undefined);
send({ v: IPC_VERSION, type: "ready", pid: process.pid });
