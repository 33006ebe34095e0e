import { parseAssessment } from "../core/assessment/parse.js";
import type { RiskAssessment } from "../core/assessment/schema.js";
import { findDeadPaths, repositoryTree } from "../core/dead-paths.js";
import type { LocatedError } from "../core/errors.js";
import { extendedPolicy, parseManifest } from "../core/manifest/parse.js";
import { parseOrgPolicy } from "../core/org-policy/parse.js";
import type { SarifFinding, SarifRuleId } from "../core/sarif.js";
import { errorAt, type PathSegment, parseYaml } from "../core/yaml/index.js";
import type { CliContext } from "./context.js";
import { orgPolicyFor } from "./org-policy.js";
import { readWorkingFile } from "./repo.js";
import { repositoryFiles } from "./tree.js";

/**
 * What `aigate validate` checks, by kind of file. A kind is one entry of `FILE_KINDS`: how to
 * recognise such a file by its content, and how to validate it.
 */

/** One file to validate: its text, the path to show, and the repository folder it belongs to. */
export interface FileToValidate {
  text: string;
  display: string;
  root: string;
  /** `--policy-file`: the organisation policy a manifest extends, instead of the GitHub API. */
  policyFile?: string;
  ctx: CliContext;
}

export interface ValidationReport {
  /** The files checked, as shown. */
  checked: string[];
  /** Errors, warnings and notes, each with its kind (a SARIF rule). */
  findings: SarifFinding[];
  /** Remarks about how the command was called, not about a place in a file. */
  remarks?: string[];
}

interface FileKind {
  /** Whether a parsed YAML document is of this kind, judged by its top-level keys. */
  recognises(document: Record<string, unknown>): boolean;
  validate(file: FileToValidate): Promise<ValidationReport>;
}

/** A document with any of these top-level keys. */
const hasKey =
  (...keys: string[]) =>
  (document: Record<string, unknown>): boolean =>
    keys.some((key) => key in document);
/** Never recognised by content: a policy reads like a manifest without systems, as does a broken manifest. */
const byKindOnly = (): boolean => false;

export const FILE_KINDS = {
  manifest: { recognises: hasKey("systems"), validate: validateManifestFile },
  assessment: { recognises: hasKey("harms", "acceptance"), validate: validateAssessment },
  policy: { recognises: byKindOnly, validate: validatePolicy },
} satisfies Record<string, FileKind>;

export type FileKindName = keyof typeof FILE_KINDS;
export const FILE_KIND_NAMES = Object.keys(FILE_KINDS) as FileKindName[];

/** The kind of a file by its content; a manifest when the content says nothing (or cannot be read). */
export function recogniseKind(text: string, display: string): FileKindName {
  const parsed = parseYaml(text, display);
  const value = parsed.ok ? parsed.value : undefined;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const document = value as Record<string, unknown>;
    for (const name of FILE_KIND_NAMES) {
      if (FILE_KINDS[name].recognises(document)) return name;
    }
  }
  return "manifest";
}

function finding(rule: SarifRuleId, error: LocatedError, level: SarifFinding["level"] = "error") {
  return { ...error, rule, level };
}

/**
 * The manifest as it is in the working tree, the paths it names against the files git sees
 * (docs/manifest.md, "Paths that match no file"), and every risk assessment it names.
 */
async function validateManifestFile(file: FileToValidate): Promise<ValidationReport> {
  const checked = [file.display];
  const remarks: string[] = [];
  const reference = extendedPolicy(file.text, file.display);
  const orgPolicy = reference
    ? await orgPolicyFor(reference, file.policyFile, file.ctx)
    : undefined;
  if (orgPolicy) checked.push(orgPolicy.file);
  else if (file.policyFile !== undefined) {
    remarks.push(
      `--policy-file ${file.policyFile} is not used: ${file.display} extends no organisation policy`,
    );
  }
  const parsed = parseManifest(file.text, file.display, orgPolicy ? { orgPolicy } : {});
  const warnings = parsed.warnings.map((w) => finding("manifest-invalid", w, "warning"));
  if (!parsed.ok) {
    const errors = parsed.errors.map((e) => finding("manifest-invalid", e));
    return { checked, findings: [...errors, ...warnings], remarks };
  }
  const manifest = parsed.manifest;
  const tree = repositoryTree(await repositoryFiles(file.root));
  const findings: SarifFinding[] = [
    ...warnings,
    ...findDeadPaths(manifest, { file: file.display, text: file.text }, tree).map(
      ({ rule, severity, system: _system, ...located }) => finding(rule, located, severity),
    ),
  ];

  for (const system of manifest.systems) {
    if (!system.assessment || !tree.fileSet.has(system.assessment)) continue;
    const read = await readWorkingFile(file.root, system.assessment);
    if (read?.text === undefined) continue;
    checked.push(system.assessment);
    const report = await validateAssessment({
      ...file,
      text: read.text,
      display: system.assessment,
    });
    findings.push(...report.findings);
    const assessment = report.assessment;
    if (!assessment) continue;
    const at = locator(read.text, system.assessment);
    if (assessment.system !== system.id) {
      findings.push(
        finding(
          "assessment-invalid",
          at(
            ["system"],
            `names system "${assessment.system}" but the manifest points ${system.id} at this file`,
          ),
        ),
      );
    }
    if (assessment.tier !== system.tier) {
      findings.push(
        finding(
          "assessment-invalid",
          at(
            ["tier"],
            `says tier ${assessment.tier} but the manifest classifies ${system.id} as ${system.tier}`,
          ),
        ),
      );
    }
  }
  return { checked, findings, remarks };
}

/** An organisation policy file on its own (docs/policy.md). */
async function validatePolicy(file: FileToValidate): Promise<ValidationReport> {
  const parsed = parseOrgPolicy(file.text, file.display);
  const errors = parsed.ok ? [] : parsed.errors;
  return { checked: [file.display], findings: errors.map((e) => finding("policy-invalid", e)) };
}

/** One risk assessment on its own: its schema and rules, and whether its risk is accepted yet. */
async function validateAssessment(
  file: FileToValidate,
): Promise<ValidationReport & { assessment?: RiskAssessment }> {
  const result = parseAssessment(file.text, file.display);
  if (!result.ok) {
    return {
      checked: [file.display],
      findings: result.errors.map((e) => finding("assessment-invalid", e)),
    };
  }
  const findings: SarifFinding[] = [];
  const decision = result.assessment.acceptance.decision;
  if (decision !== "accepted") {
    const at = locator(file.text, file.display);
    findings.push(
      finding(
        "assessment-not-accepted",
        at(
          ["acceptance", "decision"],
          `acceptance.decision is ${decision}; the risk-assessment gate passes only once it is accepted`,
        ),
        "note",
      ),
    );
  }
  return { checked: [file.display], findings, assessment: result.assessment };
}

/** Locates a field of a YAML file for a message; the file itself when it cannot be parsed. */
function locator(
  text: string,
  file: string,
): (path: PathSegment[], message: string) => LocatedError {
  const parsed = parseYaml(text, file);
  return (path, message) =>
    parsed.ok
      ? errorAt(parsed.source, path, message)
      : { file, line: 0, column: 0, field: path.join("."), message };
}
