import type { Role, RoleDetail } from "@bifrost/contracts";
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
    await this.deps.authState.invalidateUsers(unique);
    await this.deps.audit.record(actor, {
      action: "role.assign",
      resourceType: "role",
      resourceId: roleId,
      details: { userIds: unique },
    });
  }

  async get(id: string): Promise<RoleDetail> {
    const row = await this.deps.roles.find(id);
    if (!row) throw new NotFoundError("Role not found");
    return { ...toRole(row), ...(await this.deps.roles.uses(id)) };
  }

  async members(id: string) {
    if (!(await this.deps.roles.find(id))) throw new NotFoundError("Role not found");
    return { items: await this.deps.roles.members(id) };
  }

  /** Takes the role from a user: on their next request, on every API process. 404 when they lack it. */
  async removeUser(roleId: string, userId: string, actor: AuditActor): Promise<void> {
    if (!(await this.deps.roles.removeUser(roleId, userId)))
      throw new NotFoundError("The user does not hold this role");
    await this.deps.authState.invalidate({ userId });
    await this.deps.audit.record(actor, {
      action: "role.unassign",
      resourceType: "role",
      resourceId: roleId,
      details: { userId },
    });
  }

  /** Renames the role (a name taken by another role is 409) or changes its description. */
  async update(
    id: string,
    input: { name?: string | undefined; description?: string | null | undefined },
    actor: AuditActor,
  ): Promise<Role> {
    const row = await this.deps.roles.update(id, input);
    if (!row) throw new NotFoundError("Role not found");
    // Role names ride in the access state (`/auth/me`): members see the new one at once.
    if (input.name !== undefined)
      await this.deps.authState.invalidateUsers((await this.deps.roles.members(id)).map((m) => m.id));
    await this.deps.audit.record(actor, {
      action: "role.update",
      resourceType: "role",
      resourceId: id,
      details: { changed: Object.keys(input) },
    });
    return toRole(row);
  }

  /** Deletes the role everywhere in one transaction; its former members lose it on their next request. */
  async delete(id: string, actor: AuditActor): Promise<void> {
    const members = await this.deps.roles.delete(id);
    if (!members) throw new NotFoundError("Role not found");
    await this.deps.authState.invalidateUsers(members);
    await this.deps.audit.record(actor, {
      action: "role.delete",
      resourceType: "role",
      resourceId: id,
      details: { members: members.length },
    });
  }
}
