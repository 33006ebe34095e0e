import type { BundleVerifier } from "../attestation/bundle.js";
import type { TrustedKey } from "../attestation/keys.js";
import { extractVerification, verifyVerification } from "../merge-verification/record.js";

/**
 * The auditor's population (docs/audit.md#aigate-audit-the-population-of-landed-changes): each
 * commit on a branch's first-parent history that changed a governed path, with the status of
 * its merge verification. Pure: the CLI lists the commits and reads the check runs.
 */

export const AUDIT_STATUSES = ["verified", "bypass", "missing", "invalid"] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

/** A governed commit of the population, as local git or the API listed it. */
export interface PopulationCommit {
  sha: string;
  /** Committer date, ISO-8601. */
  date: string;
  subject: string;
  /** The systems its governed files belong to (`aigate:manifest` for the manifest itself). */
  systems: string[];
  files: string[];
}

/** aigate's merge verification check run on the commit, as listed. */
export interface FoundCheckRun {
  conclusion: string | null;
  summary: string | null;
  text: string | null;
  url: string | null;
}

export interface AuditRow extends PopulationCommit {
  status: AuditStatus;
  reason: string;
  /** The pull request the record names, when it names one. */
  pullRequest: number | null;
  /** Approvers the check's summary lists (text outside the signature). */
  approvers: string[];
  levels: string[];
  record: string | null;
}

/**
 * The status of one commit: `verified` (a PASSED record whose signature and subject verify),
 * `bypass` (a genuine FAILED record, with its reason), `missing` (no record) or `invalid` (a
 * record that does not verify). Without trusted keys nothing keyed can be `verified`, and without
 * a bundle verifier (trusted root and allowed workflows) nothing keyless
 * (docs/audit.md#keyless-merge-verifications).
 */
export function auditRow(
  commit: PopulationCommit,
  run: FoundCheckRun | undefined,
  keys: TrustedKey[] | undefined,
  resourceUri: string,
  bundles?: BundleVerifier,
): AuditRow {
  const row: AuditRow = {
    ...commit,
    status: "missing",
    reason: "no merge verification on this commit",
    pullRequest: null,
    approvers: [],
    levels: [],
    record: run?.url ?? null,
  };
  if (!run) return row;
  row.pullRequest = pullRequestOf(run.summary);
  row.approvers = approversOf(run.summary);
  const extracted = extractVerification(run.text);
  if (!extracted.ok) return { ...row, status: "invalid", reason: extracted.reason };
  const keyless = extracted.bundle !== undefined;
  if (keyless && bundles === undefined) {
    return {
      ...row,
      status: "invalid",
      reason:
        "keyless record not checked: give the allowed workflows with --signer-workflow or --manifest",
    };
  }
  if (!keyless && keys === undefined) {
    return {
      ...row,
      status: "invalid",
      reason: "signature not checked: give the trusted keys with --jwks",
    };
  }
  const checked = verifyVerification(
    extracted.envelope,
    keys ?? [],
    { commit: commit.sha, resourceUri },
    { bundle: extracted.bundle, bundles },
  );
  if (!checked.ok) return { ...row, status: "invalid", reason: checked.reason };
  const predicate = checked.statement.predicate;
  row.levels = predicate.verifiedLevels;
  if (predicate.verificationResult !== "PASSED") {
    return { ...row, status: "bypass", reason: bypassReason(run.summary) };
  }
  if (run.conclusion !== "success") {
    return {
      ...row,
      status: "invalid",
      reason: `the record says PASSED but the check concluded ${run.conclusion ?? "nothing"}`,
    };
  }
  return { ...row, status: "verified", reason: "PASSED" };
}

/** The first reason the check's summary gives under "Why it failed". */
function bypassReason(summary: string | null): string {
  const section = summary?.split("### Why it failed")[1];
  const first = section?.split("\n").find((line) => line.startsWith("- "));
  return first ? unescapeMarkdown(first.slice(2)) : "FAILED";
}

function pullRequestOf(summary: string | null): number | null {
  const match = /\| Pull request \| \[#(\d+)\]/.exec(summary ?? "");
  return match?.[1] ? Number(match[1]) : null;
}

function approversOf(summary: string | null): string[] {
  const section = summary?.split("### Approvals")[1]?.split("\n### ")[0] ?? "";
  const logins = [...section.matchAll(/^\| @([A-Za-z0-9_-]+(?:\\_[A-Za-z0-9_-]+)*) \|/gm)].map(
    (m) => unescapeMarkdown(m[1] ?? ""),
  );
  return [...new Set(logins)];
}

/** Markdown escapes undone, for text shown again in another format. */
function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\`*_[\]<>|#~!&])/g, "$1");
}

export interface AuditTotals {
  all: Record<AuditStatus, number>;
  /** Per system, in order of first appearance. */
  systems: Array<{ system: string; counts: Record<AuditStatus, number> }>;
}

function zero(): Record<AuditStatus, number> {
  return { verified: 0, bypass: 0, missing: 0, invalid: 0 };
}

export function auditTotals(rows: AuditRow[]): AuditTotals {
  const all = zero();
  const systems = new Map<string, Record<AuditStatus, number>>();
  for (const row of rows) {
    all[row.status]++;
    for (const system of row.systems) {
      const counts = systems.get(system) ?? zero();
      counts[row.status]++;
      systems.set(system, counts);
    }
  }
  return { all, systems: [...systems].map(([system, counts]) => ({ system, counts })) };
}
