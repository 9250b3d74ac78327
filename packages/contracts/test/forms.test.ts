import { describe, expect, it } from "vitest";
import { isVisible, visibleFieldNames, visibleWhenSchema, type VisibleWhen } from "../src/forms.js";

describe("visibleWhen", () => {
  const values = { kind: "pro", seats: 5, tags: ["a"], empty: "", none: null, list: [] };

  it("leaf tests: equals, notEquals, in, isSet; several tests must all pass", () => {
    const cases: Array<[VisibleWhen, boolean]> = [
      [{ field: "kind", equals: "pro" }, true],
      [{ field: "kind", equals: "basic" }, false],
      [{ field: "seats", equals: "5" }, false],
      [{ field: "tags", equals: ["a"] }, true],
      [{ field: "kind", notEquals: "basic" }, true],
      [{ field: "missing", notEquals: "x" }, true],
      [{ field: "kind", in: ["basic", "pro"] }, true],
      [{ field: "kind", in: [] }, false],
      [{ field: "kind", isSet: true }, true],
      [{ field: "empty", isSet: true }, false],
      [{ field: "none", isSet: false }, true],
      [{ field: "list", isSet: false }, true],
      [{ field: "missing", isSet: false }, true],
      [{ field: "kind", equals: "pro", isSet: false }, false],
    ];
    for (const [condition, expected] of cases)
      expect(isVisible(condition, values), JSON.stringify(condition)).toBe(expected);
  });

  it("all, any and not combine conditions; no condition is visible", () => {
    expect(
      isVisible(
        {
          all: [
            { field: "kind", equals: "pro" },
            { field: "seats", in: [5] },
          ],
        },
        values,
      ),
    ).toBe(true);
    expect(
      isVisible(
        {
          all: [
            { field: "kind", equals: "pro" },
            { field: "seats", in: [6] },
          ],
        },
        values,
      ),
    ).toBe(false);
    expect(
      isVisible(
        {
          any: [
            { field: "kind", equals: "x" },
            { field: "seats", equals: 5 },
          ],
        },
        values,
      ),
    ).toBe(true);
    expect(isVisible({ not: { any: [{ field: "kind", equals: "x" }] } }, values)).toBe(true);
    expect(isVisible(undefined, values)).toBe(true);
    expect(isVisible(null, values)).toBe(true);
  });

  it("never reaches the prototype: a field named like an Object method is simply unset", () => {
    expect(isVisible({ field: "constructor", isSet: false }, {})).toBe(true);
    expect(isVisible({ field: "__proto__", isSet: false }, {})).toBe(true);
  });

  it("the schema accepts the grammar only: no code, no unknown keys, no empty tests, bounded depth", () => {
    expect(
      visibleWhenSchema.safeParse({ all: [{ field: "a", equals: 1 }, { not: { field: "b", isSet: true } }] })
        .success,
    ).toBe(true);
    for (const bad of [
      "values.a === 1",
      { field: "a" },
      { field: "a", equals: 1, eval: "x" },
      { all: [] },
      { not: [] },
      { field: "a", in: "x" },
    ]) {
      expect(visibleWhenSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    let deep: VisibleWhen = { field: "a", isSet: true };
    for (let i = 0; i < 20; i++) deep = { not: deep };
    expect(visibleWhenSchema.safeParse(deep).success).toBe(false);
  });

  it("a field hidden by a condition does not show the fields that depend on its value", () => {
    const fields = [
      { name: "a", visibleWhen: null },
      { name: "b", visibleWhen: { field: "a", equals: true } },
      { name: "c", visibleWhen: { field: "b", equals: "x" } },
    ];
    expect([...visibleFieldNames(fields, { a: true, b: "x" })]).toEqual(["a", "b", "c"]);
    expect([...visibleFieldNames(fields, { a: false, b: "x" })]).toEqual(["a"]);
  });
});
