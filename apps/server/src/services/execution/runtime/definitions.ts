import { pathToFileURL } from "node:url";
import type { DiscoveredDefinition } from "@bifrost/contracts/ipc";

/**
 * The SDK marks what `workflow()`, `tool()` and `dataProvider()` return with this well-known symbol.
 * The runtime reads definitions only through it and never imports the SDK: user modules import their
 * own SDK instance, and the runtime must not depend on which one.
 */
const DEFINITION = Symbol.for("bifrost.definition");

const DEFINITION_TYPES = new Set<DiscoveredDefinition["type"]>(["workflow", "tool", "data_provider"]);

type ParseOutcome =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; issues: Array<{ path: string; message: string }> };

/** The version-1 shape of the SDK's `DefinitionInternals`, as far as the runtime uses it. */
export type DefinitionInternals = {
  readonly version: 1;
  readonly type: string;
  readonly name: unknown;
  readonly description: unknown;
  readonly category: unknown;
  readonly tags: unknown;
  parametersSchema(): Record<string, unknown>;
  parse(input: unknown): ParseOutcome;
  run(params: Record<string, unknown>, ctx: unknown): Promise<unknown>;
};

/** The definition an export carries, or null (any value, even a Proxy that throws, is safe to pass). */
export function definitionOf(value: unknown): DefinitionInternals | null {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return null;
  try {
    const internals = (value as Record<symbol, unknown>)[DEFINITION];
    if (internals === null || typeof internals !== "object") return null;
    return (internals as { version?: unknown }).version === 1 ? (internals as DefinitionInternals) : null;
  } catch {
    return null;
  }
}

export const importModule = (modulePath: string): Promise<Record<string, unknown>> =>
  import(pathToFileURL(modulePath).href) as Promise<Record<string, unknown>>;

const optionalText = (value: unknown): string | null => (typeof value === "string" ? value : null);

/**
 * Describes the definitions a module exports. A module that throws while loading yields no
 * definitions and the message (a stack would show the server's paths).
 */
export async function discoverModule(
  modulePath: string,
): Promise<{ definitions: DiscoveredDefinition[]; error: string | null }> {
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(modulePath);
  } catch (error) {
    return { definitions: [], error: errorMessage(error) };
  }
  const definitions: DiscoveredDefinition[] = [];
  const problems: string[] = [];
  for (const exportName of Object.keys(namespace)) {
    const internals = definitionOf(namespace[exportName]);
    if (!internals) continue;
    try {
      const type = internals.type as DiscoveredDefinition["type"];
      if (!DEFINITION_TYPES.has(type)) throw new Error(`unknown definition type ${String(type)}`);
      const tags = Array.isArray(internals.tags) ? internals.tags : [];
      // A JSON round trip: the schema crosses IPC as JSON, so it must be JSON now.
      const parametersSchema: unknown = JSON.parse(JSON.stringify(internals.parametersSchema()) ?? "null");
      if (
        parametersSchema === null ||
        typeof parametersSchema !== "object" ||
        Array.isArray(parametersSchema)
      )
        throw new Error("parametersSchema() did not return a JSON Schema object");
      definitions.push({
        exportName,
        type,
        name: optionalText(internals.name) ?? exportName,
        description: optionalText(internals.description),
        category: optionalText(internals.category),
        tags: tags.filter((tag): tag is string => typeof tag === "string"),
        parametersSchema: parametersSchema as Record<string, unknown>,
      });
    } catch (error) {
      problems.push(`${exportName}: ${errorMessage(error)}`);
    }
  }
  return { definitions, error: problems.length > 0 ? problems.join("; ") : null };
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return "unknown error";
  }
}
