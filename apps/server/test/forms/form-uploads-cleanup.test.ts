import { randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { MIGRATIONS_FOLDER } from "../../src/db/database.js";
import { formUploads } from "../../src/db/schema/index.js";
import { createLogger } from "../../src/infra/logger.js";
import { FormUploadsRepository } from "../../src/repositories/form-uploads.js";
import { startScheduler } from "../../src/roles/scheduler.js";
import { FormUploadsCleanup } from "../../src/services/forms/form-uploads-cleanup.js";
import { TEST_SECRET_KEY } from "../support/app.js";
import { createTestContext, type TestContext } from "../support/context.js";
import { createTestDatabase } from "../support/database.js";
import { eventually } from "../support/server-process.js";
import { workflowId, writeWorkspaceFile } from "../workspace/workspace-fixtures.js";
import { createForm, FORM_WORKFLOWS, uploadFile } from "./forms-fixtures.js";

// Issue 17, point 4: form uploads that no submission references are deleted 24 h after they were
// sent; the ones a submission references, and younger ones, stay.

const HOUR = 3600_000;
const logger = createLogger({ level: "silent", role: "test" });

describe("form uploads cleanup", () => {
  let ctx: TestContext;
  let formId: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    const onboard = workflowId(
      await writeWorkspaceFile(ctx.admin, "forms/onboarding.ts", FORM_WORKFLOWS),
      "onboard",
    );
    formId = await createForm(ctx.admin, {
      name: "Contracts",
      workflowId: onboard,
      organizationId: ctx.orgA.id,
      accessLevel: "role_based",
      roleIds: [ctx.roleId],
      fields: [
        { name: "email", label: "E-mail", type: "email", required: true },
        { name: "licence", label: "Licence", type: "text", required: true },
        { name: "contract", label: "Contract", type: "file", validation: { allowedTypes: ["text/plain"] } },
      ],
    });
  }, 60_000);
  afterAll(async () => ctx?.close());

  const user = () => ctx.orgA.withRole;
  const keyOf = (filePath: string) => `uploads/orgs/${ctx.orgA.id}/${filePath}`;
  const exists = (filePath: string) => ctx.app.files.exists(keyOf(filePath));
  /** Sets a stored file's modification time, as if it had been sent then. */
  const touch = (filePath: string, at: number) => {
    const file = path.join(ctx.app.filesDir, ...keyOf(filePath).split("/"));
    utimesSync(file, new Date(at), new Date(at));
  };
  /** Submits the form with this upload: the submission references it. */
  const submit = async (filePath: string) => {
    const response = await user().request("POST", `/api/forms/${formId}/execute`, {
      values: { email: "a@contoso.example", licence: "E3", contract: { path: filePath } },
    });
    expect(response.statusCode, response.body).toBe(202);
  };

  /** The job's function at `now` (epoch ms), on the app's file store and database. */
  const cleanupAt = (now: number) =>
    new FormUploadsCleanup({
      files: ctx.app.files,
      uploads: new FormUploadsRepository(ctx.app.database.db),
      clock: { now: () => now },
      logger,
      options: { intervalMs: HOUR },
    }).cleanup();

  it("an unreferenced upload is deleted once it is 24 h old; a referenced one and a younger one stay", async () => {
    const start = Date.now();
    const referenced = await uploadFile(ctx, user(), formId, "kept: submitted");
    const abandoned = await uploadFile(ctx, user(), formId, "gone: picked, never submitted");
    const later = await uploadFile(ctx, user(), formId, "sent two hours after the others");
    touch(later, start + 2 * HOUR);
    await submit(referenced);

    expect(await cleanupAt(start + 23 * HOUR)).toBe(0);
    for (const kept of [referenced, abandoned, later]) expect(await exists(kept), kept).toBe(true);

    expect(await cleanupAt(start + 25 * HOUR)).toBe(1);
    expect(await exists(abandoned)).toBe(false);
    expect(await exists(referenced)).toBe(true);
    expect(await exists(later)).toBe(true);
    const records = await ctx.app.database.db
      .select({ storeKey: formUploads.storeKey, referencedAt: formUploads.referencedAt })
      .from(formUploads)
      .where(inArray(formUploads.storeKey, [referenced, abandoned].map(keyOf)));
    expect(records.map((record) => [record.storeKey, record.referencedAt instanceof Date])).toEqual([
      [keyOf(referenced), true],
    ]);
    // A repeated pass finds nothing more to do.
    expect(await cleanupAt(start + 25 * HOUR)).toBe(0);

    // Not submitted either, a day after it was sent: gone too. The submitted one stays for good.
    expect(await cleanupAt(start + 27 * HOUR)).toBe(1);
    expect(await exists(later)).toBe(false);
    expect(await cleanupAt(start + 400 * 24 * HOUR)).toBe(0);
    expect(await exists(referenced)).toBe(true);
  });

  it("the scheduler (bifrost-server start and the scheduler role) deletes expired unreferenced uploads when it starts", async () => {
    const referenced = await uploadFile(ctx, user(), formId, "kept: submitted");
    const abandoned = await uploadFile(ctx, user(), formId, "gone: never submitted");
    const fresh = await uploadFile(ctx, user(), formId, "kept: sent an hour ago");
    await submit(referenced);
    // Sent before this version tracked uploads: no record at all.
    const untracked = `forms/${formId}/${randomUUID()}/old.txt`;
    await ctx.app.files.put(keyOf(untracked), "gone: never submitted either");
    // A file a workflow wrote to the uploads location itself, outside any form's folder.
    const ownFile = "reports/2026.csv";
    await ctx.app.files.put(keyOf(ownFile), "kept: not a form upload");
    const dayAgo = Date.now() - 25 * HOUR;
    for (const filePath of [referenced, abandoned, untracked, ownFile]) touch(filePath, dayAgo);
    touch(fresh, Date.now() - HOUR);

    const config = loadConfig("scheduler", { BIFROST_SECRET_KEY: TEST_SECRET_KEY });
    const scheduler = await startScheduler(config, logger, {
      database: ctx.app.database,
      queue: ctx.app.queue,
      bus: ctx.app.bus,
      files: ctx.app.files,
      probes: [],
      close: () => Promise.resolve(),
    });
    try {
      await eventually(
        async () => ((await exists(abandoned)) || (await exists(untracked)) ? undefined : true),
        {
          timeoutMs: 15_000,
          what: "the scheduler's cleanup to delete the expired unreferenced uploads",
        },
      );
    } finally {
      await scheduler.close();
    }
    for (const kept of [referenced, fresh, ownFile]) expect(await exists(kept), kept).toBe(true);
  });
});

describe("uploads submitted before form uploads were recorded", () => {
  it("the migration records the uploads earlier form runs referenced, so the cleanup keeps them", async () => {
    const database = await createTestDatabase({ migrated: false });
    // The migrations up to the one before form_uploads: a database of the previous version.
    const previous = mkdtempSync(path.join(tmpdir(), "bifrost-migrations-"));
    cpSync(MIGRATIONS_FOLDER, previous, { recursive: true });
    const journalFile = path.join(previous, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: Array<{ tag: string }> };
    const upTo = journal.entries.findIndex((entry) => entry.tag.endsWith("_form_uploads"));
    expect(upTo).toBeGreaterThan(0);
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const db = drizzle({ client, casing: "snake_case" });
      await migrate(db, { migrationsFolder: previous });
      const org = "00000000-0000-0000-0000-000000000002";
      const workflow = randomUUID();
      await client.query(
        `insert into workflows (id, name, type, path, export_name, parameters_schema)
         values ($1, 'onboard', 'workflow', 'forms/onboarding.ts', 'onboard', '{}')`,
        [workflow],
      );
      const formId = randomUUID();
      const submitted = `forms/${formId}/${randomUUID()}/contract.pdf`;
      const run = (triggeredBy: string, input: object) =>
        client.query(
          `insert into executions (workflow_id, workflow_name, status, organization_id, executed_by_name,
             triggered_by, input_data) values ($1, 'onboard', 'Success', $2, 'Ann', $3, $4)`,
          [workflow, org, triggeredBy, JSON.stringify(input)],
        );
      await run("form", { email: "a@contoso.example", contract: { path: submitted }, note: { path: "x" } });
      await run("form", { contract: { path: "forms/not-a-form-id/x/y.txt" } });
      await run("user", { contract: { path: `forms/${randomUUID()}/${randomUUID()}/direct.txt` } });

      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
      const rows = await client.query<{ store_key: string; form_id: string; field_name: string }>(
        "select store_key, form_id, field_name from form_uploads where referenced_at is not null",
      );
      expect(rows.rows).toEqual([
        { store_key: `uploads/orgs/${org}/${submitted}`, form_id: formId, field_name: "contract" },
      ]);
    } finally {
      await client.end();
      await database.drop();
      rmSync(previous, { recursive: true, force: true });
    }
  });
});
