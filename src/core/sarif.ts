import type { LocatedError } from "./errors.js";
import { formatLocatedError } from "./errors.js";
import { MANIFEST_SYSTEM_ID } from "./manifest/schema.js";
import type { Decision } from "./types.js";
import { AIGATE_VERSION } from "./version.js";
import { errorAt, type PathSegment, parseYaml } from "./yaml/index.js";

/**
 * SARIF 2.1.0 logs of aigate's findings, for GitHub code scanning and any SARIF viewer
 * (docs/cli.md, "SARIF"). One rule per kind of finding; every result is located at a file,
 * line and column; the log stays within GitHub's upload limits.
 */

export const SARIF_VERSION = "2.1.0";
export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** GitHub code scanning accepts at most this many results in one run. */
export const MAX_SARIF_RESULTS = 25_000;

/** The kinds of finding, each a SARIF rule. */
export const SARIF_RULES = {
  "manifest-invalid": {
    short: "Invalid governance manifest",
    name: "ManifestInvalid",
    description:
      "The governance manifest does not parse, breaks its schema (an unknown key, a wrong value, a glob that is not valid syntax), or holds a placeholder left by aigate init.",
  },
  "assessment-invalid": {
    short: "Invalid risk assessment",
    name: "AssessmentInvalid",
    description:
      "A risk assessment does not parse, breaks its schema, or names another system or tier than the manifest.",
  },
  "policy-invalid": {
    short: "Invalid organisation policy",
    name: "PolicyInvalid",
    description: "The organisation policy does not parse or breaks its schema.",
  },
  "glob-matches-no-file": {
    short: "Glob matches no file",
    name: "GlobMatchesNoFile",
    description:
      "A glob of a system matches no file of the repository, so it gates nothing; the message names the closest existing folder.",
  },
  "assessment-missing": {
    short: "Risk assessment missing",
    name: "AssessmentMissing",
    description: "The risk assessment a system names does not exist.",
  },
  "evidence-missing": {
    short: "Evidence document missing",
    name: "EvidenceMissing",
    description: "An evidence document a system names (model card, data sheet …) does not exist.",
  },
  "policy-missing": {
    short: "AI policy missing",
    name: "PolicyMissing",
    description: "The AI policy document the manifest names does not exist.",
  },
  "assessment-not-accepted": {
    short: "Residual risk not accepted yet",
    name: "AssessmentNotAccepted",
    description:
      "A risk assessment's residual risk is not accepted yet; the risk-assessment gate passes only once it is.",
  },
  "risk-assessment-gate": {
    short: "Risk-assessment gate fails",
    name: "RiskAssessmentGate",
    description:
      "The risk-assessment gate fails for a system this change touches (missing, expired or not updated assessment, missing evidence).",
  },
  "prohibited-system": {
    short: "Prohibited AI system touched",
    name: "ProhibitedSystem",
    description: "The change touches a system whose tier is prohibited.",
  },
  "approvals-required": {
    short: "Approvals required",
    name: "ApprovalsRequired",
    description: "The change needs approvals from designated approvers on the pull request.",
  },
} as const;

export type SarifRuleId = keyof typeof SARIF_RULES;

/** One finding to report: a located error with its kind and level. */
export interface SarifFinding extends LocatedError {
  rule: SarifRuleId;
  level: "error" | "warning" | "note";
}

/** The parts of a SARIF 2.1.0 log aigate writes. */
export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: SarifRun[];
}

interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      rules: Array<{
        id: string;
        name: string;
        shortDescription: { text: string };
        fullDescription: { text: string };
        help: { text: string };
        defaultConfiguration: { level: "error" | "warning" | "note" };
      }>;
    };
  };
  invocations: Array<{
    executionSuccessful: boolean;
    toolExecutionNotifications?: Array<{ level: "warning"; message: { text: string } }>;
  }>;
  results: Array<{
    ruleId: string;
    ruleIndex: number;
    level: "error" | "warning" | "note";
    message: { text: string };
    locations: Array<{
      physicalLocation: {
        artifactLocation: { uri: string; uriBaseId: string };
        region: { startLine: number; startColumn?: number };
      };
    }>;
  }>;
}

const DEFAULT_LEVEL: Record<SarifRuleId, "error" | "warning" | "note"> = {
  "manifest-invalid": "error",
  "assessment-invalid": "error",
  "policy-invalid": "error",
  "glob-matches-no-file": "error",
  "assessment-missing": "error",
  "evidence-missing": "error",
  "policy-missing": "error",
  "assessment-not-accepted": "note",
  "risk-assessment-gate": "error",
  "prohibited-system": "error",
  "approvals-required": "note",
};

/**
 * The SARIF log of `findings`: every rule listed (so a viewer can explain a kind that has no
 * result this time), results in the order given, at most `MAX_SARIF_RESULTS` of them — past
 * that the invocation carries a notification saying how many were left out.
 */
export function toSarif(findings: readonly SarifFinding[]): SarifLog {
  const ids = Object.keys(SARIF_RULES) as SarifRuleId[];
  const rules = ids.map((id) => {
    const rule = SARIF_RULES[id];
    return {
      id,
      name: rule.name,
      shortDescription: { text: rule.short },
      fullDescription: { text: rule.description },
      help: { text: `${rule.description} See docs/cli.md for what to do.` },
      defaultConfiguration: { level: DEFAULT_LEVEL[id] },
    };
  });
  const kept = findings.slice(0, MAX_SARIF_RESULTS);
  const results = kept.map((finding) => {
    const region: { startLine: number; startColumn?: number } = {
      startLine: Math.max(1, finding.line),
    };
    if (finding.line > 0 && finding.column > 0) region.startColumn = finding.column;
    return {
      ruleId: finding.rule,
      ruleIndex: ids.indexOf(finding.rule),
      level: finding.level,
      message: { text: finding.field ? `${finding.field}: ${finding.message}` : finding.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: artifactUri(finding.file), uriBaseId: "%SRCROOT%" },
            region,
          },
        },
      ],
    };
  });
  const invocation: SarifRun["invocations"][number] = { executionSuccessful: true };
  const leftOut = findings.length - kept.length;
  if (leftOut > 0) {
    invocation.toolExecutionNotifications = [
      {
        level: "warning",
        message: {
          text: `${leftOut} more finding(s) left out: GitHub accepts at most ${MAX_SARIF_RESULTS} results in a run. Run aigate without --format sarif to see them all.`,
        },
      },
    ];
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: { driver: { name: "aigate", version: AIGATE_VERSION, rules } },
        invocations: [invocation],
        results,
      },
    ],
  };
}

/** A repository path as a relative URI reference: each segment percent-encoded, `/` kept. */
function artifactUri(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/**
 * The findings of a Decision as located results (`aigate check --format sarif`, the Action's
 * `sarif` output): the manifest's errors and dead paths, the assessments' errors, and each
 * system's gate outcome located at its entry in the base manifest when its text is given (or
 * at its assessment file), else at the manifest file.
 */
export function decisionFindings(decision: Decision, manifestText?: string): SarifFinding[] {
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

  const systemAt = systemLocator(decision.manifest.path, manifestText);
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
  path: string,
  text: string | undefined,
): (system: string, field: PathSegment[], message: string) => LocatedError {
  const parsed = text !== undefined ? parseYaml(text, path) : undefined;
  const systems =
    parsed?.ok && isRecord(parsed.value) && Array.isArray(parsed.value.systems)
      ? parsed.value.systems
      : [];
  return (system, field, message) => {
    const index = systems.findIndex((s) => isRecord(s) && s.id === system);
    if (parsed?.ok && index !== -1)
      return errorAt(parsed.source, ["systems", index, ...field], message);
    return { file: path, line: 0, column: 0, field: "", message };
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
