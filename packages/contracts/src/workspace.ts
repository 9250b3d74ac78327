import { z } from "zod";

/** A workspace file holds at most 1 MB (UTF-8 bytes of its content). */
export const WORKSPACE_FILE_MAX_BYTES = 1024 * 1024;
export const WORKSPACE_PATH_MAX_LENGTH = 500;

/**
 * Why `path` is not a workspace path, or undefined when it is one: relative, `/`-separated, no
 * empty, `.` or `..` segment, no NUL, backslash or other control character, at most 500 characters.
 * `node_modules` segments are refused because the compiled workspace keeps its own `node_modules`
 * (the SDK shim) beside the user's files.
 */
export function workspacePathProblem(path: string): string | undefined {
  if (path.length === 0) return "is empty";
  if (path.length > WORKSPACE_PATH_MAX_LENGTH)
    return `is longer than ${WORKSPACE_PATH_MAX_LENGTH} characters`;
  if (path.includes("\\")) return "must use / as separator, not \\";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return "must not contain control characters";
  if (path.startsWith("/")) return "must be relative (no leading /)";
  for (const segment of path.split("/")) {
    if (segment === "") return "must not have empty segments";
    if (segment === "." || segment === "..") return "must not contain . or .. segments";
    if (segment === "node_modules") return "must not contain a node_modules segment";
  }
  return undefined;
}

export const workspacePathSchema = z.string().superRefine((path, ctx) => {
  const problem = workspacePathProblem(path);
  if (problem) ctx.addIssue({ code: "custom", message: `path ${problem}` });
});

export const diagnosticSchema = z.object({
  /** 1-based. */
  line: z.number().int(),
  /** 1-based. */
  column: z.number().int(),
  message: z.string(),
  severity: z.enum(["error", "warning"]),
});
export type Diagnostic = z.infer<typeof diagnosticSchema>;

export const workspaceFileEntrySchema = z.object({
  path: z.string(),
  /** SHA-256 (hex) of the content: what `expectedHash` is compared with. */
  hash: z.string(),
  /** Bytes (UTF-8) of the content. */
  size: z.number().int(),
  updatedAt: z.string(),
});
export type WorkspaceFileEntry = z.infer<typeof workspaceFileEntrySchema>;

/** `GET /api/files/editor`: every file of the workspace, by path. */
export const workspaceTreeSchema = z.object({ files: z.array(workspaceFileEntrySchema) });
export type WorkspaceTree = z.infer<typeof workspaceTreeSchema>;

export const workspacePathQuerySchema = z.object({ path: workspacePathSchema });

export const workspaceFileSchema = z.object({
  path: z.string(),
  content: z.string(),
  hash: z.string(),
  updatedAt: z.string(),
});
export type WorkspaceFile = z.infer<typeof workspaceFileSchema>;

/** `PUT /api/files/editor/content`; the content limit is checked by the server (413 beyond it). */
export const writeWorkspaceFileSchema = z.object({
  path: workspacePathSchema,
  content: z.string(),
  /** The hash the editor last saw; another one on the server (or no file) is a 409. */
  expectedHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be a SHA-256 hex digest")
    .optional(),
});

/** `POST /api/files/editor/rename`; the target must not exist. */
export const renameWorkspaceFileSchema = z.object({ from: workspacePathSchema, to: workspacePathSchema });

export const workflowSummarySchema = z.object({
  id: z.guid(),
  name: z.string(),
  type: z.enum(["workflow", "tool", "data_provider"]),
});

export const writeWorkspaceFileResultSchema = z.object({
  path: z.string(),
  hash: z.string(),
  /** The file's active definitions after the write. */
  workflows: z.array(workflowSummarySchema),
  diagnostics: z.array(diagnosticSchema),
});
export type WriteWorkspaceFileResult = z.infer<typeof writeWorkspaceFileResultSchema>;
