ALTER TABLE "organizations" ADD COLUMN "max_concurrent_runs" integer;--> statement-breakpoint
ALTER TABLE "workflows" ADD COLUMN "retry_policy" jsonb;--> statement-breakpoint
ALTER TABLE "platform_workers" ADD COLUMN "capacity" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "executions_waiting_idx" ON "executions" USING btree ("organization_id","created_at") WHERE "executions"."status" = 'Pending' and "executions"."queued_at" is null;--> statement-breakpoint
CREATE INDEX "executions_dispatched_idx" ON "executions" USING btree ("organization_id") WHERE "executions"."status" in ('Running', 'Cancelling') or ("executions"."status" = 'Pending' and "executions"."queued_at" is not null);