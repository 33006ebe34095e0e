import { describe, expect, it } from "vitest";
import { type SigningSituation, signingMode } from "../../src/sigstore/signing-mode.js";

const situation = (patch: Partial<SigningSituation>): SigningSituation => ({
  requested: undefined,
  hasKey: false,
  hasOidc: false,
  forkPullRequest: false,
  ...patch,
});

describe("how a run signs", () => {
  it("signs keyless when no key is given and the job has an OIDC token", () => {
    expect(signingMode(situation({ hasOidc: true }))).toEqual({ mode: "keyless" });
  });

  it("keeps the key when one is given and keyless is not asked for", () => {
    expect(signingMode(situation({ hasKey: true, hasOidc: true }))).toEqual({ mode: "key" });
  });

  it("signs keyless when asked, even with a key", () => {
    expect(signingMode(situation({ requested: "keyless", hasKey: true, hasOidc: true }))).toEqual({
      mode: "keyless",
    });
  });

  it("fails the job naming the permission when keyless is asked without a token", () => {
    const mode = signingMode(situation({ requested: "keyless" }));
    expect(mode).toEqual({ mode: "error", reason: expect.stringContaining("id-token: write") });
  });

  it("fails the job when a key is asked for and none is given", () => {
    expect(signingMode(situation({ requested: "key", hasOidc: true })).mode).toBe("error");
  });

  it("signs nothing on a fork's pull_request run, and says why", () => {
    for (const requested of ["key", "keyless", undefined] as const) {
      const mode = signingMode(situation({ requested, forkPullRequest: true }));
      expect(mode).toEqual({ mode: "none", reason: expect.stringContaining("fork") });
    }
  });

  it("records nothing without a key or a token, saying what to grant", () => {
    expect(signingMode(situation({}))).toEqual({
      mode: "none",
      reason: expect.stringContaining("id-token: write"),
    });
  });
});
