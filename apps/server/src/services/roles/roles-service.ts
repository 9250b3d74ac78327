import type { Role } from "@bifrost/contracts";
import { NotFoundError, ValidationError } from "../../errors.js";
import type { Page } from "../../repositories/pagination.js";
import type { RoleRow, RolesRepository } from "../../repositories/roles.js";
import type { UsersRepository } from "../../repositories/users.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { AuthStateCache } from "../auth/auth-state.js";

const toRole = (row: RoleRow): Role => ({
  id: row.id,
  name: row.name,
  description: row.description,
  createdAt: row.createdAt.toISOString(),
});

/** The global role catalogue and its members; roles gate `role_based` forms and workflows. */
export class RolesService {
  constructor(
    private readonly deps: {
      roles: RolesRepository;
      users: UsersRepository;
      authState: AuthStateCache;
      audit: AuditLog;
    },
  ) {}

  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<Role>> {
    const page = await this.deps.roles.list(options);
    return { items: page.items.map(toRole), nextCursor: page.nextCursor };
  }

  async create(input: { name: string; description?: string | undefined }, actor: AuditActor): Promise<Role> {
    const row = await this.deps.roles.insert(input);
    await this.deps.audit.record(actor, {
      action: "role.create",
      resourceType: "role",
      resourceId: row.id,
      details: { name: row.name },
    });
    return toRole(row);
  }

  async assignUsers(
    roleId: string,
    userIds: string[],
    actor: AuditActor & { userId: string },
  ): Promise<void> {
    if (!(await this.deps.roles.find(roleId))) throw new NotFoundError("Role not found");
    const unique = [...new Set(userIds)];
    const known = await this.deps.users.existingIds(unique);
    const unknown = unique.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new ValidationError("Unknown users", [
        { path: "body.userIds", message: `no such user: ${unknown.join(", ")}` },
      ]);
    }
    await this.deps.roles.assignUsers(roleId, unique, actor.userId);
    // Roles ride in access tokens; new ones appear at the next refresh.
    for (const userId of unique) await this.deps.authState.invalidate({ userId });
    await this.deps.audit.record(actor, {
      action: "role.assign",
      resourceType: "role",
      resourceId: roleId,
      details: { userIds: unique },
    });
  }
}
