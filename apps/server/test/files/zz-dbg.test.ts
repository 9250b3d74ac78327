import { expect, it } from "vitest";
import { createEngine } from "../support/engine.js";
const W = `
import { files, workflow } from "@bifrost/sdk";
export const one = workflow({
  async run() {
    try { await files.read("../x"); return "ok"; } catch (e) { return String((e as { status: number }).status); }
  },
});
`;
it("dbg", async () => {
  const engine = await createEngine();
  const defined = await engine.writeWorkflow("d.ts", W);
  const r = await engine.execute(engine.admin, { workflowName: "one", inputData: {}, sync: false, organizationId: engine.orgA.id });
  const id = r.json<{ executionId: string }>().executionId;
  await new Promise((res) => setTimeout(res, 8000));
  const e = await engine.admin.request("GET", `/api/executions/${id}`);
  console.log(e.body);
  const l = await engine.admin.request("GET", `/api/executions/${id}/logs`);
  console.log(l.body);
  await engine.close();
}, 60000);
