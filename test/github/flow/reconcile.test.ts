/**
 * The reconcile flow called directly, as the Action calls it: without a signing key, and with a
 * read-only token.
 */
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSigner } from "../../../src/core/attestation/index.js";
import type { ReconcileDeps } from "../../../src/github/flow/contract.js";
import { reconcile } from "../../../src/github/flow/reconcile.js";
import { createAdapterCache } from "../../../src/github/reads/cache.js";
import { testClient } from "../../support/helpers.js";
import { ALICE, MALLORY, mockGitHub, NOW, review, SIGNING_KEY } from "../../support/mock-github.js";

const target = { owner: "acme", repo: "models", pullNumber: 7 };
const signer = createSigner(SIGNING_KEY);

function deps(overrides: Partial<ReconcileDeps> = {}): ReconcileDeps & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    signer,
    trustedJwks: { keys: [{ ...signer.publicJwk }] },
    issuer: { kind: "action" },
    now: () => NOW,
    log: { info() {}, warn: (m) => void warnings.push(m), error() {} },
    cache: createAdapterCache(),
    warnings,
    ...overrides,
  };
}

const mallorysApproval = {
  id: 700,
  user: MALLORY,
  body: "/approve",
  created_at: "2026-11-27T11:30:00Z",
  updated_at: "2026-11-27T11:30:00Z",
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
});

describe("reconciling for the Action", () => {
  it("signs as the Action when the Action calls it", async () => {
    const written = mockGitHub({ reviews: [review(301, ALICE, "APPROVED")] });
    const result = await reconcile(testClient(), target, deps());
    expect(result.attestations).toEqual({ approved: 1, revoked: 0 });
    expect(written.comments[0]).toContain("by the aigate action");
  });

  it("without a signing key, evaluates but records no approval and says so", async () => {
    const written = mockGitHub({ reviews: [review(301, ALICE, "APPROVED")] });
    const d = deps({ signer: undefined });
    const result = await reconcile(testClient(), target, d);
    expect(written.comments).toEqual([]);
    expect(result.decision?.oversight.title).toBe("Waiting for 2 of 2 approvals (credit-scoring)");
    expect(written.checks).toHaveLength(2);
    expect(d.warnings).toEqual(["aigate: 1 approval source(s) left unrecorded: no signing key"]);
  });

  it("with a read-only token, decides but writes neither comments nor check runs", async () => {
    const written = mockGitHub({
      reviews: [review(301, ALICE, "APPROVED")],
      comments: [mallorysApproval],
    });
    const result = await reconcile(testClient(), target, deps({ write: false }));
    expect(result.decision?.assessment.conclusion).toBe("success");
    expect(result.checks).toEqual({});
    expect(written.comments).toEqual([]);
    expect(written.checks).toEqual([]);
    expect(written.calls.filter((c) => !c.startsWith("GET"))).toEqual([]);
  });
});
