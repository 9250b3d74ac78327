import type { Diagnostic, Workflow } from "@bifrost/contracts";
import type { ApiError } from "../../api/client.js";
import { fetchAllPages } from "../../api/queries.js";
import { unwrap } from "../../components/json-schema-form/schema.js";

/** A top-level `export const name = workflow(…)` (or `tool(…)`, `dataProvider(…)`) of a file. */
export type Definition = {
  exportName: string;
  kind: "workflow" | "tool" | "dataProvider";
  /** Offset of the `export` keyword. */
  from: number;
  /** Offset just past the block's closing `})` line; the next definition's start if none is found. */
  to: number;
};

const START =
  /^export\s+const\s+([A-Za-z_$][\w$]*)\s*(?::[^=\n]*)?=\s*(workflow|tool|dataProvider)\s*(?:<[^\n]*>)?\s*\(/gm;
/** A definition's call closes with `})` at the start of a line (the SDK's formatting). */
const CLOSE = /^\}\)[^\n]*$/m;

/** The definitions of a file, by a plain scan of the text (no parser: good enough for a cursor). */
export function definitionsIn(text: string): Definition[] {
  const starts = [...text.matchAll(START)].map((match) => ({
    exportName: match[1] ?? "",
    kind: match[2] as Definition["kind"],
    from: match.index,
  }));
  return starts.map((start, i) => {
    const limit = starts[i + 1]?.from ?? text.length;
    const body = text.slice(start.from, limit);
    const close = CLOSE.exec(body);
    const to = close ? start.from + close.index + close[0].length : limit;
    return { ...start, to };
  });
}

/** The definition whose text encloses `offset`, if any. */
export function definitionAt(text: string, offset: number): Definition | undefined {
  return definitionsIn(text).find((d) => offset >= d.from && offset <= d.to);
}

/** The compile diagnostics of a refused save (422 `details.diagnostics`). */
export function diagnosticsOf(error: ApiError): Diagnostic[] {
  const details = error.details as { diagnostics?: Diagnostic[] } | undefined;
  return Array.isArray(details?.diagnostics) ? details.diagnostics : [];
}

/** The active definition `exportName` of `path`, read through every page of `GET /api/workflows`. */
export async function findWorkflow(path: string, exportName: string): Promise<Workflow | undefined> {
  const workflows = await fetchAllPages<Workflow>("/api/workflows");
  return workflows.find((w) => w.isActive && w.path === path && w.exportName === exportName);
}

export function hasParameters(workflow: Workflow): boolean {
  return Object.keys(unwrap(workflow.parametersSchema).properties ?? {}).length > 0;
}
