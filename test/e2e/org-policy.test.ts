/**
 * Organisation policies end to end: the real App server over HTTP against the simulated GitHub,
 * a policy in one repository and manifests extending it in others (docs/policy.md).
 */
import { describe, expect, it } from "vitest";
import type { GitHubSim } from "../../sim/index.js";
import { FIXTURE_REPO, governedRepo, readTree } from "../../sim/stack.js";
import { extractAttestation } from "../../src/core/attestation/index.js";
import { drivenStack, MANIFEST_PATH, modelChange } from "./driver.js";

const app = drivenStack();
const stack = app.stack;
const POLICY_PATH = "ai-governance/policy.yml";
const POLICY = [
  "version: 1",
  "governance:",
  "  owners: { teams: [acme/ai-governance] }",
  "defaults:",
  "  tiers:",
  "    high: { approvals: 3 }",
  "",
].join("\n");

let policyCounter = 0;

/** A repository holding `policy`; returns the `extends` value that pins it. */
function policyRepository(sim: GitHubSim, policy = POLICY): string {
  const name = `policies-${++policyCounter}`;
  const repo = sim.state.createRepo({ owner: "acme", name });
  const commit = repo.commit("main", { files: { [POLICY_PATH]: policy }, author: "frank" });
  return `acme/${name}:${POLICY_PATH}@${commit}`;
}

/** The fixture repository, its manifest extending `reference`, with `edit` applied to the manifest. */
function extendingRepository(reference: string, edit: (manifest: string) => string = (m) => m) {
  const files = readTree(FIXTURE_REPO);
  const manifest = files[MANIFEST_PATH] ?? "";
  files[MANIFEST_PATH] = edit(
    manifest.replace("version: 1\n", `version: 1\nextends: ${reference}\n`),
  );
  return governedRepo(stack().sim, files);
}

const withoutOwnApprovals = (manifest: string) => manifest.replace("    approvals: 2\n", "");

describe("organisation policies in the App", () => {
  it("an organisation floor raises approvals: two of three is not enough, three is", async () => {
    const reference = policyRepository(stack().sim);
    const repo = extendingRepository(reference, withoutOwnApprovals);
    const pr = await app.open(repo, modelChange());
    expect(app.checks(repo, pr).assessment).toMatchObject({ conclusion: "success" });
    expect(app.checks(repo, pr).oversight).toMatchObject({
      conclusion: "action_required",
      title: "Waiting for 3 of 3 approvals (credit-scoring)",
    });

    await app.review(repo, pr, "alice");
    await app.review(repo, pr, "erin");
    expect(app.checks(repo, pr).oversight).toMatchObject({
      conclusion: "action_required",
      title: "Waiting for 1 of 3 approvals (credit-scoring)",
    });

    await app.review(repo, pr, "carol");
    const checks = app.checks(repo, pr);
    expect(checks.oversight).toMatchObject({
      conclusion: "success",
      title: "3 of 3 approvals recorded",
    });
    const [, , commit] = /^(acme\/[^:]+):[^@]+@([0-9a-f]{40})$/.exec(reference) ?? [];
    expect(checks.oversight?.summary).toContain(
      `| Organisation policy | \`${reference.split("@")[0]}\` at \`${commit}\``,
    );

    const statement = extractAttestation(app.attestations(repo, pr)[0]?.body);
    if (!statement.ok) throw new Error(statement.reason);
    const predicate = JSON.parse(statement.envelope.payload.toString("utf8")).predicate;
    expect(predicate.policy).toMatchObject({
      repository: reference.split(":")[0],
      path: POLICY_PATH,
      commit,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("a repository that lowers a floor gets a manifest error carrying both locations", async () => {
    const reference = policyRepository(stack().sim);
    const repo = extendingRepository(reference);
    const pr = await app.open(repo, modelChange());
    const policyFile = reference.split("@")[0] ?? "";
    for (const check of [app.checks(repo, pr).assessment, app.checks(repo, pr).oversight]) {
      expect(check).toMatchObject({ conclusion: "failure", title: "Invalid governance manifest" });
      // The summary escapes Markdown, so `[0]` reads `\[0\]` in its source.
      expect(check?.summary).toContain(
        `.github/ai-governance.yml:28:16: systems\\[0\\].approvals: 2 for credit-scoring is fewer than the organisation policy requires of tier high (${policyFile} line 6 sets defaults.tiers.high.approvals: 3)`,
      );
    }
  });

  it("an unreadable policy ends red, naming the policy and the call", async () => {
    const reference = policyRepository(stack().sim).replace(
      POLICY_PATH,
      "ai-governance/missing.yml",
    );
    const repo = extendingRepository(reference, withoutOwnApprovals);
    const pr = await app.open(repo, modelChange());
    const [where, commit] = reference.split("@");
    const [policyRepo, path] = (where ?? "").split(":");
    const call = `GET /repos/${policyRepo}/contents/${path} at ${commit}`;
    for (const check of [app.checks(repo, pr).assessment, app.checks(repo, pr).oversight]) {
      expect(check).toMatchObject({
        status: "completed",
        conclusion: "failure",
        title: `Organisation policy ${reference} could not be read`,
      });
      expect(check?.summary).toContain(`could not be read: GitHub 404 on ${call}`);
    }
  });
});
