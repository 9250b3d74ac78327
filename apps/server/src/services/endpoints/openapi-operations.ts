import type { EnabledEndpoint } from "../../repositories/workflows.js";

type JsonSchema = Record<string, unknown>;

/** The part of the OpenAPI document that describes workflow endpoints. */
export type EndpointsDocument = {
  paths: Record<string, Record<string, unknown>>;
  schemas: Record<string, JsonSchema>;
};

/**
 * The OpenAPI operations of one workflow endpoint, and the schema components they refer to.
 *
 * A workflow's parameter schema is a JSON Schema document of its own (zod's `toJSONSchema`, run
 * in the child): a recursive one points at its own root (`"$ref": "#"`) or into its `$defs`
 * (`"#/$defs/…"`). Inside the OpenAPI document those pointers would resolve against the
 * document's root, so such a schema becomes components: `endpoint.<name>.parameters` and one
 * `endpoint.<name>.parameters.<def>` for each of its `$defs`, with its pointers rebased onto them.
 */
export function endpointOperations(endpoint: EnabledEndpoint): {
  operations: Record<string, unknown>;
  schemas: Record<string, JsonSchema>;
} {
  const lifted = hasLocalRef(endpoint.parametersSchema)
    ? asComponents(endpoint.parametersSchema, componentKey(endpoint.name))
    : undefined;
  const parameters = lifted?.root.schema ?? endpoint.parametersSchema;
  const bodySchema = lifted ? { $ref: lifted.root.ref } : parameters;
  const sync = endpoint.executionMode === "sync";
  const ok = sync
    ? { 200: { description: "The run's result: `{ executionId, status, result, error, durationMs }`" } }
    : { 202: { description: "Accepted: `{ executionId, status }`" } };
  const operations: Record<string, unknown> = {};
  for (const method of endpoint.allowedMethods) {
    const withBody = method !== "GET" && method !== "DELETE";
    operations[method.toLowerCase()] = {
      tags: ["endpoints"],
      summary: endpoint.description ?? `Run ${endpoint.name}`,
      description: `Query parameters and the JSON body become the input (${sync ? "sync" : "async"}).`,
      security: [{ workflowKey: [] }],
      ...(withBody
        ? {
            requestBody: {
              required: false,
              content: {
                "application/json": { schema: bodySchema },
              },
            },
          }
        : {}),
      parameters: queryParameters(parameters),
      responses: {
        ...ok,
        401: { description: "Missing, wrong or expired X-Bifrost-Key" },
        404: { description: "No such endpoint" },
        405: { description: "Method not allowed" },
        422: { description: "The input does not match the parameters" },
      },
    };
  }
  return { operations, schemas: lifted?.components ?? {} };
}

function queryParameters(schema: JsonSchema): unknown[] {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: "query",
    required: false,
    schema: property,
  }));
}

const isLocalRef = (key: string, value: unknown): value is string =>
  key === "$ref" && typeof value === "string" && value.startsWith("#");

function hasLocalRef(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(([key, child]) => isLocalRef(key, child) || hasLocalRef(child));
}

/**
 * `schema` as components under `key`: its `$defs` lifted out, each local pointer (`#`, `#/$defs/d…`,
 * `#/…`) rewritten to the component it now points at.
 */
function asComponents(
  schema: JsonSchema,
  key: string,
): { root: { ref: string; schema: JsonSchema }; components: Record<string, JsonSchema> } {
  const { $defs, ...body } = schema;
  const defs = typeof $defs === "object" && $defs !== null ? ($defs as Record<string, JsonSchema>) : {};
  const refOf = (componentKey: string): string => `#/components/schemas/${componentKey}`;
  const defKey = (name: string): string => `${key}.${escapeKey(name)}`;
  const target = (pointer: string): string => {
    const [, container, token, ...rest] = pointer.split("/");
    const def = token?.replaceAll("~1", "/").replaceAll("~0", "~");
    if (container === "$defs" && def !== undefined && Object.hasOwn(defs, def))
      return [refOf(defKey(def)), ...rest].join("/");
    return refOf(key) + pointer.slice(1);
  };
  const rebase = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rebase);
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, child]) => [k, isLocalRef(k, child) ? target(child) : rebase(child)]),
    );
  };
  const root = rebase(body) as JsonSchema;
  const components: Record<string, JsonSchema> = { [key]: root };
  for (const [name, def] of Object.entries(defs)) components[defKey(name)] = rebase(def) as JsonSchema;
  return { root: { ref: refOf(key), schema: root }, components };
}

/**
 * Component keys allow `[A-Za-z0-9._-]` only and workflow names (and `$defs` names) are free text:
 * every other UTF-8 byte is written `.XX` (two upper-case hex digits, `.` itself included), so two
 * names never share a key, the `.parameters` suffix cannot be mistaken for a name's end, and the
 * key needs no escaping in a `$ref`.
 */
function escapeKey(name: string): string {
  let escaped = "";
  for (const byte of new TextEncoder().encode(name)) {
    const char = String.fromCharCode(byte);
    escaped += /^[A-Za-z0-9_-]$/.test(char) ? char : `.${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return escaped;
}

const componentKey = (workflowName: string): string => `endpoint.${escapeKey(workflowName)}.parameters`;
