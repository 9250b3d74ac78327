import { z } from "zod";

export const componentHealthSchema = z.object({
  status: z.enum(["ok", "down"]),
  error: z.string().optional(),
  /** Which adapter answers: e.g. `postgres`, `pglite`, `rabbitmq`, `memory`, `redis`. */
  adapter: z.string().optional(),
});
export type ComponentHealth = z.infer<typeof componentHealthSchema>;

export const livenessSchema = z.object({ status: z.literal("ok") });

export const readinessSchema = z.object({
  status: z.enum(["ok", "unavailable"]),
  role: z.string(),
  components: z.record(z.string(), componentHealthSchema),
});
export type Readiness = z.infer<typeof readinessSchema>;
