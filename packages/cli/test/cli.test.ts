import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startEmbeddedWithWorkspace,
  type EmbeddedServer,
} from "../../../apps/server/test/support/embedded-server.js";
import { CLI, startCli } from "./run-cli.js";

// The `bifrost` CLI as an author uses it (issue 24), as a child process against `bifrost-server start`:
// login (token and device flow), whoami, workflows, run with live logs and exit codes, executions,
// api, --json, the errors it explains, logout.

const HELLO = `import { workflow, z } from "@bifrost/sdk";

export const hello = workflow({
  params: z.object({ name: z.string() }),
  run: async ({ name }, ctx) => {
    ctx.log.info("hello " + name);
    await new Promise((resolve) => setTimeout(resolve, 300));
    ctx.log.warn("almost done");
    if (name === "boom") throw new Error("it went boom");
    if (name === "slow") await new Promise((resolve) => setTimeout(resolve, 30_000));
    return { greeting: "hi " + name };
  },
});
`;

let embedded: EmbeddedServer;
let auth: Record<string, string>;
let configDir: string;

/** Runs the CLI to its end; `onStdout` sees the output as it comes. */
const cli = (
  args: string[],
  options: { env?: Record<string, string>; onStdout?: (text: string) => void } = {},
) =>
  startCli(args, {
    env: { HOME: configDir, BIFROST_CONFIG_DIR: configDir, ...options.env },
    ...(options.onStdout ? { onStdout: options.onStdout } : {}),
  }).done;

beforeAll(async () => {
  ({ embedded, auth } = await startEmbeddedWithWorkspace(
    { "hello.ts": HELLO },
    { BIFROST_DEVICE_POLL_INTERVAL_SECONDS: "1" },
  ));
  configDir = mkdtempSync(path.join(tmpdir(), "bifrost-cli-"));
}, 90_000);
afterAll(async () => {
  await embedded?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe("the bifrost CLI", () => {
  it("logs in with a token, keeps it 0600 per platform, and says who it is", async () => {
    const token = auth.authorization?.replace("Bearer ", "") ?? "";
    const login = await cli(["login", "--url", embedded.url, "--token", token]);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain("Logged in to");
    expect(statSync(path.join(configDir, "credentials.json")).mode & 0o777).toBe(0o600);
    const whoami = await cli(["whoami", "--json"]);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ url: embedded.url, isSuperuser: true });
  });

  it("runs a workflow: its log lines as it runs, the result, exit 0; a failing one exits 1 with its error", async () => {
    const seen: string[] = [];
    const ok = await cli(["run", "hello", "-p", "name=Ada"], {
      env: { NO_COLOR: "1" },
      onStdout: (text) => seen.push(text),
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/INFO +hello Ada/);
    expect(ok.stdout).toMatch(/WARN +almost done/);
    expect(ok.stdout).toContain('"greeting": "hi Ada"');
    // Live: the first line was out before the result.
    expect(seen.some((text) => text.includes("hello Ada") && !text.includes("greeting"))).toBe(true);
    // No colour codes off a terminal.
    expect(ok.stdout).not.toContain("\u001b[");

    const failed = await cli(["run", "hello", "--input", '{"name":"boom"}']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("Failed");
    expect(failed.stdout).toContain("it went boom");
  });

  it("Ctrl-C on a terminal asks whether to cancel the run: yes cancels it", { timeout: 30_000 }, async () => {
    // A real terminal: `script` runs the CLI on a pseudo-terminal; Ctrl-C typed there is SIGINT.
    const command = `exec ${process.execPath} ${CLI} run hello -p name=slow`;
    const terminal = spawn("script", ["-qefc", command, "/dev/null"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: configDir,
        BIFROST_CONFIG_DIR: configDir,
        BIFROST_URL: embedded.url,
        BIFROST_TOKEN: auth.authorization?.replace("Bearer ", "") ?? "",
        NO_COLOR: "1",
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    terminal.stdout.on("data", (chunk: Buffer) => (screen += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => terminal.on("exit", resolve));
    await until(() => screen.includes("hello slow")).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${screen}`);
    });
    terminal.stdin.write("\u0003");
    await until(() => screen.includes("Cancel the run? [y/N]"));
    terminal.stdin.write("y\r");
    expect(await exited, screen).toBe(1);
    expect(screen).toContain("Cancelling");
    expect(screen).toMatch(/Cancelled/);
    const id = /Run ([0-9a-f-]{36}) started/.exec(screen)?.[1] ?? "";
    const detail = await fetch(`${embedded.url}/api/executions/${id}`, { headers: auth });
    expect(((await detail.json()) as { status: string }).status).toBe("Cancelled");
  });

  it("--json output parses, for runs, lists and the api command", async () => {
    const run = await cli(["run", "hello", "-p", "name=Json", "--json"]);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as {
      execution: { status: string; id: string };
      logs: Array<{ message: string }>;
    };
    expect(parsed.execution.status).toBe("Success");
    expect(parsed.logs.map((l) => l.message)).toEqual(["hello Json", "almost done"]);
    const workflows = JSON.parse((await cli(["workflows", "list", "--json"])).stdout) as Array<{
      name: string;
    }>;
    expect(workflows.map((w) => w.name)).toContain("hello");
    const executions = JSON.parse((await cli(["executions", "list", "--json"])).stdout) as Array<{
      id: string;
    }>;
    expect(executions.map((e) => e.id)).toContain(parsed.execution.id);
    const logs = JSON.parse(
      (await cli(["executions", "logs", parsed.execution.id, "--json"])).stdout,
    ) as unknown[];
    expect(logs).toHaveLength(2);
    const api = JSON.parse((await cli(["api", "GET", "/api/workflows"])).stdout) as { items: unknown[] };
    expect(api.items.length).toBeGreaterThan(0);
  });

  it("explains what went wrong: an unknown run, a bad option, a refused token", async () => {
    const missing = await cli(["executions", "show", "00000000-0000-4000-8000-000000000000"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Not found: execution 00000000-0000-4000-8000-000000000000/);
    const badOption = await cli(["run", "--frobnicate"]);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("--help");
    const refused = await cli(["whoami", "--token", "not-a-token"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Log in again: bifrost login/);
    const help = await cli(["run", "--help"]);
    expect(help.stdout).toContain("Usage: bifrost run <workflow>");
  });

  it(
    "logs in with the device flow once the author approves the code in the browser",
    { timeout: 60_000 },
    async () => {
      const other = mkdtempSync(path.join(tmpdir(), "bifrost-cli-device-"));
      let approved = false;
      const login = cli(["login", "--url", embedded.url], {
        env: { BIFROST_CONFIG_DIR: other },
        onStdout: (text) => {
          const code = /code (\w{4}-\w{4})/.exec(text)?.[1];
          if (!code || approved) return;
          approved = true;
          // What the author does on the /device page, signed in.
          void fetch(`${embedded.url}/auth/device/approve`, {
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body: JSON.stringify({ userCode: code }),
          });
        },
      });
      const result = await login;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("/device?code=");
      expect(result.stdout).toMatch(/Logged in to .* as /);
      const whoami = await cli(["whoami", "--json"], { env: { BIFROST_CONFIG_DIR: other } });
      expect(whoami.code).toBe(0);
      // The device login is a session of the author's, ended by logout.
      const logout = await cli(["logout"], { env: { BIFROST_CONFIG_DIR: other } });
      expect(logout.stdout).toContain("Logged out");
      const after = await cli(["whoami"], { env: { BIFROST_CONFIG_DIR: other } });
      expect(after.stderr).toMatch(/Not logged in/);
      rmSync(other, { recursive: true, force: true });
    },
  );
});

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
