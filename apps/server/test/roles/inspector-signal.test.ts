import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdminToken, writeWorkspaceFile } from "../support/engine-journey.js";
import { call } from "../support/login-journey.js";
import { startEmbedded, type EmbeddedServer } from "../support/embedded-server.js";
import { eventually, freePort, getJson, type ServerProcess } from "../support/server-process.js";

// SIGUSR1 makes a Node process open its inspector, and the inspector runs any code in that process.
// A workflow's child can signal its parent (the worker; in `start`, the whole platform), so every
// process that spawns user code must ignore SIGUSR1. The inspector port is moved to a free port per
// test (NODE_OPTIONS=--inspect-port) so that "nothing listens there" means something.

const DEBUGGER_BANNER = "Debugger listening";

/** Whether something accepts a TCP connection on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether SIGUSR1 is pending on the process: `--disable-sigusr1` keeps the signal blocked, so a
 * SIGUSR1 that reached it stays pending (ShdPnd) instead of opening the inspector.
 */
function sigusr1Pending(pid: number): boolean {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const pending = /^ShdPnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? "0";
  return (BigInt(`0x${pending}`) & (1n << BigInt(os.constants.signals.SIGUSR1 - 1))) !== 0n;
}

const PROBE_WORKFLOW = `
import net from "node:net";
import { workflow, z } from "@bifrost/sdk";

export const signalParent = workflow({
  description: "What an attacker tries: SIGUSR1 to the worker, then the inspector's port",
  params: z.object({ port: z.number().int(), serverPid: z.number().int() }),
  async run({ port, serverPid }) {
    const send = (pid) => {
      try {
        process.kill(pid, "SIGUSR1");
        return "sent";
      } catch (error) {
        return error.code;
      }
    };
    const signalled = { parent: send(process.ppid), server: send(serverPid) };
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const connected = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    return { connected, signalled };
  },
});
`;

describe("SIGUSR1 and the inspector", () => {
  it("control: a plain Node process opens its inspector on SIGUSR1 (what the tests below must not see)", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
      env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: `--inspect-port=${port}` },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await sleep(300);
      child.kill("SIGUSR1");
      await eventually(async () => ((await accepts(port)) ? true : undefined), {
        timeoutMs: 5_000,
        what: "the control's inspector to listen",
      });
      expect(stderr).toContain(DEBUGGER_BANNER);
    } finally {
      child.kill("SIGKILL");
    }
  });

  describe("bifrost-server start (embedded: API, worker and scheduler in one process)", () => {
    let embedded: EmbeddedServer;
    let server: ServerProcess;
    let url: string;
    let inspectorPort: number;

    beforeAll(async () => {
      inspectorPort = await freePort();
      embedded = await startEmbedded({ NODE_OPTIONS: `--inspect-port=${inspectorPort}` });
      ({ server, url } = embedded);
    }, 120_000);

    afterAll(() => embedded?.close());

    it("runs with --disable-sigusr1 and ignores SIGUSR1 from outside: no inspector, still serving", async () => {
      // The bin re-executes itself with the flag: same pid, so the command line shows it.
      const commandLine = readFileSync(`/proc/${server.child.pid}/cmdline`, "utf8").split("\0");
      expect(commandLine).toContain("--disable-sigusr1");
      const pid = server.child.pid!;
      expect(sigusr1Pending(pid)).toBe(false);
      server.child.kill("SIGUSR1");
      await sleep(1_000);
      expect(sigusr1Pending(pid)).toBe(true);
      expect(await accepts(inspectorPort)).toBe(false);
      expect(server.output()).not.toContain(DEBUGGER_BANNER);
      expect(server.child.exitCode).toBeNull();
      expect((await getJson(`${url}/health`))?.status).toBe(200);
    });

    it("a workflow that signals its parent with SIGUSR1 and dials the inspector's port reaches nothing", async () => {
      const auth = { authorization: `Bearer ${await firstAdminToken(url)}` };
      await writeWorkspaceFile(url, auth, "probe.ts", PROBE_WORKFLOW);

      const run = await call(
        `${url}/api/workflows/execute`,
        "POST",
        {
          workflowName: "signalParent",
          inputData: { port: inspectorPort, serverPid: server.child.pid },
          sync: true,
        },
        auth,
      );
      expect(run.status, JSON.stringify(run.body)).toBe(200);
      expect(run.body).toMatchObject({ status: "Success", result: { connected: false } });
      // In its own PID namespace the child cannot even name the server (its parent is pid 0 there);
      // the inspector stays closed all the same, which is what the flag is for where no namespace is.
      expect((run.body.result as { signalled: { server: string } }).signalled.server).toBe("ESRCH");
      expect(server.output()).not.toContain(DEBUGGER_BANNER);
      expect((await getJson(`${url}/health`))?.status).toBe(200);
    });
  });
});
