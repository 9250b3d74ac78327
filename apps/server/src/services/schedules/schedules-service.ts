import type { CreateSchedule, Schedule, ScheduleValidation, UpdateSchedule } from "@bifrost/contracts";
import { PROVIDER_ORGANIZATION_ID } from "../../db/schema/index.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import type { Clock } from "../../infra/clock.js";
import type { RunnableWorkflows } from "../workflows/runnable-workflows.js";
import type { Page } from "../../repositories/pagination.js";
import type { ScheduleChanges, ScheduleRow, SchedulesRepository } from "../../repositories/schedules.js";
import type { WorkflowRow } from "../../repositories/workflows.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { InputValidator } from "../execution/accept/input-validation.js";
import { CronError, parseCron } from "./cron.js";

const PREVIEW_COUNT = 5;

const toSchedule = (row: ScheduleRow): Schedule => ({
  id: row.id,
  workflowId: row.workflowId,
  cron: row.cron,
  timezone: row.timezone,
  organizationId: row.organizationId,
  inputData: row.inputData,
  enabled: row.enabled,
  overlapPolicy: row.overlapPolicy,
  lastRunAt: row.lastRunAt?.toISOString() ?? null,
  nextRunAt: row.nextRunAt?.toISOString() ?? null,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const auditDetails = (row: ScheduleRow): Record<string, unknown> => ({
  workflowId: row.workflowId,
  cron: row.cron,
  timezone: row.timezone,
  organizationId: row.organizationId,
  enabled: row.enabled,
  overlapPolicy: row.overlapPolicy,
});

/** Cron schedules of workflows (API.md `/api/schedules`, platform admins only). */
export class SchedulesService {
  constructor(
    private readonly deps: {
      schedules: SchedulesRepository;
      runnable: Pick<RunnableWorkflows, "byId" | "organizationFor">;
      validator: InputValidator;
      audit: AuditLog;
      clock: Clock;
    },
  ) {}

  /** `{ valid, nextRuns }` of a cron expression; never throws for a bad expression or timezone. */
  validate(cron: string, timezone = "UTC"): ScheduleValidation {
    try {
      const runs = parseCron(cron, timezone).nextRuns(PREVIEW_COUNT, new Date(this.deps.clock.now()));
      return { valid: true, nextRuns: runs.map((d) => d.toISOString()) };
    } catch (error) {
      return { valid: false, nextRuns: [], error: (error as Error).message };
    }
  }

  async list(query: {
    limit: number;
    cursor?: string | undefined;
    workflowId?: string | undefined;
  }): Promise<Page<Schedule>> {
    const page = await this.deps.schedules.list(query);
    return { items: page.items.map(toSchedule), nextCursor: page.nextCursor };
  }

  async create(input: CreateSchedule, actor: AuditActor): Promise<Schedule> {
    const workflow = await this.deps.runnable.byId(input.workflowId);
    if (!workflow?.isActive) {
      throw new ValidationError("Unknown workflow", [
        { path: "body.workflowId", message: "no such active workflow" },
      ]);
    }
    const timezone = input.timezone ?? "UTC";
    const inputData = input.inputData ?? {};
    const organizationId = await this.deps.runnable.organizationFor(
      workflow,
      input.organizationId,
      PROVIDER_ORGANIZATION_ID,
    );
    this.checkInput(workflow, inputData);
    const enabled = input.enabled ?? true;
    const row = await this.deps.schedules.insert({
      workflowId: workflow.id,
      cron: input.cron,
      timezone,
      organizationId,
      inputData,
      enabled,
      overlapPolicy: input.overlapPolicy ?? "skip",
      nextRunAt: this.nextRun(input.cron, timezone),
      createdBy: actor.userId ?? null,
    });
    await this.deps.audit.record(actor, {
      action: "schedule.create",
      resourceType: "schedule",
      resourceId: row.id,
      details: auditDetails(row),
    });
    return toSchedule(row);
  }

  async update(id: string, patch: UpdateSchedule, actor: AuditActor): Promise<Schedule> {
    const current = await this.deps.schedules.find(id);
    if (!current) throw new NotFoundError("Schedule not found");
    const workflow = await this.deps.runnable.byId(current.workflowId);
    if (!workflow) throw new NotFoundError("Schedule not found");
    const changes: ScheduleChanges = {};
    if (patch.organizationId !== undefined) {
      changes.organizationId = await this.deps.runnable.organizationFor(
        workflow,
        patch.organizationId,
        PROVIDER_ORGANIZATION_ID,
      );
    }
    if (patch.inputData !== undefined) {
      this.checkInput(workflow, patch.inputData);
      changes.inputData = patch.inputData;
    }
    if (patch.enabled !== undefined) changes.enabled = patch.enabled;
    if (patch.overlapPolicy !== undefined) changes.overlapPolicy = patch.overlapPolicy;
    const cron = patch.cron ?? current.cron;
    const timezone = patch.timezone ?? current.timezone;
    // A new expression, zone or re-enabling starts counting from now: no catch-up for the past.
    if (patch.cron !== undefined || patch.timezone !== undefined || (patch.enabled && !current.enabled)) {
      changes.cron = cron;
      changes.timezone = timezone;
      changes.nextRunAt = this.nextRun(cron, timezone);
    }
    const row = await this.deps.schedules.update(id, changes);
    if (!row) throw new NotFoundError("Schedule not found");
    await this.deps.audit.record(actor, {
      action: "schedule.update",
      resourceType: "schedule",
      resourceId: row.id,
      details: { ...auditDetails(row), changed: Object.keys(patch) },
    });
    return toSchedule(row);
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    const row = await this.deps.schedules.delete(id);
    if (!row) throw new NotFoundError("Schedule not found");
    await this.deps.audit.record(actor, {
      action: "schedule.delete",
      resourceType: "schedule",
      resourceId: row.id,
      details: auditDetails(row),
    });
  }

  /** The first fire after now, or a 422 naming the bad field. */
  private nextRun(cron: string, timezone: string): Date | null {
    try {
      return parseCron(cron, timezone).next(new Date(this.deps.clock.now()));
    } catch (error) {
      if (!(error instanceof CronError)) throw error;
      throw new ValidationError(`Invalid ${error.field}`, [
        { path: `body.${error.field}`, message: error.message },
      ]);
    }
  }

  private checkInput(workflow: WorkflowRow, inputData: Record<string, unknown>): void {
    const fields = this.deps.validator.validate(workflow, inputData);
    if (fields.length > 0)
      throw new ValidationError("The input does not match the workflow's parameters", fields);
  }
}
