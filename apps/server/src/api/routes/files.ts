import {
  errorBodySchema,
  fileExistsResultSchema,
  fileListSchema,
  fileRequestSchema,
  listFilesRequestSchema,
  readFileRequestSchema,
  readFileResultSchema,
  signedUploadResultSchema,
  signedUrlRequestSchema,
  signedUrlResultSchema,
  writeFileRequestSchema,
  writeFileResultSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod, ZodTypeProvider } from "fastify-type-provider-zod";
import type { Readable } from "node:stream";
import { z } from "zod";
import type { FilesService } from "../../services/files/files-service.js";
import { requirePrincipal } from "../access.js";
import { originOf, protectedErrors } from "./shared.js";

const adminOrRun = { access: "platformAdminOrRun" as const };
const publicAccess = { access: "public" as const };
/** A JSON write carries its content inline (base64 for bytes); larger files go through a signed URL. */
const WRITE_BODY_LIMIT = 32 * 1024 * 1024;
const tokenQuery = z.object({ token: z.string().min(1).max(8192) });
const signedErrors = { 403: errorBodySchema, 404: errorBodySchema, 422: errorBodySchema };

/** `POST /api/files/*` (platform admins and runs' SDK) and the public signed-URL routes. */
export const fileRoutes: FastifyPluginAsyncZod<{ files: FilesService }> = async (app, { files }) => {
  app.post(
    "/api/files/read",
    {
      config: adminOrRun,
      schema: {
        tags: ["files"],
        summary: "Read a file (utf8 text or base64)",
        body: readFileRequestSchema,
        response: { 200: readFileResultSchema, ...protectedErrors },
      },
    },
    (request) => files.read(requirePrincipal(request), request.body),
  );
  app.post(
    "/api/files/write",
    {
      config: adminOrRun,
      bodyLimit: WRITE_BODY_LIMIT,
      schema: {
        tags: ["files"],
        summary: "Write a file, replacing its content (the workspace location is read-only: 422)",
        body: writeFileRequestSchema,
        response: { 200: writeFileResultSchema, ...protectedErrors, 413: errorBodySchema },
      },
    },
    (request) => files.write(requirePrincipal(request), request.body),
  );
  app.post(
    "/api/files/delete",
    {
      config: adminOrRun,
      schema: {
        tags: ["files"],
        summary: "Delete a file (deleting a missing file succeeds)",
        body: fileRequestSchema,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await files.delete(requirePrincipal(request), request.body);
      return reply.code(204).send(null);
    },
  );
  app.post(
    "/api/files/list",
    {
      config: adminOrRun,
      schema: {
        tags: ["files"],
        summary: "Files whose path starts with the prefix, sorted by path",
        body: listFilesRequestSchema,
        response: { 200: fileListSchema, ...protectedErrors },
      },
    },
    async (request) => ({ items: await files.list(requirePrincipal(request), request.body) }),
  );
  app.post(
    "/api/files/exists",
    {
      config: adminOrRun,
      schema: {
        tags: ["files"],
        body: fileRequestSchema,
        response: { 200: fileExistsResultSchema, ...protectedErrors },
      },
    },
    async (request) => ({ exists: await files.exists(requirePrincipal(request), request.body) }),
  );
  app.post(
    "/api/files/signed-url",
    {
      config: adminOrRun,
      schema: {
        tags: ["files"],
        summary: "A URL that downloads (GET) or uploads (PUT) one file without a token, until it expires",
        body: signedUrlRequestSchema,
        response: { 200: signedUrlResultSchema, ...protectedErrors },
      },
    },
    (request) => files.signedUrl(requirePrincipal(request), request.body, originOf(request)),
  );

  app.get(
    "/api/files/signed",
    {
      config: publicAccess,
      schema: {
        tags: ["files"],
        summary: "Download through a signed URL (403 when forged or expired)",
        querystring: tokenQuery,
        response: {
          200: z.unknown().describe("The file's bytes (application/octet-stream)"),
          ...signedErrors,
        },
      },
    },
    async (request, reply) => {
      const file = await files.openSigned(request.query.token);
      return reply
        .headers({
          "content-type": "application/octet-stream",
          "content-length": String(file.size),
          // Served as a download, never rendered: uploaded HTML must not run on the API's origin.
          "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
          "x-content-type-options": "nosniff",
          "cache-control": "private, no-store",
        })
        .send(file.stream);
    },
  );

  // The upload is streamed to the file store: this scope's parser hands the raw body on unread.
  await app.register(async (plugin) => {
    const scoped = plugin.withTypeProvider<ZodTypeProvider>();
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    scoped.put(
      "/api/files/signed",
      {
        config: publicAccess,
        schema: {
          tags: ["files"],
          summary:
            "Upload the raw body through a signed URL (403 when forged or expired, 413 when too large, " +
            "415 when its Content-Type is not one the URL takes)",
          querystring: tokenQuery,
          response: {
            200: signedUploadResultSchema,
            ...signedErrors,
            413: errorBodySchema,
            415: errorBodySchema,
          },
        },
      },
      (request) => {
        const length = request.headers["content-length"];
        return files.acceptSigned(
          request.query.token,
          (request.body as Readable | undefined) ?? request.raw,
          length === undefined ? undefined : Number(length),
          request.headers["content-type"],
        );
      },
    );
  });
};
