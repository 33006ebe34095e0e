import { createHash } from "node:crypto";
import type {
  Actor,
  ApprovalRecord,
  ChangedFile,
  CommitFacts,
  Facts,
  FileFacts,
} from "../../../src/core/types.js";

/** Fixed evaluation time: every test that depends on dates uses it. */
export const NOW = new Date("2026-11-27T12:00:00Z");
export const BASE_SHA = "b".repeat(40);
export const HEAD_SHA = "c".repeat(40);
export const OLD_HEAD_SHA = "a".repeat(40);
export const MANIFEST_FILE = ".github/ai-governance.yml";
export const POLICY_FILE = "docs/ai-policy.md";
export const CREDIT_ASSESSMENT = "governance/assessments/credit-scoring.yml";
export const MODEL_CARD = "docs/model-cards/credit-scoring.md";
export const DATA_SHEET = "docs/data/credit.md";

/** A manifest with one system of each kind of interest. */
export const MANIFEST_YAML = `version: 1
governance:
  owners:
    teams: ["acme/ai-governance"]
  policy: ${POLICY_FILE}
defaults:
  invalidate_on_push: governed
systems:
  - id: credit-scoring
    name: Credit scoring model
    purpose: Rank consumer credit applications for manual review
    owner: "@acme/credit-ml"
    lifecycle: production
    tier: high
    paths:
      model: ["models/credit/**", "src/credit/**/*.py"]
      data: ["data/credit/**"]
      prompts: ["prompts/credit/**/*.md"]
    assessment: ${CREDIT_ASSESSMENT}
    evidence:
      model_card: ${MODEL_CARD}
      data_sheet: ${DATA_SHEET}
    approvers:
      teams: ["acme/model-risk"]
      users: ["alice"]
    approvals: 2
  - id: chat-helper
    name: Support chat helper
    purpose: Draft answers to support tickets
    owner: "@acme/support"
    lifecycle: production
    tier: minimal
    paths:
      prompts: ["prompts/chat/**"]
  - id: fraud-profiler
    name: Fraud profiler
    purpose: Social scoring of customers
    owner: "@acme/risk"
    lifecycle: design
    tier: prohibited
    paths:
      model: ["models/fraud/**"]
  - id: legacy-ranker
    name: Legacy ranker
    purpose: Old ranking model kept for reference
    owner: "@acme/search"
    lifecycle: retired
    tier: limited
    paths:
      model: ["models/legacy/**"]
    assessment: governance/assessments/legacy-ranker.yml
    approvers:
      users: ["dave"]
`;

export function assessmentYaml(
  overrides: Partial<{
    system: string;
    tier: string;
    review_by: string;
    decision: string;
    residual: string;
  }> = {},
): string {
  return `version: 1
system: ${overrides.system ?? "credit-scoring"}
tier: ${overrides.tier ?? "high"}
intended_use: Rank consumer credit applications for manual review
affected_parties: [loan applicants]
harms:
  - description: Unfair denial of credit to a protected group
    likelihood: 2
    severity: 4
    mitigations: [Quarterly bias audit]
    residual_risk: low
data:
  sources: [Internal loan book 2015-2024]
  bias_assessment: Disparate impact ratio above 0.8 for all groups
oversight:
  mechanism: A credit officer reviews every ranked application
monitoring:
  metrics: [approval rate by group]
acceptance:
  decision: ${overrides.decision ?? "accepted"}
  accepted_by: [carol]
  residual_risk: ${overrides.residual ?? "low"}
assessed_at: 2026-06-01
review_by: ${overrides.review_by ?? "2027-06-01"}
`;
}

export function file(path: string, text?: string): FileFacts {
  const sha256 = createHash("sha256")
    .update(text ?? path)
    .digest("hex");
  return text === undefined ? { path, sha256 } : { path, sha256, text };
}

export const AUTHOR: Actor = { id: 100, login: "paula", type: "User" };
export const ALICE: Actor = { id: 1, login: "alice", type: "User" };
export const BOB: Actor = { id: 2, login: "bob", type: "User" };
export const CAROL: Actor = { id: 3, login: "carol", type: "User" };
export const DAVE: Actor = { id: 4, login: "dave", type: "User" };
export const BOT: Actor = { id: 9, login: "helper[bot]", type: "Bot" };

export function commit(sha: string, by: Actor | null = AUTHOR, committer = by): CommitFacts {
  return { sha, author: by, committer, authorName: "Paula Author", committerName: "Paula Author" };
}

let sourceId = 1000;
/** An approval of the given systems, each with the reason the approver is eligible. */
export function approval(
  approver: Actor,
  systems: string[] | Array<{ system: string; reason: string }>,
  options: Partial<{ commit: string; at: string; kind: "review" | "comment" }> = {},
): ApprovalRecord {
  return {
    approver,
    systems: systems.map((s) => (typeof s === "string" ? { system: s, reason: "listed user" } : s)),
    commit: options.commit ?? HEAD_SHA,
    source: {
      kind: options.kind ?? "review",
      id: sourceId++,
      at: options.at ?? "2026-11-27T10:00:00Z",
    },
    attestationDigest: `sha256:${"d".repeat(64)}`,
  };
}

/** The files a passing credit-scoring change has at its head. */
export function creditHeadFiles(assessment = assessmentYaml()): Facts["headFiles"] {
  return {
    [CREDIT_ASSESSMENT]: file(CREDIT_ASSESSMENT, assessment),
    [MODEL_CARD]: file(MODEL_CARD),
    [DATA_SHEET]: file(DATA_SHEET),
  };
}

export function changed(...paths: string[]): ChangedFile[] {
  return paths.map((path) => ({ path, status: "modified" }));
}

/** Facts of a pull request by paula against main; override what the case is about. */
export function facts(overrides: Partial<Facts> = {}): Facts {
  return {
    repository: { id: 42, fullName: "acme/lending" },
    pullRequest: {
      number: 7,
      author: AUTHOR,
      baseRef: "main",
      baseSha: BASE_SHA,
      headSha: HEAD_SHA,
      title: "Retrain the credit model",
    },
    manifest: {
      status: "present",
      path: MANIFEST_FILE,
      baseSha: BASE_SHA,
      sha256: createHash("sha256").update(MANIFEST_YAML).digest("hex"),
      text: MANIFEST_YAML,
    },
    changedFiles: [],
    changedFilesTruncated: false,
    headFiles: {},
    baseFiles: { [POLICY_FILE]: file(POLICY_FILE) },
    commits: [commit(HEAD_SHA)],
    approvals: [],
    vetoes: [],
    rejectedAttestations: [],
    changedSince: {},
    evaluateApprovals: true,
    ...overrides,
  };
}

/** A credit-scoring change to the model that updates its assessment, with its evidence present. */
export function creditChange(overrides: Partial<Facts> = {}): Facts {
  return facts({
    changedFiles: changed("models/credit/weights.bin", CREDIT_ASSESSMENT),
    headFiles: creditHeadFiles(),
    ...overrides,
  });
}
