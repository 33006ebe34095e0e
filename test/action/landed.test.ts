/**
 * The bundled Action on `push`: the merge verification of what the push landed, written with
 * the workflow's token and the signing key, against the simulated GitHub.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { governedRepository, pushEvent, systemId } from "../../sim/index.js";
import { governedRepo } from "../../sim/stack.js";
import { generateKeyPair, trustedKeys } from "../../src/core/attestation/index.js";
import { envelopeFromText, verifyVerification } from "../../src/core/merge-verification/index.js";
import { runBundle, useRunner } from "./runner.js";

const key = generateKeyPair();
const runner = useRunner("aigate-action-push-");

describe("the Action on push", () => {
  it("writes a failure record for a direct push of a governed file, outputs it as a file, and fails the job", async () => {
    const repo = governedRepo(runner.sim, undefined, "pushed-directly");
    const before = repo.resolveRef("main") ?? "";
    const sha = repo.commit("main", {
      files: { "models/credit/model.onnx": "w\n" },
      author: "mallory",
    });
    const run = await runBundle(runner, {
      name: "push",
      payload: pushEvent(repo, "main", before),
      repository: repo.fullName,
      inputs: { "signing-key": key.privateKeyPem },
    });
    expect(run.code).toBe(1);
    const runs = runner.sim.state
      .checkRuns(repo, sha)
      .all.filter((r) => r.name === "AI governance: merge verification");
    expect(runs).toHaveLength(1);
    expect(runs[0]?.conclusion).toBe("failure");
    const file = run.outputs["merge-verifications"] ?? "";
    const [record] = JSON.parse(readFileSync(file, "utf8")) as Array<{
      commit: string;
      result: string;
      envelope: unknown;
    }>;
    expect(record).toMatchObject({ commit: sha, result: "FAILED" });
    const decoded = envelopeFromText(JSON.stringify(record?.envelope));
    if (!decoded.ok) throw new Error(decoded.reason);
    const checked = verifyVerification(decoded.envelope, trustedKeys({ keys: [key.publicJwk] }), {
      commit: sha,
    });
    expect(checked.ok).toBe(true);
    // The bypass reaches the owners through the register's tracking issue, not the App's issue.
    const issues = [...repo.issues.values()];
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ state: "open", labels: ["aigate-register"] });
    expect(issues[0]?.title).toBe("AI governance: risk assessments expired or due");
    expect(issues[0]?.body).toContain("### Commits that bypassed the gates");
    expect(issues[0]?.body).toMatch(
      new RegExp(`^\\| \`${sha}\` \\| main \\| .*\\| \\[commit\\]`, "m"),
    );
  });

  it("keeps its bypasses in the register's tracking issue, which the register updates in place around them", async () => {
    const repo = governedRepository(runner.sim, "acme", "bypassed-models", {
      systems: 2,
      assessedAt: "2019-12-31",
      reviewByOf: { [systemId("bypassed-models", 0)]: "2020-01-31" },
    });
    const push = async (file: string) => {
      const before = repo.resolveRef("main") ?? "";
      const sha = repo.commit("main", { files: { [file]: `${before}\n` } });
      const run = await runBundle(runner, {
        name: "push",
        payload: pushEvent(repo, "main", before),
        repository: repo.fullName,
        inputs: { "signing-key": key.privateKeyPem },
      });
      expect(run.code, run.stdout).toBe(1);
      return sha;
    };
    const register = () =>
      runBundle(runner, {
        name: "schedule",
        payload: { schedule: "0 6 * * 1" },
        repository: repo.fullName,
        inputs: { mode: "register" },
      });
    const rows = () =>
      [
        ...(repo.issues.values().next().value?.body ?? "").matchAll(/^\| `([0-9a-f]{40})` \|/gm),
      ].map((m) => m[1]);

    const first = await push(`models/${systemId("bypassed-models", 0)}/model.py`);
    expect(repo.issues.size).toBe(1);
    expect(rows()).toEqual([first]);

    // The scheduled register finds the same issue, lists what is due, and keeps the bypasses.
    const scheduled = await register();
    expect(scheduled.code, scheduled.stdout).toBe(0);
    expect(scheduled.stdout).toContain("updated tracking issue acme/bypassed-models#");
    expect(repo.issues.size).toBe(1);
    const issue = repo.issues.values().next().value;
    expect(issue?.body).toContain(`| ${systemId("bypassed-models", 0)} |`);
    expect(issue?.body).toContain("**expired**");
    expect(rows()).toEqual([first]);

    // A second bypass is added on top, in place; a register run with nothing new writes nothing.
    const second = await push(`models/${systemId("bypassed-models", 1)}/model.py`);
    expect(repo.issues.size).toBe(1);
    expect(rows()).toEqual([second, first]);
    const again = await register();
    expect(again.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(rows()).toEqual([second, first]);
  });

  it("writes nothing for a push that changes no governed path", async () => {
    const repo = governedRepo(runner.sim, undefined, "pushed-readme");
    const before = repo.resolveRef("main") ?? "";
    const sha = repo.commit("main", { files: { "README.md": "hi\n" }, author: "frank" });
    const run = await runBundle(runner, {
      name: "push",
      payload: pushEvent(repo, "main", before),
      repository: repo.fullName,
      inputs: { "signing-key": key.privateKeyPem },
    });
    expect(run.code).toBe(0);
    expect(runner.sim.state.checkRuns(repo, sha).all).toEqual([]);
  });
});
