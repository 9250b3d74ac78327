/**
 * Where workspace files live in the language service's virtual file system: under `/workspace/`, so
 * a bare import (`@bifrost/sdk`, `zod`) finds `/node_modules/` above them and a workspace folder can
 * never shadow it.
 */
const ROOT = "/workspace/";

export const toEnvPath = (workspacePath: string): string => `${ROOT}${workspacePath}`;

/** The workspace path of a file of the service, or null for a declaration outside the workspace. */
export const toWorkspacePath = (fileName: string): string | null =>
  fileName.startsWith(ROOT) ? fileName.slice(ROOT.length) : null;
