import { formatLocatedError } from "../core/errors.js";
import { MANIFEST_SYSTEM_ID } from "../core/manifest/schema.js";
import type { SarifFinding } from "../core/sarif.js";
import type { Decision, Facts, LocatedError } from "../core/types.js";
import { errorAt, type PathSegment, parseYaml } from "../core/yaml/index.js";

/**
 * The findings of `aigate check` as located results (for `--format sarif`): the manifest's
 * errors and dead paths, the assessments' errors, and each system's gate outcome located at
 * its entry in the manifest (or at its assessment file).
 */
export function decisionFindings(decision: Decision, facts: Facts): SarifFinding[] {
  const findings: SarifFinding[] = [];
  for (const error of decision.manifest.errors) {
    findings.push({ ...error, rule: "manifest-invalid", level: "error" });
  }
  const deadPaths = decision.deadPaths ?? [];
  for (const finding of deadPaths) {
    const { rule, severity, system: _system, ...located } = finding;
    findings.push({ ...located, rule, level: severity });
  }
  // The proposed manifest's dead-path errors are among its errors too: list them once.
  const seen = new Set(deadPaths.map(formatLocatedError));
  for (const error of decision.proposedManifest?.errors ?? []) {
    if (!seen.has(formatLocatedError(error))) {
      findings.push({ ...error, rule: "manifest-invalid", level: "error" });
    }
  }

  const systemAt = systemLocator(facts);
  for (const result of decision.assessment.systems) {
    if (result.system === MANIFEST_SYSTEM_ID) continue;
    for (const error of result.errors) {
      findings.push({ ...error, rule: "assessment-invalid", level: "error" });
    }
    if (result.status !== "fail") continue;
    for (const problem of result.problems) {
      const at =
        result.assessment && result.errors.length === 0
          ? { file: result.assessment.path, line: 1, column: 1, field: "", message: problem }
          : systemAt(result.system, ["assessment"], problem);
      const blocked = decision.oversight.systems.some(
        (o) => o.system === result.system && o.status === "blocked" && o.problems.includes(problem),
      );
      findings.push({
        ...at,
        rule: blocked ? "prohibited-system" : "risk-assessment-gate",
        level: "error",
      });
    }
  }
  for (const result of decision.oversight.systems) {
    if (result.system === MANIFEST_SYSTEM_ID || result.status !== "waiting") continue;
    const who = [...result.eligible.teams, ...result.eligible.users.map((u) => `@${u}`)].join(", ");
    findings.push({
      ...systemAt(
        result.system,
        ["approvers"],
        `${result.system} needs ${result.required} approval(s) on the pull request from ${who || "(no approvers listed)"}`,
      ),
      rule: "approvals-required",
      level: "note",
    });
  }
  return findings;
}

/** Locates a field of a system's entry in the base manifest; the manifest file when it cannot. */
function systemLocator(
  facts: Facts,
): (system: string, field: PathSegment[], message: string) => LocatedError {
  const manifest = facts.manifest;
  const parsed =
    manifest.status === "present" ? parseYaml(manifest.text, manifest.path) : undefined;
  const systems =
    parsed?.ok && isRecord(parsed.value) && Array.isArray(parsed.value.systems)
      ? parsed.value.systems
      : [];
  return (system, field, message) => {
    const index = systems.findIndex((s) => isRecord(s) && s.id === system);
    if (parsed?.ok && index !== -1)
      return errorAt(parsed.source, ["systems", index, ...field], message);
    return { file: manifest.path, line: 0, column: 0, field: "", message };
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
