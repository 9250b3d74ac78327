#!/usr/bin/env node
import { parseArgs } from "node:util";
import type { GlobalOptions } from "./client.js";
import { login, logout, whoami } from "./commands/auth.js";
import {
  api,
  cancelExecution,
  executionLogs,
  listExecutions,
  listWorkflows,
  showExecution,
} from "./commands/browse.js";
import { check, init } from "./commands/init.js";
import { runLocal } from "./commands/local-run.js";
import { run } from "./commands/run.js";
import { pull, push, watch } from "./commands/sync.js";
import { CliError, print, printError } from "./output.js";

const GLOBAL_HELP = `bifrost — the Bifrost command line

Usage: bifrost <command> [options]

Commands:
  login [--url URL] [--token TOKEN]   log in (device login in the browser; --token for CI)
  init [dir] [--no-install]           a workspace folder: package.json, tsconfig, an example
  pull [dir]                          the platform's workspace files into the folder
  push [--force]                      send what changed (refused if the platform's copy changed)
  watch                               push each saved file, print its diagnostics
  check                               type-check the workspace
  logout                              end this login and forget it
  whoami                              who the CLI acts as
  workflows list                      the workflows you may run
  run <workflow> [--input JSON | -p key=value …] [--org ID]
                                      run on the platform, stream its logs, print the result
  run <workflow> --local [--inspect]  run this folder's copy here (a debugger works), as you
  executions list [--limit N]         recent runs
  executions show|logs|cancel <id>    one run, its log, or cancel it
  api METHOD PATH [--data JSON]       call any API route

Options for every command:
  --url URL      the platform (default: BIFROST_URL, else the last one logged in to)
  --token TOKEN  an access token to use instead of the saved login (or BIFROST_TOKEN)
  --json         machine-readable output
  -h, --help     help for a command

Credentials are kept per platform in $BIFROST_CONFIG_DIR, $XDG_CONFIG_HOME/bifrost or
~/.config/bifrost (credentials.json, mode 0600). Colours are off with NO_COLOR or without a terminal.`;

const HELP: Record<string, string> = {
  login: `Usage: bifrost login [--url URL] [--token TOKEN] [--json]

Without --token: prints a link and a code; open the link where you are signed in to Bifrost, check
the code and approve. The login is kept for the platform (and refreshed by itself).
With --token (or BIFROST_TOKEN): checks the token and keeps it (CI).`,
  logout: "Usage: bifrost logout [--url URL] [--json]\n\nEnds the login on the platform and forgets it here.",
  whoami: "Usage: bifrost whoami [--url URL] [--json]",
  workflows: "Usage: bifrost workflows list [--json]",
  executions: `Usage: bifrost executions list [--limit N] [--json]
       bifrost executions show <id> [--json]
       bifrost executions logs <id> [--json]
       bifrost executions cancel <id> [--json]`,
  run: `Usage: bifrost run <workflow> [--input JSON | -p key=value …] [--org ID] [--json]

Starts the workflow on the platform and prints its log lines live, coloured by level, then the result.
-p values are read as JSON when they parse (-p count=3 is a number), else as text. --org runs it for
an organization (platform admins). Exit code 0 on Success, 1 otherwise. Ctrl-C asks whether to cancel.

--local runs the workflow's file from this workspace folder in a Node process on this machine (your
edits, saved or not pushed), with the real SDK acting on the platform as you: the organization's
config, tables and files. The run shows in the history marked local; its log lines are printed here
and kept there. Platform admins only (those who may write workspace code). Ctrl-C stops it (Cancelled).
  --inspect            wait for a debugger before running: attach VS Code ("Attach to Node Process")
                       or Chrome (chrome://inspect) to the address printed; \`debugger\` statements
                       and breakpoints stop there
  --inspect-port N     the debugger's port (default: any free one), on 127.0.0.1`,
  init: `Usage: bifrost init [dir] [--no-install] [--url URL]

Writes package.json (the SDK from the platform's tarball, TypeScript for type checks), tsconfig.json,
an example workflow (hello.ts) and .gitignore, then runs npm install (not with --no-install).`,
  pull: "Usage: bifrost pull [dir]\n\nWrites the platform's workspace files into the folder and remembers their hashes.",
  push: `Usage: bifrost push [dir] [--force]

Sends the TypeScript files that changed since the last pull (new, changed, deleted) and prints each
file's diagnostics as file:line:col message. Refuses when the platform's copy of a file changed
since your last pull (someone edited it in the browser): pull first, or --force to overwrite.`,
  watch:
    "Usage: bifrost watch [dir]\n\nPushes each saved file within about a second and prints its diagnostics; survives the platform restarting.",
  check:
    "Usage: bifrost check [dir]\n\nType-checks the workspace with its tsconfig.json; prints file:line:col message.",
  api: `Usage: bifrost api METHOD PATH [--data JSON]

Calls any route of the API as you and prints the answer as JSON, e.g.
  bifrost api GET /api/workflows
  bifrost api POST /api/tables --data '{"name":"tickets"}'`,
};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: "string" },
      token: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      input: { type: "string" },
      param: { type: "string", short: "p", multiple: true, default: [] },
      org: { type: "string" },
      data: { type: "string" },
      limit: { type: "string" },
      force: { type: "boolean", default: false },
      local: { type: "boolean", default: false },
      inspect: { type: "boolean", default: false },
      "inspect-port": { type: "string" },
      "no-install": { type: "boolean", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || command === "help") {
    print(command === "help" && rest[0] ? (HELP[rest[0]] ?? GLOBAL_HELP) : GLOBAL_HELP);
    return 0;
  }
  if (values.help) {
    print(HELP[command] ?? GLOBAL_HELP);
    return 0;
  }
  const options: GlobalOptions = { url: values.url, token: values.token, json: values.json };
  switch (command) {
    case "login":
      await login(options);
      return 0;
    case "logout":
      await logout(options);
      return 0;
    case "whoami":
      await whoami(options);
      return 0;
    case "workflows":
      if (rest[0] !== "list") throw new CliError(HELP.workflows ?? "");
      await listWorkflows(options);
      return 0;
    case "executions":
      switch (rest[0]) {
        case "list":
          await listExecutions(options, Math.min(1000, Math.max(1, Number(values.limit ?? 25) || 25)));
          return 0;
        case "show":
          await showExecution(options, rest[1]);
          return 0;
        case "logs":
          await executionLogs(options, rest[1]);
          return 0;
        case "cancel":
          await cancelExecution(options, rest[1]);
          return 0;
        default:
          throw new CliError(HELP.executions ?? "");
      }
    case "init":
      return init({ ...options, install: !values["no-install"] }, rest[0]);
    case "pull":
      await pull(options, rest[0]);
      return 0;
    case "push":
      return push({ ...options, force: values.force }, rest[0]);
    case "watch":
      await watch(options, rest[0]);
      return 0;
    case "check":
      return check(options, rest[0]);
    case "run": {
      const flags = { input: values.input, params: values.param, org: values.org };
      if (!values.local) return run(options, rest[0], flags);
      return runLocal(options, rest[0], {
        ...flags,
        inspect: values.inspect,
        inspectPort: values["inspect-port"],
      });
    }
    case "api":
      await api(options, rest[0], rest[1], values.data);
      return 0;
    default:
      throw new CliError(`Unknown command ${command}: see bifrost --help`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError) printError(error.message);
    else if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
      printError(`${error.message} (see bifrost --help)`);
    else printError(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = error instanceof CliError ? error.exitCode : 2;
  },
);
