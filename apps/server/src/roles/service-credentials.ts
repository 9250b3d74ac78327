import type { ServiceCredentialWarning } from "@bifrost/contracts";
import type { Config } from "../config.js";
import type { Logger } from "../infra/logger.js";
import { checkServiceCredentials, type ServiceName } from "../infra/service-credentials.js";

/** Each check's bound: a slow or unreachable service delays a start by this much at most. */
const CHECK_TIMEOUT_MS = 3_000;

const SERVICE_NAMES: Record<ServiceName, string> = {
  postgresql: "PostgreSQL",
  redis: "Redis",
  rabbitmq: "RabbitMQ",
};

/**
 * At the start of a role that runs workflow code (`api`, `worker`, `start`), whether the PostgreSQL,
 * Redis and RabbitMQ of its URLs let a client in without a password: workflow code runs next to them,
 * and the README asks for passwords. Each one that does is a `warn` line naming the service and its
 * address (never a password) and a warning for the Workers page; a service that cannot be reached or
 * gives no clear answer is a `debug` line. Never fatal. Embedded services are not checked.
 */
export async function warnAboutServiceCredentials(
  config: Config,
  logger: Logger,
): Promise<ServiceCredentialWarning[]> {
  const checks = await checkServiceCredentials(
    { postgres: config.databaseUrl, redis: config.redisUrl, rabbitmq: config.rabbitmqUrl },
    { timeoutMs: CHECK_TIMEOUT_MS },
  );
  const warnings: ServiceCredentialWarning[] = [];
  for (const check of checks) {
    const { service, address } = check;
    if (check.verdict === "open") {
      warnings.push({ service, address, reason: check.reason });
      logger.warn(
        { service, address },
        `${SERVICE_NAMES[service]} at ${address} ${check.reason}: workflow code runs next to it; ` +
          "give it a password (README, Distributed mode)",
      );
    } else if (check.verdict === "unknown") {
      logger.debug(
        { service, address, reason: check.error },
        "could not check whether a password is required",
      );
    }
  }
  return warnings;
}
