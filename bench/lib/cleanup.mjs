// Everything the bench creates (child processes, temp dirs, the bench database) registers how to undo
// it here. `runCleanup()` undoes it in reverse order on the normal path (try/finally), on SIGINT /
// SIGTERM / SIGHUP, and a synchronous fallback runs from process.on("exit") for whatever is left.

/**
 * @typedef {object} CleanupTask
 * @property {string} name
 * @property {() => Promise<void> | void} run      normal, possibly asynchronous undo
 * @property {(() => void) | undefined} runSync    last-resort undo that works inside an "exit" handler
 */

/** @type {CleanupTask[]} */
const tasks = [];
/** @type {Promise<void> | null} */
let running = null;

/**
 * Registers an undo step. Returns a function that runs the step now (once) and unregisters it.
 * @param {string} name
 * @param {() => Promise<void> | void} run
 * @param {() => void} [runSync]
 * @returns {() => Promise<void>}
 */
export function onCleanup(name, run, runSync) {
  /** @type {CleanupTask} */
  const task = { name, run, runSync };
  tasks.push(task);
  return async () => {
    const index = tasks.indexOf(task);
    if (index === -1) return;
    tasks.splice(index, 1);
    await task.run();
  };
}

/** Runs every registered step, newest first; a failing step is reported and the others still run. */
export function runCleanup() {
  running ??= (async () => {
    while (tasks.length > 0) {
      const task = /** @type {CleanupTask} */ (tasks.pop());
      try {
        await task.run();
      } catch (error) {
        console.error(
          `bench: cleanup "${task.name}" failed: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
  })().finally(() => {
    running = null;
  });
  return running;
}

process.on("exit", () => {
  while (tasks.length > 0) {
    const task = /** @type {CleanupTask} */ (tasks.pop());
    try {
      task.runSync?.();
    } catch {
      // Exiting anyway; nothing more can be done here.
    }
  }
});

let interrupted = false;
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
  process.on(signal, () => {
    if (interrupted) {
      console.error(`bench: second ${signal}; exiting without waiting (the exit handler kills what is left)`);
      process.exit(130);
    }
    interrupted = true;
    console.error(`\nbench: ${signal} received; stopping servers and cleaning up...`);
    runCleanup().finally(() => process.exit(130));
  });
}
