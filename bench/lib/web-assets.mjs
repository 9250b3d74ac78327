// What a built web client (apps/web/dist or BIFROST_WEB_DIR) makes the browser download before the
// first page can run: index.html's module entry, its modulepreload links and, transitively, every
// chunk they import statically. Lazy chunks (import()) are listed apart.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

/** @param {Buffer | string} data */
const gzipBytes = (data) => gzipSync(data, { level: 9 }).length;

/**
 * Static `import … from "./x.js"`, `import "./x.js"` and `export … from "./x.js"` of a minified
 * chunk (not `import("./x.js")`: a parenthesis cannot appear between the keyword and the string).
 */
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g;

/**
 * @typedef {object} Asset
 * @property {string} file     path under the web root, e.g. assets/index-abc.js
 * @property {number} bytes
 * @property {number} gzip     gzip -9 bytes
 */

/**
 * @param {string} webDir
 * @returns {{ initial: Asset[], initialCss: Asset[], lazy: Asset[] }}
 */
export function analyseBuild(webDir) {
  const html = readFileSync(path.join(webDir, "index.html"), "utf8");
  /** @param {RegExp} re */
  const attrs = (re) => [...html.matchAll(re)].map((m) => m[1].replace(/^\//, ""));
  const entries = [
    ...attrs(/<script\b[^>]*type="module"[^>]*\bsrc="([^"]+)"/g),
    ...attrs(/<link\b[^>]*rel="modulepreload"[^>]*\bhref="([^"]+)"/g),
  ];
  const css = attrs(/<link\b[^>]*rel="stylesheet"[^>]*\bhref="([^"]+)"/g);
  if (entries.length === 0) throw new Error(`${webDir}/index.html has no <script type="module" src>`);

  /** @type {Map<string, Asset>} */
  const initial = new Map();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = /** @type {string} */ (queue.shift());
    if (initial.has(file)) continue;
    const data = readFileSync(path.join(webDir, file));
    initial.set(file, { file, bytes: data.length, gzip: gzipBytes(data) });
    for (const match of data.toString("utf8").matchAll(STATIC_IMPORT)) {
      queue.push(path.posix.join(path.posix.dirname(file), match[1]));
    }
  }
  /** @type {Asset[]} */
  const lazy = [];
  const assetsDir = path.join(webDir, "assets");
  for (const name of readdirSync(assetsDir)) {
    const file = `assets/${name}`;
    if (!name.endsWith(".js") || initial.has(file)) continue;
    const data = readFileSync(path.join(assetsDir, name));
    lazy.push({ file, bytes: statSync(path.join(assetsDir, name)).size, gzip: gzipBytes(data) });
  }
  lazy.sort((a, b) => b.gzip - a.gzip);
  const initialCss = css.map((file) => {
    const data = readFileSync(path.join(webDir, file));
    return { file, bytes: data.length, gzip: gzipBytes(data) };
  });
  return { initial: [...initial.values()], initialCss, lazy };
}

/** @param {Asset[]} assets */
export const sumGzip = (assets) => assets.reduce((sum, a) => sum + a.gzip, 0);
/** @param {Asset[]} assets */
export const sumBytes = (assets) => assets.reduce((sum, a) => sum + a.bytes, 0);

/**
 * @typedef {object} Download
 * @property {number} files
 * @property {number} bytes
 * @property {number} gzip
 * @property {Array<{ file: string, gzip: number }>} largest
 */

/**
 * Records every JS response of a page (body gzip -9, as a compressing server would send it).
 * @param {import("playwright-core").Page} page
 */
export function recordScripts(page) {
  /** @type {Promise<{ url: string, bytes: number, gzip: number } | null>[]} */
  const pending = [];
  page.on("response", (response) => {
    const url = response.url();
    const isScript = response.request().resourceType() === "script" || /\.m?js(\?|$)/.test(url);
    if (!isScript) return;
    pending.push(
      response.body().then(
        (body) => ({ url, bytes: body.length, gzip: gzipBytes(body) }),
        () => null,
      ),
    );
  });
  return async () => {
    const scripts = /** @type {Array<{ url: string, bytes: number, gzip: number }>} */ (
      (await Promise.all(pending)).filter(Boolean)
    );
    /** @type {Download} */
    const download = {
      files: scripts.length,
      bytes: scripts.reduce((s, x) => s + x.bytes, 0),
      gzip: scripts.reduce((s, x) => s + x.gzip, 0),
      largest: scripts
        .map((s) => ({ file: new URL(s.url).pathname.replace(/^\//, ""), gzip: s.gzip }))
        .sort((a, b) => b.gzip - a.gzip)
        .slice(0, 3),
    };
    return download;
  };
}
