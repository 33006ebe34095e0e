import { extractAttestation } from "../../core/attestation/index.js";
import { escapeHtml, htmlPage, htmlValue } from "../../core/report/html.js";
import type {
  AccountRef,
  AttestationCommentRecord,
  CheckRunRecord,
  CommentEditRecord,
  EvidenceRecord,
  MergeVerificationRecord,
  PullRequestRecord,
  ReviewRecord,
  SummaryRecord,
  VerificationRecord,
} from "./records.js";
import { isAcceptable } from "./verification.js";

/**
 * The evidence pack as one self-contained HTML page an auditor can read and print: no external
 * assets, no scripts (a Content-Security-Policy forbids both), every value from GitHub escaped.
 */

const e = htmlValue;

/** A link only for http(s) URLs; anything else is shown as text. */
function link(url: string | null, text: string): string {
  if (url === null || !/^https?:\/\//i.test(url)) return e(text);
  return `<a href="${escapeHtml(url)}">${e(text)}</a>`;
}

const who = (a: AccountRef | null): string =>
  a ? `${e(a.login)}${a.type !== "User" ? ` <span class="muted">(${e(a.type)})</span>` : ""}` : "—";

/** A time or an identifier: kept on one line. */
const nowrap = (value: string | number | null | undefined): string =>
  `<span class="nowrap">${e(value)}</span>`;

const code = (value: string | null): string =>
  value === null || value === "" ? "—" : `<code>${escapeHtml(value)}</code>`;

const short = (sha: string | null): string =>
  sha ? `<code class="sha" title="${escapeHtml(sha)}">${escapeHtml(sha.slice(0, 12))}</code>` : "—";

function table(caption: string, headers: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<h3>${caption}</h3>\n<p class="empty">${empty}</p>\n`;
  const head = headers.map((h) => `<th scope="col">${h}</th>`).join("");
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`);
  return `<h3>${caption}</h3>\n<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body.join("\n")}\n</tbody>\n</table>\n`;
}

function conclusionBadge(run: CheckRunRecord): string {
  const state = run.conclusion ?? run.status;
  const tone =
    state === "success"
      ? "ok"
      : state === "failure"
        ? "bad"
        : state === "action_required"
          ? "wait"
          : "";
  return `<span class="badge ${tone}">${e(state.replaceAll("_", " "))}</span>`;
}

function verdictBadge(v: VerificationRecord | undefined): string {
  if (!v) return `<span class="badge">not verified</span>`;
  const tone = v.verdict === "valid" ? "ok" : isAcceptable(v.verdict) ? "wait" : "bad";
  const also =
    v.also.length > 0 ? ` <span class="muted">(also ${e(v.also.join(", "))})</span>` : "";
  return `<span class="badge ${tone}">${e(v.verdict.replaceAll("_", " "))}</span>${also}`;
}

function checkRunsTable(runs: CheckRunRecord[]): string {
  return table(
    "Check-run history",
    ["Commit", "Check", "Result", "Title", "Started", "Completed", "App", "Run"],
    runs.map((r) => [
      `${short(r.head_sha)}${r.current_head ? ' <span class="muted">head</span>' : ""}`,
      e(r.name),
      conclusionBadge(r),
      r.summary
        ? `<details><summary>${e(r.title)}</summary><pre>${escapeHtml(r.summary)}</pre></details>`
        : e(r.title),
      nowrap(r.started_at),
      nowrap(r.completed_at),
      nowrap(r.app),
      link(r.html_url, String(r.id)),
    ]),
    "No runs of aigate's checks were found on this pull request's commits.",
  );
}

function mergeVerificationsTable(merges: MergeVerificationRecord[]): string {
  if (merges.length === 0) return "";
  return table(
    "Merge verification of the landed commit",
    ["Commit", "Result", "Title", "App", "Run"],
    merges.map((m) => [
      short(m.commit),
      e(m.conclusion ?? "none"),
      e(m.title),
      nowrap(m.app),
      link(m.html_url, String(m.id)),
    ]),
    "",
  );
}

function approvalsTable(
  comments: AttestationCommentRecord[],
  verdicts: Map<number, VerificationRecord>,
): string {
  return table(
    "Approvals: attestation comments",
    [
      "Comment",
      "Posted by",
      "Posted",
      "Decision",
      "Approver",
      "Systems",
      "Head",
      "Digest",
      "Verdict",
    ],
    comments.map((line) => {
      const c = line.comment;
      const v = verdicts.get(c.id);
      const extracted = extractAttestation(c.body);
      const digest = v?.digest ?? (extracted.ok ? extracted.envelope.digest : null);
      const edited =
        c.updated_at !== c.created_at
          ? ` <span class="badge bad">edited ${e(c.updated_at)}</span>`
          : "";
      return [
        link(c.html_url, String(c.id)),
        who(c.user),
        `${nowrap(c.created_at)}${edited}`,
        e(v?.decision),
        v?.approver ? e(v.approver.login) : "—",
        e(v?.systems.join(", ")),
        short(v?.head_sha ?? null),
        digest
          ? code(digest)
          : `<span class="muted">${e(extracted.ok ? "" : extracted.reason)}</span>`,
        `${verdictBadge(v)}${v ? `<div class="reason">${e(v.reason)}</div>` : ""}`,
      ];
    }),
    "No attestation comments on this pull request.",
  );
}

function reviewsTable(reviews: ReviewRecord[]): string {
  return table(
    "Reviews",
    ["Review", "Reviewer", "State", "Commit", "Submitted", "Body"],
    reviews.map((r) => [
      e(r.id),
      who(r.user),
      e(r.state),
      short(r.commit_id),
      nowrap(r.submitted_at),
      r.body === "" ? "—" : `<div class="text">${escapeHtml(r.body)}</div>`,
    ]),
    "No reviews.",
  );
}

function editsTable(edits: CommentEditRecord[]): string {
  return table(
    "Edited comments",
    ["Comment", "Author", "Created", "Last edited", "Kind", "Body now"],
    edits.map((c) => [
      link(c.html_url, String(c.comment_id)),
      who(c.user),
      nowrap(c.created_at),
      nowrap(c.updated_at),
      c.attestation ? '<span class="badge bad">attestation</span>' : "comment",
      `<div class="text">${escapeHtml(c.body)}</div>`,
    ]),
    "No comment was edited after it was posted.",
  );
}

interface PullSection {
  pull: PullRequestRecord;
  runs: CheckRunRecord[];
  reviews: ReviewRecord[];
  comments: AttestationCommentRecord[];
  edits: CommentEditRecord[];
  verdicts: Map<number, VerificationRecord>;
  merges: MergeVerificationRecord[];
}

function pullSection(s: PullSection): string {
  const p = s.pull;
  const state = p.merged_at ? `merged ${p.merged_at}` : p.state;
  return `<section class="pr" id="pr-${p.number}">
<h2>${link(p.html_url, `#${p.number}`)} ${e(p.title)}</h2>
<dl>
<dt>Author</dt><dd>${who(p.author)}</dd>
<dt>State</dt><dd>${e(state)}${p.draft ? " (draft)" : ""}</dd>
<dt>Base</dt><dd>${e(p.base_ref)} at ${code(p.base_sha)}</dd>
<dt>Head</dt><dd>${e(p.head_ref)} at ${code(p.head_sha)}</dd>
<dt>Opened</dt><dd>${e(p.created_at)}</dd>
<dt>Last updated</dt><dd>${e(p.updated_at)}</dd>
</dl>
${checkRunsTable(s.runs)}${mergeVerificationsTable(s.merges)}${approvalsTable(s.comments, s.verdicts)}${reviewsTable(s.reviews)}${editsTable(s.edits)}</section>
`;
}

function sections(records: readonly EvidenceRecord[]): PullSection[] {
  const byNumber = new Map<number, PullSection>();
  const order: PullSection[] = [];
  for (const r of records) {
    if (r.type === "pull_request") {
      const s: PullSection = {
        pull: r,
        runs: [],
        reviews: [],
        comments: [],
        edits: [],
        verdicts: new Map(),
        merges: [],
      };
      byNumber.set(r.number, s);
      order.push(s);
      continue;
    }
    if (r.type === "summary") continue;
    const s = byNumber.get(r.pull_request);
    if (!s) continue;
    if (r.type === "check_run") s.runs.push(r);
    else if (r.type === "review") s.reviews.push(r);
    else if (r.type === "attestation_comment") s.comments.push(r);
    else if (r.type === "comment_edit") s.edits.push(r);
    else if (r.type === "merge_verification") s.merges.push(r);
    else s.verdicts.set(r.comment_id, r);
  }
  return order;
}

function describeSelection(summary: SummaryRecord): string {
  const sel = summary.selection;
  if ("pr" in sel) return `pull request #${sel.pr}`;
  if ("since" in sel) return `pull requests updated since ${sel.since}`;
  return "every pull request";
}

function verificationLine(summary: SummaryRecord | undefined): string {
  const v = summary?.verification;
  if (!v) {
    return '<span class="badge">not verified</span> exported without <code>--jwks</code>: verify with <code>aigate verify --evidence PACK.jsonl --jwks KEYS.json</code>';
  }
  const counts = Object.entries(v.counts)
    .map(([verdict, n]) => `${n} ${verdict.replaceAll("_", " ")}`)
    .join(", ");
  const badge = v.ok
    ? '<span class="badge ok">evidence valid</span>'
    : '<span class="badge bad">evidence INVALID</span>';
  return `${badge} ${v.total} attestation(s)${counts ? `: ${e(counts)}` : ""}`;
}

/** Each pull request starts a printed page. */
const EXPORT_STYLE = `
@media print {
  section.pr { break-before: page; }
}
`;

/** The pack as one HTML page. */
export function toHtml(records: readonly EvidenceRecord[]): string {
  const summary = records.find((r): r is SummaryRecord => r.type === "summary");
  const prs = sections(records);
  const repository = summary?.repository ?? prs[0]?.pull.repository ?? "";
  const body = prs.map(pullSection).join("\n");
  return htmlPage({
    title: `AI governance evidence: ${repository || "—"}`,
    style: EXPORT_STYLE,
    body: `<header>
<h1>AI governance evidence: ${e(repository)}</h1>
<dl>
<dt>Selection</dt><dd>${summary ? e(describeSelection(summary)) : "—"}</dd>
<dt>Pull requests</dt><dd>${prs.length === 0 ? "none matched" : prs.map((s) => `<a href="#pr-${s.pull.number}">#${s.pull.number}</a>`).join(" ")}</dd>
<dt>Exported</dt><dd>${e(summary?.generated_at)} from ${e(summary?.api_url)}</dd>
<dt>Attestations</dt><dd>${verificationLine(summary)}</dd>
</dl>
</header>
${body}
<footer class="limits">
<p>Generated by <code>aigate export</code>. The JSON Lines form of this pack is the one to verify:
<code>aigate verify --evidence PACK.jsonl --jwks KEYS.json</code> checks every attestation's signature offline.
GitHub's REST API keeps no edit history of comments or review bodies: an edited comment shows only its current body.
GitHub deletes the oldest check runs once a check suite holds more than 1000 runs of one name: export regularly.</p>
</footer>`,
  });
}
