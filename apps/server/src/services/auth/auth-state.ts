import type { Me } from "@bifrost/contracts";
import type { Bus, Subscription } from "../../infra/bus/bus.js";
import type { Clock } from "../../infra/clock.js";
import type { AuthSessionsRepository } from "../../repositories/auth-sessions.js";
import type { UsersRepository } from "../../repositories/users.js";

const CHANNEL = "auth:invalidate";
const TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;

/** What an invalidation names: a user, several users, a session, or every user of an organization. */
export type AuthTarget = {
  userId?: string;
  userIds?: readonly string[];
  sessionId?: string;
  organizationId?: string;
};

/** Users named per bus message by `invalidateUsers` (a message stays well under a kilobyte per 20). */
const USERS_PER_MESSAGE = 1000;

type Entry = {
  me: Me | null;
  userId: string;
  sessionId: string;
  organizationId: string | undefined;
  at: number;
};

/**
 * Whether an access token's login still stands: user active, organization active, session not
 * revoked. Checked on every request, so answers are cached; changes are published on the bus and
 * drop the cached answer on every API process at once. The TTL only bounds a lost message.
 */
export class AuthStateCache {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(target: AuthTarget) => void>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly deps: {
      users: UsersRepository;
      sessions: AuthSessionsRepository;
      bus: Bus;
      clock: Clock;
    },
  ) {}

  async start(): Promise<void> {
    // Every process hears each invalidation once, through the bus (its own included): that is when
    // the listeners run. `invalidate` also forgets at once here, so this process's next request
    // never waits for the bus.
    this.subscription = await this.deps.bus.subscribe(CHANNEL, (message) => {
      const target = this.drop(message);
      if (target) for (const listener of this.listeners) listener(target);
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
    this.entries.clear();
  }

  /**
   * The signed-in user as `/auth/me` shows them, or null when the login no longer stands. Roles
   * come from the database, not the token, so an assignment shows at once.
   */
  async current(userId: string, sessionId: string): Promise<Me | null> {
    const key = `${userId}:${sessionId}`;
    const now = this.deps.clock.now();
    const cached = this.entries.get(key);
    if (cached && now - cached.at < TTL_MS) return cached.me;
    const [user, session, roles] = await Promise.all([
      this.deps.users.findById(userId),
      this.deps.sessions.findSession(sessionId),
      this.deps.users.roleNames(userId),
    ]);
    const valid =
      !!user &&
      user.isActive &&
      user.organizationActive &&
      !!session &&
      session.userId === userId &&
      session.revokedAt === null &&
      session.expiresAt.getTime() > now;
    const me: Me | null = valid
      ? {
          id: user.id,
          email: user.email,
          name: user.name,
          isSuperuser: user.isSuperuser,
          organizationId: user.organizationId,
          roles,
        }
      : null;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { me, userId, sessionId, organizationId: user?.organizationId, at: now });
    return me;
  }

  /**
   * Calls `listener` with every invalidation this process learns of (its own and other processes'),
   * after the cached answers are dropped: long-lived connections re-check their login with it.
   * Returns the function that stops it.
   */
  onInvalidate(listener: (target: AuthTarget) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells every process to forget what it knows of a user, a session or an organization's users. */
  async invalidate(target: AuthTarget): Promise<void> {
    const message = JSON.stringify(target);
    this.drop(message);
    await this.deps.bus.publish(CHANNEL, message);
  }

  /**
   * Many users at once (a role's members, a bulk action): one bus message per thousand users instead
   * of one per user, so every process forgets them together.
   */
  async invalidateUsers(userIds: readonly string[]): Promise<void> {
    const unique = [...new Set(userIds)];
    for (let start = 0; start < unique.length; start += USERS_PER_MESSAGE)
      await this.invalidate({ userIds: unique.slice(start, start + USERS_PER_MESSAGE) });
  }

  /** Forgets the cached answers an invalidation names; answers what it names (undefined: not one). */
  private drop(message: string): AuthTarget | undefined {
    let target: { userId?: unknown; userIds?: unknown; sessionId?: unknown; organizationId?: unknown };
    try {
      target = JSON.parse(message) as typeof target;
    } catch {
      return undefined;
    }
    const userIds = new Set(
      Array.isArray(target.userIds) ? target.userIds.filter((id) => typeof id === "string") : [],
    );
    for (const [key, entry] of this.entries) {
      if (
        entry.userId === target.userId ||
        userIds.has(entry.userId) ||
        entry.sessionId === target.sessionId ||
        (entry.organizationId !== undefined && entry.organizationId === target.organizationId)
      ) {
        this.entries.delete(key);
      }
    }
    return {
      ...(typeof target.userId === "string" ? { userId: target.userId } : {}),
      ...(userIds.size > 0 ? { userIds: [...userIds] } : {}),
      ...(typeof target.sessionId === "string" ? { sessionId: target.sessionId } : {}),
      ...(typeof target.organizationId === "string" ? { organizationId: target.organizationId } : {}),
    };
  }
}
