import { describe, expect, it } from "vitest";
import { findDeadPaths, repositoryTree } from "../../src/core/dead-paths.js";
import { parseManifest } from "../../src/core/manifest/parse.js";

/** The small ML repository a new user tries aigate on. */
const ML_REPO = [
  "README.md",
  "docs/ai-policy.md",
  "models/fraud/model.onnx",
  "data/fraud/train.parquet",
  "prompts/support/system.md",
  "prompts/support/escalate.md",
  "src/fraud/train.py",
  "governance/assessments/fraud.yml",
];

function manifestWith(system: string, extra = ""): string {
  return `version: 1
governance:
  owners:
    teams: ["acme/ai-governance"]
  policy: docs/ai-policy.md
${extra}systems:
  - id: fraud
    name: Fraud detection
    purpose: Flag card payments for manual review
    owner: "@acme/fraud-ml"
    tier: limited
${system}    approvers:
      teams: ["acme/model-risk"]
`;
}

function deadPaths(text: string, files: readonly string[] = ML_REPO) {
  const parsed = parseManifest(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return findDeadPaths(
    parsed.manifest,
    { file: ".github/ai-governance.yml", text },
    repositoryTree(files),
  );
}

const LIVE = `    lifecycle: production
    paths:
      model: ["models/fraud/**", "src/fraud/**/*.py"]
      data: ["data/fraud/**"]
    assessment: governance/assessments/fraud.yml
`;

describe("paths of the manifest that match no file in the tree", () => {
  it("finds nothing when every glob matches a file and every named file exists", () => {
    expect(deadPaths(manifestWith(LIVE))).toEqual([]);
  });

  it("reports a typo'd glob with the closest existing folder, located at the glob", () => {
    const text = manifestWith(LIVE.replace("models/fraud/**", "modles/fraud/**"));
    expect(deadPaths(text)).toEqual([
      {
        file: ".github/ai-governance.yml",
        line: 14,
        column: 15,
        field: "systems[0].paths.model[0]",
        message: '"modles/fraud/**" matches no file — did you mean "models/fraud/**"?',
        rule: "glob-matches-no-file",
        severity: "error",
        system: "fraud",
      },
    ]);
  });

  it("suggests the existing folder the old scaffold's longer name stands for", () => {
    const text = manifestWith(
      LIVE.replace("models/fraud/**", "models/fraud-detection/**").replace(
        "data/fraud/**",
        "data/fraud-detection/**",
      ),
    );
    expect(deadPaths(text).map((f) => f.message)).toEqual([
      '"models/fraud-detection/**" matches no file — did you mean "models/fraud/**"?',
      '"data/fraud-detection/**" matches no file — did you mean "data/fraud/**"?',
    ]);
  });

  it("says when the folder exists but nothing in it matches the pattern", () => {
    const text = manifestWith(LIVE.replace("src/fraud/**/*.py", "src/fraud/**/*.ts"));
    expect(deadPaths(text).map((f) => f.message)).toEqual([
      '"src/fraud/**/*.ts" matches no file (src/fraud/ holds 1 file, none of them matching)',
    ]);
  });

  it("names the closest existing folder when no corrected glob matches", () => {
    const text = manifestWith(LIVE.replace("models/fraud/**", "models/credit/**"));
    expect(deadPaths(text).map((f) => f.message)).toEqual([
      '"models/credit/**" matches no file — the closest existing folder is "models/"',
    ]);
  });

  it("reads a folder's bare name as the file of that name, and says to add /**", () => {
    const text = manifestWith(LIVE.replace('"models/fraud/**"', '"models/fraud"'));
    expect(deadPaths(text).map((f) => f.message)).toEqual([
      '"models/fraud" matches no file — it is a folder: did you mean "models/fraud/**"?',
    ]);
  });

  it("counts a glob whose only matches are excluded by the same kind's exclusions as matching nothing", () => {
    const text = manifestWith(
      LIVE.replace('"data/fraud/**"', '"data/fraud/**", "!data/**/*.parquet"'),
    );
    expect(deadPaths(text).map((f) => f.field)).toEqual(["systems[0].paths.data[0]"]);
  });

  it("reports a missing assessment, evidence file and AI policy, suggesting a close file", () => {
    const text = manifestWith(
      `${LIVE.replace("assessments/fraud.yml", "assessments/frud.yml")}    evidence:
      model_card: docs/model-cards/fraud.md
`,
    );
    const findings = deadPaths(
      text,
      ML_REPO.filter((f) => f !== "docs/ai-policy.md"),
    );
    expect(findings.map((f) => [f.rule, f.field, f.message])).toEqual([
      [
        "policy-missing",
        "governance.policy",
        "the AI policy docs/ai-policy.md does not exist: create it or correct the path",
      ],
      [
        "assessment-missing",
        "systems[0].assessment",
        'the risk assessment of fraud, governance/assessments/frud.yml, does not exist: create it or correct the path — did you mean "governance/assessments/fraud.yml"?',
      ],
      [
        "evidence-missing",
        "systems[0].evidence.model_card",
        "the model_card of fraud, docs/model-cards/fraud.md, does not exist: create it or correct the path",
      ],
    ]);
  });

  it("makes it a warning for a system in design, retired or prohibited, and says why", () => {
    for (const [lifecycle, tier, why] of [
      ["design", "limited", "fraud is in design: nothing is built yet"],
      ["retired", "limited", "fraud is retired: nothing may be left"],
      ["production", "prohibited", "fraud is prohibited: its paths guard against building it"],
    ] as const) {
      const text = manifestWith(
        LIVE.replace("lifecycle: production", `lifecycle: ${lifecycle}`).replace(
          "models/fraud/**",
          "models/new/**",
        ),
      ).replace("tier: limited", `tier: ${tier}`);
      const findings = deadPaths(text);
      expect(findings.map((f) => [f.severity, f.message])).toEqual([
        [
          "warning",
          `"models/new/**" matches no file — the closest existing folder is "models/" (a warning: ${why})`,
        ],
      ]);
    }
  });

  it("checks a glob without a static base against every file", () => {
    expect(deadPaths(manifestWith(LIVE.replace("models/fraud/**", "**/*.onnx")))).toEqual([]);
    const text = manifestWith(LIVE.replace("models/fraud/**", "**/*.gguf"));
    expect(deadPaths(text).map((f) => f.message)).toEqual(['"**/*.gguf" matches no file']);
  });

  it("does not take a file that only shares a prefix with a folder for one of its files", () => {
    const files = [...ML_REPO, "models/fraud.onnx", "models/fraud-old/model.onnx"];
    const text = manifestWith(LIVE.replace("models/fraud/**", "models/fraud/*.pt"));
    expect(deadPaths(text, files).map((f) => f.field)).toEqual(["systems[0].paths.model[0]"]);
  });
});

describe("a manifest glob that is not valid glob syntax", () => {
  it("is a located error of the manifest, not a pattern that silently matches nothing", () => {
    const text = manifestWith(LIVE.replace("models/fraud/**", "models/*.{onnx,pt"));
    const parsed = parseManifest(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      {
        file: ".github/ai-governance.yml",
        line: 14,
        column: 15,
        field: "systems[0].paths.model[0]",
        message:
          '"models/*.{onnx,pt" is not a valid glob: an opening bracket has no closing "}" (write "\\}" to match the character itself)',
      },
    ]);
  });

  it("names a character range that can never match", () => {
    const parsed = parseManifest(manifestWith(LIVE.replace("models/fraud/**", "models/[z-a]/*")));
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.message)).toEqual([
      '"models/[z-a]/*" is not a valid glob: it can never match a path',
    ]);
  });
});
