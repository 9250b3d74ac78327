import { describe, expect, expectTypeOf, it } from "vitest";
import { DEFINITION } from "../src/internal.js";
import {
  dataProvider,
  tool,
  UserError,
  workflow,
  z,
  type DataProviderOption,
  type WorkflowContext,
} from "../src/index.js";

const onboard = workflow({
  description: "Onboard a user",
  category: "Onboarding",
  tags: ["m365"],
  params: z.object({
    email: z.email(),
    licence: z.enum(["E3", "E5"]).default("E3"),
    seats: z.number().int().optional(),
  }),
  run({ email, licence, seats }, ctx) {
    expectTypeOf(email).toEqualTypeOf<string>();
    expectTypeOf(licence).toEqualTypeOf<"E3" | "E5">();
    expectTypeOf(seats).toEqualTypeOf<number | undefined>();
    expectTypeOf(ctx).toEqualTypeOf<WorkflowContext>();
    return { email, licence };
  },
});

describe("definitions", () => {
  it("carry what the platform reads, under the well-known symbol", () => {
    const internals = onboard[DEFINITION];
    expect(internals).toMatchObject({
      version: 1,
      type: "workflow",
      name: undefined,
      description: "Onboard a user",
      category: "Onboarding",
      tags: ["m365"],
    });
    expect(DEFINITION).toBe(Symbol.for("bifrost.definition"));
    expect(tool({ run: () => 1 })[DEFINITION].type).toBe("tool");
    expect(dataProvider({ run: () => [] })[DEFINITION].type).toBe("data_provider");
  });

  it("describe their input as JSON Schema: parameters with a default are optional", () => {
    const schema = onboard[DEFINITION].parametersSchema();
    expect(schema).toMatchObject({
      type: "object",
      properties: {
        email: { type: "string", format: "email" },
        licence: { enum: ["E3", "E5"], default: "E3" },
      },
      required: ["email"],
    });
  });

  it("parse input with zod: defaults applied, problems listed by field", () => {
    expect(onboard[DEFINITION].parse({ email: "a@b.co" })).toEqual({
      ok: true,
      value: { email: "a@b.co", licence: "E3" },
    });
    const bad = onboard[DEFINITION].parse({ email: "nope", licence: "E9" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.path).sort()).toEqual(["email", "licence"]);
  });

  it("without params take an empty object", () => {
    const bare = workflow({ run: (params) => params });
    expectTypeOf(bare.run).parameter(0).toEqualTypeOf<Record<string, never>>();
    expect(bare[DEFINITION].parametersSchema()).toMatchObject({ type: "object", properties: {} });
  });

  it("refuse what is not a definition", () => {
    expect(() => workflow({} as never)).toThrow(/run/);
    expect(() => workflow({ params: z.string() as never, run: () => 1 })).toThrow(/z\.object/);
  });

  it("type data providers' options and the run's return value", () => {
    const options = dataProvider({ run: () => [{ label: "E3", value: "E3" }] });
    expectTypeOf(options.run).returns.toExtend<DataProviderOption[] | Promise<DataProviderOption[]>>();
    // @ts-expect-error -- a data provider returns options, not a string
    dataProvider({ run: () => "not options" });
  });

  it("UserError is an Error whose name says it is the user's", () => {
    const error = new UserError("Microsoft is not connected for this customer");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("UserError");
  });
});
