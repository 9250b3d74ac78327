import type { Config } from "../config.js";
import type { Logger } from "../infra/logger.js";
import { childCgroupControllers } from "../services/execution/pool/child-cgroup.js";
import { detectIsolation, type Isolation } from "../services/execution/pool/isolation.js";

/** The OS isolation a role needs is missing and was not waived: the process must not start. */
export class SandboxUnavailableError extends Error {
  override readonly name = "SandboxUnavailableError";
}

/** Whether this process runs on the embedded adapters (no service URL at all). */
const embedded = (config: Config): boolean =>
  config.databaseUrl === undefined && config.redisUrl === undefined && config.rabbitmqUrl === undefined;

/**
 * The isolation children of this process get. Without it, `worker`, `api` and a `start` on service
 * URLs refuse to start unless `BIFROST_SANDBOX=permission-only` says so; the embedded `start` (the
 * two-command default on a laptop) falls back by itself, with the warning. The warning is logged at
 * every start and shown on the Workers page (the worker's heartbeat carries it).
 */
export function resolveSandbox(config: Config, logger: Logger): Isolation {
  const { mode, identity } = config.sandbox;
  if (mode === "permission-only") {
    const isolation: Isolation = { kind: "permission-only", reason: "BIFROST_SANDBOX=permission-only" };
    logger.warn({ sandbox: isolation }, warning(isolation));
    return isolation;
  }
  // The runtime directory needs no check: where the identity cannot read it, it gets a copy.
  const found = detectIsolation({ identity });
  if (found.kind === "namespaces") {
    const limits = childCgroupControllers();
    logger.info(
      { sandbox: found, cgroups: limits },
      "workflow children run in their own namespaces, as an unprivileged identity",
    );
    if (!limits.includes("memory"))
      logger.warn(
        "workflow children have no kernel memory, task or CPU limit here (no cgroup this process may " +
          "write to): only V8's heap ceiling bounds them",
      );
    return found;
  }
  if (mode === undefined && config.role === "start" && embedded(config)) {
    logger.warn({ sandbox: found }, warning(found));
    return found;
  }
  throw new SandboxUnavailableError(
    `workflows cannot be isolated here: ${found.reason}. Fix that, or set BIFROST_SANDBOX=permission-only ` +
      `to run them under Node's permission model alone (not where people you do not trust write workflows)`,
  );
}

function warning(isolation: Extract<Isolation, { kind: "permission-only" }>): string {
  return (
    `workflow children are NOT isolated by the operating system (${isolation.reason}): Node's permission ` +
    `model is their only sandbox; a hostile workflow can reach local services and signal processes`
  );
}
