import { describe, expect, it } from "vitest";
import { trustedKeys } from "../../../src/core/attestation/index.js";
import {
  extractVerification,
  mergeRecord,
  verifyVerification,
} from "../../../src/core/merge-verification/index.js";
import { COMMIT, context, key, mergedFacts, otherSigner, signer } from "./helpers.js";

const keys = trustedKeys({ keys: [key.publicJwk] });
const record = mergeRecord(mergedFacts(), context, signer);
const resourceUri = "git+https://github.com/acme/credit-models";

function fromText(text: string) {
  const extracted = extractVerification(text);
  if (!extracted.ok) throw new Error(extracted.reason);
  return extracted.envelope;
}

describe("a merge verification record", () => {
  it("rides in the check run's text in one marker and verifies offline", () => {
    const envelope = fromText(record.output.text);
    const checked = verifyVerification(envelope, keys, { commit: COMMIT, resourceUri });
    expect(checked).toMatchObject({ ok: true, digest: record.signed.digest, keyId: key.keyId });
  });

  it("is refused for another commit or another repository", () => {
    const envelope = fromText(record.output.text);
    expect(verifyVerification(envelope, keys, { commit: "f".repeat(40) })).toMatchObject({
      ok: false,
      reason: `the subject is commit ${COMMIT}, not ${"f".repeat(40)}`,
    });
    expect(
      verifyVerification(envelope, keys, { resourceUri: "git+https://github.com/acme/other" }),
    ).toMatchObject({ ok: false });
  });

  it("is refused when signed by a key the verifier does not trust", () => {
    const foreign = mergeRecord(mergedFacts(), context, otherSigner);
    const checked = verifyVerification(fromText(foreign.output.text), keys);
    expect(checked).toMatchObject({ ok: false });
    expect(checked.ok || checked.reason).toMatch(/not signed by any trusted key/);
  });

  it("is refused when its payload was edited", () => {
    const envelope = fromText(record.output.text);
    const edited = Buffer.from(envelope.payload.toString("utf8").replace("PASSED", "FAILED"));
    expect(verifyVerification({ ...envelope, payload: edited }, keys)).toMatchObject({
      ok: false,
      reason: `the signature does not verify with key ${key.keyId}`,
    });
  });

  it("is refused when the key was revoked before the verification", () => {
    const revoked = trustedKeys({
      keys: [{ ...key.publicJwk, revoked_at: "2026-01-01T00:00:00Z" }],
    });
    expect(verifyVerification(fromText(record.output.text), revoked)).toMatchObject({ ok: false });
  });

  it("allows exactly one marker", () => {
    expect(extractVerification(`${record.output.text}\n${record.output.text}`)).toMatchObject({
      ok: false,
      reason: "2 verification markers; exactly one is allowed",
    });
    expect(extractVerification("no record here")).toMatchObject({ ok: false });
    expect(extractVerification(null)).toMatchObject({ ok: false });
  });
});

describe("the merge verification check run, as people read it", () => {
  it("names the pull request, systems, assessments, approvers and the record", () => {
    expect(record.output.conclusion).toBe("success");
    expect(record.output.title).toBe("Verified: #12 landed as approved (credit-scoring)");
    expect(
      record.output.summary.replace(
        /sha256:[0-9a-f]{64}`, key `[^`]+`/,
        "sha256:DIGEST`, key `KEY`",
      ),
    ).toMatchSnapshot();
  });

  it("says why a bypass failed", () => {
    const failed = mergeRecord(
      mergedFacts({ checks: { assessment: "success", oversight: "failure" } }),
      context,
      signer,
    );
    expect(failed.output.conclusion).toBe("failure");
    expect(failed.output.title).toMatch(/^Bypass: Merged with red or missing checks/);
    expect(
      failed.output.summary.replace(
        /sha256:[0-9a-f]{64}`, key `[^`]+`/,
        "sha256:DIGEST`, key `KEY`",
      ),
    ).toMatchSnapshot();
  });
});
