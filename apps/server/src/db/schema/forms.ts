import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";
import { organizations } from "./organizations.js";
import { roles } from "./roles.js";
import { users } from "./users.js";
import { accessLevels, workflows } from "./workflows.js";

export const formFieldTypes = [
  "text",
  "email",
  "number",
  "select",
  "multiSelect",
  "checkbox",
  "textarea",
  "radio",
  "date",
  "datetime",
  "markdown",
  "html",
  "file",
] as const;

/** A form that runs a workflow with the values people enter (API.md "Forms"). */
export const forms = pgTable(
  "forms",
  {
    id: id(),
    name: text("name").notNull(),
    description: text("description"),
    workflowId: uuid("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "restrict" }),
    /** Runs first (startup): its result prefills or filters the form. */
    launchWorkflowId: uuid("launch_workflow_id").references(() => workflows.id, { onDelete: "set null" }),
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "cascade" }),
    accessLevel: text("access_level", { enum: accessLevels }).notNull().default("role_based"),
    /** Query parameters that may prefill fields. */
    allowedQueryParams: jsonb("allowed_query_params").$type<string[]>().notNull().default([]),
    isActive: boolean("is_active").notNull().default(true),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("forms_organization_idx").on(t.organizationId),
    index("forms_created_idx").on(t.createdAt, t.id),
  ],
);

/** The ordered fields of a form. */
export const formFields = pgTable(
  "form_fields",
  {
    id: id(),
    formId: uuid("form_id")
      .notNull()
      .references(() => forms.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    name: text("name").notNull(),
    label: text("label").notNull(),
    type: text("type", { enum: formFieldTypes }).notNull(),
    required: boolean("required").notNull().default(false),
    default: jsonb("default"),
    placeholder: text("placeholder"),
    helpText: text("help_text"),
    options: jsonb("options").$type<Array<{ label: string; value: unknown }>>(),
    /** { workflowId, inputs? } */
    dataProvider: jsonb("data_provider").$type<Record<string, unknown>>(),
    /** The JSON condition of API.md ("Forms"). */
    visibleWhen: jsonb("visible_when").$type<Record<string, unknown>>(),
    /** Extra rules: min/max, minLength/maxLength, pattern, file size and types. */
    validation: jsonb("validation").$type<Record<string, unknown>>(),
  },
  (t) => [uniqueIndex("form_fields_form_name_unique").on(t.formId, t.name)],
);

export const formRoles = pgTable(
  "form_roles",
  {
    formId: uuid("form_id")
      .notNull()
      .references(() => forms.id, { onDelete: "cascade" }),
    roleId: uuid("role_id")
      .notNull()
      .references(() => roles.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.formId, t.roleId] }), index("form_roles_role_idx").on(t.roleId)],
);

/**
 * The uploads a form's upload route handed out. Pending from the signed URL until a submission of the
 * form by the same user closes it (`submittedAt`); a submission naming the file marks it
 * `referencedAt`. Referenced uploads stay; the others are deleted 24 h after they were sent
 * (`services/forms/form-uploads-cleanup.ts`).
 */
export const formUploads = pgTable(
  "form_uploads",
  {
    /** The file store key: `uploads/orgs/<organizationId>/forms/<formId>/<uuid>/<fileName>`. */
    storeKey: text("store_key").primaryKey(),
    // No foreign key: the record of a referenced upload outlives its form, so the file does too.
    formId: uuid("form_id").notNull(),
    fieldName: text("field_name").notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    referencedAt: timestamp("referenced_at", { withTimezone: true }),
  },
  (t) => [
    index("form_uploads_pending_idx").on(t.formId, t.userId, t.fieldName, t.createdAt),
    index("form_uploads_created_idx").on(t.createdAt),
  ],
);
