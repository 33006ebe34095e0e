/**
 * Keyless approvals end to end through the bundled Action (docs/action.md#keyless-signing): a
 * mocked OIDC token from the runner, Sigstore's mock services on loopback, the simulated GitHub;
 * then `aigate verify` on the comments, offline against the mocks' trusted root.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  enqueue,
  GRAPHQL_OPERATION,
  issueCommentEvent,
  isWriteRequest,
  mergeGroupEvent,
  pullRequestEvent,
  pushEvent,
} from "../../sim/index.js";
import { extractAttestation, generateKeyPair } from "../../src/core/attestation/index.js";
import { extractVerification } from "../../src/core/merge-verification/index.js";
import { draft, modelChange, OVERSIGHT } from "../e2e/driver.js";
import { runCli } from "../support/run-cli.js";
import { useKeyless } from "./keyless-support.js";
import { runBundle } from "./runner.js";

const keyless = useKeyless("aigate-keyless-");
const { runner, keylessRepo, inputs, run, approve } = keyless;

// Each event is a child process and a Sigstore round trip: slower than a unit test on a busy machine.
describe("the bundled Action, keyless", { timeout: 120_000 }, () => {
  it("records approvals as Sigstore bundles naming the model files, counts them, and aigate verify checks them offline", async () => {
    const { repo, workflowPath } = keylessRepo();
    keyless.workflow = workflowPath;
    const pr = draft(repo, modelChange());
    const opened = await run(repo, "pull_request_target", pullRequestEvent("opened", repo, pr));
    expect(opened.code).toBe(0);
    // alice's bundle is stored in GitHub's attestation store; erin's is refused (a plan without
    // artifact attestations): the run says so in one line and goes on.
    const stored = await approve(repo, pr, "alice");
    expect(stored.code).toBe(0);
    expect(
      stored.requests.filter((r) => r.method === "POST" && isWriteRequest(r)).map((r) => r.status),
    ).toEqual([201, 201]);
    // The files the statement names were read through the simulated GraphQL API, not one by one.
    expect(stored.requests.filter((r) => r.operationId === GRAPHQL_OPERATION)).toHaveLength(1);
    expect(
      stored.requests.filter((r) => decodeURIComponent(r.path).includes("/contents/models/")),
    ).toEqual([]);
    expect(stored.stdout).not.toContain("attestation store did not take the bundle");
    runner.sim.failNext("repos/create-attestation", 404, 1);
    const refused = await approve(repo, pr, "erin");
    expect(refused.code).toBe(0);
    expect(refused.stdout.match(/attestation store did not take the bundle/g) ?? []).toHaveLength(
      1,
    );
    expect(
      refused.requests.some((r) => r.method === "POST" && r.path.endsWith("/attestations")),
    ).toBe(true);
    expect(keyless.sigstore.requests.fulcio).toBeGreaterThanOrEqual(2);

    const comments = repo.issueComments(pr.number);
    const bundles = comments.map((c) => extractAttestation(c.body)).filter((r) => r.ok);
    expect(bundles).toHaveLength(2);
    for (const found of bundles) {
      if (!found.ok) continue;
      expect(found.bundle).toBeDefined();
      const statement = JSON.parse(found.envelope.payload.toString("utf8"));
      expect(statement.predicate.issuer).toEqual({ kind: "action", signing: "sigstore" });
      const fileSubjects: Array<{ name: string; digest: { sha256: string } }> =
        statement.subject.slice(1);
      const files = fileSubjects.map((s) => s.name);
      expect(files.length).toBeGreaterThan(0);
      // Each digest is the sha256 of the bytes the simulated GitHub holds at the head.
      for (const s of fileSubjects) {
        const held = repo.fileAt(pr.headSha, s.name);
        expect(s.digest.sha256).toBe(
          createHash("sha256")
            .update(Buffer.from(held?.content ?? "", "utf8"))
            .digest("hex"),
        );
      }
      expect(files.every((f: string) => f.startsWith("models/") || f.startsWith("src/"))).toBe(
        true,
      );
    }
    const latest = runner.sim.state.checkRuns(repo, pr.headSha).latest;
    expect(latest[OVERSIGHT]?.conclusion).toBe("success");

    const jsonl = comments
      .map((c) =>
        JSON.stringify({
          id: c.id,
          body: c.body,
          user: { login: "github-actions[bot]" },
          issue_url: `https://api.github.com/repos/acme/${repo.name}/issues/${pr.number}`,
        }),
      )
      .join("\n");
    writeFileSync(join(runner.work, "comments.jsonl"), `${jsonl}\n`);
    const verified = await runCli(
      [
        "verify",
        "--evidence",
        "comments.jsonl",
        "--trusted-root",
        "trusted_root.json",
        "--signer-workflow",
        workflowPath,
      ],
      runner.work,
      {},
    );
    expect(verified.stdout).toContain("2 valid");
    expect(verified.code).toBe(0);
    const otherWorkflow = await runCli(
      [
        "verify",
        "--evidence",
        "comments.jsonl",
        "--trusted-root",
        "trusted_root.json",
        "--signer-workflow",
        workflowPath.replace("aigate.yml", "other.yml"),
      ],
      runner.work,
      {},
    );
    expect(otherWorkflow.code).toBe(1);

    // Merged, the push's merge verification counts both bundles (the trusted-root input given).
    const before = repo.resolveRef("main") ?? "";
    const merge = pr.merge("frank");
    const key = generateKeyPair();
    const landed = await run(repo, "push", pushEvent(repo, "main", before), {
      "signing-key": key.privateKeyPem,
      signing: "key",
    });
    expect(landed.code, landed.stdout).toBe(0);
    const [record] = runner.sim.state
      .checkRuns(repo, merge)
      .all.filter((r) => r.name === "AI governance: merge verification");
    expect(record?.conclusion).toBe("success");
    for (const user of ["@alice", "@erin"]) expect(record?.output.summary).toContain(user);
    expect(record?.output.summary).not.toMatch(/unknown_key|untrusted_identity/);
  });

  it("signs a push's merge verification keyless: the check run and the output file carry the bundle, and aigate verify --vsa checks it offline", async () => {
    const { repo, workflowPath } = keylessRepo();
    keyless.workflow = workflowPath;
    const pr = draft(repo, modelChange());
    await run(repo, "pull_request_target", pullRequestEvent("opened", repo, pr));
    for (const user of ["alice", "erin"]) expect((await approve(repo, pr, user)).code).toBe(0);
    const before = repo.resolveRef("main") ?? "";
    const merge = pr.merge("frank");
    const fulcioBefore = keyless.sigstore.requests.fulcio;
    const landed = await run(repo, "push", pushEvent(repo, "main", before));
    expect(landed.code, landed.stdout).toBe(0);
    expect(keyless.sigstore.requests.fulcio).toBe(fulcioBefore + 1);

    const [record] = runner.sim.state
      .checkRuns(repo, merge)
      .all.filter((r) => r.name === "AI governance: merge verification");
    expect(record?.conclusion).toBe("success");
    expect(record?.output.summary).toContain("keyless (Sigstore certificate of its workflow)");
    const extracted = extractVerification(record?.output.text);
    if (!extracted.ok) throw new Error(extracted.reason);
    const bundle = extracted.bundle as {
      mediaType: string;
      dsseEnvelope: { signatures: unknown[] };
    };
    expect(bundle.mediaType).toBe("application/vnd.dev.sigstore.bundle.v0.3+json");
    expect(bundle.dsseEnvelope.signatures).toHaveLength(1);
    const statement = JSON.parse(extracted.envelope.payload.toString("utf8"));
    expect(statement.predicateType).toBe("https://slsa.dev/verification_summary/v1");
    expect(statement.subject[0].digest.gitCommit).toBe(merge);
    expect(statement.predicate.verificationResult).toBe("PASSED");

    // The output file holds the same bundle, and aigate verify --vsa reads it as it is.
    const file = landed.outputs["merge-verifications"] ?? "";
    const written = JSON.parse(readFileSync(file, "utf8"));
    expect(written).toEqual([{ commit: merge, result: "PASSED", bundle: extracted.bundle }]);
    const resource = `git+https://${new URL(runner.sim.url).host}/acme/${repo.name}`;
    const vsa = (...flags: string[]) =>
      runCli(
        [
          "verify",
          "--vsa",
          file,
          "--trusted-root",
          "trusted_root.json",
          "--commit",
          merge,
          "--resource-uri",
          resource,
          ...flags,
        ],
        runner.work,
        {},
      );
    const verified = await vsa("--signer-workflow", workflowPath);
    expect(verified.stdout).toContain("1 merge verification record(s): all verify");
    expect(verified.code).toBe(0);
    const otherWorkflow = await vsa(
      "--signer-workflow",
      workflowPath.replace("aigate.yml", "other.yml"),
    );
    expect(otherWorkflow.stdout).toContain("which is not an allowed signer");
    expect(otherWorkflow.code).toBe(1);
    const otherRef = await vsa("--signer-workflow", workflowPath, "--signer-ref", "refs/heads/dev");
    expect(otherRef.code).toBe(1);

    // The export carries the keyless record with its bundle, and the pack verifies offline,
    // each input attestation (the keyless approvals) matched against the pack.
    const exported = await runCli(
      [
        "export",
        "--repo",
        `acme/${repo.name}`,
        "--pr",
        String(pr.number),
        "--trusted-root",
        "trusted_root.json",
        "--signer-workflow",
        workflowPath,
        "--out",
        "pack.jsonl",
      ],
      runner.work,
      { GITHUB_TOKEN: "ghp_export", GITHUB_API_URL: runner.sim.apiUrl },
    );
    expect(exported.code, exported.stderr).toBe(0);
    const line = readFileSync(join(runner.work, "pack.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === "merge_verification");
    expect(line).toHaveLength(1);
    expect(JSON.parse(line[0].bundle)).toEqual(extracted.bundle);
    const pack = await runCli(
      [
        "verify",
        "--vsa",
        "pack.jsonl",
        "--trusted-root",
        "trusted_root.json",
        "--signer-workflow",
        workflowPath,
        "--commit",
        merge,
      ],
      runner.work,
      {},
    );
    expect(pack.stdout).toContain("inputs 2 matched, 0 not in the pack");
    expect(pack.code).toBe(0);
  });

  it("fails a keyless push naming the Sigstore service it could not reach, and writes no record", async () => {
    const { repo, workflowPath } = keylessRepo();
    keyless.workflow = workflowPath;
    const pr = draft(repo, modelChange());
    const before = repo.resolveRef("main") ?? "";
    const merge = pr.merge("frank");
    const landed = await run(repo, "push", pushEvent(repo, "main", before), {
      sigstore: `fulcio=http://127.0.0.1:9,rekor=${keyless.sigstore.rekorURL},entry=intoto`,
    });
    expect(landed.code).not.toBe(0);
    expect(landed.stdout).toContain(
      "the merge verification could not be signed keyless: Sigstore's certificate authority http://127.0.0.1:9 refused or could not be reached",
    );
    expect(
      runner.sim.state
        .checkRuns(repo, merge)
        .all.filter((r) => r.name === "AI governance: merge verification"),
    ).toEqual([]);
  });

  it("fails a keyless push naming the permission when the job has no OIDC token", async () => {
    const { repo } = keylessRepo();
    const pr = draft(repo, modelChange());
    const before = repo.resolveRef("main") ?? "";
    pr.merge("frank");
    const result = await runBundle(runner, {
      name: "push",
      payload: pushEvent(repo, "main", before),
      repository: `acme/${repo.name}`,
      inputs: inputs(),
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain("id-token: write");
    expect(result.requests).toEqual([]);
  });

  it("posts a deleted keyless attestation again with its bundle, so it still counts", async () => {
    const { repo, workflowPath } = keylessRepo();
    keyless.workflow = workflowPath;
    const pr = draft(repo, modelChange());
    await run(repo, "pull_request_target", pullRequestEvent("opened", repo, pr));
    for (const user of ["alice", "erin"]) expect((await approve(repo, pr, user)).code).toBe(0);
    const [first] = repo.issueComments(pr.number).filter((c) => extractAttestation(c.body).ok);
    if (!first) throw new Error("an attestation comment was expected");
    repo.deleteComment(first.id);
    const restored = await run(
      repo,
      "issue_comment",
      issueCommentEvent("deleted", repo, pr, first, { sender: "mallory" }),
    );
    expect(restored.code).toBe(0);
    const again = repo
      .issueComments(pr.number)
      .filter((c) => c.body.startsWith("**Restored by aigate:**"));
    expect(again).toHaveLength(1);
    const extracted = extractAttestation(again[0]?.body);
    expect(extracted.ok && extracted.bundle).toEqual(
      (extractAttestation(first.body) as { bundle?: unknown }).bundle,
    );
    expect(runner.sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT]?.conclusion).toBe(
      "success",
    );
  });

  it("counts keyless approvals in a merge group as on the pull request", async () => {
    const { repo, workflowPath } = keylessRepo();
    keyless.workflow = workflowPath;
    const pr = draft(repo, modelChange());
    for (const user of ["alice", "erin"]) expect((await approve(repo, pr, user)).code).toBe(0);
    const group = enqueue(repo, pr);
    const result = await run(repo, "merge_group", mergeGroupEvent(repo, group), {
      "fail-on": "gates",
    });
    expect(result.code).toBe(0);
    const checks = runner.sim.state.checkRuns(repo, group.headSha).latest;
    expect(checks[OVERSIGHT]).toMatchObject({
      conclusion: "success",
      output: { title: "2 of 2 approvals recorded" },
    });
  });

  it("fails the job naming the permission when keyless is asked and the job has no OIDC token", async () => {
    const { repo } = keylessRepo();
    const pr = draft(repo, modelChange());
    const result = await runBundle(runner, {
      name: "pull_request_target",
      payload: pullRequestEvent("opened", repo, pr),
      repository: `acme/${repo.name}`,
      inputs: inputs(),
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain("id-token: write");
    expect(result.requests).toEqual([]);
  });

  it("on a fork's pull_request run signs nothing and says why", async () => {
    const { repo } = keylessRepo();
    const pr = draft(repo, modelChange());
    const payload = pullRequestEvent("opened", repo, pr);
    const head = (payload.pull_request as { head: { repo: { full_name: string } } }).head;
    head.repo = { ...head.repo, full_name: "mallory/fork" };
    const result = await runBundle(runner, {
      name: "pull_request",
      payload,
      repository: `acme/${repo.name}`,
      inputs: inputs(),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("a pull_request run for a fork gets no OIDC token");
    expect(result.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
