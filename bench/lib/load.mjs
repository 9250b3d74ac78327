// One bounded autocannon run against a local URL.
import autocannon from "autocannon";

/**
 * @typedef {object} LoadResult
 * @property {string} url
 * @property {number} durationS      requested duration
 * @property {number} connections
 * @property {number} reqPerSec      autocannon's average of its per-second samples
 * @property {number} total          responses received
 * @property {number} p50            ms, from every response's own timing (any status)
 * @property {number} p99            ms
 * @property {number} max            ms
 * @property {number} errors         connection errors and timeouts (autocannon "errors")
 * @property {number} timeouts       of which timeouts
 * @property {number} non2xx         responses whose status was not 2xx
 * @property {Record<string, number>} statusCounts
 */

/**
 * Nearest-rank percentile of sorted values.
 * @param {Float64Array} sorted
 * @param {number} p  0..100
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * @param {{ url: string, connections: number, durationS: number, headers?: Record<string, string> }} options
 *   `headers` are sent with every request (e.g. an Authorization header)
 * @returns {Promise<LoadResult>}
 */
export async function runLoad({ url, connections, durationS, headers }) {
  const parsed = new URL(url);
  if (parsed.hostname !== "127.0.0.1") throw new Error(`refusing to load a non-local URL: ${url}`);
  /** @type {number[]} */
  const latencies = [];
  const instance = autocannon({
    url,
    connections,
    duration: durationS,
    timeout: 10,
    headers,
    // Keep the defaults explicit: no pipelining, no rate cap, errors counted in the stats.
    pipelining: 1,
  });
  // autocannon's histogram stores whole milliseconds; this keeps sub-millisecond precision.
  instance.on("response", (_client, _statusCode, _bytes, responseTimeMs) => {
    latencies.push(responseTimeMs);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  /** @type {Record<string, number>} */
  const statusCounts = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCounts[code] = count;
  return {
    url,
    durationS,
    connections,
    reqPerSec: result.requests.average,
    total: result.requests.total,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCounts,
  };
}
