/**
 * Who may call a route, declared on the route itself (`config.access`). Every API route must
 * declare one; the identity work adds the authenticated kinds and the hook that enforces them.
 */
export type AccessRule = "public";

declare module "fastify" {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
}

/** Routes registered by third-party plugins that serve their own static pages. */
const PLUGIN_ROUTE_PREFIXES = ["/api/docs"];

export function assertAccessDeclared(route: { url: string; config?: { access?: AccessRule } }): void {
  if (PLUGIN_ROUTE_PREFIXES.some((prefix) => route.url.startsWith(prefix))) return;
  if (!route.config?.access) throw new Error(`Route ${route.url} declares no access rule (config.access)`);
}
