import { describe, expect, it } from "vitest";
import {
  firstParentChain,
  isGovernedBranch,
  judgePush,
} from "../../../src/core/merge-verification/index.js";
import { chainCommit, manifestAt } from "./helpers.js";

const sha = (n: number) => n.toString(16).padStart(40, "0");

describe("which commits of a push are governed", () => {
  it("keeps the commits that changed a governed path against their first parent", () => {
    const judged = judgePush({
      chain: [
        chainCommit(sha(1), ["README.md"]),
        chainCommit(sha(2), ["models/credit/model.onnx", "README.md"]),
        chainCommit(sha(3), ["governance/assessments/credit-scoring.yml"]),
        chainCommit(sha(4), [".github/ai-governance.yml"]),
      ],
      head: sha(4),
      forced: false,
    });
    expect(judged.governed.map((g) => g.sha)).toEqual([sha(2), sha(3), sha(4)]);
    expect(judged.governed[0]?.files.map((f) => f.path)).toEqual(["models/credit/model.onnx"]);
    expect(judged.governed[0]?.affected.map((a) => a.id)).toEqual(["credit-scoring"]);
    expect(judged.unjudged).toBeUndefined();
  });

  it("judges each commit under the manifest at its own first parent (the base rule)", () => {
    const ungoverned = manifestAt(
      sha(9),
      `version: 1
governance:
  owners: { users: ["gov"] }
  policy: docs/ai-policy.md
systems: []
`,
    );
    const judged = judgePush({
      chain: [chainCommit(sha(1), ["models/credit/model.onnx"], ungoverned)],
      head: sha(1),
      forced: false,
    });
    expect(judged.governed).toEqual([]);
  });

  it("gives no record where the first parent has no manifest", () => {
    const judged = judgePush({
      chain: [
        {
          sha: sha(1),
          changed: [{ path: "models/credit/model.onnx", status: "added" }],
          manifest: { state: "absent" },
        },
      ],
      head: sha(1),
      forced: false,
    });
    expect(judged.governed).toEqual([]);
  });

  it("fails closed under an invalid manifest: every changing commit is governed", () => {
    const judged = judgePush({
      chain: [
        {
          sha: sha(1),
          changed: [{ path: "README.md", status: "modified" }],
          manifest: {
            state: "invalid",
            path: ".github/ai-governance.yml",
            commit: sha(0),
            sha256: "0".repeat(64),
            problem: "bad",
          },
        },
      ],
      head: sha(1),
      forced: false,
    });
    expect(judged.governed.map((g) => g.sha)).toEqual([sha(1)]);
  });

  it("judges up to the bound and leaves the rest to one record on the head", () => {
    const chain = Array.from({ length: 260 }, (_, i) =>
      chainCommit(sha(i + 1), ["models/credit/x"]),
    );
    const judged = judgePush({ chain, head: sha(260), forced: false }, 250);
    expect(judged.governed).toHaveLength(250);
    expect(judged.unjudged).toEqual({ head: sha(260), count: 10, forced: false });
  });

  it("counts commits the caller could not list", () => {
    const judged = judgePush(
      { chain: [chainCommit(sha(1), ["README.md"])], head: sha(300), forced: false, total: 300 },
      250,
    );
    expect(judged.unjudged?.count).toBe(299);
  });

  it("marks a forced push even when every commit was judged", () => {
    const judged = judgePush({
      chain: [chainCommit(sha(1), ["README.md"])],
      head: sha(1),
      forced: true,
    });
    expect(judged.unjudged).toEqual({ head: sha(1), count: 0, forced: true });
  });
});

describe("the first-parent chain of a push", () => {
  it("leaves out a merged pull request's own commits", () => {
    const commits = [
      { sha: "p1", parents: ["base"] },
      { sha: "p2", parents: ["p1"] },
      { sha: "m", parents: ["base", "p2"] },
      { sha: "d", parents: ["m"] },
    ];
    expect(firstParentChain(commits, "base", "d")).toEqual(["m", "d"]);
  });

  it("lists a rebase merge's commits, oldest first", () => {
    const commits = [
      { sha: "r1", parents: ["base"] },
      { sha: "r2", parents: ["r1"] },
      { sha: "r3", parents: ["r2"] },
    ];
    expect(firstParentChain(commits, "base", "r3")).toEqual(["r1", "r2", "r3"]);
  });
});

describe("governed branches", () => {
  const manifest = {
    governance: {
      owners: { teams: [], users: [] },
      approvals: 1,
      policy: "p",
      branches: ["release/*"],
    },
  };
  it("always governs the default branch and adds the globs", () => {
    expect(isGovernedBranch(manifest, "main", "main")).toBe(true);
    expect(isGovernedBranch(manifest, "release/2026.11", "main")).toBe(true);
    expect(isGovernedBranch(manifest, "feature/x", "main")).toBe(false);
    expect(isGovernedBranch(manifest, "release/a/b", "main")).toBe(false);
  });
});
