import { describe, expect, it } from "vitest";
import { formatDecisionText } from "../../src/cli/format.js";
import { evaluate } from "../../src/core/policy/index.js";
import { changed, creditChange, NOW, POLICY_FILE } from "../core/policy/fixtures.js";

const range = { base: "main", head: "HEAD" };

describe("formatDecisionText: every problem a gate found is printed", () => {
  it("lists a missing AI policy under the risk-assessment gate, even when another problem heads the title", () => {
    const decision = evaluate(
      creditChange({
        changedFiles: changed("models/credit/weights.bin", "models/fraud/scores.bin"),
        baseFiles: {},
      }),
      NOW,
    );
    // The title names the prohibited system first; the missing policy is only "+N more" there.
    expect(decision.assessment.title).toMatch(/^fraud-profiler is prohibited .*\(\+\d+ more\)$/);
    const text = formatDecisionText(decision, range);
    expect(text).toContain(`\n  - AI policy ${POLICY_FILE} is missing on main\n`);
  });

  it("lists a gate-wide problem the title does not already say in full", () => {
    const decision = evaluate(creditChange({ changedFilesTruncated: true }), NOW);
    const text = formatDecisionText(decision, range);
    const problem = "more than 3000 files changed: aigate cannot see them all";
    // The assessment title is this problem alone; the oversight title adds "(+1 more)".
    expect(decision.assessment.title).toBe(problem);
    expect(decision.oversight.title).toBe(`${problem} (+1 more)`);
    expect(text.split("\n").filter((line) => line === `  - ${problem}`)).toHaveLength(1);
  });
});
