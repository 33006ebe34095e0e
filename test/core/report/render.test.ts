import { describe, expect, it } from "vitest";
import type { Gate } from "../../../src/core/controls.js";
import type { LocatedError } from "../../../src/core/errors.js";
import { MAX_ANNOTATION_TITLE_CHARS, MAX_CHECK_TITLE_CHARS } from "../../../src/core/limits.js";
import { evaluate } from "../../../src/core/policy/index.js";
import {
  ASSESSMENT_CHECK_NAME,
  MAX_ANNOTATIONS,
  OVERSIGHT_CHECK_NAME,
  renderCheck,
} from "../../../src/core/report/index.js";
import type { Decision, Facts } from "../../../src/core/types.js";
import {
  ALICE,
  AUTHOR,
  approval,
  assessmentYaml,
  BASE_SHA,
  CAROL,
  CREDIT_ASSESSMENT,
  changed,
  creditChange,
  creditHeadFiles,
  facts,
  MANIFEST_FILE,
  MANIFEST_YAML,
  NOW,
  OLD_HEAD_SHA,
} from "../policy/fixtures.js";

const carol = approval(CAROL, [{ system: "credit-scoring", reason: "member of acme/model-risk" }], {
  at: "2026-11-27T10:30:00Z",
});
const alice = approval(ALICE, ["credit-scoring"], { at: "2026-11-27T09:15:00Z" });

/** The main situations a compliance reader meets, each evaluated at the fixed time NOW. */
const situations: Record<string, Facts> = {
  "no-ai-system-affected": facts({ changedFiles: changed("README.md", "src/app.ts") }),
  "all-requirements-met": creditChange({ approvals: [alice, carol] }),
  "waiting-for-approvals": creditChange({
    changedFiles: [
      ...changed("models/credit/weights.bin", CREDIT_ASSESSMENT),
      { path: "attic/old.py", previousPath: "src/credit/old.py", status: "renamed" },
    ],
    approvals: [
      approval(AUTHOR, ["credit-scoring"], { at: "2026-11-27T08:00:00Z" }),
      approval(ALICE, ["credit-scoring"], { commit: OLD_HEAD_SHA, at: "2026-11-26T16:00:00Z" }),
      carol,
    ],
    changedSince: { [OLD_HEAD_SHA]: ["models/credit/weights.bin"] },
    vetoes: [],
    rejectedAttestations: [
      { commentId: 9001, commentAuthor: "mallory", reason: "signature does not verify (edited)" },
    ],
  }),
  "assessment-expired": creditChange({
    headFiles: creditHeadFiles(assessmentYaml({ review_by: "2026-10-01" })),
    approvals: [alice, carol],
  }),
  "prohibited-system-touched": facts({ changedFiles: changed("models/fraud/profile.py") }),
  "manifest-invalid": facts({
    manifest: {
      status: "present",
      path: MANIFEST_FILE,
      baseSha: BASE_SHA,
      sha256: "e".repeat(64),
      text: MANIFEST_YAML.replace("tier: high", "tier: hihg").replace(
        "lifecycle: design",
        "lifecycle: sketch",
      ),
    },
    changedFiles: changed("models/credit/weights.bin"),
  }),
  "no-manifest-on-base": facts({
    manifest: { status: "missing", path: MANIFEST_FILE, baseSha: BASE_SHA },
    changedFiles: changed("models/credit/weights.bin"),
  }),
  "manifest-changed": facts({
    changedFiles: changed(MANIFEST_FILE),
    proposedManifest: {
      text: MANIFEST_YAML.replace("approvals: 2", "approvals: 0"),
      sha256: "f".repeat(64),
    },
  }),
  "cli-approvals-not-evaluated": creditChange({ evaluateApprovals: false, pullRequest: undefined }),
  "internal-error": { ...facts(), changedFiles: null } as unknown as Facts,
};

describe("renderCheck: the summaries people read", () => {
  for (const [name, situation] of Object.entries(situations)) {
    for (const gate of ["assessment", "oversight"] as const) {
      it(`renders ${name} (${gate})`, async () => {
        const output = renderCheck(evaluate(situation, NOW), gate);
        const rendered = [
          `<!-- title: ${output.title} -->`,
          output.summary,
          ...(output.text ? ["<!-- text -->", output.text] : []),
          ...(output.annotations.length > 0
            ? [
                "<!-- annotations -->",
                "```json",
                JSON.stringify(output.annotations, null, 2),
                "```",
              ]
            : []),
          "",
        ].join("\n");
        await expect(rendered).toMatchFileSnapshot(`__snapshots__/${name}.${gate}.txt`);
      });
    }
  }
});

describe("renderCheck: what every summary states", () => {
  const met = evaluate(situations["all-requirements-met"] as Facts, NOW);

  it("exports the fixed check names", () => {
    expect(ASSESSMENT_CHECK_NAME).toBe("AI governance: risk assessment");
    expect(OVERSIGHT_CHECK_NAME).toBe("AI governance: human oversight");
  });

  it("says on the oversight check that answers were held back, and only there", () => {
    const held = { ...met, answersHeldBack: 3 };
    const oversight = renderCheck(held, "oversight").summary;
    expect(oversight).toContain("### Answers held back");
    expect(oversight).toContain("aigate did not post 3 answers to commands on this pull request");
    expect(renderCheck(held, "assessment").summary).not.toContain("Answers held back");
    expect(renderCheck(met, "oversight").summary).not.toContain("Answers held back");
  });

  it("uses the gate's title", () => {
    expect(renderCheck(met, "oversight").title).toBe("2 of 2 approvals recorded");
  });

  it("names the manifest digest, the base commit and the assessment digest", () => {
    const { summary } = renderCheck(met, "assessment");
    expect(summary).toContain(`sha256:${met.manifest.sha256}`);
    expect(summary).toContain("`bbbbbbb`");
    expect(summary).toContain(`sha256:${met.assessment.systems[0]?.assessment?.sha256}`);
  });

  it("lists each counted approval with approver, eligibility, time, commit and attestation", () => {
    const { summary } = renderCheck(met, "oversight");
    expect(summary).toContain(
      `| alice (1) | listed user | 2026-11-27T09:15:00Z | \`ccccccc\` | review ${alice.source.id} | \`sha256:${"d".repeat(64)}\` |`,
    );
  });

  it("lists the standards the gate evidences", () => {
    expect(renderCheck(met, "assessment").summary).toContain(
      "EU AI Act Art. 9: Risk management system",
    );
    expect(renderCheck(met, "oversight").summary).toContain("EU AI Act Art. 14: Human oversight");
  });

  it("escapes Markdown and HTML from the manifest", () => {
    const text = MANIFEST_YAML.replace(
      "name: Credit scoring model",
      'name: "Credit | <img src=x> *model*"',
    );
    const decision = evaluate(
      creditChange({
        manifest: { status: "present", path: MANIFEST_FILE, baseSha: BASE_SHA, sha256: "m", text },
      }),
      NOW,
    );
    const { summary } = renderCheck(decision, "assessment");
    expect(summary).toContain("Credit \\| \\<img src=x\\> \\*model\\*");
    expect(summary).not.toMatch(/[^\\]<img/);
  });
});

describe("renderCheck: GitHub's limits", () => {
  function withErrors(n: number): Decision {
    const decision = evaluate(situations["manifest-invalid"] as Facts, NOW);
    const errors: LocatedError[] = Array.from({ length: n }, (_, i) => ({
      file: MANIFEST_FILE,
      line: i + 1,
      column: 3,
      field: `systems[${i}].tier`,
      message: `unknown tier number ${i}`,
    }));
    return { ...decision, manifest: { ...decision.manifest, errors } };
  }

  it("returns at most 50 annotations and says how many were left out", () => {
    const output = renderCheck(withErrors(73), "assessment" satisfies Gate);
    expect(output.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(output.annotationsLeftOut).toBe(23);
    expect(output.text).toContain("23 more");
  });

  it("locates an annotation at the error's line and column", () => {
    const [annotation] = renderCheck(withErrors(1), "oversight").annotations;
    expect(annotation).toEqual({
      path: MANIFEST_FILE,
      start_line: 1,
      end_line: 1,
      start_column: 3,
      end_column: 3,
      annotation_level: "failure",
      title: "systems[0].tier",
      message: "unknown tier number 0",
    });
  });

  it("does not annotate the base manifest's errors when the change modifies the manifest", () => {
    const broken = MANIFEST_YAML.replace("tier: high", "tier: hihg");
    const decision = evaluate(
      facts({
        manifest: {
          status: "present",
          path: MANIFEST_FILE,
          baseSha: BASE_SHA,
          sha256: "x",
          text: broken,
        },
        changedFiles: changed(MANIFEST_FILE),
        proposedManifest: { text: `${broken}\nextra: 1\n`, sha256: "p" },
      }),
      NOW,
    );
    const output = renderCheck(decision, "assessment");
    expect(decision.proposedManifest?.errors.length).toBeGreaterThan(1);
    // Only the proposed (head) manifest's errors are annotated: their lines are the head's.
    expect(output.annotations.map((a) => a.message)).toEqual(
      decision.proposedManifest?.errors.map((e) => e.message),
    );
    expect(output.summary).toContain("(on the base branch)");
  });

  it(`holds a check title to ${MAX_CHECK_TITLE_CHARS} characters on one line, ending in an ellipsis`, () => {
    const decision = withErrors(0);
    decision.assessment.title = `first line\n${"long title ".repeat(60)}`;
    const { title } = renderCheck(decision, "assessment");
    expect(title).toHaveLength(MAX_CHECK_TITLE_CHARS);
    expect(title).toMatch(/^first line long title .*…$/);
    expect(renderCheck(withErrors(0), "assessment").title).toBe("Invalid governance manifest");
  });

  it(`holds an annotation's title to GitHub's ${MAX_ANNOTATION_TITLE_CHARS} characters`, () => {
    const decision = withErrors(1);
    const field = `systems[0].evidence.${"k".repeat(400)}`;
    decision.manifest.errors = [{ ...decision.manifest.errors[0], field } as LocatedError];
    const [annotation] = renderCheck(decision, "assessment").annotations;
    expect(annotation?.title).toBe(field.slice(0, MAX_ANNOTATION_TITLE_CHARS));
  });

  it("annotates a file-level error on line 1", () => {
    const decision = withErrors(0);
    decision.manifest.errors = [
      { file: MANIFEST_FILE, line: 0, column: 0, field: "", message: "unreadable" },
    ];
    expect(renderCheck(decision, "assessment").annotations[0]).toMatchObject({
      start_line: 1,
      end_line: 1,
    });
  });

  it("keeps the summary within 65 535 characters by leaving out whole sections, and says so", () => {
    const output = renderCheck(withErrors(3000), "assessment");
    expect(output.summary.length).toBeLessThanOrEqual(65_535);
    expect(output.summary).toContain("left out to stay within GitHub's size limit");
    expect(output.summary).not.toContain("### Errors in files");
    expect(output.text).toContain("The summary leaves out 1 section");
    expect(output.text).toContain("Errors in files");
    expect(output.text?.length).toBeLessThanOrEqual(65_535);
  });

  it("leaves the summary whole when it fits", () => {
    const output = renderCheck(withErrors(3), "assessment");
    expect(output.summary).toContain("### Errors in files");
    expect(output.text).toBeUndefined();
  });

  it("leaves out sections at a smaller limit too, never cutting one in half", () => {
    const decision = evaluate(situations["waiting-for-approvals"] as Facts, NOW);
    const full = renderCheck(decision, "oversight").summary;
    const small = renderCheck(decision, "oversight", 2_000);
    expect(small.summary.length).toBeLessThanOrEqual(2_000);
    expect(full.length).toBeGreaterThan(2_000);
    for (const heading of small.summary.match(/^### .*$/gm) ?? []) expect(full).toContain(heading);
    expect(small.text).toMatch(/leaves out \d+ sections?/);
    expect(small.summary).toContain("### Overview");
    expect(small.summary).toContain("### Standards this check evidences");
  });
});
