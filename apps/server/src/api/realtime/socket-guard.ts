import type { FastifyRequest } from "fastify";
import type { WebSocket } from "@fastify/websocket";
import { ForbiddenError } from "../../errors.js";
import type { AuthStateCache } from "../../services/auth/auth-state.js";
import type { UserPrincipal } from "../../principal.js";

/**
 * What keeps a WebSocket to the login that opened it (security review, issue 17.2).
 *
 * Origin: a browser sends the cookie with a WebSocket opened by any page, so a socket that the cookie
 * authenticates must come from the platform's own origin (the public URL, or the host the request
 * names). A foreign `Origin` is refused whatever the credential; a bearer or `?token=` socket
 * without one (the CLI, scripts) is not a browser's, and is accepted.
 *
 * Lifetime: access is checked when the socket opens and each channel when it is joined; afterwards
 * the socket closes when its login ends (logout, revoke-all, an admin's revoke), the user is
 * deactivated, moved, demoted or their roles change, their organization is deactivated, or the
 * access token it opened with expires. A client that still has a login reconnects and is checked
 * again.
 */

/** Close codes (the application range 4000–4999): the login ended, or what it may see changed. */
const SOCKET_LOGIN_ENDED = 4401;
const SOCKET_ACCESS_CHANGED = 4403;

/** preValidation of the WebSocket route: refuses the upgrade (403) from another origin. */
export function checkSocketOrigin(request: FastifyRequest, publicUrl: string | undefined): void {
  const origin = request.headers.origin;
  const principal = request.principal;
  if (origin === undefined) {
    if (principal?.via === "cookie")
      throw new ForbiddenError("A WebSocket authenticated by the cookie needs an Origin header");
    return;
  }
  const allowed = new Set([`${request.protocol}://${request.host}`.toLowerCase()]);
  if (publicUrl) allowed.add(new URL(publicUrl).origin.toLowerCase());
  if (!allowed.has(origin.toLowerCase()))
    throw new ForbiddenError("WebSockets are accepted from the platform's own origin only");
}

const sameRoles = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");

/** Closes `socket` when its login ends or changes; returns the function that stops watching. */
export function guardSocketLifetime(
  socket: WebSocket,
  principal: UserPrincipal,
  authState: AuthStateCache,
  onError: (error: unknown) => void,
): () => void {
  const close = (code: number, reason: string) => {
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING)
      socket.close(code, reason);
  };
  const recheck = async () => {
    const current = await authState.current(principal.userId, principal.sessionId);
    if (!current) return close(SOCKET_LOGIN_ENDED, "the login has ended");
    const changed =
      current.isSuperuser !== principal.isSuperuser ||
      current.organizationId !== principal.organizationId ||
      !sameRoles(current.roles, principal.roles);
    if (changed) close(SOCKET_ACCESS_CHANGED, "access changed: reconnect");
  };
  const stopWatching = authState.onInvalidate((target) => {
    const concerned =
      target.userId === principal.userId ||
      target.userIds?.includes(principal.userId) === true ||
      target.sessionId === principal.sessionId ||
      target.organizationId === principal.organizationId;
    if (concerned) recheck().catch(onError);
  });
  // Timers run on the machine's time, as the token's expiry does for every other request.
  const lifetime = principal.expiresAt === undefined ? undefined : principal.expiresAt - Date.now();
  const expiry =
    lifetime === undefined
      ? undefined
      : setTimeout(
          () => close(SOCKET_LOGIN_ENDED, "the access token expired"),
          Math.max(0, Math.min(lifetime, 2 ** 31 - 1)),
        );
  expiry?.unref();
  return () => {
    stopWatching();
    if (expiry) clearTimeout(expiry);
  };
}
