import { afterEach, describe, expect, it } from "vitest";
import {
  MAX_SARIF_RESULTS,
  SARIF_RULES,
  type SarifFinding,
  toSarif,
} from "../../src/core/sarif.js";
import { TempRepo } from "../support/git-repo.js";
import { expectValidSarif, validateSarif } from "../support/sarif-schema.js";

const repos: TempRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

function demo(): TempRepo {
  const repo = TempRepo.fromDemo();
  repos.push(repo);
  return repo;
}

describe("--format sarif", () => {
  it("validate: SARIF 2.1.0 that validates against the schema, one rule per kind, results at line and column", () => {
    const repo = demo();
    repo.edit(".github/ai-governance.yml", '"models/credit/**"', '"modles/credit/**"');
    repo.git("rm", "-q", "docs/model-cards/credit-scoring.md");
    const run = repo.aigate(["validate", "--format", "sarif"]);
    expect(run.code).toBe(1);
    const log = expectValidSarif(run.stdout);
    const rules = log.runs[0]?.tool.driver.rules.map((r) => r.id);
    expect(rules).toEqual(Object.keys(SARIF_RULES));
    const results = log.runs[0]?.results ?? [];
    expect(results.map((r) => [r.ruleId, r.level])).toEqual([
      ["glob-matches-no-file", "error"],
      ["evidence-missing", "error"],
    ]);
    const glob = results[0];
    expect(glob?.message.text).toBe(
      'systems[0].paths.model[0]: "modles/credit/**" matches no file — did you mean "models/credit/**"?',
    );
    expect(glob?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      ".github/ai-governance.yml",
    );
    expect(glob?.locations[0]?.physicalLocation.region.startLine).toBeGreaterThan(1);
    expect(glob?.locations[0]?.physicalLocation.region.startColumn).toBeGreaterThan(1);
  });

  it("check: the gates' findings as SARIF 2.1.0 that validates against the schema", () => {
    const repo = demo();
    repo.branch("feature");
    repo.write("models/credit/weights.json", '{"bias": 0}\n');
    repo.write("models/fraud-profiler/x.py", "x = 1\n");
    repo.commitAll("retrain");
    const run = repo.aigate(["check", "--base", "main", "--format", "sarif"]);
    expect(run.code).toBe(1);
    const log = expectValidSarif(run.stdout);
    const results = log.runs[0]?.results ?? [];
    expect(new Set(results.map((r) => r.ruleId))).toEqual(
      new Set(["risk-assessment-gate", "approvals-required"]),
    );
    for (const result of results) {
      expect(result.locations[0]?.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
    }
  });

  it("a valid repository gives a valid log with no results", () => {
    const repo = demo();
    const run = repo.aigate(["validate", "--format", "sarif"]);
    expect(run.code).toBe(0);
    const log = expectValidSarif(run.stdout);
    expect(log.runs[0]?.results).toEqual([]);
  });

  it("stays within GitHub's limit of results in a run, saying how many were left out", () => {
    const finding: SarifFinding = {
      file: "a b/ü.yml",
      line: 3,
      column: 0,
      field: "",
      message: "m",
      rule: "manifest-invalid",
      level: "error",
    };
    const log = toSarif(Array(MAX_SARIF_RESULTS + 7).fill(finding));
    expect(validateSarif(log)).toBe(true);
    expect(log.runs[0]?.results).toHaveLength(MAX_SARIF_RESULTS);
    expect(log.runs[0]?.invocations[0]?.toolExecutionNotifications?.[0]?.message.text).toMatch(
      /^7 more finding\(s\) left out/,
    );
    expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: "a%20b/%C3%BC.yml", uriBaseId: "%SRCROOT%" },
      region: { startLine: 3 },
    });
  });
});
