import { AsyncLocalStorage } from "node:async_hooks";
import { performance } from "node:perf_hooks";
import { IPC_VERSION, type ChildMessage, type LogLine, type ParentMessage } from "@bifrost/contracts/ipc";
import { ConsoleCapture } from "./console-capture.js";
import { definitionOf, discoverModule, errorMessage, importModule } from "./definitions.js";
import { SecretRedactor } from "./redaction.js";
import { DEFAULT_OUTPUT_LIMITS } from "../pool/output-limits.js";
import { RunLog } from "./run-log.js";
import { settleError, settleValue, type Settlement } from "./settlement.js";

type RunMessage = Extract<ParentMessage, { type: "run" }>;
type DiscoverMessage = Extract<ParentMessage, { type: "discover" }>;
export type ResultMessage = Extract<ChildMessage, { type: "result" }>;

/** The runtime directory (this code runs bundled as `<runtimeDir>/child.mjs`). */
const RUNTIME_DIR_URL = new URL(".", import.meta.url).href;

/** Where the SDK finds the run in progress (packages/sdk/src/context.ts `RUNTIME`). */
const RUNTIME = Symbol.for("bifrost.runtime");

type ActiveRun = {
  readonly executionId: string;
  readonly api: { url: string; token: string };
  readonly controller: AbortController;
  readonly redactor: SecretRedactor;
  readonly log: RunLog;
};

/**
 * What a child process does with the pool's messages: one run at a time, each with its own hooks,
 * log, secrets and abort signal. The module cache survives between runs (the pool reuses a child only
 * for the same organization, workspace version and privilege); nothing else does.
 */
export class ChildRuntime {
  /**
   * The run a piece of user code belongs to. A timer or promise a finished run left behind still
   * carries that run's scope: its console output is dropped and its SDK calls keep that run's
   * (expired) token, instead of reaching into the next run.
   */
  private readonly scope = new AsyncLocalStorage<ActiveRun>();
  private active: ActiveRun | null = null;
  private readonly consoleCapture = new ConsoleCapture((level, message) =>
    this.currentRun()?.log.write(level, this.options.toWorkspacePaths?.(message) ?? message),
  );

  constructor(
    private readonly options: {
      send: (message: ChildMessage) => void;
      maxLogLines: number;
      /** A larger result (as JSON) is refused here: `ResultTooLarge`. */
      maxResultBytes?: number;
      /** Rewrites the compiled workspace's paths to workspace paths (source-paths.ts). */
      toWorkspacePaths?: (text: string) => string;
    },
  ) {}

  get busy(): boolean {
    return this.active !== null;
  }

  async run(message: RunMessage): Promise<ResultMessage> {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const redactor = new SecretRedactor();
    const run: ActiveRun = {
      executionId: message.executionId,
      api: message.api,
      controller: new AbortController(),
      redactor,
      log: new RunLog({
        maxLines: this.options.maxLogLines,
        redactor,
        send: (lines: LogLine[]) =>
          this.options.send({ v: IPC_VERSION, type: "logs", executionId: message.executionId, lines }),
      }),
    };
    this.active = run;
    this.installHooks(run);
    this.consoleCapture.install();
    let settlement: Settlement;
    try {
      settlement = await this.scope.run(run, () => this.execute(message, run));
    } catch (error) {
      // Only reachable through a bug of the runtime itself: still answer, never leave the pool waiting.
      settlement = settleError(error, run.log, RUNTIME_DIR_URL, this.options.toWorkspacePaths);
    } finally {
      Reflect.deleteProperty(globalThis, RUNTIME);
      this.active = null;
    }
    // Logs go out before the result: the pool treats the result as the end of the run's output.
    run.log.close();
    const cpu = process.cpuUsage(cpuStart);
    return {
      v: IPC_VERSION,
      type: "result",
      executionId: message.executionId,
      status: settlement.status,
      ...(settlement.result === undefined ? {} : { result: redactor.redactValue(settlement.result) }),
      error: settlement.error === null ? null : redactor.redactText(settlement.error),
      errorType: settlement.errorType,
      durationMs: performance.now() - started,
      peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssBytes: process.memoryUsage.rss(),
    };
  }

  /** Aborts `ctx.signal` of the run in progress (cancel, timeout, SIGTERM). */
  abort(reason: string, executionId?: string): void {
    const run = this.active;
    if (!run || (executionId !== undefined && executionId !== run.executionId)) return;
    if (!run.controller.signal.aborted) run.controller.abort(new DOMException(reason, "AbortError"));
  }

  /** Sends what the run in progress has logged so far (before the process exits). */
  flushLogs(note?: string): void {
    const run = this.active;
    if (!run) return;
    if (note) run.log.write("error", note);
    run.log.flush();
  }

  async discover(message: DiscoverMessage): Promise<ChildMessage> {
    const { definitions, error } = await discoverModule(message.modulePath);
    return { v: IPC_VERSION, type: "discovered", definitions, error };
  }

  private currentRun(): ActiveRun | null {
    return this.scope.getStore() ?? this.active;
  }

  private async execute(message: RunMessage, run: ActiveRun): Promise<Settlement> {
    let namespace: Record<string, unknown>;
    try {
      namespace = await importModule(message.modulePath);
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND")
        return failed("WorkflowNotFound", `The workflow's module was not found: ${errorMessage(error)}`);
      return settleError(error, run.log, RUNTIME_DIR_URL, this.options.toWorkspacePaths);
    }
    const internals = definitionOf(namespace[message.exportName]);
    if (!internals)
      return failed("WorkflowNotFound", `The module has no workflow exported as "${message.exportName}"`);
    let value: unknown;
    try {
      const parsed = internals.parse(message.input);
      if (!parsed.ok) {
        const issues = parsed.issues.map((issue) => (issue.path ? `${issue.path}: ` : "") + issue.message);
        return failed("ValidationError", `Invalid input: ${issues.join("; ")}`);
      }
      value = await internals.run(parsed.value, this.context(message, run));
    } catch (error) {
      return settleError(error, run.log, RUNTIME_DIR_URL, this.options.toWorkspacePaths);
    }
    return settleValue(value, this.options.maxResultBytes ?? DEFAULT_OUTPUT_LIMITS.resultBytes);
  }

  private context(message: RunMessage, run: ActiveRun) {
    const logger = (level: "debug" | "info" | "warn" | "error") => (text: unknown, data?: unknown) =>
      run.log.write(level, typeof text === "string" ? text : String(text), data);
    const { context } = message;
    return Object.freeze({
      executionId: context.executionId,
      organization: Object.freeze({ ...context.organization }),
      caller: Object.freeze({ ...context.caller }),
      triggeredBy: context.triggeredBy,
      attempt: context.attempt,
      log: Object.freeze({
        debug: logger("debug"),
        info: logger("info"),
        warn: logger("warn"),
        error: logger("error"),
      }),
      signal: run.controller.signal,
    });
  }

  /** Installed fresh for every run, so whatever a previous run did to `globalThis[RUNTIME]` is gone. */
  private installHooks(run: ActiveRun): void {
    const current = () => this.scope.getStore() ?? run;
    const hooks = {
      get apiUrl() {
        return current().api.url;
      },
      get token() {
        return current().api.token;
      },
      get signal() {
        return current().controller.signal;
      },
      registerSecret: (value: string) => current().redactor.register(value),
    };
    Object.defineProperty(globalThis, RUNTIME, {
      value: Object.freeze(hooks),
      configurable: true,
      enumerable: false,
      writable: false,
    });
  }
}

const failed = (errorType: string, error: string): Settlement => ({
  status: "Failed",
  result: undefined,
  error,
  errorType,
});
