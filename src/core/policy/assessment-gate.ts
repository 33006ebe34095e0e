import { parseAssessment } from "../assessment/parse.js";
import { isPastReview } from "../assessment/review.js";
import type { ResolvedSystem } from "../manifest/schema.js";
import type { AffectedSystem, AssessmentResult, ChangedFile, Facts } from "../types.js";

/** "<id> is prohibited" (or blocked by its tier policy): the first problem of both gates. */
export function blockedProblem(system: ResolvedSystem): string {
  return system.tier === "prohibited"
    ? `${system.id} is prohibited`
    : `${system.id} is blocked by its tier policy (${system.tier})`;
}

/**
 * The risk-assessment gate for one affected system (docs/assessment.md): the assessment exists at the
 * head, validates, names the same system and tier, is not past `review_by` (`today`, UTC,
 * YYYY-MM-DD), has an accepted residual risk; the tier's evidence exists; and when the change
 * touches an `update_on` kind, it changes the assessment too.
 */
export function assessSystem(
  system: ResolvedSystem,
  affected: AffectedSystem,
  facts: Facts,
  today: string,
): AssessmentResult {
  const result: AssessmentResult = {
    system: system.id,
    status: "pass",
    problems: [],
    errors: [],
    evidence: [],
  };
  const problem = (message: string) => result.problems.push(`${system.id}: ${message}`);

  if (system.blocked) {
    result.status = "fail";
    result.problems.push(blockedProblem(system));
    return result;
  }

  const path = system.assessment;
  const file = path !== undefined ? facts.headFiles[path] : undefined;
  if (path === undefined) {
    if (system.assessmentRequired) {
      problem(
        `tier ${system.tier} requires a risk assessment, but the manifest names no assessment file for it`,
      );
    }
  } else if (file === null || file === undefined) {
    if (system.assessmentRequired) {
      problem(
        file === null
          ? `risk assessment ${path} is missing at the head of this change`
          : `risk assessment ${path} was not read`,
      );
    }
  } else {
    result.assessment = { path, sha256: file.sha256 };
    if (file.text === undefined) {
      problem(`risk assessment ${path} could not be read as text`);
    } else {
      const parsed = parseAssessment(file.text, path);
      if (!parsed.ok) {
        result.errors.push(...parsed.errors);
        const n = parsed.errors.length;
        problem(`risk assessment ${path} is invalid (${n} error${n === 1 ? "" : "s"})`);
      } else {
        const a = parsed.assessment;
        result.assessment.assessedAt = a.assessed_at;
        result.assessment.reviewBy = a.review_by;
        result.assessment.residualRisk = a.acceptance.residual_risk;
        if (a.system !== system.id) {
          problem(`risk assessment ${path} is for system ${a.system}, not ${system.id}`);
        }
        if (a.tier !== system.tier) {
          problem(
            `risk assessment is for tier ${a.tier}, but the manifest puts ${system.id} in tier ${system.tier}`,
          );
        }
        if (isPastReview(a.review_by, today)) problem(`risk assessment expired on ${a.review_by}`);
        if (a.acceptance.decision !== "accepted") {
          problem(`residual risk is not accepted (acceptance decision: ${a.acceptance.decision})`);
        } else if (a.acceptance.residual_risk === "unacceptable") {
          problem("residual risk is rated unacceptable; it cannot be accepted");
        }
      }
    }
  }

  for (const kind of Object.keys(system.evidence).sort()) {
    const evidencePath = system.evidence[kind];
    if (evidencePath === undefined) continue;
    const evidenceFile = facts.headFiles[evidencePath];
    result.evidence.push({
      kind,
      path: evidencePath,
      present: Boolean(evidenceFile),
      ...(evidenceFile ? { sha256: evidenceFile.sha256 } : {}),
    });
  }
  for (const kind of system.requiredEvidence) {
    const declared = result.evidence.find((e) => e.kind === kind);
    if (!declared) {
      problem(
        `tier ${system.tier} requires evidence ${kind}, but the manifest declares no path for it`,
      );
    } else if (!declared.present) {
      problem(`${kind} ${declared.path} is missing at the head of this change`);
    }
  }

  const updateKinds = affected.kinds.filter(
    (k): k is (typeof system.updateOn)[number] => k !== "manifest" && system.updateOn.includes(k),
  );
  if (
    updateKinds.length > 0 &&
    path !== undefined &&
    !changesAssessment(facts.changedFiles, path)
  ) {
    problem(
      `this change touches ${updateKinds.join(" and ")}, so it must also update the risk assessment ${path}`,
    );
  }

  if (result.problems.length > 0) result.status = "fail";
  else if (!system.assessmentRequired && !result.assessment) result.status = "not_required";
  return result;
}

function changesAssessment(changedFiles: ChangedFile[], path: string): boolean {
  return changedFiles.some(
    (f) => f.path === path && f.status !== "removed" && f.status !== "unchanged",
  );
}
