import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startEmbeddedWithWorkspace,
  type EmbeddedServer,
} from "../../../apps/server/test/support/embedded-server.js";
import { startCli, unpackTarball } from "./run-cli.js";

// `bifrost run --local` (issue 24) against `bifrost-server start`: the workflow's own file runs in a
// process on this machine — a debugger attached over the inspector protocol stops at its `debugger`
// statement — with the real SDK acting in the chosen organization (its config and tables), and the
// run is kept in the history marked local, with its logs and result. An organization user is refused;
// another admin cannot touch the run; Ctrl-C ends it Cancelled.

const REPO = path.resolve(import.meta.dirname, "../../..");

const LOCAL = `import { config, tables, workflow, z } from "@bifrost/sdk";

export const localCheck = workflow({
  params: z.object({ label: z.string() }),
  run: async ({ label }, ctx) => {
    const greeting = await config.get("greeting");
    ctx.log.info("greeting is " + String(greeting));
    const seen = label.toUpperCase();
    debugger; // line 9
    await tables.insert("visits", { label: seen, greeting: String(greeting) });
    console.log("from console", ctx.organization.name);
    return { seen, greeting };
  },
});

export const waits = workflow({
  run: async (_params, ctx) => {
    ctx.log.info("waiting for a stop");
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    ctx.log.warn("stopped");
    return { stopped: true };
  },
});
`;

let embedded: EmbeddedServer;
let auth: Record<string, string>;
let home: string;
let folder: string;
let env: Record<string, string>;
let acme: string;

const api = async (method: string, route: string, body?: unknown, headers = auth) => {
  const answer = await fetch(`${embedded.url}${route}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  return { status: answer.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
};
const cli = (args: string[], extraEnv: Record<string, string> = {}, cwd = folder) =>
  startCli(args, { env: { ...env, ...extraEnv }, cwd });

beforeAll(async () => {
  // A short lease: the CLI's heartbeat comes every second, and the sweeper ends a run within seconds
  // of its heartbeats stopping.
  ({ embedded, auth } = await startEmbeddedWithWorkspace(
    { "local.ts": LOCAL },
    { BIFROST_EXECUTION_LEASE_SECONDS: "3" },
  ));
  home = mkdtempSync(path.join(tmpdir(), "bifrost-cli-local-"));
  env = { HOME: home, BIFROST_CONFIG_DIR: path.join(home, "config"), NO_COLOR: "1" };
  folder = path.join(home, "workspace");
  const token = auth.authorization?.replace("Bearer ", "") ?? "";
  expect((await cli(["login", "--url", embedded.url, "--token", token], {}, home).done).code).toBe(0);
  expect((await cli(["pull", folder], {}, home).done).code).toBe(0);
  await unpackTarball(`${embedded.url}/api/cli/sdk`, path.join(folder, "node_modules/@bifrost/sdk"), home);
  symlinkSync(path.join(REPO, "node_modules/zod"), path.join(folder, "node_modules/zod"));

  acme = String((await api("POST", "/api/organizations", { name: "Acme" })).body.id);
  expect(
    (await api("POST", "/api/config", { key: "greeting", value: "global hello", type: "string" })).status,
  ).toBe(201);
  const orgConfig = { key: "greeting", value: "hello from Acme", type: "string", organizationId: acme };
  expect((await api("POST", "/api/config", orgConfig)).status).toBe(201);
  expect((await api("POST", "/api/tables", { name: "visits", organizationId: acme })).status).toBe(201);
}, 90_000);
afterAll(async () => {
  await embedded?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Sends inspector-protocol commands over the debugger's WebSocket; `events` gets the rest. */
function inspectorClient(
  url: string,
  events: (message: { method: string; params: Record<string, unknown> }) => void,
) {
  const socket = new WebSocket(url);
  let next = 1;
  const waiting = new Map<number, (result: Record<string, unknown>) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> } & {
      method: string;
      params: Record<string, unknown>;
    };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result ?? {});
    else events(message);
  });
  const opened = new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  return {
    opened,
    send: (method: string, params: Record<string, unknown> = {}) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

describe("bifrost run --local", () => {
  it(
    "stops at a debugger statement under an attached inspector, then runs with the organization's config and tables, kept as local",
    { timeout: 60_000 },
    async () => {
      const run = cli(["run", "localCheck", "--local", "--inspect", "--org", acme, "-p", "label=ada"]);
      let stderr = "";
      run.child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const found = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(stderr);
          if (found?.[1]) resolve(found[1]);
        }, 50);
        run.child.on("exit", () => reject(new Error(`the CLI ended first: ${stderr}`)));
        setTimeout(() => clearInterval(timer), 30_000);
      });

      let onPaused: (params: { callFrames: Array<Record<string, unknown>> }) => void = () => undefined;
      const paused = new Promise<{ callFrames: Array<Record<string, unknown>> }>(
        (resolve) => (onPaused = resolve),
      );
      const scripts = new Map<string, string>();
      const inspector = inspectorClient(address, (event) => {
        if (event.method === "Debugger.scriptParsed")
          scripts.set(String(event.params.scriptId), String(event.params.url));
        if (event.method === "Debugger.paused")
          onPaused(event.params as { callFrames: Array<Record<string, unknown>> });
      });
      await inspector.opened;
      await inspector.send("Runtime.enable");
      await inspector.send("Debugger.enable");
      await inspector.send("Runtime.runIfWaitingForDebugger");
      const stop = await paused;
      const frame = stop.callFrames[0] as {
        callFrameId: string;
        location: { scriptId: string; lineNumber: number };
      };
      // The author's own file and line (types stripped in place), not a compiled copy.
      expect(scripts.get(frame.location.scriptId)).toBe(`file://${path.join(folder, "local.ts")}`);
      expect(frame.location.lineNumber + 1).toBe(9);
      const seen = await inspector.send("Debugger.evaluateOnCallFrame", {
        callFrameId: frame.callFrameId,
        expression: "seen",
      });
      expect((seen.result as { value: unknown }).value).toBe("ADA");
      // Nothing is stored while the process is stopped: the run is still Running on the platform.
      const started = /Local run ([0-9a-f-]{36})/.exec(stderr)?.[1] ?? "";
      expect((await api("GET", `/api/executions/${started}`)).body.status).toBe("Running");
      await inspector.send("Debugger.resume");
      // Detached, as a debugger does when the author is done: with one attached, Node keeps the
      // process until it detaches.
      inspector.close();
      const done = await run.done;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain("greeting is hello from Acme");
      expect(done.stdout).toContain("from console Acme");
      expect(done.stdout).toContain('"seen": "ADA"');

      const execution = await api("GET", `/api/executions/${started}`);
      expect(execution.body).toMatchObject({
        status: "Success",
        local: true,
        organizationId: acme,
        workflowName: "localCheck",
        result: { seen: "ADA", greeting: "hello from Acme" },
      });
      const listed = await api("GET", "/api/executions?limit=5");
      expect(
        (listed.body.items as Array<{ id: string; local: boolean }>).find((e) => e.id === started)?.local,
      ).toBe(true);
      const logs = await api("GET", `/api/executions/${started}/logs`);
      expect((logs.body.items as Array<{ message: string }>).map((l) => l.message)).toEqual([
        "greeting is hello from Acme",
        "from console Acme",
      ]);
      // The document went to Acme's table: the run acted in the organization it was started for.
      const docs = await api("POST", `/api/tables/visits/documents/query?scope=${acme}`, {});
      expect((docs.body.items as Array<{ data: Record<string, unknown> }>).map((d) => d.data)).toEqual([
        { label: "ADA", greeting: "hello from Acme" },
      ]);
      const audit = await api("GET", "/api/audit?limit=20");
      expect(
        (audit.body.items as Array<{ action: string; resourceId: string }>).find(
          (entry) => entry.action === "execution.local_run" && entry.resourceId === started,
        ),
      ).toBeTruthy();
      expect(stderr).not.toContain("error");
    },
  );

  it(
    "Ctrl-C stops the local process: the run ends Cancelled on the platform",
    { timeout: 30_000 },
    async () => {
      const run = cli(["run", "waits", "--local"]);
      let stdout = "";
      run.child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      await waitFor(() => stdout.includes("waiting for a stop"));
      run.child.kill("SIGINT");
      const done = await run.done;
      expect(done.code, done.stdout + done.stderr).toBe(1);
      expect(done.stdout).toContain("Cancelled");
      const listed = await api("GET", "/api/executions?workflowName=waits");
      expect((listed.body.items as Array<{ status: string; local: boolean }>)[0]).toMatchObject({
        status: "Cancelled",
        local: true,
      });
    },
  );

  it(
    "a cancel on the platform stops the local process (the heartbeat says so); a CLI killed outright leaves the run to the sweeper",
    { timeout: 60_000 },
    async () => {
      const cancelled = cli(["run", "waits", "--local", "--json"]);
      // --json prints nothing until the end: the run is found in the history, running and local.
      let id = "";
      await waitFor(async () => {
        const running = await api("GET", "/api/executions?workflowName=waits&status=Running");
        id = (running.body.items as Array<{ id: string; local: boolean }>).find((e) => e.local)?.id ?? "";
        return id !== "";
      });
      expect((await api("POST", `/api/executions/${id}/cancel`)).status).toBe(200);
      const done = await cancelled.done;
      expect(done.code).toBe(1);
      expect(done.stderr).toContain("Cancelled on the platform");
      const answer = JSON.parse(done.stdout) as { execution: { status: string; local: boolean } };
      expect(answer.execution).toMatchObject({ status: "Cancelled", local: true });

      const killed = cli(["run", "waits", "--local"]);
      let out = "";
      let err = "";
      killed.child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
      killed.child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
      await waitFor(() => out.includes("waiting for a stop"));
      const lost = /Local run ([0-9a-f-]{36})/.exec(err)?.[1] ?? "";
      killed.child.kill("SIGKILL");
      await killed.done;
      await waitFor(
        async () => (await api("GET", `/api/executions/${lost}`)).body.status === "Failed",
        30_000,
      );
      const detail = (await api("GET", `/api/executions/${lost}`)).body;
      // One attempt: a local run is never handed to a worker.
      expect(detail).toMatchObject({ errorType: "WorkerLost", attempt: 1, local: true });
    },
  );

  it(
    "an organization user is refused, and nobody else may report on an admin's local run",
    { timeout: 30_000 },
    async () => {
      const user = {
        email: "tech@acme.example",
        name: "Tech",
        password: "another long passphrase",
        organizationId: acme,
      };
      expect((await api("POST", "/api/users", user)).status).toBe(201);
      const login = await api("POST", "/auth/login", { email: user.email, password: user.password }, {});
      const userToken = String(login.body.accessToken);
      const refused = await cli(["run", "localCheck", "--local", "-p", "label=x"], {
        BIFROST_TOKEN: userToken,
      }).done;
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("Platform admins only");
      const asUser = { authorization: `Bearer ${userToken}` };
      expect(
        (
          await api(
            "POST",
            "/api/local-runs",
            { workflowName: "localCheck", inputData: { label: "x" } },
            asUser,
          )
        ).status,
      ).toBe(403);

      // An admin's local run: a second admin gets 404 on its heartbeat, logs and finish; its own token
      // (a run's execution token) may not start or report local runs.
      const started = await api("POST", "/api/local-runs", { workflowName: "waits" });
      expect(started.status).toBe(201);
      const id = String(started.body.executionId);
      const runToken = { authorization: `Bearer ${String(started.body.token)}` };
      expect((await api("POST", "/api/local-runs", { workflowName: "waits" }, runToken)).status).toBe(403);
      expect(
        (await api("POST", `/api/local-runs/${id}/finish`, { status: "Success", durationMs: 1 }, runToken))
          .status,
      ).toBe(403);
      const second = {
        email: "second@msp.example",
        name: "Second",
        password: "yet another passphrase",
        organizationId: String((await api("GET", "/auth/me")).body.organizationId),
        isSuperuser: true,
      };
      const made = await api("POST", "/api/users", second);
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      const secondLogin = await api(
        "POST",
        "/auth/login",
        { email: second.email, password: second.password },
        {},
      );
      const asSecond = { authorization: `Bearer ${String(secondLogin.body.accessToken)}` };
      expect((await api("POST", `/api/local-runs/${id}/heartbeat`, undefined, asSecond)).status).toBe(404);
      const line = { level: "info", message: "forged", timestamp: Date.now() };
      expect((await api("POST", `/api/local-runs/${id}/logs`, { lines: [line] }, asSecond)).status).toBe(404);
      expect(
        (await api("POST", `/api/local-runs/${id}/finish`, { status: "Success", durationMs: 1 }, asSecond))
          .status,
      ).toBe(404);
      // A worker's run is not a local run, even for the admin who started it.
      const remote = await api("POST", "/api/workflows/execute", { workflowName: "waits" });
      expect((await api("POST", `/api/local-runs/${String(remote.body.executionId)}/heartbeat`)).status).toBe(
        404,
      );
      await api("POST", `/api/executions/${String(remote.body.executionId)}/cancel`);

      // The owner finishes it; the token is then refused, and a second finish is a conflict.
      expect((await api("POST", `/api/local-runs/${id}/heartbeat`)).body).toEqual({ status: "Running" });
      expect(
        (
          await api("POST", `/api/local-runs/${id}/finish`, {
            status: "Success",
            result: { ok: 1 },
            durationMs: 5,
          })
        ).body,
      ).toEqual({ status: "Success" });
      expect((await api("GET", "/api/config", undefined, runToken)).status).toBe(401);
      expect(
        (await api("POST", `/api/local-runs/${id}/finish`, { status: "Failed", durationMs: 5 })).status,
      ).toBe(409);
      expect((await api("POST", `/api/local-runs/${id}/logs`, { lines: [line] })).status).toBe(409);
    },
  );
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
