ALTER TABLE "executions" ADD COLUMN "network_bytes_in" bigint;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "network_bytes_out" bigint;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "network_connections" integer;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "network_denied" integer;