import { parseAssessment } from "../core/assessment/parse.js";
import { findDeadPaths, repositoryTree } from "../core/dead-paths.js";
import type { LocatedError } from "../core/errors.js";
import { parseManifest } from "../core/manifest/parse.js";
import { type Lifecycle, MANIFEST_PATH, type PathKind, TIERS } from "../core/manifest/schema.js";
import { isPlaceholderError, PLACEHOLDER_MARK, placeholder } from "../core/placeholder.js";

/**
 * The files `aigate init` writes: a manifest, one risk assessment per system, an AI policy
 * stub and, for a high-risk system, its model card and data sheet. Every value a person gave is
 * written quoted, and what nobody gave is a placeholder `aigate validate` rejects.
 */

export const POLICY_PATH = "docs/ai-policy.md";

/** A system to write into the manifest. */
export interface ScaffoldSystem {
  id: string;
  lifecycle: Lifecycle;
  paths: Partial<Record<PathKind, string[]>>;
  /** A line of YAML comment said above the system: what was found, or what to do. */
  comment?: string;
}

/** What the person said on the command line; absent values become placeholders. */
export interface ScaffoldPeople {
  tier?: string;
  approvers: readonly string[];
  teams: readonly string[];
  owners: readonly string[];
}

function quoted(value: string): string {
  return JSON.stringify(value);
}

function list(values: readonly string[]): string {
  return `[${values.map(quoted).join(", ")}]`;
}

const TIER_PLACEHOLDER = placeholder(`the EU AI Act risk tier: ${TIERS.join(", ")}`);

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The scaffolded files, keyed by repository path. */
export function scaffoldFiles(
  systems: readonly ScaffoldSystem[],
  people: ScaffoldPeople,
  today: Date,
): Record<string, string> {
  const tier = people.tier;
  const owners =
    people.owners.length > 0
      ? list(people.owners)
      : list([placeholder("the org/team-slug that approves changes to this manifest")]);
  const systemOwner = people.owners[0]
    ? quoted(`@${people.owners[0]}`)
    : quoted(placeholder("the team accountable for the system, e.g. @acme/fraud-ml"));
  const approvers =
    people.teams.length > 0 || people.approvers.length > 0
      ? `      teams: ${list(people.teams)}\n      users: ${list(people.approvers)}\n`
      : `      teams: ${list([placeholder("the org/team-slug whose members may approve")])}\n`;

  // The manifest comes first in the list of files written; its text is set below.
  const files: Record<string, string> = { [MANIFEST_PATH]: "" };
  const entries = systems.map((system) => {
    const assessment = `governance/assessments/${system.id}.yml`;
    files[assessment] = assessmentFile(system.id, tier, people.approvers, today);
    const paths = (Object.entries(system.paths) as [PathKind, string[]][])
      .map(([kind, globs]) => `      ${kind}: ${list(globs)}\n`)
      .join("");
    let evidence = "";
    if (tier === "high") {
      const modelCard = `docs/model-cards/${system.id}.md`;
      const dataSheet = `docs/data/${system.id}.md`;
      evidence = `    evidence:\n      model_card: ${quoted(modelCard)}\n      data_sheet: ${quoted(dataSheet)}\n`;
      files[modelCard] =
        `# Model card: ${system.id}\n\nIntended use, evaluation results, limitations.\n`;
      files[dataSheet] =
        `# Data sheet: ${system.id}\n\nSources, collection, preprocessing, known biases, retention.\n`;
    }
    // The tier's default number of approvals applies; a high-risk system needs two.
    const approvals =
      tier === "high" ? "    approvals: 2\n" : tier === "limited" ? "    approvals: 1\n" : "";
    return `${system.comment ? `  # ${system.comment}\n` : ""}  - id: ${quoted(system.id)}
    name: ${quoted(system.id)}  # a name people recognise
    purpose: Describe what the system is for and who relies on it
    owner: ${systemOwner}
    lifecycle: ${system.lifecycle}       # design | development | validation | production | retired
    tier: ${quoted(tier ?? TIER_PLACEHOLDER)}
    paths:
${paths}    assessment: ${quoted(assessment)}
${evidence}    approvers:
${approvers}${approvals}`;
  });

  files[MANIFEST_PATH] =
    `# yaml-language-server: $schema=../node_modules/aigate/schemas/ai-governance.schema.json
# The AI systems in this repository and who signs off changes to them (aigate docs/manifest.md).
# Values starting with ${PLACEHOLDER_MARK} are for you to fill in: aigate validate rejects them until then.
version: 1
governance:
  owners:                       # approve changes to this file
    teams: ${owners}
  policy: ${POLICY_PATH}
systems:${entries.length === 0 ? " []\n" : `\n${entries.join("")}`}`;
  files[POLICY_PATH] = `# AI policy

(ISO/IEC 42001 clause 5.2, control A.2.2.) State the organisation's commitments for
developing and using AI: the purposes it develops AI for, the risk criteria it applies,
who approves changes to AI systems, and how concerns are reported.
`;
  return files;
}

function assessmentFile(
  system: string,
  tier: string | undefined,
  approvers: readonly string[],
  today: Date,
): string {
  const reviewBy = new Date(today);
  reviewBy.setUTCFullYear(reviewBy.getUTCFullYear() + 1);
  return `# yaml-language-server: $schema=../../node_modules/aigate/schemas/risk-assessment.schema.json
# Risk assessment of ${system} (ISO/IEC 42001 cl. 8.2, A.5); fields in aigate docs/assessment.md.
version: 1
system: ${quoted(system)}
tier: ${quoted(tier ?? TIER_PLACEHOLDER)}
intended_use: Describe the intended use, and who acts on the system's output
affected_parties: [the people the output is about]
harms:
  - description: Describe one way the system could harm someone
    likelihood: 3               # 1 (rare) to 5 (almost certain)
    severity: 3                 # 1 (negligible) to 5 (critical)
    mitigations:
      - Describe what reduces the likelihood or the severity
    residual_risk: medium       # low | medium | high | unacceptable
data:
  sources: [Describe where the training and evaluation data come from]
  bias_assessment: Describe how bias in the data and the outputs was measured
oversight:
  mechanism: Describe how a person reviews or overrides the output
monitoring:
  metrics: [Describe what is measured in production]
acceptance:
  decision: pending             # the gate passes once this is "accepted"
  accepted_by: [${quoted(approvers[0] ?? "risk-owner")}]
  residual_risk: medium
assessed_at: "${isoDate(today)}"
review_by: "${isoDate(reviewBy)}"
`;
}

/** Where a scaffold problem comes from on the command line. */
const FLAG_OF: ReadonlyArray<[RegExp, string, keyof ScaffoldFlags]> = [
  [/^systems\[\d+\]\.tier$/, "--tier", "tier"],
  [/^systems\[\d+\]\.(id|name|assessment|evidence)/, "--system", "system"],
  [/^governance\.owners\.teams\[(?<index>\d+)\]$/, "--owner", "owner"],
  [/^(governance\.owners|systems\[\d+\]\.owner)/, "--owner", "owner"],
  [/^systems\[\d+\]\.approvers\.teams\[(?<index>\d+)\]$/, "--team", "team"],
  [/^systems\[\d+\]\.approvers\.users\[(?<index>\d+)\]$/, "--approver", "approver"],
  [/^systems\[\d+\]\.(approvers|approvals)/, "--approver/--team", "approver"],
];

/** The command-line values a scaffold was made from, to name them in a refusal. */
export interface ScaffoldFlags {
  system: readonly string[];
  tier: readonly string[];
  owner: readonly string[];
  team: readonly string[];
  approver: readonly string[];
}

/**
 * Checks the scaffold as `aigate validate` would (schema, rules, paths against the tree with
 * the scaffold's own files in it) and returns each problem phrased for the command line, with
 * the suggestion `validate` would give: `--tier hihg: … did you mean "high"?`. Placeholders
 * are not problems here (they are left on purpose); a warning is not either.
 */
export function scaffoldProblems(
  files: Record<string, string>,
  tree: readonly string[],
  flags: ScaffoldFlags,
): string[] {
  const manifestText = files[MANIFEST_PATH] ?? "";
  const errors: LocatedError[] = [];
  const parsed = parseManifest(manifestText, MANIFEST_PATH);
  if (!parsed.ok) {
    errors.push(...parsed.errors);
  } else {
    const all = repositoryTree([...tree, ...Object.keys(files)]);
    const source = { file: MANIFEST_PATH, text: manifestText };
    for (const finding of findDeadPaths(parsed.manifest, source, all)) {
      if (finding.severity === "error") errors.push(finding);
    }
    // The assessments repeat the manifest's values: checked once the manifest holds.
    for (const system of parsed.manifest.systems) {
      const path = system.assessment ?? "";
      const result = parseAssessment(files[path] ?? "", path);
      if (!result.ok) errors.push(...result.errors);
    }
  }
  const problems = new Set<string>();
  // A scan of many systems leaves more placeholders than a file reports errors; the count of
  // the rest is no problem of the flags, whose own errors come first (in systems[0]).
  const truncated = (error: LocatedError) =>
    error.line === 0 &&
    error.field === "" &&
    / not shown: fix the ones above first$/.test(error.message);
  for (const error of errors) {
    if (!isPlaceholderError(error) && !truncated(error)) problems.add(asFlagProblem(error, flags));
  }
  return [...problems];
}

function asFlagProblem(error: LocatedError, flags: ScaffoldFlags): string {
  for (const [pattern, flag, key] of FLAG_OF) {
    const match = pattern.exec(error.field);
    if (!match) continue;
    const values = flags[key];
    const index = Number(match.groups?.index ?? 0);
    const value = values[index];
    return `${flag}${value !== undefined ? ` ${value}` : ""}: ${error.message}`;
  }
  return `the scaffold would not validate: ${error.file}: ${error.field ? `${error.field}: ` : ""}${error.message}`;
}
