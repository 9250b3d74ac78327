ALTER TABLE "execution_logs" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "attempts" jsonb DEFAULT '[]'::jsonb NOT NULL;