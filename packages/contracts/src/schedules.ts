import { z } from "zod";
import { listQuerySchema } from "./organizations.js";

export const overlapPolicySchema = z
  .enum(["skip", "queue", "allow"])
  .meta({ description: "skip: no fire while a run of this schedule is active; queue: start anyway; allow" });

const cronSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .meta({ description: "5 fields (minute hour day month weekday), or 6 with seconds first" });
const timezoneSchema = z.string().trim().min(1).max(64).meta({ description: "IANA timezone; default UTC" });

/** A cron schedule of a workflow (API.md `/api/schedules`). */
export const scheduleSchema = z.object({
  id: z.guid(),
  workflowId: z.guid(),
  cron: z.string(),
  timezone: z.string(),
  organizationId: z.guid(),
  inputData: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  overlapPolicy: overlapPolicySchema,
  lastRunAt: z.string().nullable(),
  nextRunAt: z.string().nullable(),
  createdBy: z.guid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const createScheduleSchema = z.object({
  workflowId: z.guid(),
  cron: cronSchema,
  timezone: timezoneSchema.optional(),
  inputData: z.record(z.string(), z.unknown()).optional(),
  enabled: z.boolean().optional(),
  /** The organization the runs belong to; default the workflow's, else the provider organization. */
  organizationId: z.guid().optional(),
  overlapPolicy: overlapPolicySchema.optional(),
});
export type CreateSchedule = z.infer<typeof createScheduleSchema>;

export const updateScheduleSchema = z.object({
  cron: cronSchema.optional(),
  timezone: timezoneSchema.optional(),
  inputData: z.record(z.string(), z.unknown()).optional(),
  enabled: z.boolean().optional(),
  organizationId: z.guid().optional(),
  overlapPolicy: overlapPolicySchema.optional(),
});
export type UpdateSchedule = z.infer<typeof updateScheduleSchema>;

export const scheduleListQuerySchema = listQuerySchema.extend({ workflowId: z.guid().optional() });

export const validateScheduleSchema = z.object({
  cron: z.string().max(255),
  timezone: z.string().max(64).optional(),
});

/** `valid: false` carries the reason; `nextRuns` the next 5 fire times (ISO, UTC) when valid. */
export const scheduleValidationSchema = z.object({
  valid: z.boolean(),
  nextRuns: z.array(z.string()),
  error: z.string().optional(),
});
export type ScheduleValidation = z.infer<typeof scheduleValidationSchema>;
