/**
 * Evidence first: Octokit's throttling plugin (as Probot builds the App's clients) paces an
 * installation's writes a second apart in one queue; an attestation comment goes ahead of the
 * check-run writes of other pull requests queued before it. Real Bottleneck, GitHub mocked with
 * nock; the order in which GitHub receives the requests is what is checked.
 */

import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSigner } from "../../../src/core/attestation/index.js";
import { throttleOptions } from "../../../src/github/backoff.js";
import type { GitHubClient } from "../../../src/github/client.js";
import { postComment } from "../../../src/github/flow/publish.js";
import { reconcile } from "../../../src/github/flow/reconcile.js";
import { createAdapterCache } from "../../../src/github/reads/cache.js";
import { evidenceFirst, type ThrottleSetting } from "../../../src/github/replicas/paced-writes.js";
import { asEvidence, asOptional } from "../../../src/github/replicas/write-priority.js";
import { ALICE, API, mockGitHub, NOW, review, SIGNING_KEY } from "../../support/mock-github.js";

/** The App's installation clients: Probot's Octokit with the throttle settings server.ts adds. */
const PacedOctokit = ProbotOctokit.defaults((instance: { throttle?: ThrottleSetting }) => ({
  ...instance,
  retry: { enabled: false },
  throttle: { ...instance.throttle, ...evidenceFirst(instance.throttle) },
}));

let installations = 0;
/** A client of an installation of its own: its writes queue behind no other test's. */
function pacedClient(): GitHubClient {
  return new PacedOctokit({
    auth: { token: "ghs_testtoken000000000000000000000000" },
    throttle: {
      id: `paced-${process.pid}-${++installations}`,
      ...throttleOptions({ maxWaitSeconds: 120, notice: () => {} }),
    },
  }) as unknown as GitHubClient;
}

/** Check-run writes of other pull requests, answered and recorded in `calls` as they arrive. */
function otherPullRequests(calls: string[]): void {
  nock(API)
    .persist()
    .post("/repos/acme/other/check-runs")
    .reply(201, (_uri, body) => {
      calls.push(`check ${(body as { name: string }).name}`);
      return { id: 1 };
    });
}

function checkRun(client: GitHubClient, name: string): Promise<unknown> {
  return client.rest.checks.create({
    owner: "acme",
    repo: "other",
    name,
    head_sha: "4".repeat(40),
  });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
});

describe("evidence ahead of an installation's paced writes", () => {
  /** Queues four unrelated writes, then the comment (`mark` or not), then one more write. */
  async function burst(mark: boolean): Promise<string[]> {
    const calls: string[] = [];
    otherPullRequests(calls);
    nock(API)
      .persist()
      .post("/repos/acme/models/issues/7/comments")
      .reply(201, () => {
        calls.push("evidence");
        return { id: 9000 };
      });
    const client = pacedClient();
    const comment = () =>
      postComment(client, { owner: "acme", repo: "models", pullNumber: 7 }, "x");
    await Promise.all([
      ...["1", "2", "3", "4"].map((name) => checkRun(client, name)),
      mark ? asEvidence(comment) : comment(),
      checkRun(client, "5"),
    ]);
    return calls;
  }

  it("sends an attestation write before the unrelated writes queued ahead of it", async () => {
    const calls = await burst(true);
    // At most the write already sent and the one waiting out the pause go first.
    expect(calls.indexOf("evidence")).toBeLessThanOrEqual(2);
    // The mark is the comment's alone: the write queued in the same moment after it stays last.
    expect(calls.at(-1)).toBe("check 5");
    expect(calls.filter((c) => c !== "evidence")).toEqual([
      "check 1",
      "check 2",
      "check 3",
      "check 4",
      "check 5",
    ]);
  });

  it("without the mark, the comment waits its turn behind every write queued before it", async () => {
    const calls = await burst(false);
    expect(calls).toEqual(["check 1", "check 2", "check 3", "check 4", "evidence", "check 5"]);
  });

  it("keeps the plugin's retries ahead of evidence", async () => {
    const { write } = evidenceFirst(undefined);
    if (!write) throw new Error("no write group");
    const limiter = write.key(`retries-${process.pid}`);
    const ran: string[] = [];
    const job = (name: string) => async () => void ran.push(name);
    await Promise.all([
      limiter.schedule({}, job("first")),
      limiter.schedule({}, job("second")),
      limiter.schedule({}, job("third")),
      asEvidence(() => limiter.schedule({}, job("evidence"))),
      limiter.schedule({ priority: 0, weight: 0 }, job("retry")),
    ]);
    expect(ran.indexOf("retry")).toBeLessThan(ran.indexOf("evidence"));
    expect(ran.indexOf("evidence")).toBeLessThan(ran.indexOf("third"));
  });

  it("queues an optional write (a review request) behind the writes without a mark and the evidence", async () => {
    const { write } = evidenceFirst(undefined);
    if (!write) throw new Error("no write group");
    const limiter = write.key(`optional-${process.pid}`);
    const ran: string[] = [];
    const job = (name: string) => async () => void ran.push(name);
    await Promise.all([
      limiter.schedule({}, job("first")),
      limiter.schedule({}, job("second")),
      asOptional(() => limiter.schedule({}, job("review request"))),
      limiter.schedule({}, job("check")),
      asEvidence(() => limiter.schedule({}, job("evidence"))),
    ]);
    // The first two are under way when the others are queued, as in the test above.
    expect(ran).toEqual(["first", "second", "evidence", "check", "review request"]);
  });

  it("with throttling off, adds nothing", () => {
    expect(evidenceFirst({ enabled: false })).toEqual({});
  });
});

describe("an attestation recorded while other pull requests' writes are queued", () => {
  it("goes out before those writes", async () => {
    const written = mockGitHub({ reviews: [review(301, ALICE, "APPROVED")] });
    // One list in the order GitHub received the requests: the pull request's, then the others'.
    otherPullRequests(written.calls);
    const client = pacedClient();
    const signer = createSigner(SIGNING_KEY);
    const queued = ["1", "2", "3", "4", "5", "6"].map((name) => checkRun(client, name));
    const [result] = await Promise.all([
      reconcile(
        client,
        { owner: "acme", repo: "models", pullNumber: 7 },
        {
          signer,
          trustedJwks: { keys: [{ ...signer.publicJwk }] },
          issuer: { kind: "action" },
          now: () => NOW,
          log: { info() {}, warn() {}, error() {} },
          cache: createAdapterCache(),
        },
      ),
      ...queued,
    ]);
    const calls = written.calls.filter((c) => !c.startsWith("GET"));
    expect(result.attestations).toEqual({ approved: 1, revoked: 0 });
    // Reading the pull request takes a moment; the writes still queued then go after it.
    const attestation = calls.indexOf("POST /repos/acme/models/issues/7/comments");
    expect(attestation).toBeGreaterThanOrEqual(0);
    expect(attestation).toBeLessThan(calls.indexOf("check 5"));
  });
});
