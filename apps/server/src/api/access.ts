/**
 * Who may call a route, declared on the route itself (`config.access`); every API route declares
 * one and `plugins/authentication.ts` enforces it before the body is read.
 * - `public`: anyone (the route authenticates by other means if it needs to, e.g. an MFA token);
 * - `publicOrSignedIn`: anyone, and a signed-in user or a run is identified, so the route can show
 *   them what is theirs (the OpenAPI document's workflow endpoints); a token that is sent must be
 *   valid (401), so a client with a bad token is told rather than silently served less;
 * - `authenticated`: any signed-in user whose login still stands, or a run's SDK acting as its caller;
 * - `user`: a signed-in user only, never a run: the caller's own account, logins and credentials
 *   (profile, sessions, MFA, passkeys, tokens) and the WebSocket. A run's token stands for its caller
 *   inside the run, not for their account;
 * - `platformAdmin`: a platform admin; any other signed-in user gets 403 (API.md "403 or 404");
 * - `platformAdminOrRun`: a platform admin, or a run's SDK with its execution token (acting inside
 *   the run's organization: see principal.ts, dataScopeOf); other users get 403;
 * - `run`: only a run's SDK (`/api/sdk/*`); anyone else who is signed in gets 403.
 */
import {
  auditActorOf,
  isUserPrincipal,
  type AuditActor,
  type Principal,
  type UserPrincipal,
} from "../principal.js";

export type AccessRule =
  "public" | "publicOrSignedIn" | "authenticated" | "user" | "platformAdmin" | "platformAdminOrRun" | "run";

/** Whether a run's execution token may call a route with this rule. */
export const runsMayUse = (access: AccessRule): boolean =>
  access === "publicOrSignedIn" ||
  access === "authenticated" ||
  access === "platformAdminOrRun" ||
  access === "run";

/** Whether a signed-in user (not a run) may call a route with this rule, given whether they are a platform admin. */
export const usersMayUse = (access: AccessRule, isSuperuser: boolean): boolean =>
  access === "publicOrSignedIn" ||
  access === "authenticated" ||
  access === "user" ||
  (isSuperuser && (access === "platformAdmin" || access === "platformAdminOrRun"));

declare module "fastify" {
  interface FastifyContextConfig {
    access?: AccessRule;
    /** The route also takes the access token as `?token=` (WebSocket upgrades from a browser). */
    queryToken?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Routes registered by third-party plugins that serve their own static pages. */
const PLUGIN_ROUTE_PREFIXES = ["/api/docs"];

/**
 * Every route declares its access rule; the OpenAPI document then says which routes need a token.
 */
export function applyAccessRule(route: {
  url: string;
  config?: { access?: AccessRule };
  schema?: Record<string, unknown>;
}): void {
  if (PLUGIN_ROUTE_PREFIXES.some((prefix) => route.url.startsWith(prefix))) return;
  const access = route.config?.access;
  if (!access) throw new Error(`Route ${route.url} declares no access rule (config.access)`);
  // Anyone may call a `publicOrSignedIn` route: the document shows no token requirement for it.
  if (access !== "public" && access !== "publicOrSignedIn")
    route.schema = { ...route.schema, security: [{ bearer: [] }, { cookie: [] }] };
}

/** The principal of a route whose access rule is not `public` nor `publicOrSignedIn`; set by the authentication hook. */
export function requirePrincipal(request: { principal: Principal | null }): Principal {
  if (!request.principal) throw new Error("requirePrincipal on a public route");
  return request.principal;
}

/** The principal of a route only users reach (`user`, `platformAdmin`): a signed-in user's, with its login. */
export function requireUserPrincipal(request: { principal: Principal | null }): UserPrincipal {
  const principal = requirePrincipal(request);
  if (!isUserPrincipal(principal))
    throw new Error("requireUserPrincipal on a route a run or the system reaches");
  return principal;
}

/** Who is acting, for the audit log: the principal when signed in, and where the request came from. */
export const actorOf = (request: { principal: Principal | null; ip: string; id: string }): AuditActor =>
  auditActorOf(request.principal, { ip: request.ip, requestId: request.id });
