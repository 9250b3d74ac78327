import { readFileSync } from "node:fs";
import { inject } from "vitest";
import { TEST_HOSTS, type TestHostsInfo } from "./netns-hosts.js";

export { TEST_HOSTS };

// The test run's "outside" hosts (netns-hosts.ts), as test files reach them.

declare module "vitest" {
  export interface ProvidedContext {
    testHosts: TestHostsInfo;
  }
}

/** The hosts that no test opens: nothing may ever reach them. */
const NEVER_ALLOWED: readonly string[] = [TEST_HOSTS.private, TEST_HOSTS.linkLocal, TEST_HOSTS.uniqueLocal];

export type TestHosts = Omit<TestHostsInfo, "hitsFile"> & {
  /** The addresses that accepted a connection so far in this test run (IPv4 as a.b.c.d, IPv6 as above). */
  hits(): string[];
  /** The hits on hosts that no test opens (private, link-local, unique-local): always empty. */
  refusedHostsReached(): string[];
};

/** The test run's hosts (started by the global setup). */
export function testHosts(): TestHosts {
  const { hitsFile, ...info } = inject("testHosts");
  const hits = () =>
    readFileSync(hitsFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { address: string }).address);
  return { ...info, hits, refusedHostsReached: () => hits().filter((a) => NEVER_ALLOWED.includes(a)) };
}
