import { expect } from "vitest";
import type { Engine } from "../support/engine.js";
import type { Client, TestContext } from "../support/context.js";

/** The workflows behind the test forms; none is runnable directly by organization users (role_based). */
export const FORM_WORKFLOWS = `
import { dataProvider, files, workflow, z } from "@bifrost/sdk";

export const onboard = workflow({
  params: z.object({
    email: z.string(),
    licence: z.string(),
    manager: z.string().optional(),
    contract: z.object({ path: z.string() }).optional(),
  }),
  async run(params) {
    const text = params.contract ? await files.read(params.contract.path, { location: "uploads" }) : null;
    return { params, text };
  },
});

export const licences = dataProvider({
  params: z.object({ tier: z.string().default("basic") }),
  run: ({ tier }) =>
    tier === "pro"
      ? [{ label: "E5", value: "E5" }, { label: "E3", value: "E3" }]
      : [{ label: "E3", value: "E3" }],
});

export const prefill = workflow({
  params: z.object({ customer: z.string().optional() }),
  run: ({ customer }) => ({ customer: customer ?? null }),
});

export const trivial = workflow({ run: () => "ok" });
`;

export type FormWorkflowIds = Record<"onboard" | "licences" | "prefill" | "trivial", string>;

export async function writeFormWorkflows(engine: Engine): Promise<FormWorkflowIds> {
  const defined = await engine.writeWorkflow("forms/onboarding.ts", FORM_WORKFLOWS);
  const id = (name: string) => defined.find((w) => w.name === name)?.id ?? "";
  return { onboard: id("onboard"), licences: id("licences"), prefill: id("prefill"), trivial: id("trivial") };
}

/** The onboarding form: a data-provider select, a field shown on a condition, and a file field. */
export const onboardingForm = (ids: FormWorkflowIds, organizationId: string, roleId: string) => ({
  name: "Onboard a user",
  workflowId: ids.onboard,
  launchWorkflowId: ids.prefill,
  organizationId,
  accessLevel: "role_based",
  roleIds: [roleId],
  allowedQueryParams: ["customer"],
  fields: [
    { name: "email", label: "E-mail", type: "email", required: true },
    {
      name: "tier",
      label: "Tier",
      type: "select",
      required: true,
      options: [
        { label: "Basic", value: "basic" },
        { label: "Pro", value: "pro" },
      ],
    },
    {
      name: "licence",
      label: "Licence",
      type: "select",
      required: true,
      dataProvider: { workflowId: ids.licences, inputs: { tier: "{{ tier }}" } },
    },
    { name: "hasManager", label: "Has a manager", type: "checkbox" },
    {
      name: "manager",
      label: "Manager",
      type: "text",
      required: true,
      visibleWhen: { field: "hasManager", equals: true },
      validation: { minLength: 2 },
    },
    {
      name: "contract",
      label: "Contract",
      type: "file",
      validation: { maxSize: 1000, allowedTypes: ["text/*"] },
    },
    { name: "note", label: "Note", type: "textarea" },
  ],
});

export async function createForm(admin: Client, body: object): Promise<string> {
  const created = await admin.request("POST", "/api/forms", body);
  expect(created.statusCode, created.body).toBe(201);
  return created.json<{ id: string }>().id;
}

/** Uploads `content` through the form's upload route and the signed URL; answers the path. */
export async function uploadFile(
  engine: Pick<TestContext, "app">,
  client: Client,
  formId: string,
  content: string,
) {
  const asked = await client.request("POST", `/api/forms/${formId}/upload`, {
    fieldName: "contract",
    fileName: "contract.txt",
    contentType: "text/plain",
    size: Buffer.byteLength(content),
  });
  expect(asked.statusCode, asked.body).toBe(200);
  const { uploadUrl, path } = asked.json<{ uploadUrl: string; path: string }>();
  const url = new URL(uploadUrl);
  const put = await engine.app.app.inject({
    method: "PUT",
    url: url.pathname + url.search,
    payload: content,
    headers: { "content-type": "text/plain" },
  });
  expect(put.statusCode, put.body).toBe(200);
  return path;
}
