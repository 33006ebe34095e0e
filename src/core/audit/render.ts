import { csvDocument } from "../report/csv.js";
import { escapeHtml, htmlPage } from "../report/html.js";
import { code, md, table } from "../report/markdown.js";
import { AUDIT_STATUSES, type AuditRow, auditTotals } from "./status.js";

/** The audit's population in each output format; every format shows the same rows and totals. */

export interface AuditReport {
  repository: string;
  branch: string;
  since: string | null;
  until: string | null;
  /** Whether signatures were checked (trusted keys given). */
  signaturesChecked: boolean;
  rows: AuditRow[];
}

export type AuditFormat = "md" | "csv" | "json" | "html";

const COLUMNS = [
  "commit",
  "date",
  "status",
  "reason",
  "pull_request",
  "approvers",
  "systems",
  "files",
  "record",
] as const;

function cells(row: AuditRow): Array<string | number | null> {
  return [
    row.sha,
    row.date,
    row.status,
    row.reason,
    row.pullRequest,
    row.approvers.join(" "),
    row.systems.join(" "),
    row.files.join(" "),
    row.record,
  ];
}

function windowText(report: AuditReport): string {
  return `${report.since ?? "the first commit"} to ${report.until ?? "now"}`;
}

export function renderAudit(report: AuditReport, format: AuditFormat): string {
  const totals = auditTotals(report.rows);
  if (format === "json") {
    return `${JSON.stringify({ ...report, totals }, null, 2)}\n`;
  }
  if (format === "csv") return csvDocument(COLUMNS, report.rows.map(cells));
  const head = [
    `Repository ${report.repository}, branch ${report.branch}, commits from ${windowText(report)}.`,
    `${report.rows.length} commit(s) changed a governed path: ${AUDIT_STATUSES.map((s) => `${totals.all[s]} ${s}`).join(", ")}.`,
    report.signaturesChecked
      ? "Every record's signature was checked against the given keys."
      : "Signatures were NOT checked (no --jwks): no commit can be verified.",
  ];
  const systemRows = totals.systems.map((s) => [
    s.system,
    ...AUDIT_STATUSES.map((st) => String(s.counts[st])),
  ]);
  if (format === "md") {
    return `${[
      "# Merge verification audit",
      "",
      ...head.map(md),
      "",
      "## Totals per system",
      "",
      table(
        ["system", ...AUDIT_STATUSES],
        systemRows.map(([name, ...rest]) => [code(name ?? ""), ...rest]),
      ),
      "",
      "## Population",
      "",
      table(
        ["commit", "date", "status", "pull request", "approvers", "systems", "reason"],
        report.rows.map((r) => [
          code(r.sha.slice(0, 12)),
          md(r.date),
          `**${r.status}**`,
          r.pullRequest === null ? "—" : `#${r.pullRequest}`,
          md(r.approvers.map((a) => `@${a}`).join(", ") || "—"),
          md(r.systems.join(", ")),
          md(r.reason),
        ]),
      ),
    ].join("\n")}\n`;
  }
  const th = (cols: readonly string[]) =>
    `<tr>${cols.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>`;
  const td = (cols: Array<string | number | null>) =>
    `<tr>${cols.map((c) => `<td>${escapeHtml(c === null ? "" : String(c))}</td>`).join("")}</tr>`;
  return htmlPage({
    title: `Merge verification audit: ${report.repository}@${report.branch}`,
    body: [
      `<h1>Merge verification audit</h1>`,
      ...head.map((line) => `<p>${escapeHtml(line)}</p>`),
      `<h2>Totals per system</h2><table>${th(["system", ...AUDIT_STATUSES])}${systemRows.map(td).join("")}</table>`,
      `<h2>Population</h2><table>${th(COLUMNS)}${report.rows.map((r) => td(cells(r))).join("")}</table>`,
    ].join("\n"),
  });
}
