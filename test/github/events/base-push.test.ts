/** Re-evaluating open pull requests after a base push, over a mocked GitHub. */
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PullRequestTarget } from "../../../src/github/client.js";
import { MAX_REEVALUATED, reevaluateAfterPush } from "../../../src/github/events/base-push.js";
import { createAdapterCache } from "../../../src/github/reads/cache.js";
import { testClient } from "../../support/helpers.js";

const API = "https://api.github.com";
const MANIFEST = ".github/ai-governance.yml";

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

function logger() {
  const lines: string[] = [];
  const log = {
    info: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(m),
    error: (m: string) => lines.push(m),
  };
  return { lines, log };
}

function pulls(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({ number: from + i }));
}

describe("re-evaluating after a base push", () => {
  it("drops a push that changes neither the manifest nor a known policy, before any API call", async () => {
    const { log } = logger();
    const seen: PullRequestTarget[] = [];
    const outcome = await reevaluateAfterPush(
      testClient(),
      { owner: "acme", repo: "models", ref: "main", branch: true, paths: ["README.md"] },
      { cache: createAdapterCache(), log, manifestPath: MANIFEST },
      async (t) => seen.push(t),
    );
    expect(outcome.dropped).toContain("changes neither the governance manifest");
    expect(seen).toEqual([]);
  });

  it("re-evaluates at most 100 open pull requests of the branch, and logs how many wait", async () => {
    nock(API)
      .get("/repos/acme/models/pulls")
      .query({ state: "open", per_page: "100", base: "main" })
      .reply(200, pulls(1, 100), {
        link: '<https://api.github.com/repos/acme/models/pulls?state=open&per_page=100&base=main&page=2>; rel="next"',
      })
      .get("/repos/acme/models/pulls")
      .query({ state: "open", per_page: "100", base: "main", page: "2" })
      .reply(200, pulls(101, 30));
    const { lines, log } = logger();
    const seen: number[] = [];
    const targets: Array<{ fromComment?: boolean }> = [];
    const outcome = await reevaluateAfterPush(
      testClient(),
      { owner: "acme", repo: "models", ref: "main", branch: true, paths: [MANIFEST] },
      { cache: createAdapterCache(), log, manifestPath: MANIFEST },
      async (t) => {
        targets.push(t);
        seen.push(t.pullNumber);
      },
    );
    expect(seen).toHaveLength(MAX_REEVALUATED);
    expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
    // A base push is no comment: a pull request counting none is re-evaluated without listing them.
    expect(targets.every((t) => t.fromComment === false)).toBe(true);
    expect(outcome.deferred).toBe(30);
    expect(lines).toEqual([
      "aigate: acme/models@main: re-evaluating 100 open pull requests; 30 more are re-evaluated on their next event",
    ]);
  });

  it("re-evaluates when the push does not say what it changed", async () => {
    nock(API)
      .get("/repos/acme/models/pulls")
      .query({ state: "open", per_page: "100", base: "main" })
      .reply(200, pulls(7, 1));
    const seen: Array<{ pullNumber: number; why: string }> = [];
    await reevaluateAfterPush(
      testClient(),
      { owner: "acme", repo: "models", ref: "main", branch: true },
      { cache: createAdapterCache(), log: logger().log, manifestPath: MANIFEST },
      async (t) => seen.push({ pullNumber: t.pullNumber, why: t.why }),
    );
    expect(seen).toEqual([
      {
        pullNumber: 7,
        why: "push to acme/models@main (its changes are not listed, so the manifest may have changed)",
      },
    ]);
  });

  it("re-evaluates the repositories seen extending a pushed policy, and survives one it cannot list", async () => {
    const cache = createAdapterCache();
    cache.policyExtenders.set("acme/.github:policy.yml@main", ["acme/models", "acme/gone"]);
    nock(API)
      .get("/repos/acme/models/pulls")
      .query({ state: "open", per_page: "100" })
      .reply(200, pulls(3, 2))
      .get("/repos/acme/gone/pulls")
      .query({ state: "open", per_page: "100" })
      .reply(404, { message: "Not Found" });
    const { lines, log } = logger();
    const seen: string[] = [];
    await reevaluateAfterPush(
      testClient(),
      { owner: "acme", repo: ".github", ref: "main", branch: true, paths: ["policy.yml"] },
      { cache, log, manifestPath: MANIFEST },
      async (t) => seen.push(`${t.owner}/${t.repo}#${t.pullNumber}`),
    );
    expect(seen).toEqual(["acme/models#3", "acme/models#4"]);
    expect(lines).toEqual([
      expect.stringContaining("could not list the open pull requests of acme/gone"),
    ]);
  });
});
