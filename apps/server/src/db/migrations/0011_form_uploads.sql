CREATE TABLE "form_uploads" (
	"store_key" text PRIMARY KEY NOT NULL,
	"form_id" uuid NOT NULL,
	"field_name" text NOT NULL,
	"user_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"submitted_at" timestamp with time zone,
	"referenced_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "form_uploads" ADD CONSTRAINT "form_uploads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "form_uploads_pending_idx" ON "form_uploads" USING btree ("form_id","user_id","field_name","created_at");--> statement-breakpoint
CREATE INDEX "form_uploads_created_idx" ON "form_uploads" USING btree ("created_at");--> statement-breakpoint
-- Uploads that submissions made before this table referenced: recorded, so the cleanup keeps them.
-- A form run's input holds a file field's value `{ path }` under the field's name; its upload is in
-- the uploads of the run's organization.
INSERT INTO "form_uploads" ("store_key", "form_id", "field_name", "created_at", "submitted_at", "referenced_at")
SELECT 'uploads/orgs/' || e."organization_id" || '/' || (v.value ->> 'path'),
  substring(v.value ->> 'path' from '^forms/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/')::uuid,
  v.key, e."created_at", e."created_at", e."created_at"
FROM "executions" e
CROSS JOIN LATERAL jsonb_each(
  CASE WHEN jsonb_typeof(e."input_data") = 'object' THEN e."input_data" ELSE '{}'::jsonb END
) AS v
WHERE e."triggered_by" = 'form'
  AND jsonb_typeof(v.value) = 'object'
  AND (v.value ->> 'path') ~ '^forms/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/'
ON CONFLICT DO NOTHING;
