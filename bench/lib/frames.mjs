// The log view's frame measurement of the web bench (bench/web.mjs): the in-page recorder of
// requestAnimationFrame timestamps while the line count grows, and their statistics.
/* global window, document, requestAnimationFrame -- in-page functions run in the browser */
import { percentile } from "./load.mjs";

/** A frame longer than this missed a 60 Hz vsync (16.7 ms) with some slack: a dropped frame. */
export const DROPPED_FRAME_MS = 20;
export const JANK_FRAME_MS = 50;
/** How long the bench waits for a page, a row or a line to show. */
export const WAIT_MS = 20_000;
/** @param {number[]} values */
const sorted = (values) => Float64Array.from(values).sort();

/**
 * @typedef {object} LogRun
 * @property {number} frames
 * @property {number} windowMs
 * @property {number} fps
 * @property {number} over20
 * @property {number} over50
 * @property {number} p99
 * @property {number} maxFrame
 * @property {number} linesAtStart   in the view when the window opened
 * @property {number} linesAtEnd
 * @property {number} maxSequenceShown  newest line rendered (follow mode keeps it in view)
 * @property {number} expected
 * @property {number} apiLogCount
 * @property {string} apiStatus
 * @property {number} longTasks
 * @property {number} longTaskMs
 * @property {Array<[number, number]>} samples  [ms since the window opened, lines in the view]
 * @property {import("./cpu-profile.mjs").ProfileSummary} profile  the page's main thread in the window
 * @property {number} afterFps     the same page after the stream ended
 */

/**
 * Waits until the log view shows its first lines.
 * @param {import("playwright-core").Page} page
 */
export async function waitForFirstLines(page) {
  const view = page.getByRole("log");
  await view.waitFor({ state: "attached", timeout: WAIT_MS });
  await page.locator("[role=log] [data-sequence]").first().waitFor({ state: "attached", timeout: WAIT_MS });
}

/** The in-page frame recorder of the log view: rAF timestamps while the line count grows. */
export async function recordLogFrames(page, { expected, maxMs, settleMs }) {
  return page.evaluate(
    async ({ expected, maxMs, settleMs }) => {
      const view = () => document.querySelector('[role="log"]');
      const count = () => {
        const log = view();
        if (!log?.parentElement) return 0;
        const text = [...log.parentElement.children]
          .filter((c) => c !== log)
          .map((c) => c.textContent ?? "")
          .join(" ");
        const match = /(\d[\d,]*)\s+lines?\b/.exec(text);
        return match ? Number(match[1].replace(/,/g, "")) : 0;
      };
      const newest = () =>
        Math.max(
          0,
          ...[...document.querySelectorAll("[data-sequence]")].map((e) =>
            Number(e.getAttribute("data-sequence")),
          ),
        );
      const bench = /** @type {any} */ (window).__bench;
      const tasksBefore = bench.longTasks.length;
      const linesAtStart = count();
      /** @type {number[]} */
      const frames = [];
      /** @type {Array<[number, number]>} */
      const samples = [];
      let lastGrowth = performance.now();
      let last = linesAtStart;
      const t0 = performance.now();
      await new Promise((resolve) => {
        const tick = (/** @type {number} */ now) => {
          frames.push(now);
          const n = count();
          if (n !== last) {
            last = n;
            lastGrowth = performance.now();
          }
          if (samples.length === 0 || now - t0 - samples[samples.length - 1][0] >= 250)
            samples.push([now - t0, n]);
          const done = n >= expected || performance.now() - lastGrowth > settleMs || now - t0 > maxMs;
          if (done) resolve(undefined);
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      // The window ends at the last growth (a stalled tail is not part of the stream).
      const end = Math.min(frames[frames.length - 1], lastGrowth);
      const inWindow = frames.filter((f) => f <= end + 1);
      const tasks = bench.longTasks.slice(tasksBefore);
      return {
        frames: inWindow,
        linesAtStart,
        linesAtEnd: count(),
        maxSequenceShown: newest(),
        longTasks: tasks.length,
        longTaskMs: tasks.reduce((/** @type {number} */ s, /** @type {number[]} */ t) => s + t[1], 0),
        samples,
      };
    },
    { expected, maxMs, settleMs },
  );
}

/**
 * @param {number[]} frames  rAF timestamps
 */
export function frameStats(frames) {
  const intervals = frames.slice(1).map((t, i) => t - frames[i]);
  const windowMs = frames.length > 1 ? frames[frames.length - 1] - frames[0] : 0;
  const s = sorted(intervals);
  return {
    frames: frames.length,
    windowMs,
    fps: windowMs > 0 ? ((frames.length - 1) * 1000) / windowMs : NaN,
    over20: intervals.filter((d) => d > DROPPED_FRAME_MS).length,
    over50: intervals.filter((d) => d > JANK_FRAME_MS).length,
    p99: percentile(s, 99),
    maxFrame: s.length ? s[s.length - 1] : NaN,
  };
}

/**
 * rAF timestamps of a page for `ms`.
 * @param {import("playwright-core").Page} page
 * @param {number} ms
 * @returns {Promise<number[]>}
 */
export function rafFor(page, ms) {
  return page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        /** @type {number[]} */
        const times = [];
        const tick = (/** @type {number} */ now) => {
          times.push(now);
          if (now - times[0] < ms) requestAnimationFrame(tick);
          else resolve(times);
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

/** rAF rate of an empty page: the ceiling this headless Chromium gives. */
export async function idleFrameRate(browser) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.setContent("<!doctype html><title>idle</title><p>idle</p>");
    return frameStats(await rafFor(page, 2_000));
  } finally {
    await context.close();
  }
}
