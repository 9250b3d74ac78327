import type { Clock } from "../../src/infra/clock.js";

/** A clock a test moves by hand: `clock.at += ms`. Starts at the real time. */
export function settableClock(): Clock & { at: number } {
  return {
    at: Date.now(),
    now() {
      return this.at;
    },
  };
}
