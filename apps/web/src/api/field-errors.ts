/** Error messages by field path (`"name"`, `"0.label"`, …), as a form shows them next to its fields. */
export type FieldErrors = Record<string, string>;

/**
 * A 422's `details.fields` (`[{ path, message }]`, paths like `body.values.email`): the errors
 * under `prefix` keyed by the rest of their path, the others as lines (`path: message`, without
 * the leading `body.`). A path named twice keeps both messages ("first; second").
 */
export function fieldErrorsFromApi(
  details: unknown,
  prefix: string,
): { fields: FieldErrors; other: string[] } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  const list = (details as { fields?: unknown } | undefined)?.fields;
  if (!Array.isArray(list)) return { fields, other };
  for (const entry of list as { path?: unknown; message?: unknown }[]) {
    const path = typeof entry?.path === "string" ? entry.path : "";
    const message = typeof entry?.message === "string" ? entry.message : "Invalid";
    if (prefix && path.startsWith(prefix) && path.length > prefix.length) {
      const key = path.slice(prefix.length);
      fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
    } else {
      const shown = path.replace(/^body\./, "");
      other.push(shown ? `${shown}: ${message}` : message);
    }
  }
  return { fields, other };
}
