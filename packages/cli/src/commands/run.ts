import { createInterface } from "node:readline/promises";
import { Api, type GlobalOptions } from "../client.js";
import { CliError, paint, print, printJson } from "../output.js";
import { formatLog, formatStatus, type LogLine } from "./browse.js";

/** How long after a line is published it is surely stored (the worker flushes every 50 ms). */
const STORE_LAG_MS = 300;

const FINAL = new Set(["Success", "Failed", "CompletedWithErrors", "Timeout", "Cancelled"]);

export type Execution = {
  id: string;
  status: string;
  result?: unknown;
  error?: string | null;
  errorType?: string | null;
  durationMs?: number | null;
};

/** `-p key=value`: the value as JSON when it parses (numbers, booleans, objects), else as text. */
export function parseInput(input: string | undefined, params: readonly string[]): Record<string, unknown> {
  let data: Record<string, unknown> = {};
  if (input !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new CliError("--input is not valid JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new CliError("--input must be a JSON object");
    data = parsed as Record<string, unknown>;
  }
  for (const param of params) {
    const at = param.indexOf("=");
    if (at <= 0) throw new CliError(`-p wants key=value, not ${param}`);
    const raw = param.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // text
    }
    data[param.slice(0, at)] = value;
  }
  return data;
}

/**
 * `bifrost run <workflow>`: starts a run on the platform, prints its log lines as they come (over the
 * WebSocket; the lines written before it connected are read first), then the result. The exit code is
 * 0 for Success only. Ctrl-C asks whether to cancel the run.
 */
export async function run(
  options: GlobalOptions,
  workflow: string | undefined,
  flags: { input?: string | undefined; params: string[]; org?: string | undefined },
): Promise<number> {
  if (!workflow)
    throw new CliError("Usage: bifrost run <workflow> [--input JSON | -p key=value …] [--org ID]");
  const api = Api.connect(options);
  const inputData = parseInput(flags.input, flags.params);
  const started = await api.request<{ executionId: string; status: string }>(
    "POST",
    "/api/workflows/execute",
    { workflowName: workflow, inputData, ...(flags.org ? { organizationId: flags.org } : {}) },
    `workflow ${workflow}`,
  );
  const id = started.executionId;
  if (!options.json) process.stderr.write(paint(`Run ${id} started\n`, "grey", process.stderr));
  const logs: LogLine[] = [];
  const stopInterrupt = onInterrupt(api, id);
  let execution: Execution;
  try {
    execution = await follow(api, id, (line) => {
      logs.push(line);
      if (!options.json) print(formatLog(line));
    });
  } finally {
    stopInterrupt();
  }
  return report(options, execution, logs);
}

/** How a run ended, for people or (`--json`) scripts; the exit code: 0 for Success only. */
export function report(options: GlobalOptions, execution: Execution, logs: readonly LogLine[]): number {
  if (options.json) printJson({ execution, logs });
  else {
    print(
      `${formatStatus(execution.status)}${execution.durationMs == null ? "" : ` in ${execution.durationMs} ms`}`,
    );
    if (execution.error) print(`${paint("error", "red")}: ${execution.errorType ?? ""}: ${execution.error}`);
    if (execution.status === "Success" && execution.result !== undefined && execution.result !== null)
      print(JSON.stringify(execution.result, null, 2));
  }
  return execution.status === "Success" ? 0 : 1;
}

/** Prints each log line once, in order, until the run ends; answers the run as it ended. */
async function follow(api: Api, id: string, onLine: (line: LogLine) => void): Promise<Execution> {
  // Lines come from the socket and from the REST catch-up, possibly out of order (a line written
  // before the socket connected may be read after a later one arrived): each is printed once, in
  // sequence order (sequences start at 1); a line is held until the ones before it are in.
  let next = 1;
  const held = new Map<number, LogLine>();
  const flush = (all: boolean) => {
    for (;;) {
      const line = held.get(next) ?? (all && held.size > 0 ? held.get(Math.min(...held.keys())) : undefined);
      if (!line) return;
      held.delete(line.sequence);
      next = line.sequence + 1;
      onLine(line);
    }
  };
  const emit = (line: LogLine) => {
    if (line.sequence < next || held.has(line.sequence)) return;
    held.set(line.sequence, line);
    flush(false);
  };
  const catchUp = async () => {
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
      const page: { items: LogLine[]; nextCursor: string | null } = await api.request(
        "GET",
        `/api/executions/${id}/logs${query}`,
      );
      for (const line of page.items) emit(line);
      cursor = page.nextCursor;
    } while (cursor);
  };
  const current = () => api.request<Execution>("GET", `/api/executions/${id}`);

  const socketUrl = new URL(`${api.url}/ws/connect`);
  socketUrl.protocol = socketUrl.protocol === "https:" ? "wss:" : "ws:";
  socketUrl.searchParams.append("channels", `execution:${id}`);
  socketUrl.searchParams.set("token", api.accessToken);
  const ended = await new Promise<boolean>((resolve) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(socketUrl);
    } catch {
      return resolve(false);
    }
    let pending: Promise<void> = Promise.resolve();
    const later = (work: () => Promise<void>) => {
      pending = pending.then(work).catch(() => undefined);
    };
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as Record<string, unknown> & { type: string };
      if (message.type === "connected") {
        later(async () => {
          await catchUp();
          if (FINAL.has((await current()).status)) {
            socket.close();
            resolve(true);
          }
        });
        // A line published just before the subscription took is not on the socket, and is stored a
        // moment after it is published (the worker stores lines in batches): read again shortly.
        setTimeout(() => later(catchUp), STORE_LAG_MS);
      } else if (message.type === "execution_log") {
        const line = message as unknown as LogLine;
        // A gap before this line: the missing ones were published before the socket listened.
        if (line.sequence > next && !held.has(next)) later(catchUp);
        later(async () => emit(line));
      } else if (message.type === "execution_update" && FINAL.has(String(message.status)))
        later(async () => {
          socket.close();
          resolve(true);
        });
    });
    socket.addEventListener("error", () => resolve(false));
    socket.addEventListener("close", () => resolve(false));
  });
  // Without a socket (or when it closed early), poll.
  if (!ended)
    for (;;) {
      await catchUp();
      if (FINAL.has((await current()).status)) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  await catchUp();
  // A gap the platform never filled (a run's log is capped): what is left, in order.
  flush(true);
  return current();
}

/** Ctrl-C while following: on a terminal, ask whether to cancel the run; else leave it running. */
function onInterrupt(api: Api, id: string): () => void {
  const handler = () => {
    void (async () => {
      if (!process.stdin.isTTY) {
        process.stderr.write(`\nLeft running: bifrost executions cancel ${id}\n`);
        process.exit(130);
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question("\nCancel the run? [y/N] ");
      rl.close();
      if (/^y/i.test(answer.trim())) {
        await api.request("POST", `/api/executions/${id}/cancel`);
        process.stderr.write("Cancelling…\n");
      } else {
        process.stderr.write(`Left running: bifrost executions cancel ${id}\n`);
        process.exit(130);
      }
    })();
  };
  process.on("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}
