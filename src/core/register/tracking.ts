import { createHash } from "node:crypto";
import { MAX_COMMENT_CHARS } from "../limits.js";
import {
  BYPASS_TABLE_HEADER,
  type Bypass,
  bypassRowsWith,
} from "../merge-verification/bypass-issue.js";
import { md } from "../report/markdown.js";
import type { Register, RegisterSystem } from "./schema.js";

/**
 * The tracking issue of a scheduled register (docs/audit.md, "On a schedule"): one issue listing
 * the assessments that have expired or will expire soon, updated in place and closed when
 * nothing is left to list. The Action's push runs add the commits that bypassed the gates to it,
 * as a section of its own that register runs keep (docs/action.md#bypasses-in-the-tracking-issue).
 * Planning is pure; src/github/flow/tracking-issue.ts reads and writes.
 */

export const TRACKING_LABEL = "aigate-register";
export const TRACKING_TITLE = "AI governance: risk assessments expired or due";

/** What every tracking issue's marker begins with, whatever its source. */
export const TRACKING_MARKER_PREFIX = "<!-- aigate-register-tracking:v1 ";

/** The hidden marker that finds the issue again: one issue per register source. */
export function trackingMarker(source: string): string {
  const key = createHash("sha256").update(source).digest("hex").slice(0, 16);
  return `${TRACKING_MARKER_PREFIX}${key} -->`;
}

const BYPASSES_START = "<!-- aigate-register-bypasses:start -->";
const BYPASSES_END = "<!-- aigate-register-bypasses:end -->";

/** The section of bypassed commits in a body, markers included; null when it has none. */
function bypassSection(body: string | undefined): string | null {
  if (body === undefined) return null;
  const start = body.indexOf(BYPASSES_START);
  const end = body.indexOf(BYPASSES_END, start);
  if (start === -1 || end === -1) return null;
  return body.slice(start, end + BYPASSES_END.length);
}

/** A body with the section of bypassed commits (kept from the issue as it was) at its end. */
function withBypasses(body: string, section: string | null): string {
  return section === null ? body : `${body}\n\n${section}`;
}

function renderBypassSection(rows: string[]): string {
  return [
    BYPASSES_START,
    "### Commits that bypassed the gates",
    "",
    "Each landed on a governed branch without passing aigate's gates; its check run `AI governance: merge verification` carries the signed record. Added by the Action's push runs, newest first; `aigate audit` lists every commit of a branch with its status.",
    "",
    ...BYPASS_TABLE_HEADER,
    ...rows,
    BYPASSES_END,
  ].join("\n");
}

/** Expired and expiring assessments: what the issue lists. */
export function dueSystems(register: Register): RegisterSystem[] {
  return register.systems.filter(
    (s) => s.assessment.status === "expired" || s.assessment.status === "expiring",
  );
}

/**
 * The issue body, or null when nothing is due. It holds nothing that changes from day to day
 * (no run time, no days left), so a run that finds the same assessments due writes nothing.
 */
export function trackingBody(register: Register): string | null {
  const due = dueSystems(register);
  if (due.length === 0) return null;
  const rows = due.map(
    (s) =>
      `| ${md(s.repository)} | ${md(s.system)} | ${md(s.owner)} | **${s.assessment.status}** | ${s.assessment.review_by ?? "—"} | ${md(s.assessment.path ?? "—")} |`,
  );
  return [
    trackingMarker(register.source.description),
    `Risk assessments in ${md(register.source.description)} that have expired or are due within ${register.expiring_within_days} days. An expired assessment fails the risk-assessment gate of every change to its system: review it, update \`review_by\`, and merge.`,
    "",
    "| Repository | System | Owner | Status | Review by | Assessment |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "_Kept by aigate's scheduled register: updated in place, and closed when nothing is left to list._",
  ].join("\n");
}

/** The body a closed issue is left with. */
export function closedBody(register: Register): string {
  return [
    trackingMarker(register.source.description),
    `No risk assessment in ${md(register.source.description)} has expired or is due within ${register.expiring_within_days} days.`,
    "",
    "_Kept by aigate's scheduled register: it reopens this issue when an assessment falls due._",
  ].join("\n");
}

export interface TrackedIssue {
  number: number;
  state: "open" | "closed";
  body: string;
}

export type TrackingPlan =
  | { kind: "none"; number: number | null }
  | { kind: "create"; title: string; body: string; labels: string[] }
  | { kind: "update"; number: number; body: string; reopen: boolean }
  | { kind: "close"; number: number; body: string };

/**
 * What to do with the tracking issue so that it lists exactly what is due, writing nothing when it
 * already does. Its section of bypassed commits is kept as it is, also in the closed body.
 */
export function planTrackingIssue(existing: TrackedIssue | null, register: Register): TrackingPlan {
  const kept = bypassSection(existing?.body);
  const due = trackingBody(register);
  const body = due === null ? null : withBypasses(due, kept);
  if (body === null) {
    if (existing?.state === "open") {
      return {
        kind: "close",
        number: existing.number,
        body: withBypasses(closedBody(register), kept),
      };
    }
    return { kind: "none", number: existing?.number ?? null };
  }
  if (!existing) return { kind: "create", title: TRACKING_TITLE, body, labels: [TRACKING_LABEL] };
  if (existing.state === "open" && existing.body === body) {
    return { kind: "none", number: existing.number };
  }
  return { kind: "update", number: existing.number, body, reopen: existing.state === "closed" };
}

/**
 * Adds a commit that bypassed the gates to the tracking issue's section of them, creating the
 * issue (for `source`) when there is none, reopening it when closed; nothing when the commit is
 * listed already. The rest of the body is left as the register wrote it.
 */
export function planTrackingBypass(
  existing: TrackedIssue | null,
  source: string,
  bypass: Bypass,
): TrackingPlan {
  const section = bypassSection(existing?.body);
  let rows = bypassRowsWith(section ?? "", bypass);
  if (rows === null) return { kind: "none", number: existing?.number ?? null };
  const rest = existing
    ? existing.body.replace(section ?? "", "").trimEnd()
    : [
        trackingMarker(source),
        `No risk assessment in ${md(source)} is listed as expired or due: the scheduled register fills this in when it runs.`,
      ].join("\n");
  let body = withBypasses(rest, renderBypassSection(rows));
  // Older rows give way to stay within GitHub's limit; the check runs keep every record.
  while (body.length > MAX_COMMENT_CHARS && rows.length > 1) {
    rows = rows.slice(0, -1);
    body = withBypasses(rest, renderBypassSection(rows));
  }
  if (!existing) return { kind: "create", title: TRACKING_TITLE, body, labels: [TRACKING_LABEL] };
  return { kind: "update", number: existing.number, body, reopen: existing.state === "closed" };
}
