import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command } from "commander";
import { MANIFEST_PATH, TIERS, type Tier } from "../../core/manifest/schema.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../context.js";
import { LocalGit } from "../git.js";
import { joinRepo } from "../repo.js";

interface InitOptions {
  system: string;
  tier: string;
  approver: string[];
  team: string[];
  owner: string[];
  force?: boolean;
}

const POLICY_PATH = "docs/ai-policy.md";

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function yamlList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(", ")}]`;
}

/** The scaffolded files, keyed by repository path. Each passes `aigate validate` as written. */
function scaffold(options: InitOptions, today: Date): Record<string, string> {
  const { system, approver, team } = options;
  const tier = options.tier as Tier;
  const assessmentPath = `governance/assessments/${system}.yml`;
  const reviewBy = new Date(today);
  reviewBy.setUTCFullYear(reviewBy.getUTCFullYear() + 1);
  const highEvidence =
    tier === "high"
      ? `    evidence:\n      model_card: docs/model-cards/${system}.md\n      data_sheet: docs/data/${system}.md\n`
      : "";
  const approvals = tier === "high" ? 2 : 1;
  const files: Record<string, string> = {
    [MANIFEST_PATH]: `# yaml-language-server: $schema=../node_modules/aigate/schemas/ai-governance.schema.json
# The AI systems in this repository and who signs off changes to them (aigate docs/manifest.md).
version: 1
governance:
  owners:                       # approve changes to this file
    teams: ${yamlList(options.owner)}
  policy: ${POLICY_PATH}
systems:
  - id: ${system}
    name: ${system}             # a name people recognise
    purpose: Describe what the system is for and who relies on it
    owner: "@${options.owner[0] ?? "your-org/your-team"}"
    lifecycle: development
    tier: ${tier}                # minimal | limited | high | prohibited (EU AI Act)
    paths:
      model: ["models/${system}/**"]
      data: ["data/${system}/**"]
    assessment: ${assessmentPath}
${highEvidence}    approvers:
      teams: ${yamlList(team)}
      users: ${yamlList(approver)}
${tier === "minimal" || tier === "prohibited" ? "" : `    approvals: ${approvals}\n`}`,
    [assessmentPath]: `# yaml-language-server: $schema=../../node_modules/aigate/schemas/risk-assessment.schema.json
# Risk assessment of ${system} (ISO/IEC 42001 cl. 8.2, A.5); fields in aigate docs/assessment.md.
version: 1
system: ${system}
tier: ${tier}
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
  accepted_by: [${approver[0] ?? "risk-owner"}]
  residual_risk: medium
assessed_at: "${isoDate(today)}"
review_by: "${isoDate(reviewBy)}"
`,
    [POLICY_PATH]: `# AI policy

(ISO/IEC 42001 clause 5.2, control A.2.2.) State the organisation's commitments for
developing and using AI: the purposes it develops AI for, the risk criteria it applies,
who approves changes to AI systems, and how concerns are reported.
`,
  };
  if (tier === "high") {
    files[`docs/model-cards/${system}.md`] =
      `# Model card: ${system}\n\nIntended use, evaluation results, limitations.\n`;
    files[`docs/data/${system}.md`] =
      `# Data sheet: ${system}\n\nSources, collection, preprocessing, known biases, retention.\n`;
  }
  return files;
}

/** `aigate init`: scaffolds a manifest, one assessment and a policy stub that validate as written. */
export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command("init")
    .description("scaffold a governance manifest, a risk assessment and an AI policy stub")
    .option("--system <id>", "id of the first AI system", "my-model")
    .option("--tier <tier>", `its EU AI Act tier (${TIERS.join(", ")})`, "limited")
    .option("--approver <login>", "GitHub login allowed to approve (repeatable)", collect, [])
    .option("--team <org/slug>", "GitHub team allowed to approve (repeatable)", collect, [])
    .option(
      "--owner <org/slug>",
      "team that approves changes to the manifest (repeatable)",
      collect,
      [],
    )
    .option("--force", "overwrite files that already exist")
    .action(async (options: InitOptions) => {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(options.system)) {
        throw new UsageError(`--system ${options.system}: use lowercase letters, digits and '-'`);
      }
      if (!(TIERS as readonly string[]).includes(options.tier)) {
        throw new UsageError(`--tier ${options.tier}: expected one of ${TIERS.join(", ")}`);
      }
      if (options.approver.length === 0 && options.team.length === 0) {
        throw new UsageError("name who may approve: --approver LOGIN and/or --team ORG/SLUG");
      }
      if (options.tier === "high" && options.team.length === 0 && options.approver.length < 2) {
        throw new UsageError(
          "a high-risk system needs 2 approvals: give a --team or two --approver logins",
        );
      }
      if (options.owner.length === 0) {
        throw new UsageError("name the team that approves manifest changes: --owner ORG/SLUG");
      }
      const root = await new LocalGit(ctx.cwd).topLevel().catch(() => ctx.cwd);
      const files = scaffold(options, new Date());
      if (!options.force) {
        for (const path of Object.keys(files)) {
          if (await stat(joinRepo(root, path)).catch(() => null)) {
            throw new UsageError(`${path} already exists: pass --force to overwrite`);
          }
        }
      }
      for (const [path, content] of Object.entries(files)) {
        const full = joinRepo(root, path);
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
        ctx.stdout(`created ${path}\n`);
      }
      ctx.stdout(
        "next: describe the system and its risks in the files above, then run 'aigate validate'.\n" +
          "The risk-assessment gate passes once acceptance.decision is accepted.\n",
      );
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
