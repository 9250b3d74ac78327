import type { ServiceCredentialWarning } from "@bifrost/contracts";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { UnavailableError } from "../errors.js";
import type { Logger } from "../infra/logger.js";
import fastifyWebsocket from "@fastify/websocket";
import { applyAccessRule } from "./access.js";
import type { ApiServices } from "./api-services.js";
import { ROUTE_MODULES } from "./routes/index.js";
import { registerAuthentication } from "./plugins/authentication.js";
import { registerErrorHandler } from "./plugins/error-handler.js";
import { registerNotFound } from "./plugins/not-found.js";
import { registerOpenApi } from "./plugins/openapi.js";
import { registerSecurityHeaders, webClientPolicy } from "./plugins/security-headers.js";

export type AppOptions = {
  logger: Logger;
  services: ApiServices;
  bodyLimitBytes: number;
  /** Addresses or CIDRs whose X-Forwarded-For is believed; empty: the header is ignored. */
  trustedProxies: string[];
  webDir: string;
  version: string;
  /** Secure cookies: when the public URL is https. */
  secureCookies: boolean;
  /**
   * BIFROST_PUBLIC_URL: the origin browsers use, besides the one each request names (WebSockets);
   * https turns on HSTS; the client's policy lets it reach this origin.
   */
  publicUrl?: string | undefined;
  /** This process as GET /api/platform/api-process describes it; default: role `api`, no warning. */
  apiProcess?: { role: string; serviceCredentials: ServiceCredentialWarning[] };
  /** Extra route plugins, registered like the built-in ones (used by tests for fixture routes). */
  extraRoutes?: FastifyPluginAsync[];
};

export type App = FastifyInstance;

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function requestId(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

export async function buildApp(options: AppOptions): Promise<App> {
  // Typed as Fastify's logger interface so the instance keeps Fastify's default generics.
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustedProxies.length > 0 ? options.trustedProxies : false,
    genReqId: requestId,
    // Requests that arrive while closing get the API's error body (below), not Fastify's own.
    return503OnClosing: false,
    // One line per request is written by our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON only; a route that takes another type (uploads) registers its own parser.
  app.removeContentTypeParser("text/plain");
  registerErrorHandler(app);

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  // Graceful shutdown: close() waits for in-flight requests, but a keep-alive connection that turns
  // idle afterwards would hold it open for the whole keep-alive timeout. Answers sent while closing
  // therefore end their connection.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async () => {
    if (closing) throw new UnavailableError("api", "The server is shutting down");
  });
  app.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        // A WebSocket may carry its access token in the query: never in a log line.
        url: request.url.replace(/([?&]token=)[^&]*/gi, "$1[REDACTED]"),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "request",
    );
  });

  // First: its onSend hook must cover every answer, the web client's and 404s included.
  registerSecurityHeaders(app, { publicUrl: options.publicUrl });
  await registerNotFound(app, {
    webDir: options.webDir,
    contentSecurityPolicy: webClientPolicy(options.publicUrl),
  });
  await registerAuthentication(app, {
    tokens: options.services.tokens,
    authState: options.services.authState,
    executionTokens: options.services.executionTokens,
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  app.addHook("onClose", async () => {
    await options.services.realtime.close();
    await options.services.syncResults.stop();
  });
  await registerOpenApi(app, {
    version: options.version,
    additions: (principal) => options.services.endpoints.openApiAdditions(principal ?? undefined),
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(async (routes) => {
    routes.addHook("onRoute", applyAccessRule);
    const context = {
      services: options.services,
      secureCookies: options.secureCookies,
      publicUrl: options.publicUrl,
      apiProcess: options.apiProcess ?? { role: "api", serviceCredentials: [] },
    };
    for (const module of ROUTE_MODULES) await module.register(routes, context);
    for (const plugin of options.extraRoutes ?? []) await routes.register(plugin);
  });
  return app;
}
