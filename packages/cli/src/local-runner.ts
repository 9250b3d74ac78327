// The process `bifrost run --local` starts (with the author's debugger flags): imports the workflow's
// own TypeScript file — Node strips the types, so a debugger sees the author's lines — installs the
// hooks the SDK looks for, runs the definition and reports its logs and outcome to the CLI over IPC.
import { registerHooks } from "node:module";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";

/** What the CLI sends: the same run the platform would give a worker's child. */
export type LocalRunRequest = {
  type: "run";
  modulePath: string;
  exportName: string;
  input: Record<string, unknown>;
  context: {
    executionId: string;
    organization: { id: string; name: string };
    caller: { id: string; email: string; name: string };
    triggeredBy: string;
    attempt: number;
  };
  api: { url: string; token: string };
};

export type RunnerLine = {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  data?: Record<string, unknown>;
  timestamp: number;
};

export type RunnerMessage =
  | { type: "logs"; lines: RunnerLine[] }
  | {
      type: "result";
      status: "Success" | "Failed" | "CompletedWithErrors";
      result?: unknown;
      error: string | null;
      errorType: string | null;
      durationMs: number;
    };

/** Where the SDK finds the run (packages/sdk/src/context.ts) and a definition's internals. */
const RUNTIME = Symbol.for("bifrost.runtime");
const DEFINITION = Symbol.for("bifrost.definition");

type Internals = {
  version: 1;
  parse(
    input: unknown,
  ):
    | { ok: true; value: Record<string, unknown> }
    | { ok: false; issues: Array<{ path: string; message: string }> };
  run(params: Record<string, unknown>, ctx: unknown): Promise<unknown>;
};

const RELATIVE = /^\.\.?\//;

// Workspace imports resolve as the platform's compiler resolves them: the exact path, `+ .ts`,
// `.js`/`.mjs` → `.ts`, `/index.ts`.
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (!RELATIVE.test(specifier)) throw error;
      const base = specifier.replace(/\/$/, "");
      for (const candidate of [`${base}.ts`, base.replace(/\.m?js$/, ".ts"), `${base}/index.ts`]) {
        if (candidate === specifier) continue;
        try {
          return nextResolve(candidate, context);
        } catch {
          // the next candidate
        }
      }
      throw error;
    }
  },
});

const send = (message: RunnerMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });

class Redactor {
  private readonly secrets = new Set<string>();
  register(value: string): void {
    if (typeof value === "string" && value.length >= 4) this.secrets.add(value);
  }
  text(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("[REDACTED]");
    return out;
  }
  value<T>(value: T): T {
    if (this.secrets.size === 0 || value === undefined) return value;
    return JSON.parse(this.text(JSON.stringify(value))) as T;
  }
}

class Lines {
  private buffer: RunnerLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly redactor: Redactor) {}

  write(level: RunnerLine["level"], message: unknown, data?: unknown): void {
    const line: RunnerLine = {
      level,
      message: typeof message === "string" ? message : String(message),
      timestamp: Date.now(),
    };
    if (data !== undefined) {
      try {
        const json = JSON.parse(JSON.stringify(data)) as unknown;
        line.data =
          json !== null && typeof json === "object" && !Array.isArray(json)
            ? (json as Record<string, unknown>)
            : { value: json };
      } catch {
        line.data = { value: "[unserializable]" };
      }
    }
    this.buffer.push(line);
    this.timer ??= setTimeout(() => void this.flush(), 20);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const lines = this.buffer.map((line) => ({
      ...line,
      message: this.redactor.text(line.message),
      ...(line.data ? { data: this.redactor.value(line.data) } : {}),
    }));
    this.buffer = [];
    await send({ type: "logs", lines });
  }
}

function definitionOf(value: unknown): Internals | null {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return null;
  const internals = (value as Record<symbol, unknown>)[DEFINITION] as Internals | undefined;
  return internals?.version === 1 ? internals : null;
}

function describe(thrown: unknown): { name: string; message: string; stack: string | null } {
  if (thrown !== null && typeof thrown === "object") {
    const { name, message, stack } = thrown as { name?: unknown; message?: unknown; stack?: unknown };
    return {
      name: typeof name === "string" && name !== "" ? name : "Error",
      message: typeof message === "string" ? message : inspect(thrown, { depth: 2, breakLength: Infinity }),
      stack: typeof stack === "string" ? stack : null,
    };
  }
  return { name: "Error", message: String(thrown), stack: null };
}

async function run(
  request: LocalRunRequest,
): Promise<Omit<Extract<RunnerMessage, { type: "result" }>, "type" | "durationMs">> {
  const redactor = new Redactor();
  const lines = new Lines(redactor);
  const controller = new AbortController();
  process.once("SIGTERM", () => controller.abort(new DOMException("cancelled", "AbortError")));
  Object.defineProperty(globalThis, RUNTIME, {
    value: Object.freeze({
      apiUrl: request.api.url,
      token: request.api.token,
      signal: controller.signal,
      registerSecret: (value: string) => redactor.register(value),
    }),
    configurable: true,
  });
  // What the workflow prints goes to the run's log, as on the platform.
  for (const [method, level] of [
    ["log", "info"],
    ["info", "info"],
    ["warn", "warn"],
    ["error", "error"],
    ["debug", "debug"],
  ] as const)
    // eslint-disable-next-line no-console -- captured into the run's log, as the platform does
    console[method] = (...args: unknown[]) =>
      lines.write(level, args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" "));
  const log = (level: RunnerLine["level"]) => (message: unknown, data?: unknown) =>
    lines.write(level, message, data);
  const ctx = Object.freeze({
    ...request.context,
    log: Object.freeze({ debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") }),
    signal: controller.signal,
  });
  try {
    const namespace = (await import(pathToFileURL(request.modulePath).href)) as Record<string, unknown>;
    const internals = definitionOf(namespace[request.exportName]);
    if (!internals)
      return {
        status: "Failed",
        error: `${request.modulePath} has no workflow exported as "${request.exportName}"`,
        errorType: "WorkflowNotFound",
      };
    const parsed = internals.parse(request.input);
    if (!parsed.ok) {
      const issues = parsed.issues.map((issue) => (issue.path ? `${issue.path}: ` : "") + issue.message);
      return { status: "Failed", error: `Invalid input: ${issues.join("; ")}`, errorType: "ValidationError" };
    }
    const value = await internals.run(parsed.value, ctx);
    const text = JSON.stringify(value);
    const result = redactor.value(text === undefined ? undefined : (JSON.parse(text) as unknown));
    const partial =
      result !== null && typeof result === "object" && (result as { success?: unknown }).success === false;
    return { status: partial ? "CompletedWithErrors" : "Success", result, error: null, errorType: null };
  } catch (error) {
    const { name, message, stack } = describe(error);
    if (name !== "UserError" && stack) lines.write("error", stack);
    return { status: "Failed", error: redactor.text(message), errorType: name };
  } finally {
    await lines.flush();
  }
}

// Ctrl-C in the terminal reaches this process too: the CLI decides (it stops the run with SIGTERM).
process.on("SIGINT", () => undefined);
// The CLI is gone (killed): nobody reports this run any more; the platform ends it when its lease lapses.
process.on("disconnect", () => process.exit(1));

process.once("message", (request: LocalRunRequest) => {
  const started = performance.now();
  // A run awaiting something that holds no handle (a promise settled by ctx.signal) must not let
  // the process end as idle: on the platform the run's channel keeps its child alive.
  const alive = setInterval(() => undefined, 60_000);
  void run(request).then(async (outcome) => {
    clearInterval(alive);
    await send({ type: "result", ...outcome, durationMs: Math.round(performance.now() - started) });
    process.disconnect?.();
    process.exit(0);
  });
});
