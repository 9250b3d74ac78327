import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startEmbeddedWithWorkspace,
  type EmbeddedServer,
} from "../../../apps/server/test/support/embedded-server.js";
import { startCli, unpackTarball } from "./run-cli.js";

// The author's loop with the CLI (issue 24), in temporary folders against `bifrost-server start`,
// without a registry: init --no-install (the SDK and TypeScript linked from this checkout), edit,
// push, run; check; pull into a second folder; a change in the browser makes push refuse until pull
// or --force; watch pushes a saved file, also across a platform restart.

const REPO = path.resolve(import.meta.dirname, "../../..");
let embedded: EmbeddedServer;
let auth: Record<string, string>;
let home: string;
let first: string;
let env: Record<string, string>;

const cli = (args: string[], cwd = first) => startCli(args, { env, cwd }).done;
const read = (dir: string, file: string) => readFileSync(path.join(dir, file), "utf8");

/** What the browser's editor does: save a file. */
async function saveInBrowser(file: string, content: string): Promise<void> {
  const answer = await fetch(`${embedded.url}/api/files/editor/content`, {
    method: "PUT",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ path: file, content }),
  });
  if (!answer.ok) throw new Error(`save ${file}: ${answer.status}`);
}
const platformCopy = async (file: string): Promise<string | undefined> => {
  const answer = await fetch(`${embedded.url}/api/files/editor/content?path=${encodeURIComponent(file)}`, {
    headers: auth,
  });
  return answer.ok ? ((await answer.json()) as { content: string }).content : undefined;
};

beforeAll(async () => {
  ({ embedded, auth } = await startEmbeddedWithWorkspace({}));
  home = mkdtempSync(path.join(tmpdir(), "bifrost-cli-ws-"));
  env = { HOME: home, BIFROST_CONFIG_DIR: path.join(home, "config"), NO_COLOR: "1" };
  first = path.join(home, "first");
  const token = auth.authorization?.replace("Bearer ", "") ?? "";
  expect((await cli(["login", "--url", embedded.url, "--token", token], home)).code).toBe(0);
}, 90_000);
afterAll(async () => {
  await embedded?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("the workspace loop", () => {
  it(
    "init, edit the example, push, run: the log lines and the result, exit 0",
    { timeout: 60_000 },
    async () => {
      const init = await cli(["init", first, "--no-install"], home);
      expect(init.code).toBe(0);
      const manifest = JSON.parse(read(first, "package.json")) as { dependencies: Record<string, string> };
      expect(manifest.dependencies["@bifrost/sdk"]).toBe(`${embedded.url}/api/cli/sdk`);
      expect(read(first, ".gitignore")).toContain("node_modules/");
      // No registry here: the SDK comes from the platform's own tarball (what npm install would fetch),
      // unpacked by hand; its one dependency (zod) and TypeScript are linked from this checkout.
      await unpackTarball(`${embedded.url}/api/cli/sdk`, path.join(first, "node_modules/@bifrost/sdk"), home);
      symlinkSync(path.join(REPO, "node_modules/zod"), path.join(first, "node_modules/zod"));
      symlinkSync(path.join(REPO, "node_modules/typescript"), path.join(first, "node_modules/typescript"));
      mkdirSync(path.join(first, "node_modules/@types"));
      symlinkSync(path.join(REPO, "node_modules/@types/node"), path.join(first, "node_modules/@types/node"));
      symlinkSync(
        path.join(REPO, "node_modules/undici-types"),
        path.join(first, "node_modules/undici-types"),
      );

      writeFileSync(
        path.join(first, "hello.ts"),
        read(first, "hello.ts").replaceAll("Hello, ", "Good day, "),
      );
      const push = await cli(["push"]);
      expect(push.code).toBe(0);
      expect(push.stdout).toContain("+ hello.ts");
      const run = await cli(["run", "hello", "-p", "name=Ada"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/INFO +Good day, Ada!/);
      expect(run.stdout).toContain('"greeting": "Good day, Ada!"');
    },
  );

  it(
    "check reports a type error with its line; push prints compile errors as file:line:col",
    { timeout: 60_000 },
    async () => {
      writeFileSync(
        path.join(first, "typo.ts"),
        // Node's globals and an import without extension (as the platform resolves it) are no errors.
        'import { workflow, z } from "@bifrost/sdk";\nimport { hello } from "./hello";\nexport const typo = workflow({\n  params: z.object({ n: z.number() }),\n  run: async ({ n }) => {\n    const text: string = n;\n    console.log(await fetch(`http://127.0.0.1`), Buffer.from(text), hello.name);\n    return text;\n  },\n});\n',
      );
      const check = await cli(["check"]);
      expect(check.code).toBe(1);
      expect(check.stdout).toMatch(
        /^typo\.ts:6:11 error Type 'number' is not assignable to type 'string'\./m,
      );
      const clean = await cli(["check", "--json"]);
      expect(JSON.parse(clean.stdout)).toMatchObject({ problems: [{ file: "typo.ts", line: 6 }] });
      rmSync(path.join(first, "typo.ts"));
      expect((await cli(["check"])).code).toBe(0);

      writeFileSync(path.join(first, "broken.ts"), "export const x = ;\n");
      const push = await cli(["push"]);
      expect(push.code).toBe(1);
      expect(push.stdout).toMatch(/broken\.ts:1:\d+ error/);
      rmSync(path.join(first, "broken.ts"));
    },
  );

  it("pull into a second folder gives identical files", async () => {
    const second = path.join(home, "second");
    expect((await cli(["pull", second], home)).code).toBe(0);
    expect(read(second, "hello.ts")).toBe(read(first, "hello.ts"));
  });

  it("a change in the browser makes push refuse until pull, or --force", { timeout: 60_000 }, async () => {
    const browserVersion = read(first, "hello.ts").replaceAll("Good day, ", "Hi there, ");
    await saveInBrowser("hello.ts", browserVersion);
    writeFileSync(path.join(first, "hello.ts"), read(first, "hello.ts").replaceAll("Good day, ", "Howdy, "));
    const refused = await cli(["push", "--json"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Changed on the platform since your last pull: hello\.ts/);
    expect(await platformCopy("hello.ts")).toBe(browserVersion);
    // --force overwrites the browser's version...
    const forced = await cli(["push", "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ changes: [{ path: "hello.ts", kind: "changed" }] });
    expect(await platformCopy("hello.ts")).toContain("Howdy, ");
    // ...and after a pull, a plain push goes through again.
    await saveInBrowser("hello.ts", browserVersion);
    expect((await cli(["pull"])).code).toBe(0);
    expect(read(first, "hello.ts")).toBe(browserVersion);
    writeFileSync(path.join(first, "hello.ts"), browserVersion.replaceAll("Hi there, ", "Hello again, "));
    expect((await cli(["push"])).code).toBe(0);
  });

  it(
    "watch pushes a saved file within seconds, also after the platform restarts",
    { timeout: 90_000 },
    async () => {
      const watcher = startCli(["watch"], { env, cwd: first });
      const waitFor = async (what: () => Promise<boolean>, label: string) => {
        const deadline = Date.now() + 30_000;
        while (!(await what())) {
          if (Date.now() > deadline) throw new Error(`${label} did not happen`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      };
      try {
        await waitFor(async () => (await stdoutOf(watcher)).includes("Watching"), "watch to start");
        writeFileSync(path.join(first, "watched.ts"), 'export const answer = "first";\n');
        await waitFor(
          async () => (await platformCopy("watched.ts"))?.includes("first") === true,
          "the first push",
        );
        await embedded.server.stop();
        writeFileSync(path.join(first, "watched.ts"), 'export const answer = "second";\n');
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await embedded.restart();
        await waitFor(
          async () => (await platformCopy("watched.ts"))?.includes("second") === true,
          "the push after the restart",
        );
      } finally {
        watcher.child.kill("SIGINT");
        await watcher.done;
      }
    },
  );
});

describe("the tarballs the platform serves", () => {
  it("the CLI's installs and runs; the SDK's is the version this platform runs, with its types", async () => {
    const cliDir = path.join(home, "cli-package");
    await unpackTarball(`${embedded.url}/api/cli/download`, cliDir, home);
    const manifest = JSON.parse(read(cliDir, "package.json")) as { bin: Record<string, string> };
    const help = execFileSync(process.execPath, [path.join(cliDir, manifest.bin.bifrost ?? "")], {
      encoding: "utf8",
    });
    expect(help).toContain("bifrost — the Bifrost command line");
    const sdkDir = path.join(first, "node_modules/@bifrost/sdk");
    const sdk = JSON.parse(read(sdkDir, "package.json")) as { version: string };
    const platformSdk = JSON.parse(read(path.join(REPO, "packages/sdk"), "package.json")) as {
      version: string;
    };
    expect(sdk.version).toBe(platformSdk.version);
    expect(read(sdkDir, "dist/index.d.ts")).toContain("workflow");
  });
});

let captured = "";
async function stdoutOf(watcher: ReturnType<typeof startCli>): Promise<string> {
  if (!captured) watcher.child.stdout?.on("data", (chunk: Buffer) => (captured += chunk.toString()));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return captured;
}
