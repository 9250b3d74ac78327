/**
 * What "New workflow" starts from (issue 26): each a complete, working file that type-checks against
 * the SDK, named after the workflow (`__NAME__` is replaced by it).
 */
export type Template = { id: string; title: string; description: string; code: string };

export const TEMPLATES: readonly Template[] = [
  {
    id: "hello",
    title: "Hello world with parameters",
    description: "Parameters become the run form; the log shows live; the result is returned.",
    code: `import { workflow, z } from "@bifrost/sdk";

export const __NAME__ = workflow({
  description: "Greets someone",
  params: z.object({
    name: z.string().min(1).describe("Who to greet"),
    times: z.number().int().min(1).max(5).default(1).describe("How many greetings"),
  }),
  async run({ name, times }, ctx) {
    for (let i = 0; i < times; i++) ctx.log.info(\`Hello, \${name}!\`);
    return { greeting: \`Hello, \${name}!\` };
  },
});
`,
  },
  {
    id: "http",
    title: "Call an HTTP API with a secret",
    description: "Reads the API's address and its key (a secret) from Config, then calls it.",
    code: `import { config, UserError, workflow, z } from "@bifrost/sdk";

/** Set \`api_base_url\` and the secret \`api_key\` under Config & secrets first. */
export const __NAME__ = workflow({
  description: "Calls an HTTP API with a key kept as a secret",
  params: z.object({ path: z.string().default("/status").describe("Path to call on the API") }),
  async run({ path }, ctx) {
    const baseUrl = await config.get<string>("api_base_url");
    // A secret's value is redacted from logs and results.
    const apiKey = await config.get<string>("api_key");
    if (!baseUrl || !apiKey) throw new UserError("Set api_base_url and the secret api_key in Config first");
    const response = await fetch(new URL(path, baseUrl), {
      headers: { authorization: \`Bearer \${apiKey}\` },
      signal: ctx.signal,
    });
    if (!response.ok) throw new UserError(\`The API answered \${response.status}\`);
    return (await response.json()) as unknown;
  },
});
`,
  },
  {
    id: "table",
    title: "Write to a table",
    description: "Stores a document in the organization's own table (created on first use).",
    code: `import { tables, workflow, z } from "@bifrost/sdk";

export const __NAME__ = workflow({
  description: "Records a note in the organization's notes table",
  params: z.object({ text: z.string().min(1).describe("The note") }),
  async run({ text }, ctx) {
    const note = await tables.insert("notes", { text, by: ctx.caller.email });
    ctx.log.info(\`Saved note \${note.id}\`);
    return note;
  },
});
`,
  },
  {
    id: "data-provider",
    title: "Data provider",
    description: "The options of a form's select field, computed when the form opens.",
    code: `import { dataProvider } from "@bifrost/sdk";

export const __NAME__ = dataProvider({
  description: "The customer's sites, for a form's select field",
  async run() {
    return [
      { label: "Berlin", value: "ber" },
      { label: "Lisbon", value: "lis" },
    ];
  },
});
`,
  },
  {
    id: "scheduled",
    title: "Scheduled job",
    description: "A job without parameters, for Triggers → Schedules (e.g. every day at 07:00).",
    code: `import { workflow } from "@bifrost/sdk";

/** Schedule it under Triggers → Schedules, e.g. \`0 7 * * *\` for every day at 07:00. */
export const __NAME__ = workflow({
  description: "A daily job",
  async run(_params, ctx) {
    ctx.log.info(\`Running for \${ctx.organization.name} (\${ctx.triggeredBy})\`);
    return { ranAt: new Date().toISOString() };
  },
});
`,
  },
];

export const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export const codeOf = (template: Template, name: string): string =>
  template.code.replaceAll("__NAME__", name);
