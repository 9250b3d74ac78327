import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { currentPlatform } from "../credentials.js";
import type { GlobalOptions } from "../client.js";
import { CliError, paint, print, printJson } from "../output.js";
import { writeState } from "../workspace.js";

/** The TypeScript the scaffold type-checks with (the platform compiles with esbuild, types aside). */
const TYPESCRIPT_VERSION = "5.9.3";
/**
 * Node's own types, of the Node the platform runs (26): workflows run in Node, with its globals
 * (`console`, `fetch`, `setTimeout`, `Buffer`) and its `node:` modules. The browser editor checks
 * with the same declarations.
 */
const NODE_TYPES_VERSION = "26.6.11";

const EXAMPLE = `import { workflow, z } from "@bifrost/sdk";

/**
 * Your first workflow: \`bifrost push\`, then \`bifrost run hello -p name=Ada\`.
 * Its parameters (a zod object) become the run form and the API's input schema.
 */
export const hello = workflow({
  description: "Greets someone",
  params: z.object({ name: z.string().describe("Who to greet") }),
  run: async ({ name }, ctx) => {
    ctx.log.info(\`Hello, \${name}!\`);
    return { greeting: \`Hello, \${name}!\` };
  },
});
`;

/** The workspace's tsconfig.json (the web client's templates are checked with it too). */
export const TSCONFIG = {
  compilerOptions: {
    target: "ES2023",
    lib: ["ES2023"],
    // Imports resolve as the platform's compiler resolves them (`./x`, `./x.js`, `./x.ts`).
    module: "ESNext",
    moduleResolution: "Bundler",
    allowImportingTsExtensions: true,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  },
  include: ["**/*.ts"],
  exclude: ["node_modules"],
};

/**
 * `bifrost init [dir] [--no-install]`: a workspace folder — package.json (the SDK from the platform's
 * own tarball, the exact version it runs; TypeScript to type-check), tsconfig.json, an example
 * workflow and .gitignore — then `npm install` unless --no-install.
 */
export async function init(
  options: GlobalOptions & { install: boolean },
  dir: string | undefined,
): Promise<number> {
  const url = currentPlatform(options.url);
  if (!url) throw new CliError("Which platform? Log in first (bifrost login --url …) or pass --url");
  const root = path.resolve(dir ?? ".");
  if (existsSync(path.join(root, "package.json")))
    throw new CliError(`${root} already has a package.json: choose an empty folder`);
  mkdirSync(root, { recursive: true });
  const name =
    path
      .basename(root)
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-") || "bifrost-workspace";
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify(
      {
        name,
        private: true,
        type: "module",
        scripts: { check: "bifrost check", push: "bifrost push", watch: "bifrost watch" },
        dependencies: { "@bifrost/sdk": `${url}/api/cli/sdk` },
        devDependencies: { typescript: TYPESCRIPT_VERSION, "@types/node": NODE_TYPES_VERSION },
      },
      null,
      2,
    )}\n`,
    "tsconfig.json": `${JSON.stringify(TSCONFIG, null, 2)}\n`,
    "hello.ts": EXAMPLE,
    ".gitignore": "node_modules/\n.bifrost/\n",
  };
  for (const [file, content] of Object.entries(files)) {
    if (existsSync(path.join(root, file))) continue;
    writeFileSync(path.join(root, file), content);
  }
  writeState(root, { url, files: {} });
  if (options.install) {
    const npm = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
    if (npm.status !== 0) throw new CliError("npm install failed: run it again in the folder");
  }
  if (options.json) return (printJson({ root, files: Object.keys(files) }), 0);
  print(`A workspace for ${url} in ${root}`);
  print(
    `Next: ${paint(`cd ${path.relative(process.cwd(), root) || "."}`, "bold")}, ${paint("bifrost push", "bold")}, ${paint("bifrost run hello -p name=Ada", "bold")}`,
  );
  return 0;
}

/**
 * `bifrost check [dir]`: type-checks the workspace with its tsconfig.json — TypeScript from the
 * workspace's node_modules, else the one beside the CLI — and prints `file:line:col message`.
 */
export async function check(options: GlobalOptions, dir: string | undefined): Promise<number> {
  const root = path.resolve(dir ?? ".");
  if (!existsSync(path.join(root, "tsconfig.json")))
    throw new CliError(`No tsconfig.json in ${root}: run bifrost init`);
  let tsc: string;
  try {
    tsc = createRequire(path.join(root, "package.json")).resolve("typescript/bin/tsc");
  } catch {
    try {
      tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    } catch {
      throw new CliError("TypeScript is not installed: run npm install in the workspace");
    }
  }
  const result = spawnSync(process.execPath, [tsc, "--noEmit", "--pretty", "false", "-p", root], {
    cwd: root,
    encoding: "utf8",
  });
  const problems = result.stdout
    .split("\n")
    .map((line) => /^(.+?)\((\d+),(\d+)\): (error|warning) TS\d+: (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      file: path
        .relative(root, path.resolve(root, m[1] ?? ""))
        .split(path.sep)
        .join("/"),
      line: Number(m[2]),
      column: Number(m[3]),
      message: m[5] ?? "",
    }));
  if (options.json) printJson({ root, problems });
  else if (problems.length === 0 && result.status === 0) print(paint("No type errors.", "green"));
  else {
    for (const p of problems) print(`${p.file}:${p.line}:${p.column} ${paint("error", "red")} ${p.message}`);
    if (problems.length === 0) print(result.stdout || result.stderr);
  }
  return result.status === 0 ? 0 : 1;
}
