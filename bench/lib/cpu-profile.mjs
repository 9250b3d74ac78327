// Where a page's main thread went during a measured window: a V8 CPU profile (Chrome DevTools
// Protocol, Profiler domain) summed by function ("self" time), plus the WebSocket frames received.
import path from "node:path";

/**
 * @typedef {object} ProfileSummary
 * @property {number} totalMs     sampled time of the window
 * @property {number} idleMs      "(idle)": the main thread had nothing to do
 * @property {number} gcMs        "(garbage collector)"
 * @property {number} programMs   "(program)": native work outside JavaScript (style, layout, paint, parsing)
 * @property {Array<{ name: string, ms: number }>} top   JavaScript functions by self time
 * @property {Array<{ name: string, ms: number }>} byScript  self time by script file
 * @property {number} wsFrames    WebSocket frames received in the window
 * @property {number} wsBytes
 */

/**
 * Starts profiling the page (1 ms sampling) and counting WebSocket frames; the returned `stop()`
 * ends both and summarises.
 * @param {import("playwright-core").BrowserContext} context
 * @param {import("playwright-core").Page} page
 * @returns {Promise<() => Promise<ProfileSummary>>}
 */
export async function startProfile(context, page) {
  const cdp = await context.newCDPSession(page);
  let wsFrames = 0;
  let wsBytes = 0;
  cdp.on("Network.webSocketFrameReceived", (event) => {
    wsFrames += 1;
    wsBytes += event.response?.payloadData?.length ?? 0;
  });
  await cdp.send("Network.enable");
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 1000 });
  await cdp.send("Profiler.start");
  return async () => {
    const { profile } = await cdp.send("Profiler.stop");
    await cdp.detach().catch(() => undefined);
    return { ...summarise(profile), wsFrames, wsBytes };
  };
}

/**
 * @param {{ nodes: Array<{ id: number, callFrame: { functionName: string, url: string, lineNumber: number, columnNumber: number } }>, samples?: number[], timeDeltas?: number[] }} profile
 */
function summarise(profile) {
  /** @type {Map<number, { functionName: string, url: string, lineNumber: number, columnNumber: number }>} */
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  /** @type {Map<string, number>} */
  const byFunction = new Map();
  /** @type {Map<string, number>} */
  const byScript = new Map();
  let totalUs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the delta to the next sample.
    const us = Math.max(0, deltas[i + 1] ?? 0);
    totalUs += us;
    const frame = frames.get(samples[i]);
    if (!frame) continue;
    const script = frame.url ? path.posix.basename(new URL(frame.url, "http://x/").pathname) : "";
    const name = frame.url
      ? `${frame.functionName || "(anonymous)"} ${script}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`
      : frame.functionName || "(native)";
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const scriptKey = script || frame.functionName || "(native)";
    byScript.set(scriptKey, (byScript.get(scriptKey) ?? 0) + us);
  }
  const ms = (/** @type {string} */ key) => (byFunction.get(key) ?? 0) / 1000;
  const special = new Set(["(idle)", "(garbage collector)", "(program)", "(root)"]);
  const top = [...byFunction]
    .filter(([name]) => !special.has(name))
    .map(([name, us]) => ({ name, ms: us / 1000 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 10);
  return {
    totalMs: totalUs / 1000,
    idleMs: ms("(idle)"),
    gcMs: ms("(garbage collector)"),
    programMs: ms("(program)"),
    top,
    byScript: [...byScript]
      .filter(([name]) => !special.has(name))
      .map(([name, us]) => ({ name, ms: us / 1000 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 6),
  };
}
