import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import { eventually } from "./server-process.js";

/**
 * A redis-server of one test file's own on `port`, for fault tests that stop and restart it;
 * the shared Redis on 6379 is never touched. Resolves once it accepts connections. `extraArgs`: more
 * settings (e.g. `--requirepass`).
 */
export async function startPrivateRedis(port: number, extraArgs: string[] = []): Promise<ChildProcess> {
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    ...extraArgs,
  ];
  const child = spawn("redis-server", args, { stdio: "ignore" });
  await eventually(() => acceptsConnections(port), {
    timeoutMs: 10_000,
    intervalMs: 50,
    what: `redis-server on ${port}`,
  });
  return child;
}

/** SIGKILL: a crash, not a polite shutdown, is the outage worth surviving. */
export async function killRedis(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

async function acceptsConnections(port: number): Promise<true> {
  const socket = connect(port, "127.0.0.1");
  try {
    await once(socket, "connect");
    return true;
  } finally {
    socket.destroy();
  }
}
