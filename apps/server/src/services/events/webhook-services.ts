import type { Db } from "../../db/database.js";
import type { Bus } from "../../infra/bus/bus.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type { Logger } from "../../infra/logger.js";
import { EventsRepository } from "../../repositories/events.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { RunnableWorkflows } from "../workflows/runnable-workflows.js";
import { RateLimiter } from "../auth/rate-limiter.js";
import { EventDeliverer, type SystemRuns } from "./event-deliveries.js";
import { EventSourcesService } from "./event-sources-service.js";
import { WebhookReceiver } from "./webhook-receiver.js";

/** The webhook receiver and the admin service of event sources, on one API process's services. */
export function createWebhookServices(deps: {
  db: Db;
  bus: Bus;
  secretBox: SecretBox;
  organizations: OrganizationsRepository;
  runnable: Pick<RunnableWorkflows, "forTrigger">;
  runs: SystemRuns;
  audit: AuditLog;
  logger: Logger;
}): { events: EventSourcesService; webhooks: WebhookReceiver } {
  const events = new EventsRepository(deps.db);
  const deliverer = new EventDeliverer({ events, runs: deps.runs, logger: deps.logger });
  const webhooks = new WebhookReceiver({
    events,
    deliverer,
    rateLimiter: new RateLimiter(deps.bus),
    secretBox: deps.secretBox,
    logger: deps.logger,
  });
  return {
    webhooks,
    events: new EventSourcesService({
      events,
      organizations: deps.organizations,
      runnable: deps.runnable,
      deliverer,
      receiver: webhooks,
      secretBox: deps.secretBox,
      audit: deps.audit,
    }),
  };
}
