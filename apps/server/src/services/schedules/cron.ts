import { Cron } from "croner";

/**
 * Cron expressions of schedules: 5 fields (minute hour day month weekday), or 6 with seconds first,
 * evaluated in an IANA timezone by croner (never given a callback: a paused Cron with one keeps the
 * process alive).
 *
 * DST (America/New_York, tested in test/schedules/cron.test.ts): a local time that does not exist
 * (02:30 on 8 March 2026, clocks jump 02:00 → 03:00) is not skipped by croner: that day's run happens
 * at 03:00 EDT, the first instant after the gap. A local time that happens twice (01:30 on 1 November
 * 2026) runs once, at its first occurrence (EDT).
 */
export type ParsedCron = { next(after: Date): Date | null; nextRuns(n: number, after: Date): Date[] };

export class CronError extends Error {
  constructor(
    message: string,
    readonly field: "cron" | "timezone",
  ) {
    super(message);
  }
}

function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Parses `cron` in `timezone`, or throws a CronError naming the bad field. */
export function parseCron(cron: string, timezone = "UTC"): ParsedCron {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new CronError("a cron expression has 5 fields, or 6 with seconds first", "cron");
  }
  if (!isValidTimezone(timezone)) throw new CronError(`unknown timezone ${timezone}`, "timezone");
  let job: Cron;
  try {
    job = new Cron(fields.join(" "), { timezone, paused: true });
    job.nextRun(new Date());
  } catch (error) {
    throw new CronError((error as Error).message.replace(/^CronPattern: /, ""), "cron");
  }
  return {
    next: (after) => job.nextRun(after),
    nextRuns: (n, after) => job.nextRuns(n, after),
  };
}
