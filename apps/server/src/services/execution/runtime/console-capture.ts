import { formatWithOptions, inspect, type InspectOptions } from "node:util";
import type { IpcLogLevel } from "@bifrost/contracts/ipc";

type Sink = (level: IpcLogLevel, message: string) => void;

const format = (args: unknown[]): string => formatWithOptions({ colors: false }, ...args);

/**
 * Routes `console.*` of user code into the run's log. Node's own helpers (`table`, `count`, `time`,
 * `group`, `assert`, `trace`) go through log/warn/error, so these methods cover them too.
 * `install()` runs before every run: a workflow that replaced `console` or one of its methods in an
 * earlier run must not keep its output (or silence) for the next one.
 */
export class ConsoleCapture {
  private readonly console: Console = globalThis.console;
  private readonly methods: Record<string, (...args: unknown[]) => void>;

  constructor(sink: Sink) {
    const info = (...args: unknown[]) => sink("info", format(args));
    this.methods = {
      log: info,
      info,
      debug: (...args) => sink("debug", format(args)),
      warn: (...args) => sink("warn", format(args)),
      error: (...args) => sink("error", format(args)),
      dir: (value, options) =>
        sink("info", inspect(value, { ...(options as InspectOptions), colors: false })),
    };
  }

  install(): void {
    if (globalThis.console !== this.console) {
      Object.defineProperty(globalThis, "console", {
        value: this.console,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
    const target = this.console as unknown as Record<string, unknown>;
    for (const [name, method] of Object.entries(this.methods)) {
      try {
        target[name] = method;
      } catch {
        // A frozen console keeps whatever methods it had: the workflow only loses its own output.
      }
    }
  }
}
