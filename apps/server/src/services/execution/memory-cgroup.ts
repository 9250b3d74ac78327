import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isProcessAlive } from "../../infra/process-alive.js";

/**
 * A hard memory limit on a whole child process (V8's heap cap does not cover Buffers and native
 * memory), enforced by the kernel through the cgroup memory controller: v1 (`memory.limit_in_bytes`,
 * this machine's hybrid layout) or v2 (`memory.max`). Each child gets its own cgroup under one of
 * this process's; a child past its limit is killed by the kernel (SIGKILL) and the cgroup says so.
 */
export type ChildCgroup = {
  /** Moves a process (the child, or Node inside its namespace) into the cgroup. */
  add(pid: number): void;
  /** Whether the kernel killed a process of this cgroup for memory. */
  oomKilled(): boolean;
  /** Removes the cgroup (once its processes are gone). */
  remove(): void;
};

type Layout = { version: 1 | 2; root: string };

let layout: Layout | null | undefined;
let sequence = 0;

/** This process's memory cgroup and the version of the controller, if it can make children there. */
function probe(): Layout | null {
  try {
    const lines = readFileSync("/proc/self/cgroup", "utf8").trim().split("\n");
    const v1 = lines
      .map((line) => line.split(":"))
      .find(([, controllers]) => controllers?.split(",").includes("memory"));
    const base =
      v1 && existsSync("/sys/fs/cgroup/memory")
        ? { version: 1 as const, dir: path.join("/sys/fs/cgroup/memory", v1[2] ?? "/") }
        : {
            version: 2 as const,
            dir: path.join("/sys/fs/cgroup", lines.find((l) => l.startsWith("0::"))?.slice(3) ?? "/"),
          };
    removeStale(base.dir);
    const root = path.join(base.dir, `bifrost-${process.pid}`);
    mkdirSync(root, { recursive: true });
    if (base.version === 2) {
      // Children of a v2 cgroup get the memory controller only through their parent's subtree_control.
      writeFileSync(path.join(root, "cgroup.subtree_control"), "+memory");
    }
    const check = path.join(root, "probe");
    mkdirSync(check);
    const limitFile = base.version === 1 ? "memory.limit_in_bytes" : "memory.max";
    writeFileSync(path.join(check, limitFile), String(64 * 1024 * 1024));
    rmdirSync(check);
    process.once("exit", () => {
      try {
        rmdirSync(root);
      } catch {
        // a child cgroup still draining: the kernel keeps it until its last process is gone
      }
    });
    return { version: base.version, root };
  } catch {
    return null;
  }
}

/**
 * Removes the cgroups left by Bifrost processes that are gone (killed before they could clean up):
 * an empty cgroup costs the host little, but they would pile up.
 */
function removeStale(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const owner = /^bifrost-(\d+)$/.exec(entry)?.[1];
    if (!owner || isProcessAlive(Number(owner))) continue;
    const stale = path.join(dir, entry);
    try {
      for (const child of readdirSync(stale))
        if (child.startsWith("child-")) rmdirSync(path.join(stale, child));
      rmdirSync(stale);
    } catch {
      // a process still in it: left for a later start
    }
  }
}

/** Whether children can get a memory cgroup here (probed once per process). */
export function memoryCgroupsAvailable(): boolean {
  if (layout === undefined) layout = probe();
  return layout !== null;
}

/** A new cgroup limited to `limitBytes`, or undefined where the host offers none. */
export function createChildCgroup(limitBytes: number): ChildCgroup | undefined {
  if (!memoryCgroupsAvailable() || !layout) return undefined;
  const { version, root } = layout;
  const dir = path.join(root, `child-${++sequence}`);
  try {
    mkdirSync(dir);
    if (version === 1) {
      writeFileSync(path.join(dir, "memory.limit_in_bytes"), String(limitBytes));
      // No swap beyond the limit where the kernel accounts swap (memsw).
      const memsw = path.join(dir, "memory.memsw.limit_in_bytes");
      if (existsSync(memsw)) writeFileSync(memsw, String(limitBytes));
    } else {
      writeFileSync(path.join(dir, "memory.max"), String(limitBytes));
      writeFileSync(path.join(dir, "memory.swap.max"), "0");
    }
  } catch {
    return undefined;
  }
  return {
    add(pid) {
      try {
        writeFileSync(path.join(dir, "cgroup.procs"), String(pid));
      } catch {
        // gone already
      }
    },
    oomKilled() {
      try {
        const file = version === 1 ? "memory.oom_control" : "memory.events";
        const kills = /^oom_kill (\d+)$/m.exec(readFileSync(path.join(dir, file), "utf8"))?.[1];
        return Number(kills ?? 0) > 0;
      } catch {
        return false;
      }
    },
    remove() {
      try {
        rmdirSync(dir);
      } catch {
        // still has a process for a moment; the kernel frees an empty cgroup's memory anyway
      }
    },
  };
}
