import { describe, expect, it } from "vitest";
import { MemoryBus } from "../../src/infra/bus/memory-bus.js";
import { createLogger } from "../../src/infra/logger.js";
import { parseCron } from "../../src/services/schedules/cron.js";
import { JobRunner, LeaderElection } from "../../src/services/scheduler/leader.js";

const iso = (dates: Date[]): string[] => dates.map((d) => d.toISOString());

describe("next-run computation", () => {
  it("America/New_York 02:30 across 2026's DST changes: spring's missing 02:30 runs at 03:00 EDT, autumn's runs once", () => {
    const cron = parseCron("30 2 * * *", "America/New_York");
    // 8 March 2026: 02:00 EST jumps to 03:00 EDT, 02:30 does not exist. croner runs that day's fire
    // at the first instant after the gap (03:00 EDT = 07:00Z); no day is skipped or doubled.
    expect(iso(cron.nextRuns(4, new Date("2026-03-06T12:00:00Z")))).toEqual([
      "2026-03-07T07:30:00.000Z", // 02:30 EST
      "2026-03-08T07:00:00.000Z", // 03:00 EDT (02:30 does not exist)
      "2026-03-09T06:30:00.000Z", // 02:30 EDT
      "2026-03-10T06:30:00.000Z",
    ]);
    // 1 November 2026: 02:00 EDT falls back to 01:00 EST; 02:30 happens once (EST).
    expect(iso(cron.nextRuns(3, new Date("2026-10-30T12:00:00Z")))).toEqual([
      "2026-10-31T06:30:00.000Z", // 02:30 EDT
      "2026-11-01T07:30:00.000Z", // 02:30 EST
      "2026-11-02T07:30:00.000Z",
    ]);
  });

  it("01:30 on 1 November 2026 happens twice in New York and runs once, at its first occurrence", () => {
    const cron = parseCron("30 1 * * *", "America/New_York");
    expect(iso(cron.nextRuns(2, new Date("2026-10-31T12:00:00Z")))).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT; 01:30 EST (06:30Z) does not run
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("6 fields have seconds first; other field counts and unknown zones are refused", () => {
    expect(iso(parseCron("*/2 * * * * *").nextRuns(2, new Date("2026-01-01T00:00:00.500Z")))).toEqual([
      "2026-01-01T00:00:02.000Z",
      "2026-01-01T00:00:04.000Z",
    ]);
    expect(() => parseCron("* * * *")).toThrow(/5 fields/);
    expect(() => parseCron("* * * * * * *")).toThrow(/5 fields/);
    expect(() => parseCron("61 * * * *")).toThrow();
    expect(() => parseCron("* * * * *", "Mars/Olympus")).toThrow(/timezone/);
  });
});

describe("scheduler leadership", () => {
  const logger = createLogger({ level: "silent", role: "test" });
  const options = { ttlMs: 600, renewMs: 100 };
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("one leader at a time; when it stops renewing another takes over, and a deposed leader stops its jobs", async () => {
    const bus = new MemoryBus();
    const runs = { a: 0, b: 0 };
    const make = (name: "a" | "b") => {
      const runner = new JobRunner(
        [{ name: "count", intervalMs: 50, run: async () => void runs[name]++ }],
        logger,
      );
      const election = new LeaderElection({
        bus,
        logger,
        lockName: "test:leader",
        options,
        onElected: () => runner.start(),
        onDeposed: () => void runner.stop(),
      });
      return { runner, election };
    };
    const a = make("a");
    const b = make("b");
    a.election.start();
    await wait(50);
    b.election.start();
    await wait(400);
    expect(a.election.isLeader).toBe(true);
    expect(b.election.isLeader).toBe(false);
    expect(runs.a).toBeGreaterThan(3);
    expect(runs.b).toBe(0);
    await a.election.stop();
    const stoppedAt = runs.a;
    await wait(400);
    expect(b.election.isLeader).toBe(true);
    expect(runs.b).toBeGreaterThan(0);
    expect(runs.a).toBe(stoppedAt);
    await b.election.stop();
  });

  it("a job never overlaps itself", async () => {
    let active = 0;
    let maxActive = 0;
    let count = 0;
    const runner = new JobRunner(
      [
        {
          name: "slow",
          intervalMs: 10,
          run: async () => {
            active++;
            maxActive = Math.max(maxActive, active);
            await wait(60);
            active--;
            count++;
          },
        },
      ],
      logger,
    );
    runner.start();
    await wait(300);
    await runner.stop();
    expect(maxActive).toBe(1);
    expect(count).toBeGreaterThanOrEqual(3);
  });
});
