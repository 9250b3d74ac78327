import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.BIFROST_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
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
