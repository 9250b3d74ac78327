import { z } from "zod";

/** `?limit=` (default 25, max 1000) and `?cursor=`; answers `{ items, nextCursor }`. */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(25),
  cursor: z.string().max(512).optional(),
});
export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

const domainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "must be a domain such as example.com",
  );

export const organizationSchema = z.object({
  id: z.guid(),
  name: z.string(),
  domain: z.string().nullable(),
  isProvider: z.boolean(),
  isActive: z.boolean(),
  /** Most runs of the organization running at once; null: the platform default (API.md). */
  maxConcurrentRuns: z.number().int().nullable(),
  /** Microsoft Entra ID tenants whose users sign in (and are provisioned) into this organization. */
  ssoTenantIds: z.array(z.string()),
  /** Its users sign in only through SSO (platform admins keep password + MFA). */
  ssoOnly: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Organization = z.infer<typeof organizationSchema>;

export const createOrganizationSchema = z.object({
  name: z.string().trim().min(1).max(200),
  domain: domainSchema.nullish(),
});
export const updateOrganizationSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  domain: domainSchema.nullish(),
  isActive: z.boolean().optional(),
  /** Null: the platform default (`BIFROST_ORG_MAX_CONCURRENT_RUNS`). */
  maxConcurrentRuns: z.number().int().min(1).max(10_000).nullable().optional(),
  /** Entra tenant ids (GUIDs) bound to this organization; each belongs to one organization. */
  ssoTenantIds: z.array(z.guid().toLowerCase()).max(20).optional(),
  ssoOnly: z.boolean().optional(),
});

export const createUserSchema = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
  password: z.string().max(1024).optional(),
  organizationId: z.guid(),
  isSuperuser: z.boolean().optional(),
});
export type CreateUser = z.infer<typeof createUserSchema>;
export const updateUserSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  isActive: z.boolean().optional(),
  organizationId: z.guid().optional(),
  isSuperuser: z.boolean().optional(),
});

/**
 * `POST /api/users/bulk`: one action on several users, in one transaction — all of them or none.
 * `replaceRoles` sets exactly these roles (an empty list takes every role away).
 */
export const bulkUserActionSchema = z.object({
  userIds: z
    .array(z.guid())
    .min(1)
    .max(500)
    .refine((ids) => new Set(ids).size === ids.length, "must not repeat a user"),
  action: z.discriminatedUnion("type", [
    z.object({ type: z.literal("move"), organizationId: z.guid() }),
    z.object({ type: z.literal("replaceRoles"), roleIds: z.array(z.guid()).max(100) }),
    z.object({ type: z.literal("activate") }),
    z.object({ type: z.literal("deactivate") }),
  ]),
});
export type BulkUserAction = z.infer<typeof bulkUserActionSchema>;

export const roleSchema = z.object({
  id: z.guid(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.string(),
});
export type Role = z.infer<typeof roleSchema>;
export const createRoleSchema = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(1000).optional(),
});
export const assignRoleUsersSchema = z.object({ userIds: z.array(z.guid()).min(1).max(1000) });
/** `PATCH /api/roles/{id}`: rename, or change (null: remove) the description. */
export const updateRoleSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  description: z.string().trim().max(1000).nullable().optional(),
});
/** A member of a role (`GET /api/roles/{id}/users`). */
export const roleMemberSchema = z.object({
  id: z.guid(),
  email: z.string(),
  name: z.string(),
  organizationId: z.guid(),
  isActive: z.boolean(),
});
/** `GET /api/roles/{id}`: the role, and the forms and workflows it opens. */
export const roleDetailSchema = roleSchema.extend({
  forms: z.array(z.object({ id: z.guid(), name: z.string() })),
  workflows: z.array(z.object({ id: z.guid(), name: z.string() })),
});
export type RoleDetail = z.infer<typeof roleDetailSchema>;

export const auditEntrySchema = z.object({
  id: z.guid(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  actorId: z.guid().nullable(),
  actorEmail: z.string().nullable(),
  /** The actor's current name; null for the system or a deleted user. */
  actorName: z.string().nullable(),
  organizationId: z.guid().nullable(),
  /** Null when there is none or it was deleted. */
  organizationName: z.string().nullable(),
  /** For a user, organization, workflow or role that still exists; null otherwise. */
  resourceName: z.string().nullable(),
  ipAddress: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const auditActionPattern = /^[A-Za-z0-9_.-]{1,100}$/;
/**
 * Filters of `GET /api/audit`, all optional and combined with AND: `actor` is a user id or the
 * e-mail the entry recorded; `action` is exact, or a prefix when it ends with "." (`execution.`);
 * `since` (inclusive) and `until` (exclusive) are ISO datetimes.
 */
export const auditQuerySchema = listQuerySchema
  .extend({
    actor: z
      .string()
      .trim()
      .max(320)
      .refine(
        (value) => z.guid().safeParse(value).success || /^[^\s@]+@[^\s@]+$/.test(value),
        "must be a user id or an e-mail address",
      )
      .optional(),
    action: z
      .string()
      .trim()
      .regex(auditActionPattern, "must be an action such as user.create, or a prefix such as execution.")
      .optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((query) => !query.since || !query.until || Date.parse(query.since) <= Date.parse(query.until), {
    path: ["until"],
    message: "must not be before since",
  });
export type AuditQuery = z.infer<typeof auditQuerySchema>;
