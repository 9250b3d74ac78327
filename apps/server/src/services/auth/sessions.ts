import type { Session } from "@bifrost/contracts";
import { NotFoundError } from "../../errors.js";
import type { Clock } from "../../infra/clock.js";
import type { AuthSessionsRepository, SessionRow } from "../../repositories/auth-sessions.js";
import type { UsersRepository } from "../../repositories/users.js";
import type { AuditActor } from "../../principal.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuthStateCache } from "./auth-state.js";

const toSession = (row: SessionRow, currentId: string | undefined): Session => ({
  id: row.id,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt.toISOString(),
  userAgent: row.userAgent,
  ip: row.ipAddress,
  current: row.id === currentId,
});

/**
 * The logins of a user, listed and ended one by one: by the user themselves (`/auth/sessions`) or by
 * a platform admin (`/api/users/{id}/sessions`). An ended login is refused on its next request on
 * every API process (the access-state cache is told through the bus). A login of another user, or one
 * already ended, is 404.
 */
export class SessionsService {
  constructor(
    private readonly deps: {
      sessions: AuthSessionsRepository;
      users: UsersRepository;
      authState: AuthStateCache;
      audit: AuditLog;
      clock: Clock;
    },
  ) {}

  async list(userId: string, currentSessionId?: string): Promise<{ items: Session[] }> {
    const rows = await this.deps.sessions.listActive(userId);
    return { items: rows.map((row) => toSession(row, currentSessionId)) };
  }

  /** A platform admin's view: 404 for an unknown (or system) user. */
  async listOf(userId: string): Promise<{ items: Session[] }> {
    const user = await this.deps.users.findById(userId);
    if (!user || user.isSystem) throw new NotFoundError("User not found");
    return this.list(userId);
  }

  /** Ends the caller's own login (`POST /auth/logout`). */
  async logout(sessionId: string, actor: AuditActor): Promise<void> {
    await this.deps.sessions.revokeSession(sessionId, "logout", new Date(this.deps.clock.now()));
    await this.deps.authState.invalidate({ sessionId });
    await this.deps.audit.record(actor, {
      action: "auth.logout",
      resourceType: "session",
      resourceId: sessionId,
    });
  }

  /** Ends every login of the caller, this one included. */
  async revokeAll(userId: string, actor: AuditActor): Promise<void> {
    await this.endAll(userId, "revoke all", actor, "auth.revoke_all");
  }

  /** A platform admin ends every login of a user; 404 for an unknown user. */
  async revokeUser(userId: string, actor: AuditActor): Promise<void> {
    if (!(await this.deps.users.findById(userId))) throw new NotFoundError("User not found");
    await this.endAll(userId, "revoked by an admin", actor, "auth.revoke_user");
  }

  private async endAll(userId: string, reason: string, actor: AuditActor, action: string): Promise<void> {
    await this.deps.sessions.revokeUserSessions(userId, reason, new Date(this.deps.clock.now()));
    await this.deps.authState.invalidate({ userId });
    await this.deps.audit.record(actor, { action, resourceType: "user", resourceId: userId });
  }

  async revoke(userId: string, sessionId: string, actor: AuditActor): Promise<void> {
    const session = await this.deps.sessions.findSession(sessionId);
    const active = session && !session.revokedAt && session.expiresAt.getTime() > this.deps.clock.now();
    if (!session || session.userId !== userId || !active) throw new NotFoundError("Session not found");
    const by = actor.userId === userId ? "revoked by its user" : "revoked by an admin";
    await this.deps.sessions.revokeSession(sessionId, by, new Date(this.deps.clock.now()));
    await this.deps.authState.invalidate({ sessionId });
    await this.deps.audit.record(actor, {
      action: "auth.session_revoke",
      resourceType: "session",
      resourceId: sessionId,
      details: { userId },
    });
  }
}
