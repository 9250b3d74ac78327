import { ApiError } from "./client.js";

/** Error messages by field path (`"name"`, `"0.label"`, …), as a form shows them next to its fields. */
export type FieldErrors = Record<string, string>;

type Detail = { path: string; message: string };

/** A 422's `details.fields` (`[{ path, message }]`), in the server's order. */
function detailsOf(details: unknown): Detail[] {
  const list = (details as { fields?: unknown } | undefined)?.fields;
  if (!Array.isArray(list)) return [];
  return (list as { path?: unknown; message?: unknown }[]).map((entry) => ({
    path: typeof entry?.path === "string" ? entry.path : "",
    message: typeof entry?.message === "string" ? entry.message : "is invalid",
  }));
}

/** A detail no field shows, as a line of the form-level error: `domain: must be …` (no `body.`). */
function lineOf({ path, message }: Detail, prefix: string): string {
  const rest = prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path.replace(/^body\./, "");
  return rest && rest !== "body" ? `${rest}: ${message}` : message;
}

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
  for (const detail of detailsOf(details)) {
    const { path, message } = detail;
    if (prefix && path.startsWith(prefix) && path.length > prefix.length) {
      const key = path.slice(prefix.length);
      fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
    } else {
      other.push(lineOf(detail, ""));
    }
  }
  return { fields, other };
}

/** What a form shows of a failed write: messages under its fields, and the rest above its buttons. */
export type FormErrors = { fields: FieldErrors; form: string | undefined };

/**
 * The one mapping from a failed write to a form's errors. The server's message for a field the
 * form shows (`shown`, keys under `prefix`) goes under that field; every other message goes into
 * the form-level error, so none is dropped. The API's own `message` ("The request is invalid",
 * "The password is not acceptable") is shown only when it sent no details: its details say more.
 */
export function formErrors(error: unknown, shown: readonly string[] = [], prefix = "body."): FormErrors {
  if (!error) return { fields: {}, form: undefined };
  if (!(error instanceof ApiError)) {
    return { fields: {}, form: error instanceof Error ? error.message : "Something went wrong." };
  }
  const details = detailsOf(error.details);
  if (details.length === 0) return { fields: {}, form: error.message };
  const fields: FieldErrors = {};
  const lines: string[] = [];
  for (const detail of details) {
    const key = detail.path.startsWith(prefix) ? detail.path.slice(prefix.length) : undefined;
    if (key !== undefined && shown.includes(key)) {
      fields[key] = fields[key] ? `${fields[key]}; ${detail.message}` : detail.message;
    } else {
      lines.push(lineOf(detail, prefix));
    }
  }
  return { fields, form: lines.length > 0 ? lines.join("; ") : undefined };
}
