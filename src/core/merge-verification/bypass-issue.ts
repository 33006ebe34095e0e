import { MAX_COMMENT_CHARS } from "../limits.js";

/**
 * The App's issue listing the changes that bypassed the gates (docs/app.md#bypasses-reach-the-owners):
 * created on the first `FAILED` merge verification, then updated in place, one row per commit,
 * newest first, so the governance owners are notified. Pure: the adapter reads and writes it.
 */

export const BYPASS_ISSUE_TITLE = "AI governance: changes that bypassed the gates";
export const BYPASS_LABEL = "ai-governance-bypass";
export const BYPASS_MARKER = "<!-- aigate-bypasses:v1 -->";
/** Rows kept in the issue; older ones stay in the check runs (`aigate audit` lists them all). */
export const MAX_BYPASS_ROWS = 200;

export interface Bypass {
  sha: string;
  /** The commit's page. */
  url: string;
  branch: string;
  reason: string;
  /** When it was verified, ISO-8601. */
  at: string;
}

export interface ExistingIssue {
  number: number;
  state: "open" | "closed";
  body: string;
}

export type BypassIssuePlan =
  | { kind: "none" }
  | { kind: "create"; title: string; body: string; labels: string[] }
  | { kind: "update"; number: number; body: string; reopen: boolean };

const ROW = /^\| `([0-9a-f]{7,64})` \|.*$/gm;

function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    .slice(0, 500);
}

/** The table's header: the App's issue and the register's tracking issue list bypasses alike. */
export const BYPASS_TABLE_HEADER = [
  "| commit | branch | verified | why | |",
  "|---|---|---|---|---|",
];

/**
 * The rows of `text` with `bypass` added first (the newest on top), at most MAX_BYPASS_ROWS;
 * null when the commit is listed already.
 */
export function bypassRowsWith(text: string, bypass: Bypass): string[] | null {
  const rows = [...text.matchAll(ROW)].map((m) => m[0]);
  if (rows.some((row) => row.startsWith(`| \`${bypass.sha}\``))) return null;
  const row = `| \`${bypass.sha}\` | ${cell(bypass.branch)} | ${bypass.at} | ${cell(bypass.reason)} | [commit](${bypass.url}) |`;
  return [row, ...rows].slice(0, MAX_BYPASS_ROWS);
}

/** Adds a bypass to the issue, or creates it; nothing when the commit is listed already. */
export function planBypassIssue(existing: ExistingIssue | null, bypass: Bypass): BypassIssuePlan {
  const kept = bypassRowsWith(existing?.body ?? "", bypass);
  if (kept === null) return { kind: "none" };
  const body = cutToLimit(
    [
      BYPASS_MARKER,
      "Commits that landed on a governed branch without passing aigate's gates, each with the reason its merge verification failed. Each commit carries the check run `AI governance: merge verification` with a signed record; `aigate audit` lists every commit of a branch with its status (docs/audit.md).",
      "",
      ...BYPASS_TABLE_HEADER,
      ...kept,
      "",
    ].join("\n"),
  );
  if (!existing) return { kind: "create", title: BYPASS_ISSUE_TITLE, body, labels: [BYPASS_LABEL] };
  return { kind: "update", number: existing.number, body, reopen: existing.state === "closed" };
}

export function cutToLimit(body: string): string {
  if (body.length <= MAX_COMMENT_CHARS) return body;
  const cut = body.slice(0, MAX_COMMENT_CHARS - 200);
  return `${cut.slice(0, cut.lastIndexOf("\n"))}\n\n_Older rows left out to stay within GitHub's limit; \`aigate audit\` lists them._\n`;
}
