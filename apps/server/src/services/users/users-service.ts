import type { AdminUser, BulkUserAction } from "@bifrost/contracts";
import type { AccountTokensRepository } from "../../repositories/account-tokens.js";
import type { RolesRepository } from "../../repositories/roles.js";
import { PROVIDER_ORGANIZATION_ID } from "../../db/schema/index.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import { hashPassword, passwordProblem } from "../../infra/crypto/passwords.js";
import type { OrganizationsRepository } from "../../repositories/organizations.js";
import type { Page } from "../../repositories/pagination.js";
import type { UserRow, UsersRepository } from "../../repositories/users.js";
import { toAuthUser } from "../auth/auth-service.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditActor } from "../../principal.js";
import type { RunRevocation } from "../execution/accept/cancellation.js";
import type { AuthStateCache } from "../auth/auth-state.js";

type CreateUser = {
  email: string;
  name: string;
  password?: string | undefined;
  organizationId: string;
  isSuperuser?: boolean | undefined;
};
type UpdateUser = {
  name?: string | undefined;
  isActive?: boolean | undefined;
  organizationId?: string | undefined;
  isSuperuser?: boolean | undefined;
};

/**
 * Users of every organization (platform admin). A platform admin belongs to the provider
 * organization; a user without a password signs in by other means (SSO, passkeys) once those exist.
 */
export class UsersService {
  constructor(
    private readonly deps: {
      users: UsersRepository;
      organizations: OrganizationsRepository;
      authState: AuthStateCache;
      audit: AuditLog;
      runs: RunRevocation;
      tokens: AccountTokensRepository;
      roles: RolesRepository;
    },
  ) {}

  /** Users as admins see them: with whether they have a password and their pending invitation. */
  private async present(rows: readonly UserRow[]): Promise<AdminUser[]> {
    const ids = rows.map((row) => row.id);
    const [invitations, passwordless] = await Promise.all([
      this.deps.tokens.pendingInvitations(ids),
      this.deps.users.withPasswordlessSignIn(ids),
    ]);
    return rows.map((row) => {
      const invitation = invitations.get(row.id);
      return {
        ...toAuthUser(row),
        hasPassword: row.passwordHash !== null,
        signsIn: row.passwordHash !== null || passwordless.has(row.id),
        invitation: invitation
          ? { createdAt: invitation.createdAt.toISOString(), expiresAt: invitation.expiresAt.toISOString() }
          : null,
      };
    });
  }

  private async presentOne(row: UserRow): Promise<AdminUser> {
    const [user] = await this.present([row]);
    if (!user) throw new NotFoundError("User not found");
    return user;
  }

  async list(options: {
    limit: number;
    cursor?: string | undefined;
    organizationId?: string | undefined;
  }): Promise<Page<AdminUser>> {
    const page = await this.deps.users.list(options);
    return { items: await this.present(page.items), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<AdminUser> {
    const user = await this.deps.users.findById(id);
    if (!user || user.isSystem) throw new NotFoundError("User not found");
    return this.presentOne(user);
  }

  async create(input: CreateUser, actor: AuditActor): Promise<AdminUser> {
    await this.assertOrganization(input.organizationId, "body.organizationId");
    this.assertSuperuserPlacement(input.isSuperuser ?? false, input.organizationId);
    let passwordHash: string | null = null;
    if (input.password !== undefined) {
      const problem = passwordProblem(input.password, { email: input.email, name: input.name });
      if (problem)
        throw new ValidationError("The password is not acceptable", [
          { path: "body.password", message: problem },
        ]);
      passwordHash = await hashPassword(input.password);
    }
    const user = await this.deps.users.insert({
      email: input.email,
      name: input.name,
      passwordHash,
      organizationId: input.organizationId,
      isSuperuser: input.isSuperuser ?? false,
    });
    await this.deps.audit.record(actor, {
      action: "user.create",
      resourceType: "user",
      resourceId: user.id,
      details: { email: user.email, organizationId: user.organizationId, isSuperuser: user.isSuperuser },
    });
    return this.presentOne(user);
  }

  /** The caller's own name (`PATCH /api/profile`); every process sees it on the next request. */
  async updateProfile(userId: string, input: { name: string }, actor: AuditActor): Promise<void> {
    if (!(await this.deps.users.update(userId, { name: input.name })))
      throw new NotFoundError("User not found");
    await this.deps.authState.invalidate({ userId });
    await this.deps.audit.record(actor, {
      action: "user.profile_update",
      resourceType: "user",
      resourceId: userId,
      details: { name: input.name },
    });
  }

  async update(id: string, input: UpdateUser, actor: AuditActor): Promise<AdminUser> {
    const current = await this.deps.users.findById(id);
    if (!current || current.isSystem) throw new NotFoundError("User not found");
    if (input.isActive === false) this.assertNotSelf([current.id], actor, "body.isActive");
    if (input.organizationId !== undefined)
      await this.assertOrganization(input.organizationId, "body.organizationId");
    this.assertSuperuserPlacement(
      input.isSuperuser ?? current.isSuperuser,
      input.organizationId ?? current.organizationId,
    );
    const user = await this.deps.users.update(id, input);
    if (!user) throw new NotFoundError("User not found");
    // Deactivation, a move or a change of privilege takes effect on the next request.
    await this.deps.authState.invalidate({ userId: id });
    // Their runs act as them inside their organization: deactivated or moved, those stop too.
    const deactivated = current.isActive && input.isActive === false;
    const moved = input.organizationId !== undefined && input.organizationId !== current.organizationId;
    if (deactivated || moved) await this.deps.runs.cancelRunsOf({ userId: id });
    await this.deps.audit.record(actor, {
      action: "user.update",
      resourceType: "user",
      resourceId: id,
      details: { ...input },
    });
    return this.presentOne(user);
  }

  /**
   * `POST /api/users/bulk`: one action on several users in one transaction — every one of them or
   * none (an unknown user, an unknown organization or role, or a platform admin moved out of the
   * provider organization refuses the whole request with 422). Then, as for one user: their access
   * state is invalidated and the runs of those deactivated or moved stop.
   */
  async bulk(input: BulkUserAction, actor: AuditActor): Promise<{ updated: number }> {
    const { userIds, action } = input;
    if (action.type === "deactivate") this.assertNotSelf(userIds, actor, "body.userIds");
    if (action.type === "move")
      await this.assertOrganization(action.organizationId, "body.action.organizationId");
    if (action.type === "replaceRoles") {
      const known = await this.deps.roles.existingIds(action.roleIds);
      const unknown = action.roleIds.filter((id) => !known.has(id));
      if (unknown.length > 0)
        throw new ValidationError("Unknown roles", [
          { path: "body.action.roleIds", message: `no such role: ${unknown.join(", ")}` },
        ]);
    }
    const before = await this.deps.users.bulk(
      userIds,
      {
        ...(action.type === "move" ? { organizationId: action.organizationId } : {}),
        ...(action.type === "activate" ? { isActive: true } : {}),
        ...(action.type === "deactivate" ? { isActive: false } : {}),
        ...(action.type === "replaceRoles" ? { roleIds: [...new Set(action.roleIds)] } : {}),
      },
      (rows) => {
        const found = new Set(rows.map((row) => row.id));
        const unknown = userIds.filter((id) => !found.has(id));
        if (unknown.length > 0)
          throw new ValidationError("Unknown users", [
            { path: "body.userIds", message: `no such user: ${unknown.join(", ")}` },
          ]);
        if (action.type === "move")
          for (const row of rows) this.assertSuperuserPlacement(row.isSuperuser, action.organizationId);
      },
    );
    await this.deps.authState.invalidateUsers(before.map((row) => row.id));
    for (const row of before) {
      const stops =
        (action.type === "deactivate" && row.isActive) ||
        (action.type === "move" && row.organizationId !== action.organizationId);
      if (stops) await this.deps.runs.cancelRunsOf({ userId: row.id });
    }
    await this.deps.audit.record(actor, {
      action: "user.bulk",
      resourceType: "user",
      details: { action, userIds },
    });
    return { updated: before.length };
  }

  /** Only an inactive user can be deleted: deactivate first, so the deletion is deliberate. */
  async delete(id: string, actor: AuditActor): Promise<void> {
    const user = await this.deps.users.findById(id);
    if (!user || user.isSystem) throw new NotFoundError("User not found");
    if (user.isActive) throw new ConflictError("Deactivate the user before deleting them");
    await this.deps.users.delete(id);
    await this.deps.authState.invalidate({ userId: id });
    await this.deps.audit.record(actor, {
      action: "user.delete",
      resourceType: "user",
      resourceId: id,
      details: { email: user.email },
    });
  }

  private async assertOrganization(organizationId: string, path: string): Promise<void> {
    if (!(await this.deps.organizations.find(organizationId))) {
      throw new ValidationError("Unknown organization", [{ path, message: "no such organization" }]);
    }
  }

  /**
   * An admin never deactivates their own account: it would end their own access at once, and the
   * last platform admin doing so would leave no one to undo it. Refused like the other rules about
   * whom a request names (422), before anything changes. Ids compare in lower case: PostgreSQL reads
   * an upper-case UUID as the same user.
   */
  private assertNotSelf(userIds: readonly string[], actor: AuditActor, path: string): void {
    const self = actor.userId?.toLowerCase();
    if (self === undefined || !userIds.some((id) => id.toLowerCase() === self)) return;
    throw new ValidationError("You cannot deactivate your own account", [
      { path, message: "your own account cannot be deactivated: another platform admin can do it" },
    ]);
  }

  private assertSuperuserPlacement(isSuperuser: boolean, organizationId: string): void {
    if (isSuperuser && organizationId !== PROVIDER_ORGANIZATION_ID) {
      throw new ValidationError("Platform admins belong to the provider organization", [
        {
          path: "body.isSuperuser",
          message: "only members of the provider organization can be platform admins",
        },
      ]);
    }
  }
}
