/**
 * Input mappings of event subscriptions: JSON whose strings may hold `{{ path }}` templates over
 * the event (`{ body, headers, query, sourceIp, receivedAt }`). A string that is exactly one
 * template takes the value with its JSON type; templates inside a longer string are interpolated
 * as text. Paths are data lookups only (`body.items[0].id`, `headers.x-event`): no code is evaluated.
 */

export type EventContext = {
  body: unknown;
  headers: Record<string, string>;
  query: Record<string, unknown>;
  sourceIp: string | null;
  receivedAt: string;
};

const WHOLE = /^\s*\{\{\s*([^{}]+?)\s*\}\}\s*$/;
const INLINE = /\{\{\s*([^{}]+?)\s*\}\}/g;
const MAX_DEPTH = 32;

/** The value at a dotted path (with `[n]` indices); undefined when any step is missing. */
function lookup(root: unknown, path: string): unknown {
  const steps = path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter((s) => s.length > 0);
  let current: unknown = root;
  for (const step of steps) {
    if (current === null || typeof current !== "object") return undefined;
    // Own properties only: `constructor` or `__proto__` never reach the prototype chain.
    if (!Object.hasOwn(current, step)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

const asText = (value: unknown): string =>
  value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);

function render(template: unknown, context: EventContext, depth: number): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if (typeof template === "string") {
    const whole = WHOLE.exec(template);
    if (whole?.[1]) return lookup(context, whole[1]);
    return template.replace(INLINE, (_match, path: string) => asText(lookup(context, path)));
  }
  if (Array.isArray(template)) return template.map((item) => render(item, context, depth + 1) ?? null);
  if (template !== null && typeof template === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      const rendered = render(value, context, depth + 1);
      // A missing value leaves the parameter out, so the workflow's default applies.
      if (rendered !== undefined) out[key] = rendered;
    }
    return out;
  }
  return template;
}

/** The workflow input a subscription's mapping gives for an event. */
export function renderInputMapping(
  mapping: Record<string, unknown>,
  context: EventContext,
): Record<string, unknown> {
  return render(mapping, context, 0) as Record<string, unknown>;
}
