// Plain-text tables: columns separated by " | ", numbers right-aligned, text left-aligned.

/**
 * @param {string[]} headers
 * @param {Array<Array<string | number>>} rows   numbers are right-aligned; format them beforehand
 * @param {Array<"left" | "right">} [align]      per column; default: right for numbers, left otherwise
 * @returns {string}
 */
export function formatTable(headers, rows, align) {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => (row[i] ?? "").length)),
  );
  const alignment = headers.map(
    (_, i) =>
      align?.[i] ??
      (rows.some((row) => typeof row[i] === "number" || /^[\d.,-]+$/.test(String(row[i])))
        ? "right"
        : "left"),
  );
  /** @param {string[]} row */
  const line = (row) =>
    row
      .map((cell, i) => (alignment[i] === "right" ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join(" | ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("-+-"), ...cells.map(line)].join("\n");
}

/**
 * @param {number} value
 * @param {number} [digits]
 */
export function fixed(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

/** A line of the bench's output. @param {string} text */
export const log = (text) => console.log(text);
/** A whole number with thousands separators. @param {number} n */
export const count = (n) => Math.round(n).toLocaleString("en-US");
