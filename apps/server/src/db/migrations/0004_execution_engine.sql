CREATE TABLE "workspace_files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"path" text NOT NULL,
	"content" text NOT NULL,
	"hash" text NOT NULL,
	"compiled" text,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workspace_files_path_unique" UNIQUE("path")
);
--> statement-breakpoint
CREATE TABLE "workflow_roles" (
	"workflow_id" uuid NOT NULL,
	"role_id" uuid NOT NULL,
	CONSTRAINT "workflow_roles_workflow_id_role_id_pk" PRIMARY KEY("workflow_id","role_id")
);
--> statement-breakpoint
CREATE TABLE "workflows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"category" text,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"type" text NOT NULL,
	"path" text NOT NULL,
	"export_name" text NOT NULL,
	"parameters_schema" jsonb NOT NULL,
	"organization_id" uuid,
	"access_level" text DEFAULT 'role_based' NOT NULL,
	"timeout_seconds" integer DEFAULT 1800 NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"endpoint_enabled" boolean DEFAULT false NOT NULL,
	"execution_mode" text DEFAULT 'sync' NOT NULL,
	"allowed_methods" jsonb DEFAULT '["POST"]'::jsonb NOT NULL,
	"cache_ttl_seconds" integer DEFAULT 300 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "execution_logs" (
	"execution_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"level" text NOT NULL,
	"message" text NOT NULL,
	"data" jsonb,
	"timestamp" timestamp with time zone NOT NULL,
	CONSTRAINT "execution_logs_execution_id_sequence_pk" PRIMARY KEY("execution_id","sequence")
);
--> statement-breakpoint
CREATE TABLE "executions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_id" uuid NOT NULL,
	"workflow_name" text NOT NULL,
	"status" text NOT NULL,
	"organization_id" uuid NOT NULL,
	"executed_by" uuid,
	"executed_by_name" text NOT NULL,
	"privileged" boolean DEFAULT false NOT NULL,
	"triggered_by" text NOT NULL,
	"input_data" jsonb NOT NULL,
	"result" jsonb,
	"result_size" integer,
	"result_key" text,
	"error" text,
	"error_type" text,
	"attempt" integer DEFAULT 1 NOT NULL,
	"max_attempts" integer DEFAULT 2 NOT NULL,
	"worker_id" text,
	"lease_expires_at" timestamp with time zone,
	"queued_at" timestamp with time zone,
	"scheduled_at" timestamp with time zone,
	"cancel_requested_at" timestamp with time zone,
	"idempotency_key" text,
	"reply_to" text,
	"workspace_version" text,
	"duration_ms" integer,
	"peak_memory_bytes" bigint,
	"cpu_ms" integer,
	"log_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "platform_workers" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"state" jsonb NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workspace_files" ADD CONSTRAINT "workspace_files_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_roles" ADD CONSTRAINT "workflow_roles_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_roles" ADD CONSTRAINT "workflow_roles_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflows" ADD CONSTRAINT "workflows_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "execution_logs" ADD CONSTRAINT "execution_logs_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_executed_by_users_id_fk" FOREIGN KEY ("executed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "workflow_roles_role_idx" ON "workflow_roles" USING btree ("role_id");--> statement-breakpoint
CREATE UNIQUE INDEX "workflows_path_export_unique" ON "workflows" USING btree ("path","export_name");--> statement-breakpoint
CREATE INDEX "workflows_name_idx" ON "workflows" USING btree ("name");--> statement-breakpoint
CREATE INDEX "workflows_organization_idx" ON "workflows" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "workflows_created_idx" ON "workflows" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "executions_created_idx" ON "executions" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "executions_executed_by_idx" ON "executions" USING btree ("executed_by","created_at");--> statement-breakpoint
CREATE INDEX "executions_organization_idx" ON "executions" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "executions_workflow_idx" ON "executions" USING btree ("workflow_id");--> statement-breakpoint
CREATE INDEX "executions_active_idx" ON "executions" USING btree ("status") WHERE "executions"."status" in ('Scheduled', 'Pending', 'Running', 'Cancelling');--> statement-breakpoint
CREATE UNIQUE INDEX "executions_idempotency_unique" ON "executions" USING btree ("executed_by","idempotency_key") WHERE "executions"."idempotency_key" is not null;