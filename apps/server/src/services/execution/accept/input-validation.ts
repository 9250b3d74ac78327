import { z } from "zod";
import type { FieldError } from "@bifrost/contracts";
import { ValidationError } from "../../../errors.js";
import { containsNul } from "../postgres-text.js";

type ValidatedWorkflow = { id: string; updatedAt: Date; parametersSchema: Record<string, unknown> };

type Validator = { parse(input: unknown): FieldError[] };

const MAX_CACHED = 2_000;

/**
 * Checks run input against a workflow's stored parameter schema (JSON Schema made by the SDK from
 * its zod object) before anything is queued. Validators are built once per workflow version.
 */
export class InputValidator {
  private readonly cache = new Map<string, Validator>();

  /**
   * 422 before anything is queued (or run locally): NUL characters (PostgreSQL refuses them), then
   * the schema.
   */
  check(workflow: ValidatedWorkflow, inputData: Record<string, unknown>): void {
    if (containsNul(inputData)) {
      throw new ValidationError("The input holds a NUL character", [
        { path: "body.inputData", message: "text must not contain the NUL character (\\u0000)" },
      ]);
    }
    const fields = this.validate(workflow, inputData);
    if (fields.length > 0)
      throw new ValidationError("The input does not match the workflow's parameters", fields);
  }

  validate(workflow: ValidatedWorkflow, input: Record<string, unknown>): FieldError[] {
    const key = `${workflow.id}:${workflow.updatedAt.getTime()}`;
    let validator = this.cache.get(key);
    if (!validator) {
      validator = build(workflow.parametersSchema);
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, validator);
    }
    return validator.parse(input);
  }
}

function build(schema: Record<string, unknown>): Validator {
  let zodSchema: z.ZodType;
  try {
    zodSchema = z.fromJSONSchema(schema);
  } catch {
    // A schema zod cannot rebuild is checked by the SDK inside the run instead.
    return { parse: () => [] };
  }
  return {
    parse(input) {
      const result = zodSchema.safeParse(input);
      if (result.success) return [];
      // The SDK's e-mail schema also carries its pattern: one message per field is enough.
      const byPath = new Map<string, FieldError>();
      for (const issue of result.error.issues) {
        const path = ["body", "inputData", ...issue.path.map(String)].join(".");
        if (!byPath.has(path)) byPath.set(path, { path, message: issue.message });
      }
      return [...byPath.values()];
    },
  };
}
