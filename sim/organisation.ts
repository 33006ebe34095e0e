import type { GitHubSim } from "./server.js";
import type { SimRepo } from "./state.js";

/**
 * Governed repositories in bulk, for the register's tests, demo and benchmark: a manifest with
 * `systems` AI systems of tier limited, each with its risk assessment.
 */

export interface GovernedRepoOptions {
  /** How many AI systems the manifest declares (default 1). */
  systems?: number;
  /** review_by of every assessment, YYYY-MM-DD (default 2027-06-30). */
  reviewBy?: string;
  /** review_by of one system's assessment, by system id. */
  reviewByOf?: Record<string, string>;
  /** assessed_at of every assessment (default 2026-06-30); never after a review_by. */
  assessedAt?: string;
}

export const systemId = (repo: string, index: number): string => `${repo}-model-${index + 1}`;

/** The manifest of `count` limited-tier systems of repository `repo`. */
export function manifestOf(repo: string, count: number): string {
  const systems = Array.from({ length: count }, (_, i) => {
    const id = systemId(repo, i);
    return `  - id: ${id}
    name: Model ${i + 1} of ${repo}
    purpose: Rank support tickets by urgency (${i + 1})
    owner: "@acme/${repo}"
    lifecycle: production
    tier: limited
    affected_parties: [customers]
    paths:
      model: ["models/${id}/**"]
    assessment: governance/assessments/${id}.yml
    approvers:
      users: ["alice"]`;
  });
  return `version: 1
governance:
  owners:
    users: ["carol"]
  policy: docs/ai-policy.md
systems:
${systems.join("\n")}
`;
}

/** A valid risk assessment of a limited-tier system. */
export function assessmentOf(system: string, reviewBy: string, assessedAt = "2026-06-30"): string {
  return `version: 1
system: ${system}
tier: limited
intended_use: Rank support tickets by urgency
affected_parties: [customers]
harms:
  - id: misrouted
    description: An urgent ticket is ranked low and answered late
    likelihood: 2
    severity: 3
    mitigations: [Agents see every ticket within a day]
    residual_risk: low
data:
  sources: [Ticket history 2024-2025]
  bias_assessment: Response times compared across customer segments
oversight:
  mechanism: Agents can re-rank any ticket
monitoring:
  metrics: [time to first answer]
acceptance:
  decision: accepted
  accepted_by: [carol]
  residual_risk: low
assessed_at: ${assessedAt}
review_by: ${reviewBy}
`;
}

/** Creates `owner/name` with a governed default branch. */
export function governedRepository(
  sim: GitHubSim,
  owner: string,
  name: string,
  options: GovernedRepoOptions = {},
): SimRepo {
  const count = options.systems ?? 1;
  const repo = sim.state.createRepo({ owner, name });
  const files: Record<string, string> = {
    ".github/ai-governance.yml": manifestOf(name, count),
    "docs/ai-policy.md": "# AI policy\n",
    "README.md": `# ${name}\n`,
  };
  for (let i = 0; i < count; i++) {
    const id = systemId(name, i);
    files[`governance/assessments/${id}.yml`] = assessmentOf(
      id,
      options.reviewByOf?.[id] ?? options.reviewBy ?? "2027-06-30",
      options.assessedAt,
    );
    files[`models/${id}/model.py`] = `weights = ${i}\n`;
  }
  repo.commit(repo.defaultBranch, { files, author: "carol", message: "Govern the models" });
  return repo;
}
