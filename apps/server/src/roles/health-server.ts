import Fastify, { LogController, type FastifyBaseLogger } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { registerErrorHandler, sendError, toHttpError } from "../api/plugins/error-handler.js";
import { healthRoutes } from "../api/routes/health.js";
import { NotFoundError } from "../errors.js";
import type { Logger } from "../infra/logger.js";
import type { ReadinessService } from "../services/health/readiness.js";
import type { Running } from "./lifecycle.js";

/** `/health` and `/health/ready` for the roles that serve no API (worker, scheduler). */
export async function startHealthServer(options: {
  host: string;
  port: number;
  logger: Logger;
  readiness: ReadinessService;
}): Promise<Running & { port: number }> {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, toHttpError(new NotFoundError("Not found"))),
  );
  await app.register(healthRoutes, { readiness: options.readiness });
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  options.logger.info({ port }, "health endpoint listening");
  return { port, close: () => app.close() };
}
