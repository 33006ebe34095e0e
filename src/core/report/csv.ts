/**
 * CSV for spreadsheets: the export's evidence pack and the register's tables. Every cell is
 * neutralised against formula injection, since the text comes from repositories and GitHub.
 */

export type CsvValue = string | number | null;

/** Characters a spreadsheet reads as the start of a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: neutralised against formula injection (a leading `=`, `+`, `-`, `@`, tab or
 * carriage return gets a `'` in front), then quoted as RFC 4180 requires.
 */
export function csvCell(value: CsvValue): string {
  let text = value === null ? "" : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole CSV file as RFC 4180 writes it: a header row, CRLF after every row. */
export function csvDocument(
  header: readonly string[],
  rows: ReadonlyArray<readonly CsvValue[]>,
): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
