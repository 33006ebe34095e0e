import { describe, expect, it } from "vitest";
import { decodeQueued, encodeQueued } from "../../../src/github/replicas/queued-event.js";

describe("an event queued for the holder of its pull request's lock", () => {
  it("carries what live facts cannot tell, and equal events give equal texts", () => {
    const deleted = { commentId: 7, body: "<!-- aigate-attestation:v1 x -->", by: "mallory" };
    const text = encodeQueued({
      pull: { repo: "models", owner: "acme", pullNumber: 3, headSha: "a".repeat(40), deleted },
    });
    expect(decodeQueued(text)).toEqual({
      pull: { owner: "acme", repo: "models", pullNumber: 3, headSha: "a".repeat(40), deleted },
    });
    // The order fields were given in, and the log's reason, do not matter.
    const target = {
      why: "pull_request_review.submitted",
      owner: "acme",
      repo: "models",
      pullNumber: 3,
    };
    expect(encodeQueued({ pull: target })).toBe(
      encodeQueued({ pull: { pullNumber: 3, repo: "models", owner: "acme" } }),
    );
  });

  it("keeps a request to list the check runs afresh", () => {
    const recheck = { owner: "acme", repo: "models", pullNumber: 3, relist: true as const };
    expect(decodeQueued(encodeQueued({ pull: recheck }))).toEqual({ pull: recheck });
    expect(encodeQueued({ pull: recheck })).not.toBe(
      encodeQueued({ pull: { owner: "acme", repo: "models", pullNumber: 3 } }),
    );
  });

  it("keeps a merge group's head, base and ref", () => {
    const group = {
      owner: "acme",
      repo: "models",
      headSha: "b".repeat(40),
      baseSha: "c".repeat(40),
      headRef: `refs/heads/gh-readonly-queue/main/pr-3-${"c".repeat(40)}`,
      pull: { ok: true as const, pullNumber: 3 },
    };
    // What the router read from the ref beyond the pull request's number is not needed again.
    const routed = { ...group, pull: { ...group.pull, base: "main" } };
    expect(decodeQueued(encodeQueued({ group: routed }))).toEqual({ group });
  });

  it("refuses a text that is not a queued event", () => {
    expect(() => decodeQueued("{")).toThrow(/not JSON/);
    expect(() => decodeQueued('{"pull":{"owner":"acme"}}')).toThrow(/unexpected shape/);
  });
});
