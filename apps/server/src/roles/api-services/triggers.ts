import type { ApiServices } from "../../api/api-services.js";
import { SchedulesRepository } from "../../repositories/schedules.js";
import { WorkflowKeysRepository } from "../../repositories/workflow-keys.js";
import { EndpointService } from "../../services/endpoints/endpoint-service.js";
import { WorkflowKeysService } from "../../services/endpoints/workflow-keys-service.js";
import { createWebhookServices } from "../../services/events/webhook-services.js";
import { InputValidator } from "../../services/execution/accept/input-validation.js";
import { SchedulesService } from "../../services/schedules/schedules-service.js";
import type { Core } from "./core.js";

/** What starts runs besides a person: schedules, webhooks and their events, endpoints and keys. */
export function triggerServices(
  core: Core,
  engine: Pick<ApiServices, "executions">,
): Pick<ApiServices, "schedules" | "events" | "webhooks" | "workflowKeys" | "endpoints"> {
  const { deps, organizations, audit, clock, logger, workflowRows } = core;
  const workflowKeys = new WorkflowKeysRepository(deps.db);
  return {
    schedules: new SchedulesService({
      schedules: new SchedulesRepository(deps.db),
      runnable: core.runnable,
      validator: new InputValidator(),
      audit,
      clock,
    }),
    ...createWebhookServices({
      ...deps,
      secretBox: core.secretBox,
      organizations,
      runnable: core.runnable,
      runs: engine.executions,
      audit,
      logger,
    }),
    workflowKeys: new WorkflowKeysService({ keys: workflowKeys, runnable: core.runnable, audit }),
    endpoints: new EndpointService({
      keys: workflowKeys,
      workflows: workflowRows,
      executions: engine.executions,
      audit,
      logger,
    }),
  };
}
