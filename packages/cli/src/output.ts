/** How the CLI speaks: colours only on a terminal and without NO_COLOR; JSON when asked. */

export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const useColour = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb";

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, grey: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(text: string, colour: Colour, stream: NodeJS.WriteStream = process.stdout): string {
  return useColour(stream) ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

export const print = (line = ""): void => {
  process.stdout.write(`${line}\n`);
};
export const printError = (line: string): void => {
  process.stderr.write(`${paint("error", "red", process.stderr)}: ${line}\n`);
};
export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

/** A table of rows as aligned columns (plain text: the terminal's width is the reader's business). */
export function printTable(rows: readonly Record<string, string>[], columns: readonly string[]): void {
  if (rows.length === 0) return;
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  print(paint(line(columns.map((c) => c.toUpperCase())), "bold"));
  for (const row of rows) print(line(columns.map((c) => row[c] ?? "")));
}

/**
 * A progress indicator on stderr for anything that may take over a second: shown after one second,
 * only on a terminal, and cleared when the work ends.
 */
export async function withProgress<T>(label: string, work: () => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return work();
  const frames = ["|", "/", "-", "\\"];
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    timer = setInterval(() => {
      process.stderr.write(`\r${frames[frame++ % frames.length] ?? ""} ${label}`);
    }, 120);
  }, 1000);
  try {
    return await work();
  } finally {
    clearTimeout(delay);
    if (timer) {
      clearInterval(timer);
      process.stderr.write("\r\u001b[K");
    }
  }
}
