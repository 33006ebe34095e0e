/** Reading the organisation policy a manifest extends, over a mocked GitHub. */
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type PolicyReference,
  parsePolicyReference,
} from "../../../src/core/org-policy/reference.js";
import { createAdapterCache } from "../../../src/github/reads/cache.js";
import { readOrgPolicy } from "../../../src/github/reads/org-policy.js";
import { testClient } from "../../support/helpers.js";

const API = "https://api.github.com";
const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const POLICY = "version: 1\ndefaults: { tiers: { high: { approvals: 3 } } }\n";
const CONTENTS = "/repos/acme/.github/contents/ai-governance%2Fpolicy.yml";

function reference(text: string): PolicyReference {
  const parsed = parsePolicyReference(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.reference;
}

const content = {
  type: "file",
  sha: "b".repeat(40),
  size: POLICY.length,
  content: Buffer.from(POLICY).toString("base64"),
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("reading an organisation policy", () => {
  it("reads a pinned policy at its commit, once", async () => {
    const cache = createAdapterCache();
    nock(API).get(CONTENTS).query({ ref: SHA }).once().reply(200, content);
    const pinned = reference(`acme/.github:ai-governance/policy.yml@${SHA}`);
    const first = await readOrgPolicy(testClient(), cache, pinned);
    expect(first).toEqual({
      ok: true,
      policy: {
        file: "acme/.github:ai-governance/policy.yml",
        text: POLICY,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        commit: SHA,
      },
    });
    expect(await readOrgPolicy(testClient(), cache, pinned)).toEqual(first);
  });

  it("resolves a branch to its commit, and records that commit", async () => {
    nock(API)
      .get("/repos/acme/.github/commits/main")
      .reply(200, { sha: SHA })
      .get(CONTENTS)
      .query({ ref: SHA })
      .reply(200, content);
    const read = await readOrgPolicy(
      testClient(),
      createAdapterCache(),
      reference("acme/.github:ai-governance/policy.yml@main"),
    );
    expect(read.ok && read.policy.commit).toBe(SHA);
  });

  it("fails closed, naming the policy and the call, when the REF does not exist", async () => {
    nock(API).get("/repos/acme/.github/commits/no-such-branch").reply(
      422,
      { message: "No commit found for SHA: no-such-branch" },
      {
        "x-github-request-id": "AB:CD",
      },
    );
    const read = await readOrgPolicy(
      testClient(),
      createAdapterCache(),
      reference("acme/.github:ai-governance/policy.yml@no-such-branch"),
    );
    expect(read).toMatchObject({
      ok: false,
      problem:
        "the organisation policy acme/.github:ai-governance/policy.yml@no-such-branch could not be read: GitHub 422 on GET /repos/acme/.github/commits/no-such-branch (request id AB:CD)",
    });
  });

  it("fails closed when the file is not there", async () => {
    nock(API).get(CONTENTS).query({ ref: SHA }).reply(404, { message: "Not Found" });
    const read = await readOrgPolicy(
      testClient(),
      createAdapterCache(),
      reference(`acme/.github:ai-governance/policy.yml@${SHA}`),
    );
    expect(read).toMatchObject({
      ok: false,
      problem: `the organisation policy acme/.github:ai-governance/policy.yml@${SHA} could not be read: GitHub 404 on GET /repos/acme/.github/contents/ai-governance/policy.yml at ${SHA}: no such file, or the commit does not exist`,
    });
  });

  it("fails closed when the token may not read the policy's repository", async () => {
    nock(API).get(CONTENTS).query({ ref: SHA }).reply(
      403,
      { message: "Resource not accessible by integration" },
      {
        "x-github-request-id": "EF:01",
      },
    );
    const read = await readOrgPolicy(
      testClient(),
      createAdapterCache(),
      reference(`acme/.github:ai-governance/policy.yml@${SHA}`),
    );
    expect(read.ok ? "" : read.problem).toBe(
      `the organisation policy acme/.github:ai-governance/policy.yml@${SHA} could not be read: GitHub 403 on GET /repos/acme/.github/contents/ai-governance%2Fpolicy.yml (request id EF:01)`,
    );
  });
});
