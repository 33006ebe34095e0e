import { parseAssessment } from "../assessment/parse.js";
import { daysUntil, reviewState } from "../assessment/review.js";
import type { RiskAssessment } from "../assessment/schema.js";
import { formatLocatedError } from "../errors.js";
import { parseManifest } from "../manifest/parse.js";
import { MANIFEST_PATH, type ResolvedSystem, TIERS } from "../manifest/schema.js";
import {
  ASSESSMENT_STATUSES,
  type CheckRunCounts,
  FAILING_PROBLEMS,
  FAILING_STATUSES,
  type LastApprovedChange,
  PROBLEM_KINDS,
  type ProblemRepository,
  type Register,
  type RegisterSystem,
  type RiskFlag,
  type RiskRow,
} from "./schema.js";

/** A file as read from a repository. */
export interface SnapshotFile {
  text: string;
  sha256: string;
}

/**
 * What was read of one repository at its default branch (or of a checkout): the manifest and
 * the files it names, or why nothing could be read.
 */
export type RepositorySnapshot =
  | {
      repository: string;
      kind: "read";
      /** The commit the files were read at; null for a folder outside git. */
      commit: string | null;
      /** null when the repository has no manifest. */
      manifest: SnapshotFile | null;
      /** Files the manifest names, by path: null when absent. */
      files: Record<string, SnapshotFile | null>;
    }
  | { repository: string; kind: "archived" | "empty" | "unreadable"; reason: string };

export interface RegisterOptions {
  /** YYYY-MM-DD, UTC. */
  today: string;
  expiringWithinDays: number;
  generatedAt: string;
  source: Register["source"];
  /**
   * With `--with-approvals`: the last approved change of each system, keyed by
   * `approvalKey(repository, system)`; a system without one maps to null.
   */
  approvals?: ReadonlyMap<string, LastApprovedChange | null>;
  /** With `--with-check-runs`: what aigate's checks concluded on recently merged pull requests. */
  checkRuns?: CheckRunCounts;
}

export const approvalKey = (repository: string, system: string): string =>
  `${repository.toLowerCase()} ${system}`;

/** The assessment files a manifest names, to read before building the register. */
export function filesToRead(manifest: SnapshotFile): string[] {
  const parsed = parseManifest(manifest.text, MANIFEST_PATH);
  if (!parsed.ok) return [];
  const paths = parsed.manifest.systems.flatMap((s) => (s.assessment ? [s.assessment] : []));
  return [...new Set(paths)];
}

type AssessmentColumns = RegisterSystem["assessment"];

function emptyAssessment(path: string | null): AssessmentColumns {
  return {
    path,
    status: "missing",
    review_by: null,
    days_until_review: null,
    assessed_at: null,
    acceptance: null,
    residual_risk: null,
    sha256: null,
    errors: [],
  };
}

/** The assessment status of one system, and the assessment when it is the system's own and valid. */
function assess(
  system: ResolvedSystem,
  files: Record<string, SnapshotFile | null>,
  options: RegisterOptions,
): { columns: AssessmentColumns; assessment?: RiskAssessment } {
  const path = system.assessment ?? null;
  const columns = emptyAssessment(path);
  if (path === null) {
    if (system.assessmentRequired) {
      columns.errors.push(
        `tier ${system.tier} requires a risk assessment, but the manifest names no assessment file`,
      );
    } else {
      columns.status = "not_required";
    }
    return { columns };
  }
  const file = files[path];
  if (file === undefined || file === null) {
    if (system.assessmentRequired) {
      columns.errors.push(file === null ? `${path} does not exist` : `${path} could not be read`);
    } else {
      columns.status = "not_required";
    }
    return { columns };
  }
  columns.sha256 = file.sha256;
  const parsed = parseAssessment(file.text, path);
  if (!parsed.ok) {
    columns.status = "invalid";
    columns.errors.push(...parsed.errors.map(formatLocatedError));
    return { columns };
  }
  const a = parsed.assessment;
  columns.review_by = a.review_by;
  columns.days_until_review = daysUntil(a.review_by, options.today);
  columns.assessed_at = a.assessed_at;
  columns.acceptance = a.acceptance.decision;
  columns.residual_risk = a.acceptance.residual_risk;
  if (a.system !== system.id) {
    columns.errors.push(
      `${path}: names system "${a.system}", but the manifest points ${system.id} at this file`,
    );
  }
  if (a.tier !== system.tier) {
    columns.errors.push(
      `${path}: is for tier ${a.tier}, but the manifest puts ${system.id} in tier ${system.tier}`,
    );
  }
  if (columns.errors.length > 0) {
    columns.status = "invalid";
    return { columns };
  }
  columns.status = reviewState(a.review_by, options.today, options.expiringWithinDays);
  return { columns, assessment: a };
}

function riskRows(
  repository: string,
  system: string,
  path: string,
  status: RegisterSystem["assessment"]["status"],
  a: RiskAssessment,
): RiskRow[] {
  return a.harms.map((harm) => {
    const flags: RiskFlag[] = [];
    if (status === "expired") flags.push("assessment_expired");
    if (status === "expiring") flags.push("assessment_expiring");
    if (a.acceptance.decision !== "accepted") flags.push("not_accepted");
    if (harm.residual_risk === "unacceptable" || a.acceptance.residual_risk === "unacceptable") {
      flags.push("unacceptable_residual_risk");
    }
    return {
      repository,
      system,
      harm: harm.id ?? null,
      description: harm.description,
      affected: [...(harm.affected ?? [])],
      likelihood: harm.likelihood,
      severity: harm.severity,
      score: harm.likelihood * harm.severity,
      mitigations: [...harm.mitigations],
      residual_risk: harm.residual_risk,
      acceptance: a.acceptance.decision,
      accepted_by: [...a.acceptance.accepted_by],
      accepted_at: a.assessed_at,
      review_by: a.review_by,
      assessment: path,
      flags,
    };
  });
}

const zeroes = <T extends string>(values: readonly T[]): Record<T, number> =>
  Object.fromEntries(values.map((v) => [v, 0])) as Record<T, number>;

const byRepositoryThen = <T extends { repository: string }>(
  key: (row: T) => string,
): ((a: T, b: T) => number) => {
  return (a, b) =>
    a.repository.localeCompare(b.repository, "en") || key(a).localeCompare(key(b), "en");
};

/**
 * The register of every repository read: systems with their assessment status, harms, and the
 * repositories that contribute no system, each with its reason. Total: never throws on what
 * the repositories hold.
 */
export function buildRegister(
  snapshots: readonly RepositorySnapshot[],
  options: RegisterOptions,
): Register {
  const systems: RegisterSystem[] = [];
  const risks: RiskRow[] = [];
  const problems: ProblemRepository[] = [];
  let governed = 0;
  for (const snapshot of snapshots) {
    const { repository } = snapshot;
    if (snapshot.kind !== "read") {
      problems.push({ repository, kind: snapshot.kind, reason: snapshot.reason, errors: [] });
      continue;
    }
    if (!snapshot.manifest) {
      problems.push({
        repository,
        kind: "not_governed",
        reason: `no ${MANIFEST_PATH}${snapshot.commit ? ` at ${snapshot.commit.slice(0, 12)}` : ""}: not governed`,
        errors: [],
      });
      continue;
    }
    const parsed = parseManifest(snapshot.manifest.text, MANIFEST_PATH);
    if (!parsed.ok) {
      problems.push({
        repository,
        kind: "invalid_manifest",
        reason: `${MANIFEST_PATH} is invalid (${parsed.errors.length} error(s)): its systems cannot be listed`,
        errors: parsed.errors.map(formatLocatedError),
      });
      continue;
    }
    governed++;
    for (const system of parsed.manifest.systems) {
      const { columns, assessment } = assess(system, snapshot.files, options);
      const row: RegisterSystem = {
        repository,
        system: system.id,
        name: system.name,
        purpose: system.purpose,
        owner: system.owner,
        tier: system.tier,
        eu_ai_act_annex_iii: system.euAiAct?.annex_iii ?? null,
        lifecycle: system.lifecycle,
        affected_parties: [...system.affectedParties],
        paths: { ...system.paths },
        assessment: columns,
        manifest: {
          path: MANIFEST_PATH,
          commit: snapshot.commit,
          sha256: snapshot.manifest.sha256,
        },
      };
      if (options.approvals) {
        row.last_approved_change =
          options.approvals.get(approvalKey(repository, system.id)) ?? null;
      }
      systems.push(row);
      if (assessment && columns.path) {
        risks.push(...riskRows(repository, system.id, columns.path, columns.status, assessment));
      }
    }
  }
  systems.sort(byRepositoryThen((s) => s.system));
  problems.sort(byRepositoryThen((p) => p.kind));

  const byTier = zeroes(TIERS);
  const byStatus = zeroes(ASSESSMENT_STATUSES);
  const byProblem = zeroes(PROBLEM_KINDS);
  for (const s of systems) {
    byTier[s.tier]++;
    byStatus[s.assessment.status]++;
  }
  for (const p of problems) byProblem[p.kind]++;
  return {
    version: 1,
    generated_at: options.generatedAt,
    today: options.today,
    expiring_within_days: options.expiringWithinDays,
    source: options.source,
    with_approvals: options.approvals !== undefined,
    totals: {
      repositories: snapshots.length,
      governed,
      systems: systems.length,
      by_tier: byTier,
      by_status: byStatus,
      by_problem: byProblem,
      risks: risks.length,
      flagged_risks: risks.filter((r) => r.flags.length > 0).length,
    },
    systems,
    risks,
    problems,
    ...(options.checkRuns ? { check_runs: options.checkRuns } : {}),
  };
}

/**
 * Whether a scheduled job should fail on this register: an assessment expired, missing or
 * invalid, or a repository whose manifest is invalid or could not be read.
 */
export function registerFails(register: Register): boolean {
  return (
    register.systems.some((s) => FAILING_STATUSES.has(s.assessment.status)) ||
    register.problems.some((p) => FAILING_PROBLEMS.has(p.kind))
  );
}
