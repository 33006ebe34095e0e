import { formatLocatedError } from "../core/errors.js";
import { CHECK_NAMES } from "../core/report/index.js";
import type { Decision } from "../core/types.js";

const MARK: Record<string, string> = {
  success: "PASS",
  failure: "FAIL",
  action_required: "NEEDS APPROVAL",
  neutral: "NEUTRAL",
};

/** A problem listed under its system, without repeating the system's id in front. */
function underSystem(system: string, problem: string): string {
  return problem.startsWith(`${system}: `) ? problem.slice(system.length + 2) : problem;
}

/**
 * The problems of a gate as a whole (a missing AI policy, more files than GitHub lists). The
 * title names only the first problem of all, so each is listed unless the title says just that.
 */
function gateProblems(gate: { title: string; problems?: string[] }): string[] {
  return (gate.problems ?? []).filter((p) => p !== gate.title).map((p) => `  - ${p}`);
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

/** The terminal rendering of a Decision for `aigate check`: what a change touches and what each gate still needs. */
export function formatDecisionText(
  decision: Decision,
  range: { base: string; head: string },
): string {
  const lines: string[] = [];
  const m = decision.manifest;
  lines.push(
    `aigate check: ${range.base}...${range.head}, ${decision.changedFiles} file(s) changed`,
  );
  if (m.status === "ok") {
    lines.push(
      `manifest: ${m.path} at ${short(m.baseSha)} (sha256 ${m.sha256?.slice(0, 12) ?? "?"})`,
    );
    if (m.policy) {
      const at = m.policy.commit ? short(m.policy.commit) : m.policy.ref;
      lines.push(
        `organisation policy: ${m.policy.repository}:${m.policy.path}@${m.policy.ref} (${at}, sha256 ${m.policy.sha256.slice(0, 12)})`,
      );
    }
  } else if (m.status === "missing") {
    lines.push(`manifest: none at ${short(m.baseSha)} (${m.path}); nothing is gated`);
  } else {
    lines.push(`manifest: ${m.path} at ${short(m.baseSha)} is invalid:`);
    for (const error of m.errors) lines.push(`  ${formatLocatedError(error)}`);
  }
  const proposed = decision.proposedManifest;
  if (proposed) {
    if (proposed.status === "invalid") {
      lines.push("the manifest as changed here is invalid (it takes effect only once merged):");
      for (const error of proposed.errors) lines.push(`  ${formatLocatedError(error)}`);
    } else if (proposed.status === "removed") {
      lines.push("this change removes the manifest (it takes effect only once merged)");
    } else {
      lines.push("this change edits the manifest: valid, takes effect only once merged");
    }
  }

  // The proposed manifest's dead-path errors are listed among its errors above.
  const deadPaths = (decision.deadPaths ?? []).filter((f) => !proposed || f.severity === "warning");
  if (deadPaths.length > 0) {
    const which = proposed ? "the manifest as changed here" : "the manifest";
    lines.push(`paths of ${which} that match no file:`);
    for (const finding of deadPaths) {
      const level = finding.severity === "warning" ? "warning: " : "";
      lines.push(`  ${level}${formatLocatedError(finding)}`);
    }
  }

  lines.push("");
  if (m.status === "invalid") {
    // Nothing could be matched against an invalid manifest: "no system affected" would be a guess.
    lines.push("AI systems affected: unknown until the manifest on the base is fixed.");
  } else if (decision.affected.length === 0) {
    lines.push("No AI systems affected.");
  } else {
    lines.push("Affected AI systems:");
    for (const system of decision.affected) {
      lines.push(`  ${system.id} (${system.name}) - tier ${system.tier}, ${system.lifecycle}`);
      for (const file of system.files) {
        const moved = file.previousPath ? ` (moved from ${file.previousPath})` : "";
        lines.push(`    ${file.kind}: ${file.path} [${file.status}]${moved}`);
      }
      if (system.moreFiles > 0) lines.push(`    … and ${system.moreFiles} more file(s)`);
    }
  }

  lines.push("");
  lines.push(
    `${CHECK_NAMES.assessment} - ${MARK[decision.assessment.conclusion]}: ${decision.assessment.title}`,
  );
  lines.push(...gateProblems(decision.assessment));
  for (const result of decision.assessment.systems) {
    if (result.status === "not_required") {
      lines.push(`  ${result.system}: no assessment required`);
      continue;
    }
    const where = result.assessment ? ` (${result.assessment.path})` : "";
    lines.push(`  ${result.system}: ${result.status === "pass" ? "ok" : "not ok"}${where}`);
    for (const problem of result.problems)
      lines.push(`    - ${underSystem(result.system, problem)}`);
    for (const error of result.errors) lines.push(`    - ${formatLocatedError(error)}`);
  }

  lines.push("");
  lines.push(
    `${CHECK_NAMES.oversight} - ${MARK[decision.oversight.conclusion]}: ${decision.oversight.title}`,
  );
  lines.push(...gateProblems(decision.oversight));
  for (const result of decision.oversight.systems) {
    if (result.status === "not_required") {
      lines.push(`  ${result.system}: no approval required`);
      continue;
    }
    const who = [...result.eligible.teams, ...result.eligible.users.map((u) => `@${u}`)].join(", ");
    const needs = result.required === 1 ? "1 approval" : `${result.required} approvals`;
    lines.push(
      `  ${result.system}: needs ${needs} on the pull request from ${who || "(no approvers listed)"}`,
    );
    // The engine's "<id> needs N approvals" says what the line above says; list the rest.
    for (const problem of result.problems.filter((p) => !p.startsWith(`${result.system} needs `))) {
      lines.push(`    - ${underSystem(result.system, problem)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
