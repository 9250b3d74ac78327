/** What the user typed as JSON, or a message saying what is wrong with it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: `Invalid JSON: ${(error as Error).message}` };
  }
}

/** A JSON object (a document, a `where`, a run's input): an empty text is `{}` when `emptyIsEmpty`. */
export function parseJsonObject(text: string, emptyIsEmpty = false): Parsed<Record<string, unknown>> {
  if (emptyIsEmpty && text.trim() === "") return { ok: true, value: {} };
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  const { value } = parsed;
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, message: 'Must be a JSON object, e.g. {"name": "Ada"}' };
  return { ok: true, value: value as Record<string, unknown> };
}

/** A JSON array (a list of fields, …): an empty text is `[]` when `emptyIsEmpty`. */
export function parseJsonArray(text: string, emptyIsEmpty = false): Parsed<unknown[]> {
  if (emptyIsEmpty && text.trim() === "") return { ok: true, value: [] };
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  if (!Array.isArray(parsed.value)) return { ok: false, message: "Must be a JSON array, e.g. []" };
  return { ok: true, value: parsed.value };
}
