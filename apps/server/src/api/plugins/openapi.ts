import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import type { Principal } from "../../principal.js";

/** What a caller's document adds to the platform's: paths, and the schema components they refer to. */
export type OpenApiAdditions = {
  paths: Record<string, Record<string, unknown>>;
  schemas: Record<string, Record<string, unknown>>;
};

type OpenApiObject = {
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown> };
};

/**
 * OpenAPI 3.1 document built from the routes' zod schemas, and a docs page to read it. The
 * platform's routes are public; the paths known only at request time (workflow endpoints) are an
 * organization's data, so `/api/openapi.json` adds those the signed-in caller may see. The docs
 * page reads swagger-ui's own copy (`/api/docs/json`), which has the platform's routes only.
 *
 * A schema registered with an id (`.meta({ id })`, zod's global registry) is written once under
 * `components.schemas` and referred to by `$ref`; a recursive schema can only be described that
 * way, so it must have one (test/api/openapi-document.test.ts validates the document).
 */
export async function registerOpenApi(
  app: FastifyInstance,
  options: {
    version: string;
    /** What the document holds for this caller (null: anonymous) beyond the platform's routes. */
    additions?: (principal: Principal | null) => Promise<OpenApiAdditions>;
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
    transform: (route) => describeFreeFormQuery(jsonSchemaTransform(route)),
    transformObject: (document) => assertRefsResolve(jsonSchemaTransformObject(document)),
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
      const document = app.swagger() as OpenApiObject;
      if (!options.additions) return document;
      const { paths, schemas } = await options.additions(request.principal);
      return {
        ...document,
        paths: { ...document.paths, ...paths },
        components: { ...document.components, schemas: { ...document.components?.schemas, ...schemas } },
      };
    },
  );
}

/**
 * @fastify/swagger makes one query parameter of each property of a route's `querystring`; a query
 * of any names (`z.record`) has none, and it would list the schema's keywords (`type`,
 * `additionalProperties`) as parameters. Describe it as OpenAPI does free-form query parameters:
 * one object parameter, `style: form` and `explode: true`, whose properties are the query's names.
 */
function describeFreeFormQuery<T extends { schema?: unknown }>(transformed: T): T {
  const schema = transformed.schema as { querystring?: Record<string, unknown> } | undefined;
  const query = schema?.querystring;
  if (!schema || !query || "properties" in query || !("additionalProperties" in query)) return transformed;
  const querystring = { type: "object", properties: { query }, style: "form", explode: true };
  return { ...transformed, schema: { ...schema, querystring } };
}

/**
 * zod names a recursive schema that has no id `schemaN` and refers to a component of that name
 * that nobody writes: refuse to serve such a document, and say which schema needs an id.
 */
function assertRefsResolve<T extends object>(document: T): T {
  const dangling = new Set<string>();
  const visit = (value: unknown, at: string): void => {
    if (typeof value !== "object" || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string" && !resolves(document, child))
        dangling.add(`${child} (at ${at})`);
      else visit(child, `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`);
    }
  };
  visit(document, "#");
  if (dangling.size > 0)
    throw new Error(
      `OpenAPI document: $ref to nothing: ${[...dangling].join(", ")}. A recursive zod schema needs a component id: .meta({ id: "Name" })`,
    );
  return document;
}

/** Whether a local `$ref` (`#/a/b~1c`; zod does not percent-encode) points at something in `document`. */
function resolves(document: object, ref: string): boolean {
  // "#" would be the whole document: zod's self-reference, written for a schema of its own.
  if (!ref.startsWith("#/")) return false;
  let node: unknown = document;
  for (const token of ref.slice(2).split("/")) {
    const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}
