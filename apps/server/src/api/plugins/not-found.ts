import { statSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import FindMyWay, { type HTTPMethod } from "find-my-way";
import { MethodNotAllowedError, NotFoundError } from "../../errors.js";
import { sendError, toHttpError } from "./error-handler.js";

/** Paths that belong to the API; every other GET serves the web client (deep links work). */
const API_PREFIXES = ["/api", "/auth", "/ws", "/mcp", "/health"];

const isApiPath = (url: string): boolean =>
  API_PREFIXES.some(
    (prefix) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`),
  );

/**
 * Unknown routes: 405 with `Allow` when the path exists under another method, the web client for
 * non-API GETs, else 404. Fastify's router cannot answer "which methods match this concrete path",
 * so a shadow router is fed from `onRoute`.
 */
export async function registerNotFound(
  app: FastifyInstance,
  options: { webDir: string; contentSecurityPolicy: string },
): Promise<void> {
  const shadow = FindMyWay();
  const webIndex = path.join(options.webDir, "index.html");
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const raw of methods) {
      const method = raw.toUpperCase() as HTTPMethod;
      if (method === "HEAD") continue;
      if (!shadow.hasRoute(method, route.url)) shadow.on(method, route.url, () => undefined);
    }
  });
  // preCompressed: `reply.sendFile` sends the `.br` or `.gz` the web build wrote beside a file when the
  // request's Accept-Encoding allows it (brotli first), else the file itself; always with
  // `Vary: Accept-Encoding`, so a shared cache keeps the variants apart.
  await app.register(fastifyStatic, { root: options.webDir, serve: false, preCompressed: true });

  const handleUnmatched = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const pathname = request.url.split("?")[0] ?? "/";
    const method = request.method === "HEAD" ? "GET" : request.method;
    const allowed = (["GET", "POST", "PUT", "PATCH", "DELETE"] as const).filter(
      (m) => m !== method && shadow.find(m, pathname) !== null,
    );
    if (allowed.length > 0) {
      return sendError(
        reply,
        request,
        toHttpError(new MethodNotAllowedError(`${request.method} is not allowed here`, allowed)),
      );
    }
    if (method === "GET" && !isApiPath(pathname)) {
      const asset = resolveAsset(options.webDir, pathname);
      if (asset || isFile(webIndex)) reply.header("content-security-policy", options.contentSecurityPolicy);
      if (asset) {
        const immutable = asset.startsWith("assets/");
        // Built assets carry a content hash in their name; everything else is revalidated.
        if (immutable) return reply.sendFile(asset, { immutable: true, maxAge: "365d" });
        return reply.header("cache-control", "no-cache").sendFile(asset, { cacheControl: false });
      }
      if (isFile(webIndex))
        return reply.header("cache-control", "no-cache").sendFile("index.html", { cacheControl: false });
      return sendError(
        reply,
        request,
        toHttpError(new NotFoundError("The web client is not built: run `npm run build`")),
      );
    }
    return sendError(
      reply,
      request,
      toHttpError(new NotFoundError(`No route ${request.method} ${pathname}`)),
    );
  };
  // Answered in onRequest, before the body is read: an unknown path or method is 404/405 whatever
  // the body, and a body that nothing will use is never parsed.
  app.addHook("onRequest", async (request, reply) => {
    if (request.is404) await handleUnmatched(request, reply);
  });
  app.setNotFoundHandler(handleUnmatched);
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A file of the built client under `root`, as a path relative to it; never outside it. */
function resolveAsset(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const file = path.resolve(root, `.${decoded}`);
  if (!file.startsWith(root + path.sep) || !isFile(file)) return undefined;
  return path.relative(root, file);
}
