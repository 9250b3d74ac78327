import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Api, ApiError, type GlobalOptions } from "../client.js";
import type { LocalRunRequest, RunnerLine, RunnerMessage } from "../local-runner.js";
import { CliError, paint, print } from "../output.js";
import { workspaceRoot } from "../workspace.js";
import { formatLog, type LogLine } from "./browse.js";
import { parseInput, report, type Execution } from "./run.js";

const RUNNER = fileURLToPath(new URL("../local-runner.js", import.meta.url));
/** A batch of log lines sent to the platform: at most this many lines, about this many bytes. */
const BATCH_LINES = 1_000;
const BATCH_BYTES = 512 * 1024;
/** The platform keeps a line's message up to 64 KiB; longer ones are cut before they are sent. */
const LINE_CHARS = 32 * 1024;
/** After SIGTERM (ctx.signal aborted), the local process has this long before it is killed. */
const STOP_GRACE_MS = 2_000;

type Started = {
  executionId: string;
  token: string;
  workflow: { id: string; name: string; path: string; exportName: string };
  context: LocalRunRequest["context"];
  heartbeatSeconds: number;
};

type Outcome = {
  status: string;
  result?: unknown;
  error: string | null;
  errorType: string | null;
  durationMs: number;
};

/** Sends the run's lines to the platform in order, one batch at a time, while the run goes on. */
class LogUploader {
  private pending: RunnerLine[] = [];
  private sending: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private warned = false;

  constructor(
    private readonly api: Api,
    private readonly executionId: string,
  ) {}

  add(line: RunnerLine): void {
    const message =
      line.message.length > LINE_CHARS ? `${line.message.slice(0, LINE_CHARS)} … [cut]` : line.message;
    this.pending.push({ ...line, message });
    this.timer ??= setTimeout(() => this.kick(), 50);
  }

  async drain(): Promise<void> {
    this.kick();
    await this.sending;
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sending = this.sending.then(() => this.sendPending());
  }

  private async sendPending(): Promise<void> {
    while (this.pending.length > 0) {
      let bytes = 0;
      let count = 0;
      while (count < this.pending.length && count < BATCH_LINES && bytes < BATCH_BYTES)
        bytes += JSON.stringify(this.pending[count++]).length;
      const lines = this.pending.splice(0, count);
      try {
        await this.api.request("POST", `/api/local-runs/${this.executionId}/logs`, { lines });
      } catch (error) {
        if (!this.warned)
          process.stderr.write(`Log lines could not be sent to the platform: ${(error as Error).message}\n`);
        this.warned = true;
      }
    }
  }
}

/**
 * `bifrost run <workflow> --local`: the run is registered on the platform (it shows in the history,
 * marked local), then the workflow's own file in this workspace runs in a Node process here, with
 * the SDK acting through the run's short-lived token. Its log lines print here and go to the
 * platform; its outcome is stored there. `--inspect` starts that process waiting for a debugger.
 * Ctrl-C (or a cancel from the browser, learnt from the heartbeat) stops it: the run ends Cancelled.
 */
export async function runLocal(
  options: GlobalOptions,
  workflow: string | undefined,
  flags: {
    input?: string | undefined;
    params: string[];
    org?: string | undefined;
    inspect: boolean;
    inspectPort?: string | undefined;
  },
): Promise<number> {
  if (!workflow)
    throw new CliError("Usage: bifrost run <workflow> --local [--inspect] [--input JSON | -p key=value …]");
  const api = Api.connect(options);
  const inputData = parseInput(flags.input, flags.params);
  const root = workspaceRoot(undefined);
  const started = await api.request<Started>(
    "POST",
    "/api/local-runs",
    { workflowName: workflow, inputData, ...(flags.org ? { organizationId: flags.org } : {}) },
    `workflow ${workflow}`,
  );
  const id = started.executionId;
  const finish = (outcome: Outcome) =>
    api.request<{ status: string }>("POST", `/api/local-runs/${id}/finish`, outcome);
  const modulePath = path.join(root, ...started.workflow.path.split("/"));
  if (!existsSync(modulePath)) {
    const error = `${started.workflow.path} is not in ${root}`;
    await finish({ status: "Failed", error, errorType: "WorkflowNotFound", durationMs: 0 }).catch(
      () => undefined,
    );
    throw new CliError(`${error}: run it from the workspace folder, or bifrost pull first`);
  }
  if (!options.json)
    process.stderr.write(
      paint(`Local run ${id} of ${started.workflow.path} started\n`, "grey", process.stderr),
    );

  const inspect = flags.inspect || flags.inspectPort !== undefined;
  const child = fork(RUNNER, [], {
    cwd: root,
    execArgv: inspect ? [`--inspect-wait=127.0.0.1:${flags.inspectPort ?? "0"}`] : [],
    // The process's own output (Node's warnings, the debugger's address) goes to stderr: stdout is
    // the run's lines, or JSON with --json.
    stdio: ["ignore", 2, 2, "ipc"],
  });
  const uploader = new LogUploader(api, id);
  const logs: LogLine[] = [];
  let outcome: Outcome | undefined;
  child.on("message", (message: RunnerMessage) => {
    if (message.type === "logs") {
      for (const line of message.lines) {
        const shown = {
          sequence: logs.length + 1,
          level: line.level,
          message: line.message,
          timestamp: new Date(line.timestamp).toISOString(),
        };
        logs.push(shown);
        if (!options.json) print(formatLog(shown));
        uploader.add(line);
      }
    } else if (message.type === "result") {
      const { type: _type, ...rest } = message;
      outcome = rest;
    }
  });

  let stopped: string | undefined;
  const stop = (why: string) => {
    if (stopped || child.exitCode !== null) return;
    stopped = why;
    process.stderr.write(`\n${why}: stopping the local run…\n`);
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS).unref();
  };
  const onSigint = () => stop("Interrupted");
  process.on("SIGINT", onSigint);
  const heartbeat = setInterval(() => {
    api
      .request<{ status: string }>("POST", `/api/local-runs/${id}/heartbeat`)
      .then(({ status }) => {
        if (status !== "Running")
          stop(status === "Cancelling" ? "Cancelled on the platform" : `The run is ${status}`);
      })
      .catch(() => undefined);
  }, started.heartbeatSeconds * 1000);
  const startedAt = Date.now();
  child.send({
    type: "run",
    modulePath,
    exportName: started.workflow.exportName,
    input: inputData,
    context: started.context,
    api: { url: api.url, token: started.token },
  } satisfies LocalRunRequest);

  const exitCode = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  clearInterval(heartbeat);
  process.off("SIGINT", onSigint);
  await uploader.drain();
  const durationMs = Date.now() - startedAt;
  // Stopped (Ctrl-C, a cancel): Cancelled, as on the platform, whatever the workflow did after.
  const final: Outcome = stopped
    ? { status: "Cancelled", error: null, errorType: null, durationMs }
    : (outcome ?? {
        status: "Failed",
        error: `The local process ended without a result (exit code ${exitCode})`,
        errorType: "LocalProcessExited",
        durationMs,
      });
  try {
    await finish(final).catch(async (error: unknown) => {
      if (!(error instanceof ApiError && error.status === 413)) throw error;
      await finish({
        status: "Failed",
        error: "The result is larger than the platform accepts (BIFROST_MAX_RESULT_BYTES)",
        errorType: "ResultTooLarge",
        durationMs,
      });
    });
  } catch (error) {
    // Already ended on the platform (cancelled and swept, or lost): its history says how.
    if (!(error instanceof ApiError && error.status === 409)) throw error;
  }
  const execution = await api.request<Execution>("GET", `/api/executions/${id}`);
  return report(options, execution, logs);
}
