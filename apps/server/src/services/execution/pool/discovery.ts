import { IPC_VERSION, type DiscoveredDefinition } from "@bifrost/contracts";
import type { Logger } from "../../../infra/logger.js";
import { SandboxedChild } from "./child-process.js";
import type { Isolation } from "./isolation.js";

export type DiscoveryOutcome = {
  definitions: DiscoveredDefinition[];
  /** Why the module could not be described (it threw while loading, hung, or crashed); null if fine. */
  error: string | null;
};

export type DiscoveryRequest = {
  runtimeDir: string;
  compiledRoot: string;
  /** Absolute path of the compiled module to describe. */
  modulePath: string;
  /** For the whole discovery, process start included. */
  timeoutMs?: number;
  memoryLimitMb?: number;
  logger?: Logger;
  /** Default: what the host offers (isolation.ts). */
  isolation?: Isolation;
};

/**
 * Describes the definitions a compiled module exports. Loading a module runs its top-level code, which
 * is user code: it runs in a one-shot child with the same sandbox as the pool's, never in the server.
 * The child is always killed and reaped before this resolves.
 */
export async function discoverDefinitions(request: DiscoveryRequest): Promise<DiscoveryOutcome> {
  const timeoutMs = request.timeoutMs ?? 10_000;
  let answer!: (outcome: DiscoveryOutcome) => void;
  const answered = new Promise<DiscoveryOutcome>((resolve) => (answer = resolve));
  const failed = (error: string) => answer({ definitions: [], error });

  const child = new SandboxedChild(
    {
      runtimeDir: request.runtimeDir,
      compiledRoot: request.compiledRoot,
      memoryLimitMb: request.memoryLimitMb ?? 512,
      startTimeoutMs: timeoutMs,
      // Loading a module needs no network: its top-level code gets none.
      network: "none",
      ...(request.isolation ? { isolation: request.isolation } : {}),
    },
    {
      message: (message) => {
        if (message.type === "discovered") answer({ definitions: message.definitions, error: message.error });
        else failed("The module's process sent an unexpected message");
      },
      invalid: (reason) => {
        request.logger?.warn({ reason }, "discovery child broke the IPC protocol");
        failed("The module's process sent an invalid message");
      },
    },
  );
  const timer = setTimeout(() => failed(`discovery timed out after ${timeoutMs} ms`), timeoutMs);
  child.ready.then(
    () => child.send({ v: IPC_VERSION, type: "discover", modulePath: request.modulePath }),
    () => undefined, // the exit below explains it
  );
  void child.exited.then((exit) => {
    if (!exit.wasReady) request.logger?.error({ ...exit }, "discovery child failed to start");
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    failed(`The module's process ${how} while loading the module`);
  });

  try {
    return await answered;
  } finally {
    clearTimeout(timer);
    child.kill("SIGKILL");
    await child.exited;
  }
}
