import { createReadStream, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorBodySchema } from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { UnavailableError } from "../../errors.js";

/** Where `npm run build` packs the SDK and the CLI (`scripts/build.mjs`): dist/tarballs beside dist/api. */
const TARBALLS = fileURLToPath(new URL("../../tarballs/", import.meta.url));

/**
 * The CLI's and the SDK's npm tarballs, public: the exact versions this platform runs, so that
 * `npm install -g <platform>/api/cli/download` and a workspace's `"@bifrost/sdk": "<platform>/api/cli/sdk"`
 * need nothing but the platform (and the registry for the SDK's one dependency, zod).
 */
export const cliRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const [url, name, label] of [
    ["/api/cli/download", "cli", "The bifrost CLI's npm tarball (npm install -g <this URL>)"],
    ["/api/cli/sdk", "sdk", "The SDK's npm tarball, the version this platform runs"],
  ] as const) {
    app.get(
      url,
      {
        config: { access: "public" },
        schema: {
          tags: ["cli"],
          summary: label,
          response: { 200: z.any(), 503: errorBodySchema },
        },
      },
      async (_request, reply) => {
        const file = `${TARBALLS}${name}.tgz`;
        if (!existsSync(file)) throw new UnavailableError("The tarballs are not built: run npm run build");
        return reply
          .type("application/gzip")
          .header("content-disposition", `attachment; filename="bifrost-${name}.tgz"`)
          .header("cache-control", "no-cache")
          .send(createReadStream(file));
      },
    );
  }
};
