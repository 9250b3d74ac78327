// The history page measurement of the web bench (bench/web.mjs): cold loads of /executions timed
// to interactive (rows in the page, then no long task), and the "Load more" pages.
/* global window, document, requestAnimationFrame, MutationObserver -- in-page functions run in the browser */
import { WAIT_MS } from "./frames.mjs";
import { fixed, log } from "./table.mjs";
import { recordScripts } from "./web-assets.mjs";

/** A history row: a row of the table's body that links to an execution. */
const ROW_SELECTOR = 'tbody tr a[href*="/executions/"]';
/** Main thread quiet: no long task has ended for this long (and the rows are in). */
const QUIET_MS = 1_000;

/** In every page: long tasks, and when the first history rows appeared. */
export const PAGE_PROBE = `(() => {
  const bench = (window.__bench = { longTasks: [], rowsAt: null, rowsCount: 0 });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch {}
  const check = () => {
    if (bench.rowsAt !== null) return;
    const n = document.querySelectorAll(${JSON.stringify(ROW_SELECTOR)}).length;
    if (n > 0) {
      bench.rowsAt = performance.now();
      bench.rowsCount = n;
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true });
})();`;

/**
 * @typedef {object} TtiRun
 * @property {number} rowsMs       navigation start -> first rows in the DOM
 * @property {number} ttiMs        end of the last long task after that (or rowsMs)
 * @property {number} rows
 * @property {number} longTasks    count before TTI
 * @property {number} longTaskMs   their total duration
 * @property {Array<{ start: number, duration: number }>} tasks  those long tasks
 * @property {number} htmlMs       document responseEnd
 * @property {number} jsMs         last script responseEnd before the rows
 * @property {Array<{ name: string, start: number, end: number }>} requests  API calls before the rows
 * @property {Download} download
 */

/**
 * One cold load of /executions in a fresh signed-in context.
 * @param {import("playwright-core").Browser} browser
 * @param {{ baseUrl: string, cookies: any[] }} session
 * @returns {Promise<{ run: TtiRun, page: import("playwright-core").Page, close: () => Promise<void> }>}
 */
export async function loadHistory(browser, { baseUrl, cookies }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addCookies(cookies);
  await context.addInitScript(PAGE_PROBE);
  const page = await context.newPage();
  const scripts = recordScripts(page);
  await page.goto(`${baseUrl}/executions`, { waitUntil: "commit", timeout: WAIT_MS });
  await page.waitForFunction(() => /** @type {any} */ (window).__bench?.rowsAt != null, null, {
    timeout: WAIT_MS,
    polling: 50,
  });
  await page.waitForFunction(
    (quietMs) => {
      const bench = /** @type {any} */ (window).__bench;
      const lastEnd = Math.max(0, ...bench.longTasks.map((/** @type {number[]} */ t) => t[0] + t[1]));
      return performance.now() - Math.max(lastEnd, bench.rowsAt) >= quietMs;
    },
    QUIET_MS,
    { timeout: WAIT_MS, polling: 100 },
  );
  const measured = await page.evaluate(() => {
    const bench = /** @type {any} */ (window).__bench;
    const nav = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType("navigation")[0]);
    const resources = /** @type {PerformanceResourceTiming[]} */ (performance.getEntriesByType("resource"));
    return {
      rowsAt: /** @type {number} */ (bench.rowsAt),
      rows: /** @type {number} */ (bench.rowsCount),
      longTasks: /** @type {number[][]} */ (bench.longTasks),
      htmlMs: nav.responseEnd,
      resources: resources.map((r) => ({
        name: r.name,
        type: r.initiatorType,
        start: r.startTime,
        end: r.responseEnd,
      })),
    };
  });
  const tasks = measured.longTasks.map(([start, duration]) => ({ start, end: start + duration, duration }));
  const after = tasks.filter((t) => t.end > measured.rowsAt);
  const ttiMs = Math.max(measured.rowsAt, ...after.map((t) => t.end));
  const before = tasks.filter((t) => t.start < ttiMs);
  const jsEnds = measured.resources
    .filter((r) => /\.js(\?|$)/.test(r.name) && r.start < measured.rowsAt)
    .map((r) => r.end);
  /** @type {TtiRun} */
  const run = {
    rowsMs: measured.rowsAt,
    ttiMs,
    rows: measured.rows,
    longTasks: before.length,
    longTaskMs: before.reduce((s, t) => s + t.duration, 0),
    tasks: before.map((t) => ({ start: t.start, duration: t.duration })),
    htmlMs: measured.htmlMs,
    jsMs: Math.max(0, ...jsEnds),
    requests: measured.resources
      .filter((r) => /\/(api|auth)\//.test(new URL(r.name).pathname) && r.start < measured.rowsAt)
      .map((r) => {
        const url = new URL(r.name);
        return { name: `${url.pathname}${url.search}`.slice(0, 60), start: r.start, end: r.end };
      }),
    download: await scripts(),
  };
  return { run, page, close: () => context.close() };
}

/** @param {TtiRun} r */
export const describeTti = (r) =>
  `rows ${fixed(r.rowsMs, 0)} ms (${r.rows} rows), TTI ${fixed(r.ttiMs, 0)} ms; html ${fixed(r.htmlMs, 0)}, ` +
  `JS loaded ${fixed(r.jsMs, 0)}, ${r.longTasks} long tasks (${fixed(r.longTaskMs, 0)} ms); requests: ` +
  r.requests.map((q) => `${q.name} ${fixed(q.start, 0)}-${fixed(q.end, 0)}`).join(", ");

/**
 * @typedef {object} LoadMoreStep
 * @property {number} before
 * @property {number} after
 * @property {number} renderedMs   click -> the new rows are in the DOM
 * @property {number} paintedMs    click -> the next frame after that
 * @property {number} requestMs    the page's API request (resource timing)
 * @property {number} longTaskMs
 */

/**
 * Scrolls to the end of the loaded rows and clicks "Load more", `count` times.
 * @param {import("playwright-core").Page} page
 * @param {number} count
 * @returns {Promise<LoadMoreStep[]>}
 */
export async function benchLoadMore(page, count) {
  /** @type {LoadMoreStep[]} */
  const steps = [];
  for (let i = 0; i < count; i++) {
    const button = page.getByRole("button", { name: /load more/i });
    await button.waitFor({ state: "visible", timeout: WAIT_MS });
    await button.scrollIntoViewIfNeeded({ timeout: WAIT_MS });
    const step = await page.evaluate(
      async ({ selector, timeoutMs }) => {
        const rows = () => document.querySelectorAll(selector).length;
        const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        await nextFrame();
        const button = [...document.querySelectorAll("button")].find((b) =>
          /load more/i.test(b.textContent ?? ""),
        );
        if (!button) throw new Error("no Load more button");
        const before = rows();
        const bench = /** @type {any} */ (window).__bench;
        const tasksBefore = bench.longTasks.length;
        const t0 = performance.now();
        button.click();
        await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no new rows within ${timeoutMs} ms`)), timeoutMs);
          const observer = new MutationObserver(() => {
            if (rows() > before) {
              observer.disconnect();
              clearTimeout(timer);
              resolve(undefined);
            }
          });
          observer.observe(document.body, { childList: true, subtree: true });
        });
        const rendered = performance.now();
        await nextFrame();
        const painted = performance.now();
        const request = /** @type {PerformanceResourceTiming[]} */ (performance.getEntriesByType("resource"))
          .filter((r) => r.startTime >= t0 && r.name.includes("/api/executions"))
          .at(-1);
        // Long tasks are reported a little after they end; wait one more frame for them.
        await nextFrame();
        const tasks = bench.longTasks.slice(tasksBefore).filter((/** @type {number[]} */ t) => t[0] >= t0);
        return {
          before,
          after: rows(),
          renderedMs: rendered - t0,
          paintedMs: painted - t0,
          requestMs: request ? request.responseEnd - request.startTime : NaN,
          longTaskMs: tasks.reduce((/** @type {number} */ s, /** @type {number[]} */ t) => s + t[1], 0),
        };
      },
      { selector: ROW_SELECTOR, timeoutMs: WAIT_MS },
    );
    steps.push(step);
    log(
      `[history] load more ${i + 1}: ${step.before} -> ${step.after} rows, rendered ${fixed(step.renderedMs, 0)} ms, ` +
        `painted ${fixed(step.paintedMs, 0)} ms (API ${fixed(step.requestMs, 0)} ms, long tasks ${fixed(step.longTaskMs, 0)} ms)`,
    );
  }
  return steps;
}
