/**
 * The bundled Action on `push`: the merge verification of what the push landed, written with
 * the workflow's token and the signing key, against the simulated GitHub.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pushEvent } from "../../sim/index.js";
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
