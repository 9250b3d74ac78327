import {
  errorBodySchema,
  renameWorkspaceFileSchema,
  WORKSPACE_FILE_MAX_BYTES,
  workspaceFileSchema,
  workspacePathQuerySchema,
  workspaceTreeSchema,
  writeWorkspaceFileResultSchema,
  writeWorkspaceFileSchema,
} from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { WorkspaceService } from "../../services/workspace/workspace-service.js";
import { actorOf } from "../access.js";
import { platformAdminOnly, protectedErrors } from "./shared.js";

/**
 * Room for a 1 MB file in a JSON body whatever the process-wide limit: escaping makes the body
 * larger than the content; the service answers 413 past 1 MB of content itself.
 */
const WRITE_BODY_LIMIT = 3 * WORKSPACE_FILE_MAX_BYTES;

export const workspaceRoutes: FastifyPluginAsyncZod<{ workspace: WorkspaceService }> = async (
  app,
  { workspace },
) => {
  app.get(
    "/api/files/editor",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["workspace"],
        summary: "Every workspace file: path, hash, size, updatedAt",
        response: { 200: workspaceTreeSchema, ...protectedErrors },
      },
    },
    () => workspace.tree(),
  );
  app.get(
    "/api/files/editor/content",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["workspace"],
        querystring: workspacePathQuerySchema,
        response: { 200: workspaceFileSchema, ...protectedErrors },
      },
    },
    (request) => workspace.read(request.query.path),
  );
  app.put(
    "/api/files/editor/content",
    {
      config: platformAdminOnly,
      bodyLimit: WRITE_BODY_LIMIT,
      schema: {
        tags: ["workspace"],
        summary:
          "Write a file; a .ts file is compiled and its definitions registered (422 with details.diagnostics when it does not compile or load)",
        body: writeWorkspaceFileSchema,
        response: { 200: writeWorkspaceFileResultSchema, ...protectedErrors, 413: errorBodySchema },
      },
    },
    (request) => workspace.write(request.body, actorOf(request)),
  );
  app.post(
    "/api/files/editor/rename",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["workspace"],
        summary: "Move a file; workflows of the old path become inactive, the new path gets new ones",
        body: renameWorkspaceFileSchema,
        response: { 200: writeWorkspaceFileResultSchema, ...protectedErrors },
      },
    },
    (request) => workspace.rename(request.body, actorOf(request)),
  );
  app.delete(
    "/api/files/editor",
    {
      config: platformAdminOnly,
      schema: {
        tags: ["workspace"],
        summary: "Delete a file; its workflows become inactive",
        querystring: workspacePathQuerySchema,
        response: { 204: z.null(), ...protectedErrors },
      },
    },
    async (request, reply) => {
      await workspace.delete(request.query.path, actorOf(request));
      return reply.code(204).send(null);
    },
  );
};
