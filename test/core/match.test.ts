import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import {
  MANIFEST_SYSTEM_ID,
  type Manifest,
  type ResolvedSystem,
} from "../../src/core/manifest/schema.js";
import {
  compileMatcher,
  MAX_FILES_PER_SYSTEM,
  manifestChanged,
  matchChanges,
  removesGoverned,
  touchesGoverned,
} from "../../src/core/match.js";
import type { ChangedFile } from "../../src/core/types.js";

function system(id: string, paths: ResolvedSystem["paths"], extra: Partial<ResolvedSystem> = {}) {
  const s: ResolvedSystem = {
    id,
    name: id,
    purpose: "test",
    owner: "@acme/ml",
    lifecycle: "production",
    tier: "limited",
    affectedParties: [],
    paths,
    assessmentRequired: false,
    evidence: {},
    requiredEvidence: [],
    updateOn: [],
    approvers: { teams: [], users: ["alice"] },
    approvals: 1,
    blocked: false,
    ...extra,
  };
  return s;
}

function manifestOf(...systems: ResolvedSystem[]): Manifest {
  return {
    version: 1,
    governance: {
      owners: { teams: ["acme/gov"], users: [] },
      approvals: 1,
      policy: "docs/ai-policy.md",
      branches: [],
    },
    invalidateOnPush: "governed",
    committersCanApprove: false,
    requestReviews: "teams",
    systems,
  };
}

const modified = (...paths: string[]): ChangedFile[] =>
  paths.map((path) => ({ path, status: "modified" }));

const credit = system("credit-scoring", {
  model: ["models/credit/**", "src/credit/**/*.py"],
  data: ["data/credit/*.parquet"],
});
const chat = system("chat-helper", { prompts: ["prompts/chat/**/*.md"], config: ["chat.yml"] });
const compiled = compileMatcher(
  manifestOf(credit, chat, system("everywhere-py", { evaluation: ["**/eval_*.py"] })),
);

describe("matchChanges: which systems a change touches", () => {
  it("returns nothing for a change outside every governed path", () => {
    expect(matchChanges(compiled, modified("README.md", "src/other/x.py"))).toEqual([]);
  });

  it("lists affected systems in manifest order with the kinds touched", () => {
    const affected = matchChanges(
      compiled,
      modified("prompts/chat/greeting.md", "data/credit/2026.parquet", "models/credit/w.bin"),
    );
    expect(affected.map((a) => [a.id, a.kinds])).toEqual([
      ["credit-scoring", ["model", "data"]],
      ["chat-helper", ["prompts"]],
    ]);
  });

  it("matches nested paths only where the glob allows (* stays in one directory)", () => {
    const affected = matchChanges(compiled, modified("data/credit/2026/q1.parquet"));
    expect(affected).toEqual([]);
  });

  it("matches dotfiles inside governed directories", () => {
    const affected = matchChanges(compiled, modified("models/credit/.config/params.json"));
    expect(affected.map((a) => a.id)).toEqual(["credit-scoring"]);
  });

  it("matches a literal path glob exactly", () => {
    expect(matchChanges(compiled, modified("chat.yml")).map((a) => a.id)).toEqual(["chat-helper"]);
    expect(matchChanges(compiled, modified("chat.yml.bak"))).toEqual([]);
  });

  it("matches globs without a static base against every path", () => {
    const affected = matchChanges(compiled, modified("deep/down/eval_bias.py"));
    expect(affected.map((a) => [a.id, a.kinds])).toEqual([["everywhere-py", ["evaluation"]]]);
  });

  it("records the files that triggered each system with their status", () => {
    const [affected] = matchChanges(compiled, [{ path: "models/credit/w.bin", status: "added" }]);
    expect(affected?.files).toEqual([
      { path: "models/credit/w.bin", kind: "model", status: "added" },
    ]);
    expect(affected?.moreFiles).toBe(0);
  });

  it("counts removed files", () => {
    const affected = matchChanges(compiled, [{ path: "models/credit/w.bin", status: "removed" }]);
    expect(affected.map((a) => a.id)).toEqual(["credit-scoring"]);
  });

  it("touches the system a file is moved out of (rename counts its previous path)", () => {
    const [affected] = matchChanges(compiled, [
      { path: "attic/w.bin", previousPath: "models/credit/w.bin", status: "renamed" },
    ]);
    expect(affected?.id).toBe("credit-scoring");
    expect(affected?.files).toEqual([
      {
        path: "attic/w.bin",
        previousPath: "models/credit/w.bin",
        kind: "model",
        status: "renamed",
      },
    ]);
  });

  it("touches both systems when a file moves from one system's path into another's", () => {
    const affected = matchChanges(compiled, [
      { path: "prompts/chat/x.md", previousPath: "models/credit/x.md", status: "renamed" },
    ]);
    expect(affected.map((a) => a.id)).toEqual(["credit-scoring", "chat-helper"]);
  });

  it("caps the listed files and counts the rest", () => {
    const files = Array.from(
      { length: MAX_FILES_PER_SYSTEM + 5 },
      (_, i) => `models/credit/${i}.bin`,
    );
    const [affected] = matchChanges(compiled, modified(...files));
    expect(affected?.files).toHaveLength(MAX_FILES_PER_SYSTEM);
    expect(affected?.moreFiles).toBe(5);
  });

  it("honours exclusions written as !glob within a kind", () => {
    const withExclusion = compileMatcher(
      manifestOf(system("vision", { model: ["models/vision/**", "!models/vision/**/*.md"] })),
    );
    expect(matchChanges(withExclusion, modified("models/vision/README.md"))).toEqual([]);
    expect(matchChanges(withExclusion, modified("models/vision/net.py"))).toHaveLength(1);
  });

  it("adds the aigate:manifest pseudo-system last when the manifest changes", () => {
    const affected = matchChanges(
      compiled,
      modified(".github/ai-governance.yml", "models/credit/a"),
    );
    expect(affected.map((a) => a.id)).toEqual(["credit-scoring", MANIFEST_SYSTEM_ID]);
    expect(affected[1]?.kinds).toEqual(["manifest"]);
    expect(manifestChanged(compiled, modified(".github/ai-governance.yml"))).toBe(true);
    expect(manifestChanged(compiled, modified("README.md"))).toBe(false);
  });

  it("treats moving the manifest away as changing it", () => {
    const moved: ChangedFile[] = [
      {
        path: "old/ai-governance.yml",
        previousPath: ".github/ai-governance.yml",
        status: "renamed",
      },
    ];
    expect(manifestChanged(compiled, moved)).toBe(true);
  });

  it("agrees with testing every glob separately (picomatch, dot: true)", () => {
    const globs = [...(credit.paths.model ?? []), ...(credit.paths.data ?? []), "**/eval_*.py"];
    const segment = fc.constantFrom(
      "models",
      "credit",
      "src",
      "data",
      "eval_x.py",
      "a.parquet",
      ".hidden",
      "x.py",
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        const path = segments.join("/");
        const expected = globs.some((g) => picomatch(g, { dot: true })(path));
        const actual = matchChanges(compiled, modified(path)).some(
          (a) => a.id === "credit-scoring" || a.id === "everywhere-py",
        );
        expect(actual).toBe(expected);
      }),
    );
  });
});

describe("matchChanges: same answer as testing each glob on its own", () => {
  const globPool = [
    "a/**",
    "a/b/**",
    "a/*/c.py",
    "{a,d}/b/*",
    "**/c.py",
    "a/b[0-9]/**",
    "a/?.py",
    "a/b",
    "d/**/.h/*",
    "d/b/c.py",
    "./a/b/*",
  ];
  const pathSegment = fc.constantFrom("a", "b", "b1", "c.py", "d", ".h", "x.py", "e");

  it("agrees with picomatch for random manifests and paths", () => {
    fc.assert(
      fc.property(
        fc.array(fc.subarray(globPool, { minLength: 1, maxLength: 3 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.array(pathSegment, { minLength: 1, maxLength: 5 }), {
          minLength: 1,
          maxLength: 8,
        }),
        (systems, paths) => {
          const m = manifestOf(...systems.map((globs, i) => system(`s${i}`, { model: globs })));
          const files = modified(...paths.map((p) => p.join("/")));
          const expected = systems.flatMap((globs, i) =>
            files.some((f) => globs.some((g) => picomatch(g, { dot: true })(f.path)))
              ? [`s${i}`]
              : [],
          );
          expect(matchChanges(compileMatcher(m), files).map((a) => a.id)).toEqual(expected);
        },
      ),
    );
  });
});

describe("touchesGoverned: whether paths changed since an approval are governed", () => {
  const governed = compileMatcher(
    manifestOf(
      system(
        "credit-scoring",
        { model: ["models/credit/**"] },
        {
          assessment: "governance/credit.yml",
          evidence: { model_card: "docs/card.md" },
        },
      ),
    ),
  );

  it("is false for ungoverned paths", () => {
    expect(touchesGoverned(governed, ["README.md", "src/app.ts"])).toBe(false);
  });

  it("is true for a path matched by a system's glob", () => {
    expect(touchesGoverned(governed, ["README.md", "models/credit/w.bin"])).toBe(true);
  });

  it("is true for the manifest itself", () => {
    expect(touchesGoverned(governed, [".github/ai-governance.yml"])).toBe(true);
  });

  it("is true for an assessment, an evidence file or the AI policy", () => {
    expect(touchesGoverned(governed, ["governance/credit.yml"])).toBe(true);
    expect(touchesGoverned(governed, ["docs/card.md"])).toBe(true);
    expect(touchesGoverned(governed, ["docs/ai-policy.md"])).toBe(true);
  });
});

describe("removesGoverned: whether a change may leave a path of the manifest matching no file", () => {
  const compiled = compileMatcher(
    manifestOf(
      system(
        "credit-scoring",
        { model: ["models/credit/**", "!models/credit/scratch/**"] },
        { assessment: "governance/credit.yml" },
      ),
    ),
  );
  const cases: Array<[string, ChangedFile[], boolean]> = [
    ["a governed file removed", [{ path: "models/credit/m.py", status: "removed" }], true],
    [
      "a governed file renamed away",
      [{ path: "models/v2/m.py", status: "renamed", previousPath: "models/credit/m.py" }],
      true,
    ],
    [
      "a governed file renamed within its folder",
      [{ path: "models/credit/n.py", status: "renamed", previousPath: "models/credit/m.py" }],
      true,
    ],
    ["the assessment removed", [{ path: "governance/credit.yml", status: "removed" }], true],
    [
      "a governed file copied (the source stays)",
      [{ path: "models/v2/m.py", status: "copied", previousPath: "models/credit/m.py" }],
      false,
    ],
    ["an ungoverned file removed", [{ path: "README.md", status: "removed" }], false],
    ["an excluded file removed", [{ path: "models/credit/scratch/x", status: "removed" }], false],
    [
      "a file renamed into a governed folder",
      [{ path: "models/credit/m.py", status: "renamed", previousPath: "tmp/m.py" }],
      false,
    ],
    ["governed files added and modified", [...modified("models/credit/m.py")], false],
  ];
  it.each(cases)("%s → %s", (_name, files, expected) => {
    expect(removesGoverned(compiled, files)).toBe(expected);
  });
});
