import { csvDocument } from "../../report/csv.js";
import type { Table } from "./tables.js";

/** A table as CSV, every column: RFC 4180 (CRLF, a header row), every cell neutralised against formulas. */
export function tableCsv(t: Table): string {
  return csvDocument(
    t.columns.map((c) => c.label),
    t.rows.map((row) => t.columns.map((c) => row[c.key] ?? null)),
  );
}
