import { z } from "zod";
import type { WorkflowContext } from "./context.js";

/** What a definition is: its type decides where it shows up (runs, MCP tools, form data sources). */
export type DefinitionType = "workflow" | "tool" | "data_provider";

/**
 * Where the platform finds what it needs on an exported definition. A well-known symbol, not an
 * import: the discovery and run code of the platform reads it without sharing a module instance
 * with user code.
 */
export const DEFINITION = Symbol.for("bifrost.definition");

export type ParamsSchema = z.ZodObject;
/** The params of a definition that declares none. */
export type NoParams = z.ZodObject<Record<string, never>>;

/** A validation problem of the input, by field path (`a.b.0`), as the platform reports it. */
export type InputIssue = { path: string; message: string };

/** The platform's view of a definition (version 1). Not part of the author-facing API. */
export type DefinitionInternals = {
  readonly version: 1;
  readonly type: DefinitionType;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly category: string | undefined;
  readonly tags: readonly string[];
  /** JSON Schema of the *input*: parameters with a default are optional. */
  parametersSchema(): Record<string, unknown>;
  parse(input: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; issues: InputIssue[] };
  run(params: Record<string, unknown>, ctx: WorkflowContext): Promise<unknown>;
};

export type DefinitionOptions<P extends ParamsSchema, R> = {
  /** Defaults to the export name (`export const hello = workflow(...)` is `hello`). */
  name?: string;
  description?: string;
  category?: string;
  tags?: string[];
  /** A zod object; none means an empty object. */
  params?: P;
  run(params: z.output<P>, ctx: WorkflowContext): R | Promise<R>;
};

export type Definition<P extends ParamsSchema, R> = {
  readonly type: DefinitionType;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly params: P;
  readonly run: (params: z.output<P>, ctx: WorkflowContext) => R | Promise<R>;
  readonly [DEFINITION]: DefinitionInternals;
};

export type WorkflowDefinition<P extends ParamsSchema = ParamsSchema, R = unknown> = Definition<P, R> & {
  readonly type: "workflow";
};
export type ToolDefinition<P extends ParamsSchema = ParamsSchema, R = unknown> = Definition<P, R> & {
  readonly type: "tool";
};
/** One option of a data provider's result: what a select field offers. */
export type DataProviderOption = { label: string; value: string | number | boolean; [key: string]: unknown };
export type DataProviderDefinition<
  P extends ParamsSchema = ParamsSchema,
  R extends DataProviderOption[] = DataProviderOption[],
> = Definition<P, R> & { readonly type: "data_provider" };

const issuePath = (path: readonly PropertyKey[]): string => path.map(String).join(".");

function define<P extends ParamsSchema, R>(type: DefinitionType, options: DefinitionOptions<P, R>) {
  if (typeof options.run !== "function") throw new TypeError(`${type}() needs a run(params, ctx) function`);
  const params = (options.params ?? z.object({})) as P;
  if (!(params instanceof z.ZodObject)) throw new TypeError(`${type}() params must be a z.object({...})`);
  const internals: DefinitionInternals = {
    version: 1,
    type,
    name: options.name,
    description: options.description,
    category: options.category,
    tags: options.tags ?? [],
    parametersSchema: () => z.toJSONSchema(params, { io: "input", unrepresentable: "any" }),
    parse(input) {
      const parsed = params.safeParse(input ?? {});
      if (parsed.success) return { ok: true, value: parsed.data };
      return {
        ok: false,
        issues: parsed.error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message })),
      };
    },
    run: async (input, ctx) => await options.run(input as z.output<P>, ctx),
  };
  return {
    type,
    name: options.name,
    description: options.description,
    params,
    run: (input: z.output<P>, ctx: WorkflowContext) => options.run(input, ctx),
    [DEFINITION]: internals,
  };
}

/** A workflow: runs on demand, from forms, schedules, webhooks and endpoints. */
export function workflow<P extends ParamsSchema = NoParams, R = unknown>(
  options: DefinitionOptions<P, R>,
): WorkflowDefinition<P, R> {
  return define("workflow", options) as WorkflowDefinition<P, R>;
}

/** A tool: a workflow that AI agents may call through MCP. */
export function tool<P extends ParamsSchema = NoParams, R = unknown>(
  options: DefinitionOptions<P, R>,
): ToolDefinition<P, R> {
  return define("tool", options) as ToolDefinition<P, R>;
}

/** A data provider: returns the options of a form's select field; always runs synchronously. */
export function dataProvider<
  P extends ParamsSchema = NoParams,
  R extends DataProviderOption[] = DataProviderOption[],
>(options: DefinitionOptions<P, R>): DataProviderDefinition<P, R> {
  return define("data_provider", options) as DataProviderDefinition<P, R>;
}
