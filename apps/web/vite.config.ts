import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { editorTypes } from "./editor-types.js";

const api = process.env.BIFROST_API_URL ?? "http://127.0.0.1:3000";

/** Files worth compressing: text (and wasm, which shrinks well); images and fonts already are. */
const COMPRESSIBLE = /\.(?:js|css|json|svg|html|wasm)$/;

/**
 * `.br` and `.gz` beside each built file under `assets/`, which the server sends to browsers that
 * accept them (`apps/server/src/api/plugins/not-found.ts`): compressed once here at the highest
 * levels, not on every request. Files of 1 KiB or less, and any that would not shrink, stay as they are.
 */
function precompress(): Plugin {
  return {
    name: "bifrost-precompress",
    apply: "build",
    writeBundle(output) {
      const assets = path.resolve(output.dir ?? "dist", "assets");
      for (const entry of readdirSync(assets, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
        const file = path.join(entry.parentPath, entry.name);
        const raw = readFileSync(file);
        if (raw.length <= 1024) continue;
        const gzip = gzipSync(raw, { level: 9 });
        const brotli = brotliCompressSync(raw, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 11,
            [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        });
        if (gzip.length < raw.length) writeFileSync(`${file}.gz`, gzip);
        if (brotli.length < raw.length) writeFileSync(`${file}.br`, brotli);
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), editorTypes(), precompress()],
  // The editor's TypeScript worker is an ES module (Content-Security-Policy: worker-src 'self').
  worker: { format: "es", plugins: () => [editorTypes()] },
  build: { outDir: "dist", emptyOutDir: true },
  // `npm run dev -w @bifrost/web`: hot reload, API calls proxied to a running server.
  server: {
    proxy: {
      "/api": api,
      "/auth": api,
      "/health": api,
      "/mcp": api,
      "/ws": { target: api, ws: true },
    },
  },
});
