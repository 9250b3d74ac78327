import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../support/engine.js";

const WORKFLOWS = `
import { files, workflow, z, NotFoundError } from "@bifrost/sdk";

export const filesRoundTrip = workflow({
  async run() {
    await files.write("notes/a.txt", "héllo");
    await files.writeBytes("notes/b.bin", new Uint8Array([0, 1, 254, 255]));
    await files.write("scratch.txt", "temporary", { location: "temp" });
    const text = await files.read("notes/a.txt");
    const bytes = Array.from(await files.readBytes("notes/b.bin"));
    const listed = (await files.list("notes/")).map((f) => [f.path, f.size]);
    const tempListed = (await files.list("", { location: "temp" })).map((f) => f.path);
    const existed = await files.exists("notes/a.txt");
    await files.delete("notes/a.txt");
    const after = await files.exists("notes/a.txt");
    const signed = await files.signedUrl("notes/b.bin", { method: "GET", expiresIn: 60 });
    return { text, bytes, listed, tempListed, existed, after, signedUrl: signed.url };
  },
});

export const readOther = workflow({
  params: z.object({ path: z.string(), organizationId: z.string().optional() }),
  async run({ path }) {
    try {
      return { content: await files.read(path) };
    } catch (error) {
      if (error instanceof NotFoundError) return { notFound: true };
      throw error;
    }
  },
});

export const escapeAttempts = workflow({
  async run() {
    // Statuses only: a result holding a NUL character cannot be stored (PostgreSQL jsonb).
    const outcomes: Record<string, number> = {};
    for (const [name, path] of [["parent", "../x"], ["absolute", "/etc/passwd"], ["nul", "a\\u0000b"]]) {
      try {
        await files.read(path);
        outcomes[name] = 200;
      } catch (error) {
        outcomes[name] = (error as { status: number }).status;
      }
    }
    try {
      await files.write("hack.ts", "x", { location: "workspace" });
      outcomes.workspace = 200;
    } catch (error) {
      outcomes.workspace = (error as { status: number }).status;
    }
    return outcomes;
  },
});
`;

describe("the files SDK module inside a workflow", () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await createEngine();
    const defined = await engine.writeWorkflow("files-sdk.ts", WORKFLOWS);
    for (const w of defined) {
      const opened = await engine.admin.request("PATCH", `/api/workflows/${w.id}`, {
        accessLevel: "authenticated",
      });
      expect(opened.statusCode).toBe(200);
    }
  }, 60_000);
  afterAll(async () => engine?.close());

  const run = async (client: Engine["admin"], workflowName: string, inputData: object = {}) => {
    const response = await engine.execute(client, { workflowName, inputData, sync: true });
    const body = response.json<{ status: string; result: Record<string, unknown>; error: string | null }>();
    expect(body.status, JSON.stringify(body)).toBe("Success");
    return body.result;
  };

  it("writes, reads, lists, checks and deletes files of the run's organization", async () => {
    const result = await run(engine.orgA.withoutRole, "filesRoundTrip");
    expect(result).toMatchObject({
      text: "héllo",
      bytes: [0, 1, 254, 255],
      listed: [
        ["notes/a.txt", 6],
        ["notes/b.bin", 4],
      ],
      tempListed: ["scratch.txt"],
      existed: true,
      after: false,
    });
    expect(String(result.signedUrl)).toMatch(/\/api\/files\/signed\?token=/);
    // The run wrote into organization A's files, where an admin finds them.
    const adminRead = await engine.admin.request("POST", "/api/files/read", {
      path: "notes/b.bin",
      organizationId: engine.orgA.id,
      encoding: "base64",
    });
    expect(adminRead.json()).toEqual({
      content: Buffer.from([0, 1, 254, 255]).toString("base64"),
      encoding: "base64",
    });
  });

  it("organization A's run cannot read organization B's files (404)", async () => {
    const written = await engine.admin.request("POST", "/api/files/write", {
      path: "private/b-only.txt",
      content: "for B",
      organizationId: engine.orgB.id,
    });
    expect(written.statusCode).toBe(200);
    expect(await run(engine.orgB.withoutRole, "readOther", { path: "private/b-only.txt" })).toEqual({
      content: "for B",
    });
    expect(await run(engine.orgA.withoutRole, "readOther", { path: "private/b-only.txt" })).toEqual({
      notFound: true,
    });
  });

  it("paths that escape are 422 and the workspace is read-only for runs too", async () => {
    expect(await run(engine.orgA.withRole, "escapeAttempts")).toEqual({
      parent: 422,
      absolute: 422,
      nul: 422,
      workspace: 422,
    });
  });
});
