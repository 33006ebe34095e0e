/**
 * A governed folder moved or deleted without touching the manifest (docs/manifest.md#paths-that-match-no-file):
 * the App reads the head's tree and reports each path of the base manifest left matching no
 * file, end to end over the simulated GitHub. A change that deletes nothing governed reads no
 * tree.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRenames } from "../../sim/git.js";
import { FIXTURE_REPO, governedRepo, readTree, type Stack, startStack } from "../../sim/stack.js";
import { ASSESSMENT, ASSESSMENT_PATH, driver, MANIFEST_PATH } from "./driver.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const app = driver(() => stack);

const fixture = readTree(FIXTURE_REPO);
const manifest = fixture[MANIFEST_PATH] ?? "";
const model = fixture["models/credit/model.py"] ?? "";
/** The assessment updated, as a high-tier model or data change requires. */
const reassessed = { [ASSESSMENT_PATH]: `${fixture[ASSESSMENT_PATH] ?? ""}# reviewed\n` };

function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((l) => l.includes(needle)) + 1;
}

function treeReads(from: number) {
  return stack.sim.requests.slice(from).filter((r) => r.operationId === "git/get-tree");
}

describe("a change that moves or deletes governed files, leaving the manifest as it is", () => {
  it("a rename out of a system's paths fails the risk-assessment check with the suggestion, annotated on the manifest", async () => {
    const repo = governedRepo(stack.sim);
    const mark = stack.sim.requests.length;
    const pr = await app.open(repo, {
      "models/credit/model.py": null,
      "models/credit-v2/model.py": model,
      ...reassessed,
    });
    // GitHub lists it as one rename with its previous name, as the simulation does.
    expect(withRenames(pr.files())).toContainEqual(
      expect.objectContaining({
        filename: "models/credit-v2/model.py",
        status: "renamed",
        previousFilename: "models/credit/model.py",
      }),
    );
    const run = stack.sim.state.checkRuns(repo, pr.headSha).latest[ASSESSMENT];
    expect(run?.conclusion).toBe("failure");
    const message = '"models/credit/**" matches no file — did you mean "models/credit-v2/**"?';
    expect(run?.output.summary).toContain(message.replaceAll("**", "\\*\\*"));
    expect(run?.annotations).toContainEqual(
      expect.objectContaining({
        path: MANIFEST_PATH,
        start_line: lineOf(manifest, '"models/credit/**"'),
        annotation_level: "failure",
        title: "systems[0].paths.model[0]",
        message,
      }),
    );
    expect(treeReads(mark)).toHaveLength(1);
  });

  it("deleting a system's last file fails the risk-assessment check at that glob", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, { "data/credit/train.csv": null, ...reassessed });
    const run = stack.sim.state.checkRuns(repo, pr.headSha).latest[ASSESSMENT];
    expect(run?.conclusion).toBe("failure");
    expect(run?.annotations).toContainEqual(
      expect.objectContaining({
        path: MANIFEST_PATH,
        start_line: lineOf(manifest, '"data/credit/**"'),
        annotation_level: "failure",
        title: "systems[0].paths.data[0]",
        message: expect.stringMatching(/^"data\/credit\/\*\*" matches no file/),
      }),
    );
  });

  it("a system in design left matching no file is a warning annotation, and the gate passes", async () => {
    const planned = manifest.replace(
      "systems:\n",
      `systems:
  - id: voice-agent
    name: Voice agent
    purpose: Answer calls about loan applications
    owner: "@acme/support-ml"
    lifecycle: design
    tier: minimal
    paths:
      model: ["models/voice/**"]
`,
    );
    expect(planned).not.toBe(manifest);
    const repo = governedRepo(stack.sim, {
      ...fixture,
      [MANIFEST_PATH]: planned,
      "models/voice/sketch.py": "# a first sketch\n",
    });
    const pr = await app.open(repo, { "models/voice/sketch.py": null });
    const run = stack.sim.state.checkRuns(repo, pr.headSha).latest[ASSESSMENT];
    expect(run?.conclusion).toBe("success");
    expect(run?.annotations).toEqual([
      expect.objectContaining({
        path: MANIFEST_PATH,
        start_line: lineOf(planned, '"models/voice/**"'),
        annotation_level: "warning",
        title: "systems[0].paths.model[0]",
        message: expect.stringContaining(
          '"models/voice/**" matches no file — the closest existing folder is "models/" (a warning: voice-agent is in design: nothing is built yet)',
        ),
      }),
    ]);
  });

  it("a rename inside a system's paths reads the tree once, reports nothing, and a recheck reads it from the cache", async () => {
    const repo = governedRepo(stack.sim);
    const mark = stack.sim.requests.length;
    const pr = await app.open(repo, {
      "models/credit/model.py": null,
      "models/credit/scorer.py": model,
      ...reassessed,
    });
    const run = stack.sim.state.checkRuns(repo, pr.headSha).latest[ASSESSMENT];
    expect(run?.conclusion).toBe("success");
    expect(run?.annotations ?? []).toEqual([]);
    await app.comment(repo, pr, "frank", "/aigate recheck");
    expect(treeReads(mark)).toHaveLength(1);
  });

  it("a change that deletes no governed file reads no tree: 0 added requests", async () => {
    const repo = governedRepo(stack.sim);
    const mark = stack.sim.requests.length;
    const pr = await app.open(repo, {
      "README.md": null,
      "models/credit/model.py": "def score(application):\n    return 0.4\n",
      ...reassessed,
    });
    expect(stack.sim.state.checkRuns(repo, pr.headSha).latest[ASSESSMENT]?.conclusion).toBe(
      "success",
    );
    expect(treeReads(mark)).toEqual([]);
  });
});
