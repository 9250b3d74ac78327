/**
 * Query-string values of a workflow endpoint, coerced to the type the parameter's JSON Schema asks
 * for (number, integer, boolean) before validation. A value that does not read as that type stays a
 * string, so validation reports it; other types (and body values) are never coerced.
 */
export function coerceQuery(
  query: Record<string, unknown>,
  parametersSchema: Record<string, unknown>,
): Record<string, unknown> {
  const properties = (parametersSchema.properties ?? {}) as Record<string, { type?: unknown } | undefined>;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    out[name] = typeof value === "string" ? coerce(value, typesOf(properties[name])) : value;
  }
  return out;
}

function typesOf(property: { type?: unknown; anyOf?: unknown } | undefined): string[] {
  if (!property) return [];
  if (typeof property.type === "string") return [property.type];
  if (Array.isArray(property.type)) return property.type.filter((t): t is string => typeof t === "string");
  // zod's optional/nullable shapes: `anyOf: [{ type: "number" }, { type: "null" }]`.
  if (Array.isArray(property.anyOf)) {
    return (property.anyOf as Array<{ type?: unknown }>).flatMap((p) => typesOf(p));
  }
  return [];
}

function coerce(value: string, types: string[]): unknown {
  if (types.includes("string") || types.length === 0) return value;
  if (types.includes("boolean")) {
    if (value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
  }
  if ((types.includes("number") || types.includes("integer")) && value.trim() !== "") {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  return value;
}
