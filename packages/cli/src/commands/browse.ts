import { Api, type GlobalOptions } from "../client.js";
import { CliError, paint, print, printJson, printTable, withProgress, type Colour } from "../output.js";

type Workflow = { id: string; name: string; type: string; path: string; description: string | null };
type Execution = {
  id: string;
  workflowName: string;
  status: string;
  executedByName: string | null;
  createdAt: string;
  durationMs: number | null;
  error?: string | null;
  errorType?: string | null;
  result?: unknown;
  inputData?: unknown;
};
export type LogLine = { sequence: number; level: string; message: string; timestamp: string };

const LEVEL_COLOURS: Record<string, Colour> = { debug: "grey", info: "blue", warn: "yellow", error: "red" };
const STATUS_COLOURS: Record<string, Colour> = {
  Success: "green",
  Failed: "red",
  Timeout: "red",
  Cancelled: "yellow",
};

export const formatLog = (line: LogLine): string =>
  `${paint(line.timestamp.slice(11, 23), "grey")} ${paint(line.level.toUpperCase().padEnd(5), LEVEL_COLOURS[line.level] ?? "grey")} ${line.message}`;
export const formatStatus = (status: string): string => paint(status, STATUS_COLOURS[status] ?? "bold");

/** `bifrost api METHOD PATH [--data JSON]`: any route of the API, answered as JSON. */
export async function api(
  options: GlobalOptions,
  method: string | undefined,
  path: string | undefined,
  data: string | undefined,
) {
  if (!method || !path) throw new CliError("Usage: bifrost api METHOD PATH [--data JSON]");
  let body: unknown;
  if (data !== undefined) {
    try {
      body = JSON.parse(data);
    } catch {
      throw new CliError("--data is not valid JSON");
    }
  }
  const answer = await Api.connect(options).request<unknown>(
    method.toUpperCase(),
    path.startsWith("/") ? path : `/${path}`,
    body,
  );
  printJson(answer ?? null);
}

export async function listWorkflows(options: GlobalOptions) {
  const list = await withProgress("Loading workflows…", () =>
    Api.connect(options).request<{ items: Workflow[] }>("GET", "/api/workflows"),
  );
  if (options.json) return printJson(list.items);
  if (list.items.length === 0) return print("No workflows yet: bifrost init, then bifrost push.");
  printTable(
    list.items.map((w) => ({ name: w.name, type: w.type, file: w.path, id: w.id })),
    ["name", "type", "file", "id"],
  );
}

export async function listExecutions(options: GlobalOptions, limit: number) {
  const list = await withProgress("Loading executions…", () =>
    Api.connect(options).request<{ items: Execution[] }>("GET", `/api/executions?limit=${limit}`),
  );
  if (options.json) return printJson(list.items);
  if (list.items.length === 0) return print("No executions yet.");
  printTable(
    list.items.map((e) => ({
      id: e.id,
      workflow: e.workflowName,
      status: e.status,
      by: e.executedByName ?? "",
      started: new Date(e.createdAt).toLocaleString(),
      duration: e.durationMs === null ? "" : `${e.durationMs} ms`,
    })),
    ["id", "workflow", "status", "by", "started", "duration"],
  );
}

export async function showExecution(options: GlobalOptions, id: string | undefined) {
  if (!id) throw new CliError("Usage: bifrost executions show ID");
  const execution = await Api.connect(options).request<Execution>(
    "GET",
    `/api/executions/${encodeURIComponent(id)}`,
    undefined,
    `execution ${id}`,
  );
  if (options.json) return printJson(execution);
  print(`${execution.workflowName}  ${formatStatus(execution.status)}  ${execution.durationMs ?? "?"} ms`);
  if (execution.error) print(`${paint("error", "red")}: ${execution.errorType ?? ""} ${execution.error}`);
  if (execution.result !== undefined && execution.result !== null)
    print(JSON.stringify(execution.result, null, 2));
}

export async function executionLogs(options: GlobalOptions, id: string | undefined) {
  if (!id) throw new CliError("Usage: bifrost executions logs ID");
  const api = Api.connect(options);
  const lines: LogLine[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    const page: { items: LogLine[]; nextCursor: string | null } = await api.request(
      "GET",
      `/api/executions/${encodeURIComponent(id)}/logs${query}`,
      undefined,
      `execution ${id}`,
    );
    lines.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  if (options.json) return printJson(lines);
  for (const line of lines) print(formatLog(line));
}

export async function cancelExecution(options: GlobalOptions, id: string | undefined) {
  if (!id) throw new CliError("Usage: bifrost executions cancel ID");
  const answer = await Api.connect(options).request<{ status: string }>(
    "POST",
    `/api/executions/${encodeURIComponent(id)}/cancel`,
    undefined,
    `execution ${id}`,
  );
  if (options.json) return printJson(answer);
  print(`${id}: ${formatStatus(answer.status)}`);
}
