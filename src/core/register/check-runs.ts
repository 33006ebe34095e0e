import { countedDigests } from "../attestation/witness.js";
import { ASSESSMENT_CHECK_NAME, OVERSIGHT_CHECK_NAME } from "../report/index.js";
import {
  type CheckRunCounts,
  GATE_OUTCOMES,
  type GateCounts,
  type GateOutcome,
  type RepositoryGateCounts,
} from "./schema.js";

/**
 * Counts from aigate's check runs for the register and the draft SoA (`--with-check-runs`,
 * docs/audit.md): what the two checks concluded on the final head of each recently merged pull
 * request, and how many approvals the human-oversight runs counted. Pure: src/github reads the
 * runs, this decides what they say.
 */

/** A check run on a commit, as GitHub lists it: the fields the counts read. */
export interface CheckRunFact {
  id: number;
  name: string;
  /** The slug of the App that wrote it. */
  app: string | null;
  status: string;
  conclusion: string | null;
  summary: string | null;
}

/** What aigate's checks said on one merged pull request's final head. */
export interface MergedPullGate {
  pullRequest: number;
  assessment: GateOutcome;
  oversight: GateOutcome;
  /** Attestations the human-oversight run lists as counted. */
  approvals: number;
  /**
   * Both checks have a completed run: nothing but a re-run can change this record, so it may
   * be kept between runs of the register.
   */
  settled: boolean;
}

const DECIDED: ReadonlySet<string> = new Set(["success", "failure", "action_required"]);

function outcome(run: CheckRunFact | undefined): GateOutcome {
  if (!run) return "missing";
  if (run.status !== "completed" || run.conclusion === null) return "other";
  return DECIDED.has(run.conclusion) ? (run.conclusion as GateOutcome) : "other";
}

/**
 * The newest run of each aigate check by `app` among `runs` (the runs on the pull request's
 * final head), and what they concluded. Runs by any other App or workflow never count: anyone
 * who can write check runs can use aigate's names.
 */
export function mergedPullGate(
  pullRequest: number,
  runs: readonly CheckRunFact[],
  app: string,
): MergedPullGate {
  const newest = (name: string) =>
    runs
      .filter((r) => r.name === name && r.app === app)
      .reduce<CheckRunFact | undefined>((a, b) => (a && a.id > b.id ? a : b), undefined);
  const assessment = newest(ASSESSMENT_CHECK_NAME);
  const oversight = newest(OVERSIGHT_CHECK_NAME);
  return {
    pullRequest,
    assessment: outcome(assessment),
    oversight: outcome(oversight),
    approvals: oversight ? countedDigests(oversight.summary ?? "").length : 0,
    settled: assessment?.status === "completed" && oversight?.status === "completed",
  };
}

const noOutcomes = (): Record<GateOutcome, number> =>
  Object.fromEntries(GATE_OUTCOMES.map((o) => [o, 0])) as Record<GateOutcome, number>;

function emptyCounts(): GateCounts {
  return {
    pull_requests: 0,
    merged: 0,
    merged_with_both_checks: 0,
    risk_assessment: noOutcomes(),
    human_oversight: noOutcomes(),
    approvals_counted: 0,
    merged_with_counted_approvals: 0,
  };
}

function add(total: GateCounts, more: GateCounts): void {
  total.pull_requests += more.pull_requests;
  total.merged += more.merged;
  total.merged_with_both_checks += more.merged_with_both_checks;
  total.approvals_counted += more.approvals_counted;
  total.merged_with_counted_approvals += more.merged_with_counted_approvals;
  for (const o of GATE_OUTCOMES) {
    total.risk_assessment[o] += more.risk_assessment[o];
    total.human_oversight[o] += more.human_oversight[o];
  }
}

/** One repository's counts: `pullRequests` closed pull requests looked at, `merged` their merged ones. */
export function repositoryGateCounts(
  repository: string,
  pullRequests: number,
  merged: readonly MergedPullGate[],
): RepositoryGateCounts {
  const counts = emptyCounts();
  counts.pull_requests = pullRequests;
  counts.merged = merged.length;
  for (const gate of merged) {
    counts.risk_assessment[gate.assessment]++;
    counts.human_oversight[gate.oversight]++;
    counts.approvals_counted += gate.approvals;
    if (gate.approvals > 0) counts.merged_with_counted_approvals++;
    if (gate.settled) counts.merged_with_both_checks++;
  }
  return { repository, ...counts };
}

/** The register's `check_runs`: each repository, by name, and the totals. */
export function checkRunCounts(
  app: string,
  pullRequestsPerRepository: number,
  repositories: readonly RepositoryGateCounts[],
): CheckRunCounts {
  const totals = emptyCounts();
  for (const { repository: _, ...counts } of repositories) add(totals, counts);
  return {
    app,
    pull_requests_per_repository: pullRequestsPerRepository,
    repositories: [...repositories].sort((a, b) => a.repository.localeCompare(b.repository, "en")),
    totals,
  };
}
