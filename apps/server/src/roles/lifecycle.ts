import type { Logger } from "../infra/logger.js";

export type Running = { close(): Promise<void> };

/**
 * Stops the process cleanly on SIGTERM/SIGINT: `close()` stops accepting work, lets in-flight
 * work finish and closes pools. A second signal, or the timeout, exits at once — except the same
 * signal again within a second: Ctrl-C reaches both `npm start`'s wrapper (which forwards it) and
 * this process, and that echo must not cut the shutdown short.
 */
export function stopOnSignals(running: Running, logger: Logger, timeoutMs: number): void {
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (first) {
      if (first.signal === signal && Date.now() - first.at < 1_000) return;
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    first = { signal, at: Date.now() };
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out; exiting");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    running.close().then(
      () => {
        logger.info("stopped");
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "error during shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
