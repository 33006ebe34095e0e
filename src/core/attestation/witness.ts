import { OVERSIGHT_CHECK_NAME } from "../report/index.js";
import type { StatementVerdict } from "./verify.js";

/**
 * The witness cross-check (docs/attestation.md, "Witnesses"): the human-oversight check run
 * names the digest of every attestation it counted, and a check run cannot be deleted through
 * the API. A digest such a run counted that is no longer in the evidence was deleted after it
 * was counted, which the statement chain alone cannot show for the newest statement.
 */

/** The verdict of a digest a witness counted that the evidence no longer holds: tampering. */
export const DELETED_AFTER_COUNTING = "deleted_after_counting";

/** The slug of the App whose check runs are witnesses unless told otherwise. */
export const DEFAULT_WITNESS_APP = "aigate";

/** A check run as the evidence pack records it: the fields the cross-check reads. */
export interface WitnessRun {
  id: number;
  repository: string;
  pullRequest: number;
  name: string;
  /** The slug of the App that wrote the run. */
  app: string | null;
  headSha: string;
  summary: string | null;
  /** Where the run was found (a line of the pack), for the report. */
  line?: number;
}

export interface WitnessFinding {
  verdict: typeof DELETED_AFTER_COUNTING;
  repository: string;
  pullRequest: number;
  checkRunId: number;
  headSha: string;
  digest: string;
  line?: number;
  reason: string;
}

export interface WitnessReport {
  /** Runs of the human-oversight check written by the witness App. */
  witnesses: number;
  /** Runs of the human-oversight check written by anyone else: never evidence. */
  ignored: number;
  /** Distinct digests the witnesses counted. */
  counted: number;
  findings: WitnessFinding[];
}

const COUNTED_HEADING = "Counted approvals:";
const DIGEST = /sha256:[0-9a-f]{64}/g;

/**
 * The attestation digests a human-oversight summary lists as counted: the last column of each
 * "Counted approvals" table (src/core/report/render.ts writes them). Other digests in the
 * summary (manifest, assessments, policy) are files, not attestations, and are left out.
 */
export function countedDigests(summary: string): string[] {
  const digests: string[] = [];
  let inTable = false;
  let sawRows = false;
  for (const raw of summary.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === COUNTED_HEADING) {
      inTable = true;
      sawRows = false;
      continue;
    }
    if (!inTable) continue;
    if (!line.startsWith("|")) {
      // The blank line between heading and table is allowed; anything after the rows ends it.
      if (sawRows || line !== "") inTable = false;
      continue;
    }
    sawRows = true;
    const cells = line.split(/(?<!\\)\|/);
    const last = cells.at(-2) ?? "";
    const found = last.match(DIGEST);
    if (found?.[0]) digests.push(found[0]);
  }
  return [...new Set(digests)];
}

const placeOf = (repository: string, pullRequest: number) =>
  `${repository.toLowerCase()}#${pullRequest}`;

/**
 * Checks that every digest an aigate human-oversight run counted is among the statements found
 * on the same pull request. A statement that is present but does not verify carries its own
 * verdict; one that is absent gets `deleted_after_counting`.
 */
export function crossCheckWitnesses(
  runs: readonly WitnessRun[],
  statements: readonly StatementVerdict[],
  appSlug: string = DEFAULT_WITNESS_APP,
): WitnessReport {
  const present = new Map<string, Set<string>>();
  for (const s of statements) {
    const place = placeOf(s.repository, s.pullRequest);
    const digests = present.get(place) ?? new Set<string>();
    if (s.digest) digests.add(s.digest);
    if (s.issuedDigest) digests.add(s.issuedDigest);
    present.set(place, digests);
  }
  const report: WitnessReport = { witnesses: 0, ignored: 0, counted: 0, findings: [] };
  const counted = new Set<string>();
  const reported = new Set<string>();
  for (const run of runs) {
    if (run.name !== OVERSIGHT_CHECK_NAME) continue;
    if (run.app !== appSlug) {
      report.ignored++;
      continue;
    }
    report.witnesses++;
    const place = placeOf(run.repository, run.pullRequest);
    for (const digest of countedDigests(run.summary ?? "")) {
      counted.add(`${place} ${digest}`);
      if (present.get(place)?.has(digest) || reported.has(`${place} ${digest}`)) continue;
      reported.add(`${place} ${digest}`);
      const finding: WitnessFinding = {
        verdict: DELETED_AFTER_COUNTING,
        repository: run.repository,
        pullRequest: run.pullRequest,
        checkRunId: run.id,
        headSha: run.headSha,
        digest,
        reason: `check run ${run.id} by ${appSlug} counted this attestation, but no attestation comment with this digest is in the evidence: it was deleted after it was counted`,
      };
      if (run.line !== undefined) finding.line = run.line;
      report.findings.push(finding);
    }
  }
  report.counted = counted.size;
  return report;
}
