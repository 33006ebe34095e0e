import { createHash } from "node:crypto";
import { md } from "../report/markdown.js";
import type { Register, RegisterSystem } from "./schema.js";

/**
 * The tracking issue of a scheduled register (docs/audit.md, "On a schedule"): one issue listing
 * the assessments that have expired or will expire soon, updated in place and closed when
 * nothing is left to list. Planning is pure; src/github/flow/tracking-issue.ts reads and writes.
 */

export const TRACKING_LABEL = "aigate-register";
export const TRACKING_TITLE = "AI governance: risk assessments expired or due";

/** The hidden marker that finds the issue again: one issue per register source. */
export function trackingMarker(source: string): string {
  const key = createHash("sha256").update(source).digest("hex").slice(0, 16);
  return `<!-- aigate-register-tracking:v1 ${key} -->`;
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

/** What to do with the tracking issue so that it lists exactly what is due, writing nothing when it already does. */
export function planTrackingIssue(existing: TrackedIssue | null, register: Register): TrackingPlan {
  const body = trackingBody(register);
  if (body === null) {
    if (existing?.state === "open") {
      return { kind: "close", number: existing.number, body: closedBody(register) };
    }
    return { kind: "none", number: existing?.number ?? null };
  }
  if (!existing) return { kind: "create", title: TRACKING_TITLE, body, labels: [TRACKING_LABEL] };
  if (existing.state === "open" && existing.body === body) {
    return { kind: "none", number: existing.number };
  }
  return { kind: "update", number: existing.number, body, reopen: existing.state === "closed" };
}
