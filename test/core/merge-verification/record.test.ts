import { describe, expect, it } from "vitest";
import {
  type BundleVerifier,
  envelopeOfBundle,
  type KeylessSigner,
  type SignedAttestation,
  trustedKeys,
} from "../../../src/core/attestation/index.js";
import {
  extractVerification,
  mergeRecord,
  mergeRecordKeyless,
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

describe("a keyless merge verification record (the marker carries a Sigstore bundle)", () => {
  // A stand-in for sigstore-js: the bundle's shape around an envelope, and a verifier whose
  // answer the test chooses. The real signer and verifier are tested in test/cli/verify-vsa.
  const bundleOf = (signed: SignedAttestation) => ({
    mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    verificationMaterial: {},
    dsseEnvelope: {
      ...signed.envelope,
      signatures: [{ sig: signed.envelope.signatures[0]?.sig ?? "", keyid: "" }],
    },
  });
  const keyless: KeylessSigner = {
    keyless: true,
    sign: () => Promise.reject(new Error("not used")),
    signPayload: async (payload) => {
      const signed = signer.signPayload(payload);
      const bundle = bundleOf(signed);
      const carried = envelopeOfBundle(bundle);
      if (!carried.ok) throw new Error(carried.reason);
      return { ...signed, digest: carried.envelope.digest, bundle };
    },
  };
  const accepting = (payload?: Buffer): BundleVerifier => ({
    verify: (bundle) => {
      const carried = envelopeOfBundle(bundle);
      if (!carried.ok) return { ok: false, verdict: "bad_signature", reason: carried.reason };
      return {
        ok: true,
        identity:
          "https://github.com/acme/credit-models/.github/workflows/aigate.yml@refs/heads/main",
        payloadType: carried.envelope.payloadType,
        payload: payload ?? carried.envelope.payload,
      };
    },
  });

  it("carries the bundle in the marker and verifies by the bundle verifier, with no key", async () => {
    const keylessRecord = await mergeRecordKeyless(mergedFacts(), context, keyless);
    expect(keylessRecord.statement).toEqual(record.statement);
    const extracted = extractVerification(keylessRecord.output.text);
    if (!extracted.ok) throw new Error(extracted.reason);
    expect(extracted.bundle).toEqual(keylessRecord.signed.bundle);
    expect(keylessRecord.output.summary).toContain(
      "keyless (Sigstore certificate of its workflow)",
    );
    const checked = verifyVerification(
      extracted.envelope,
      [],
      { commit: COMMIT, resourceUri },
      {
        bundle: extracted.bundle,
        bundles: accepting(),
      },
    );
    expect(checked).toMatchObject({ ok: true, digest: keylessRecord.signed.digest });
    expect(checked.ok && checked.keyId).toBeUndefined();
    expect(checked.ok && checked.signerIdentity).toContain("aigate.yml@refs/heads/main");
  });

  it("counts for nothing without a bundle verifier, or when what it verified is other bytes", async () => {
    const keylessRecord = await mergeRecordKeyless(mergedFacts(), context, keyless);
    const extracted = extractVerification(keylessRecord.output.text);
    if (!extracted.ok) throw new Error(extracted.reason);
    // Keys do not stand in for the bundle's certificate.
    expect(
      verifyVerification(extracted.envelope, keys, {}, { bundle: extracted.bundle }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining("no trusted root") });
    expect(
      verifyVerification(
        extracted.envelope,
        keys,
        {},
        { bundle: extracted.bundle, bundles: accepting(Buffer.from("{}")) },
      ),
    ).toMatchObject({ ok: false, reason: "the bundle's verified payload differs" });
  });
});
