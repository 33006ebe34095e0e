/**
 * When a keyless run loads Sigstore's libraries (docs/action.md#the-bundle): not at start, and
 * not for a pull request that carries no bundle; at its first signature, or once a comment
 * carries a bundle to verify. Shown with a copy of the bundle that has no action/dist/sigstore*.js
 * at all: a run that never needs them still ends well, and a run that needs them fails closed.
 * And the `trusted-root` file: checked at start, converted when first used.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { issueCommentEvent, pullRequestEvent, pullRequestReviewEvent } from "../../sim/index.js";
import { ASSESSMENT, draft, modelChange, OVERSIGHT } from "../e2e/driver.js";
import { ROOT } from "../support/git-repo.js";
import { useKeyless } from "./keyless-support.js";
import { runBundle } from "./runner.js";

const keyless = useKeyless("aigate-keyless-loading-");
const { runner, keylessRepo, run, approve } = keyless;
/** action/dist/index.js alone, without the Sigstore files it imports on demand. */
let alone = "";

beforeAll(() => {
  const dir = join(runner.work, "dist-alone");
  mkdirSync(dir);
  alone = join(dir, "index.js");
  copyFileSync(join(ROOT, "action", "dist", "index.js"), alone);
});

const recheck = (repo: ReturnType<typeof keylessRepo>["repo"], pr: ReturnType<typeof draft>) =>
  issueCommentEvent(
    "created",
    repo,
    pr,
    repo.addComment(pr.number, { user: "alice", body: "/aigate recheck" }),
  );

describe("a keyless run loads Sigstore only when it needs it", { timeout: 120_000 }, () => {
  it("evaluates a pull request that carries no bundle without Sigstore's files, then needs them for its first signature", async () => {
    const { repo, workflowPath } = keylessRepo();
    keyless.workflow = workflowPath;
    const pr = draft(repo, modelChange());
    const opened = await run(
      repo,
      "pull_request_target",
      pullRequestEvent("opened", repo, pr),
      {},
      {
        bundle: alone,
      },
    );
    expect(opened.stdout).not.toContain("sigstore");
    expect(opened.code).toBe(0);
    const checks = runner.sim.state.checkRuns(repo, pr.headSha).latest;
    expect(checks[ASSESSMENT]?.status).toBe("completed");
    expect(checks[OVERSIGHT]?.conclusion).toBe("action_required");
    expect(checks[OVERSIGHT]?.output?.title).not.toContain("could not evaluate");

    // An approval is to be recorded: Sigstore loads before it is signed and posted (the verifier
    // for the live read before the post, then the signer), and without it the run fails closed.
    const review = pr.addReview({ user: "alice", state: "APPROVED", body: "" });
    const signing = await run(
      repo,
      "pull_request_review",
      pullRequestReviewEvent("submitted", repo, pr, review),
      {},
      { bundle: alone },
    );
    expect(signing.code).not.toBe(0);
    expect(signing.stdout).toMatch(/sigstore\.js/);
    expect(runner.sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT]).toMatchObject({
      conclusion: "failure",
      output: { title: expect.stringContaining("could not evaluate") },
    });
  });

  it("in a run that records nothing, loads the verifier once a comment carries a bundle", async () => {
    const { repo, workflowPath } = keylessRepo();
    keyless.workflow = workflowPath;
    const pr = draft(repo, modelChange());
    for (const user of ["alice", "erin"]) expect((await approve(repo, pr, user)).code).toBe(0);
    expect(runner.sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT]?.conclusion).toBe(
      "success",
    );
    // No key and no OIDC token: nothing can be signed, the trusted root still verifies.
    const readOnly = (bundle?: string) =>
      runBundle(runner, {
        name: "issue_comment",
        payload: recheck(repo, pr),
        repository: `acme/${repo.name}`,
        inputs: { ...keyless.inputs(), signing: "" },
        ...(bundle ? { bundle } : {}),
      });
    const counted = await readOnly();
    expect(counted.code).toBe(0);
    expect(counted.stdout).toContain("cannot record new approvals");
    expect(runner.sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT]?.conclusion).toBe(
      "success",
    );
    const without = await readOnly(alone);
    expect(without.code).not.toBe(0);
    expect(without.stdout).toMatch(/sigstore\.js/);
    expect(runner.sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT]?.output?.title).toContain(
      "could not evaluate",
    );
  });
});

describe("the trusted-root input", { timeout: 120_000 }, () => {
  it("fails the job before any request when the file is not a trusted root", async () => {
    const { repo, workflowPath } = keylessRepo();
    keyless.workflow = workflowPath;
    const pr = draft(repo, modelChange());
    const file = join(runner.work, "not-a-root.json");
    writeFileSync(file, '{"keys":[]}');
    const result = await run(repo, "pull_request_target", pullRequestEvent("opened", repo, pr), {
      "trusted-root": file,
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain(
      `the Sigstore trusted root could not be read: ${file}: not a Sigstore trusted root`,
    );
    expect(result.requests).toEqual([]);
  });

  it("turns both checks red, naming the file, when a root it must use turns out unusable", async () => {
    const { repo, workflowPath } = keylessRepo();
    keyless.workflow = workflowPath;
    const pr = draft(repo, modelChange());
    expect((await approve(repo, pr, "alice")).code).toBe(0);
    const file = join(runner.work, "empty-root.json");
    writeFileSync(
      file,
      JSON.stringify({
        mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        tlogs: [],
        certificateAuthorities: [],
        ctlogs: [],
        timestampAuthorities: [],
      }),
    );
    const result = await run(repo, "issue_comment", recheck(repo, pr), { "trusted-root": file });
    expect(result.code).not.toBe(0);
    const checks = runner.sim.state.checkRuns(repo, pr.headSha).latest;
    for (const name of [ASSESSMENT, OVERSIGHT]) {
      expect(checks[name]?.conclusion).toBe("failure");
      expect(checks[name]?.output?.summary).toContain(
        `the Sigstore trusted root could not be read: ${file}: not a usable trusted root (it lists no certificate authority)`,
      );
    }
  });
});
