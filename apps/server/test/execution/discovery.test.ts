import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverDefinitions } from "../../src/services/execution/pool/discovery.js";
import { childProcesses, createTestWorkspace, type TestWorkspace } from "./fixtures/sandbox-workspace.js";

let workspace: TestWorkspace;

beforeAll(async () => {
  workspace = await createTestWorkspace();
  await workspace.addVersion("v1");
});
afterAll(async () => {
  await workspace?.remove();
});

const discover = (file: string, timeoutMs?: number) =>
  discoverDefinitions({
    runtimeDir: workspace.runtimeDir,
    compiledRoot: workspace.compiledRoot,
    modulePath: workspace.modulePath("v1", file),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });

describe("discovering the definitions of a module", () => {
  it("describes each exported definition with the JSON Schema of its input", async () => {
    const { definitions, error } = await discover("discovery.mjs");
    expect(error).toBeNull();
    expect(definitions.map((d) => d.exportName).sort()).toEqual([
      "licenceOptions",
      "lookupTicket",
      "onboardUser",
    ]);
    const byExport = Object.fromEntries(definitions.map((d) => [d.exportName, d]));
    expect(byExport.onboardUser).toMatchObject({
      type: "workflow",
      name: "Onboard user",
      description: "Creates the user in the customer's tenant",
      category: "Onboarding",
      tags: ["m365", "users"],
      parametersSchema: {
        type: "object",
        properties: {
          email: { type: "string", format: "email" },
          licence: { type: "string", enum: ["E3", "E5"], default: "E3" },
        },
        // A parameter with a default is optional in the input.
        required: ["email"],
      },
    });
    expect(byExport.lookupTicket).toMatchObject({
      type: "tool",
      name: "lookupTicket",
      description: "Finds a ticket by number",
      category: null,
      tags: [],
      parametersSchema: { properties: { number: { type: "integer" } }, required: ["number"] },
    });
    expect(byExport.licenceOptions).toMatchObject({
      type: "data_provider",
      name: "licenceOptions",
      description: null,
      parametersSchema: { type: "object", properties: {} },
    });
  });

  it("reports a module that throws while loading by its message, without a stack", async () => {
    const outcome = await discover("throws-on-load.mjs");
    expect(outcome).toEqual({ definitions: [], error: "configuration missing at load time" });
  });

  it("reports a missing module", async () => {
    const outcome = await discover("missing.mjs");
    expect(outcome.definitions).toEqual([]);
    expect(outcome.error).toMatch(/Cannot find module/);
  });

  it("times out on a module that never finishes loading, and kills its process", async () => {
    const before = childProcesses();
    const started = Date.now();
    const outcome = await discover("hangs-on-load.mjs", 1_000);
    expect(outcome).toEqual({ definitions: [], error: "discovery timed out after 1000 ms" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(childProcesses().filter((child) => !before.some((b) => b.pid === child.pid))).toEqual([]);
  });

  it("leaves no child process behind", async () => {
    const before = childProcesses();
    await Promise.all([discover("discovery.mjs"), discover("throws-on-load.mjs"), discover("missing.mjs")]);
    expect(childProcesses()).toEqual(before);
  });
});
