import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { type Principal } from "../../principal.js";

/**
 * OpenAPI 3.1 document built from the routes' zod schemas, and a docs page to read it. The
 * platform's routes are public; the paths known only at request time (workflow endpoints) are an
 * organization's data, so `/api/openapi.json` adds those the signed-in caller may see. The docs
 * page reads swagger-ui's own copy (`/api/docs/json`), which has the platform's routes only.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  options: {
    version: string;
    /** Paths known only at request time for this caller (null: anonymous), merged into the document. */
    extraPaths?: (principal: Principal | null) => Promise<Record<string, Record<string, unknown>>>;
  },
): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Bifrost API",
        version: options.version,
        description:
          "Multi-tenant automation platform. Errors share one body: `{ error, message, details?, requestId }`.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
          cookie: { type: "apiKey", in: "cookie", name: "access_token" },
          workflowKey: { type: "apiKey", in: "header", name: "X-Bifrost-Key" },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: "/api/docs",
    staticCSP: true,
    // Its policy allows framing by the same origin; nothing of Bifrost is framed (security-headers.ts).
    transformStaticCSP: (header) => header.replace("frame-ancestors 'self'", "frame-ancestors 'none'"),
  });
  app.get(
    "/api/openapi.json",
    { schema: { hide: true }, config: { access: "publicOrSignedIn" } },
    async (request) => {
      const document = app.swagger() as { paths?: Record<string, unknown> };
      if (!options.extraPaths) return document;
      return { ...document, paths: { ...document.paths, ...(await options.extraPaths(request.principal)) } };
    },
  );
}
