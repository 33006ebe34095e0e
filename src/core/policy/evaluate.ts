import { findDeadPaths, repositoryTree } from "../dead-paths.js";
import type { LocatedError } from "../errors.js";
import { formatLocatedError } from "../errors.js";
import { MAX_CHECK_TITLE_CHARS, MAX_PULL_REQUEST_FILES } from "../limits.js";
import { parseManifest } from "../manifest/parse.js";
import { type ManifestPreparation, policyOptions, prepareManifest } from "../manifest/prepare.js";
import { MANIFEST_SYSTEM_ID, type Manifest } from "../manifest/schema.js";
import { type CompiledMatcher, matchChanges } from "../match.js";
import type {
  AffectedSystem,
  AssessmentResult,
  Decision,
  Facts,
  OversightResult,
} from "../types.js";
import { assessSystem, blockedProblem } from "./assessment-gate.js";
import { separationOfDuties, shortSha, systemFor } from "./eligibility.js";
import { overseeSystem, plural } from "./oversight-gate.js";

const TRUNCATED_PROBLEM = `more than ${MAX_PULL_REQUEST_FILES} files changed: aigate cannot see them all`;

/**
 * The base manifest as the fact-gathering path prepared it, and the systems the change touches:
 * given to `evaluate` so a manifest is parsed, compiled and matched once per event.
 */
export interface PreparedChange {
  preparation: ManifestPreparation;
  affected: AffectedSystem[];
}

/**
 * Decides both gates for one change (docs/policy.md). Pure and total: it reads only `facts`,
 * `now` and the prepared manifest (prepared from `facts.manifest` when not given), and never
 * throws — an unexpected error becomes a failing decision.
 */
export function evaluate(facts: Facts, now: Date, prepared?: PreparedChange): Decision {
  try {
    return decide(facts, now, prepared);
  } catch (error) {
    return internalError(facts, now, error);
  }
}

function decide(facts: Facts, now: Date, prepared: PreparedChange | undefined): Decision {
  if (Number.isNaN(now.getTime())) throw new Error("the evaluation time is not a valid date");
  const evaluatedAt = now.toISOString();
  const today = evaluatedAt.slice(0, 10);
  const decision = skeleton(facts, evaluatedAt);
  const baseName = facts.pullRequest?.baseRef ?? shortSha(facts.manifest.baseSha);

  if (facts.manifest.status === "missing") {
    decision.manifest.status = "missing";
    applyProposed(decision, facts);
    const title = `No governance manifest on ${baseName}`;
    decision.assessment = { ...decision.assessment, conclusion: "success", title };
    decision.oversight = { ...decision.oversight, conclusion: "success", title };
    return decision;
  }

  decision.manifest.sha256 = facts.manifest.sha256;
  const parsed =
    prepared?.preparation ??
    prepareManifest(facts.manifest.text, facts.manifest.path, facts.orgPolicy);
  if (!parsed.ok) {
    decision.manifest.status = "invalid";
    decision.manifest.errors = parsed.errors;
    const unreadable = parsed.unreadablePolicy;
    if (unreadable) decision.manifest.unreadablePolicy = unreadable.problem;
    // A change that fixes the manifest is still judged by the base; its version is validated.
    applyProposed(decision, facts);
    // An unreadable organisation policy is no fault of the manifest: say what could not be read.
    const problems = [
      unreadable?.problem ??
        `the governance manifest on ${baseName} is invalid: fix it there first`,
    ];
    const title = unreadable
      ? `Organisation policy ${unreadable.policy} could not be read`
      : "Invalid governance manifest";
    decision.assessment = { ...decision.assessment, conclusion: "failure", title, problems };
    decision.oversight = { ...decision.oversight, conclusion: "failure", title, problems };
    return decision;
  }
  const { manifest, compiled } = parsed;
  if (manifest.orgPolicy) decision.manifest.policy = { ...manifest.orgPolicy };
  const affected = prepared?.affected ?? matchChanges(compiled, facts.changedFiles);
  decision.affected = affected;
  const affectedIds = new Set(affected.map((a) => a.id));
  decision.unaffected = manifest.systems.filter((s) => !affectedIds.has(s.id)).map((s) => s.id);

  const manifestAffected = affected.find((a) => a.id === MANIFEST_SYSTEM_ID);
  applyProposed(decision, facts, manifestAffected);
  // A manifest this change leaves as it is: its dead paths fail the risk-assessment gate.
  let deadPathProblems: string[] = [];
  if (facts.headTree && !decision.proposedManifest) {
    const source = { file: facts.manifest.path, text: facts.manifest.text };
    decision.deadPaths = findDeadPaths(manifest, source, repositoryTree(facts.headTree));
    deadPathProblems = decision.deadPaths
      .filter((finding) => finding.severity === "error")
      .map(formatLocatedError);
  }

  const limit = facts.changedFilesLimit;
  const truncated = !facts.changedFilesTruncated
    ? []
    : limit === undefined
      ? [TRUNCATED_PROBLEM]
      : [`more than ${limit} files changed: aigate cannot see them all`];
  decideAssessment(
    decision,
    manifest,
    affected,
    facts,
    today,
    [...truncated, ...deadPathProblems],
    baseName,
  );
  decideOversight(decision, manifest, affected, facts, compiled, truncated);
  return decision;
}

function decideAssessment(
  decision: Decision,
  manifest: Manifest,
  affected: AffectedSystem[],
  facts: Facts,
  today: string,
  truncated: string[],
  baseName: string,
): void {
  const results: AssessmentResult[] = [];
  const blocked: string[] = [];
  for (const a of affected) {
    const system = systemFor(manifest, a.id);
    if (!system) continue;
    if (system.pseudo) {
      results.push(assessProposedManifest(decision));
      continue;
    }
    if (system.blocked) blocked.push(blockedProblem(system));
    results.push(assessSystem(system, a, facts, today));
  }

  const gateProblems = [...truncated];
  if (affected.length > 0) {
    const path = manifest.governance.policy;
    const file = facts.baseFiles[path];
    decision.assessment.policy = {
      path,
      present: Boolean(file),
      ...(file ? { sha256: file.sha256 } : {}),
    };
    if (!file) gateProblems.push(`AI policy ${path} is missing on ${baseName}`);
  }
  decision.assessment.systems = results;
  decision.assessment.problems = gateProblems;

  const systemProblems = results.flatMap((r) => r.problems.filter((p) => !blocked.includes(p)));
  const problems = [
    ...truncated,
    ...blocked,
    ...gateProblems.slice(truncated.length),
    ...systemProblems,
  ];
  if (problems.length > 0) {
    decision.assessment.conclusion = "failure";
    decision.assessment.title = withMore(problems);
    return;
  }
  decision.assessment.conclusion = "success";
  if (affected.length === 0) {
    decision.assessment.title = "No AI systems affected";
    return;
  }
  const checked = results.filter((r) => r.status === "pass" && r.system !== MANIFEST_SYSTEM_ID);
  const real = results.filter((r) => r.system !== MANIFEST_SYSTEM_ID);
  const first = checked[0];
  if (first && checked.length === 1) {
    decision.assessment.title = `Risk assessment current for ${first.system}`;
  } else if (checked.length > 1) {
    decision.assessment.title = `Risk assessments current for ${checked.length} AI systems`;
  } else if (real.length === 0) {
    decision.assessment.title = "Proposed governance manifest is valid";
  } else {
    decision.assessment.title = `No risk assessment required (${real.map((r) => r.system).join(", ")})`;
  }
}

function decideOversight(
  decision: Decision,
  manifest: Manifest,
  affected: AffectedSystem[],
  facts: Facts,
  compiled: CompiledMatcher,
  truncated: string[],
): void {
  const duties = separationOfDuties(
    facts.commits,
    facts.commitsTruncated === true,
    manifest.committersCanApprove,
  );
  const results: OversightResult[] = [];
  const blocked: string[] = [];
  const failing: string[] = [];
  const waiting: string[] = [];
  let recorded = 0;
  let required = 0;
  for (const a of affected) {
    const system = systemFor(manifest, a.id);
    if (!system) continue;
    const { result, recorded: n } = overseeSystem(system, { manifest, compiled, facts, duties });
    results.push(result);
    recorded += n;
    required += result.required;
    if (system.blocked) blocked.push(blockedProblem(system));
    else if (result.status === "blocked") failing.push(...result.problems);
    else if (result.status === "waiting") {
      waiting.push(
        facts.evaluateApprovals
          ? `Waiting for ${result.required - n} of ${plural(result.required, "approval")} (${system.id})`
          : (result.problems[0] ?? `${system.id} needs ${plural(result.required, "approval")}`),
      );
    }
  }
  decision.oversight.systems = results;
  decision.oversight.problems = [...truncated];

  const failures = [...truncated, ...blocked, ...failing];
  if (failures.length > 0) {
    decision.oversight.conclusion = "failure";
    decision.oversight.title = withMore([...failures, ...waiting]);
  } else if (waiting.length > 0) {
    decision.oversight.conclusion = "action_required";
    decision.oversight.title = withMore(waiting);
  } else if (affected.length === 0) {
    decision.oversight.conclusion = "success";
    decision.oversight.title = "No AI systems affected";
  } else {
    decision.oversight.conclusion = "success";
    decision.oversight.title =
      required === 0
        ? "No approvals required"
        : `${recorded} of ${plural(required, "approval")} recorded`;
  }
}

/** The assessment-gate result of the pseudo-system: the proposed manifest must be valid. */
function assessProposedManifest(decision: Decision): AssessmentResult {
  const result: AssessmentResult = {
    system: MANIFEST_SYSTEM_ID,
    status: "pass",
    problems: [],
    errors: [],
    evidence: [],
  };
  const proposed = decision.proposedManifest;
  if (!proposed) {
    result.status = "fail";
    result.problems.push(`${MANIFEST_SYSTEM_ID}: the proposed governance manifest was not read`);
  } else if (proposed.status === "invalid") {
    result.status = "fail";
    result.errors = proposed.errors;
    const n = proposed.errors.length;
    result.problems.push(
      `${MANIFEST_SYSTEM_ID}: the proposed governance manifest is invalid (${plural(n, "error")})`,
    );
  }
  return result;
}

/**
 * Validates the manifest as this change leaves it; it takes effect only once merged. Where the
 * head's tree is known, its paths that match nothing there are among its errors (warnings are
 * reported beside them).
 */
function applyProposed(decision: Decision, facts: Facts, manifestAffected?: AffectedSystem): void {
  const proposed = facts.proposedManifest;
  if (!proposed) {
    const removed = manifestAffected?.files.some(
      (f) => f.status === "removed" || (f.path !== facts.manifest.path && f.status === "renamed"),
    );
    if (removed) decision.proposedManifest = { status: "removed", errors: [] };
    return;
  }
  if ("removed" in proposed) {
    decision.proposedManifest = { status: "removed", errors: [] };
    return;
  }
  const parsed = parseManifest(
    proposed.text,
    facts.manifest.path,
    policyOptions(facts.proposedOrgPolicy),
  );
  if (!parsed.ok) {
    decision.proposedManifest = {
      status: "invalid",
      sha256: proposed.sha256,
      errors: parsed.errors,
    };
    return;
  }
  const source = { file: facts.manifest.path, text: proposed.text };
  const deadPaths = facts.headTree
    ? findDeadPaths(parsed.manifest, source, repositoryTree(facts.headTree))
    : [];
  const errors: LocatedError[] = deadPaths
    .filter((finding) => finding.severity === "error")
    .map(({ file, line, column, field, message }) => ({ file, line, column, field, message }));
  decision.proposedManifest = {
    status: errors.length > 0 ? "invalid" : "ok",
    sha256: proposed.sha256,
    errors,
  };
  if (facts.headTree) decision.deadPaths = deadPaths;
}

/** "first problem (+N more)". */
export function withMore(problems: string[]): string {
  const first = problems[0] ?? "";
  return problems.length > 1 ? `${first} (+${problems.length - 1} more)` : first;
}

function skeleton(facts: Facts, evaluatedAt: string): Decision {
  const decision: Decision = {
    repository: facts.repository.fullName,
    manifest: {
      path: facts.manifest.path,
      baseSha: facts.manifest.baseSha,
      status: "ok",
      errors: [],
    },
    affected: [],
    unaffected: [],
    changedFiles: facts.changedFiles.length,
    changedFilesTruncated: facts.changedFilesTruncated,
    assessment: { conclusion: "failure", title: "", systems: [] },
    oversight: { conclusion: "failure", title: "", systems: [], rejectedAttestations: [] },
    evaluatedAt,
  };
  const pr = facts.pullRequest;
  if (pr) {
    decision.pullRequest = {
      number: pr.number,
      baseRef: pr.baseRef,
      baseSha: pr.baseSha,
      headSha: pr.headSha,
      author: pr.author.login,
    };
  }
  decision.oversight.rejectedAttestations = [...facts.rejectedAttestations];
  return decision;
}

/** The decision when evaluation itself failed: both gates red, never left pending. */
function internalError(facts: Facts, now: Date, error: unknown): Decision {
  const message = error instanceof Error ? error.message : String(error);
  const title = `aigate could not evaluate: ${message}`.slice(0, MAX_CHECK_TITLE_CHARS);
  let time: string;
  try {
    time = now.toISOString();
  } catch {
    time = String(now);
  }
  const manifest = facts?.manifest;
  return {
    repository: String(facts?.repository?.fullName ?? ""),
    manifest: {
      path: String(manifest?.path ?? ""),
      baseSha: String(manifest?.baseSha ?? ""),
      status: manifest?.status === "missing" ? "missing" : "ok",
      errors: [],
    },
    affected: [],
    unaffected: [],
    changedFiles: Array.isArray(facts?.changedFiles) ? facts.changedFiles.length : 0,
    changedFilesTruncated: facts?.changedFilesTruncated === true,
    assessment: { conclusion: "failure", title, systems: [], problems: [message] },
    oversight: {
      conclusion: "failure",
      title,
      systems: [],
      rejectedAttestations: [],
      problems: [message],
    },
    evaluatedAt: time,
    error: message,
  };
}
