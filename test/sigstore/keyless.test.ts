import { createHash, createPrivateKey, sign } from "node:crypto";
import { bundleFromJSON, bundleToJSON } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { DSSEBundleBuilder, FulcioSigner, RekorWitness } from "@sigstore/sign";
import { toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApprovalStatement,
  approvalsFrom,
  type BundleVerifier,
  canonicalJson,
  envelopeOfBundle,
  extractAttestation,
  type FoundAttestation,
  fileEntries,
  PAYLOAD_TYPE,
  pae,
  renderAttestationComment,
  type SignedAttestation,
  statementFor,
  verifyAttestations,
} from "../../src/core/attestation/index.js";
import { createKeylessSigner, KeylessSigningError } from "../../src/sigstore/sign.js";
import { createBundleVerifier } from "../../src/sigstore/verify.js";
import {
  found,
  HEAD,
  issue,
  issuer,
  issuerKey,
  NEW_HEAD,
  PR,
  predicate,
  REPO,
  trusted,
} from "../core/attestation/helpers.js";
import { actionsToken, type MockSigstore, startMockSigstore } from "../support/sigstore.js";

const WORKFLOW = "acme/credit-models/.github/workflows/aigate.yml";
const MAIN = "refs/heads/main";
const KEYLESS = { kind: "action", signing: "sigstore" } as const;

let mock: MockSigstore;
let expired: MockSigstore;
let root: TrustedRoot;
let verifier: BundleVerifier;

beforeAll(async () => {
  mock = await startMockSigstore();
  // A CA whose clock is a day behind: its certificates expired long before Rekor logs them.
  expired = await startMockSigstore({ caClock: new Date(Date.now() - 24 * 3600 * 1000) });
  root = TrustedRoot.fromJSON(mock.trustedRoot);
  verifier = createBundleVerifier(root, [{ workflow: WORKFLOW, ref: MAIN }]);
});
afterAll(async () => {
  await mock.close();
  await expired.close();
});

function signer(
  options: { workflow?: string; ref?: string; log?: "rekor" | "tsa"; via?: MockSigstore } = {},
) {
  const via = options.via ?? mock;
  const endpoints =
    options.log === "tsa"
      ? { fulcioURL: via.fulcioURL, tsaURL: via.tsaURL }
      : { fulcioURL: via.fulcioURL, rekorURL: via.rekorURL };
  const token = actionsToken(options.workflow ?? WORKFLOW, options.ref ?? MAIN);
  // The mock log stores entries as sent, which sigstore-js verifies for `intoto` entries only.
  return createKeylessSigner({ endpoints, getToken: async () => token, entryType: "intoto" });
}

let commentId = 9000;
function foundBundle(bundle: unknown, patch: Partial<FoundLocationPatch> = {}): FoundAttestation {
  return { envelope: bundle, repository: REPO, pullRequest: PR, commentId: commentId++, ...patch };
}
type FoundLocationPatch = { repository: string; pullRequest: number };

async function keyless(
  patch: Parameters<typeof predicate>[0] = {},
  options: Parameters<typeof signer>[0] = {},
): Promise<SignedAttestation & { statement: ApprovalStatement }> {
  const statement = statementFor(predicate({ issuer: KEYLESS, ...patch }));
  return { ...(await signer(options).sign(statement)), statement };
}

describe("keyless approvals", () => {
  it("verify when logged in Rekor: chain, log entry, signature and the pinned workflow", async () => {
    const signed = await keyless();
    const report = verifyAttestations([foundBundle(signed.bundle)], trusted, { bundles: verifier });
    expect(report.statements[0]).toMatchObject({
      verdict: "valid",
      signerIdentity: `https://github.com/${WORKFLOW}@${MAIN}`,
      digest: signed.digest,
    });
    expect(approvalsFrom(report).map((a) => a.attestationDigest)).toEqual([signed.digest]);
  });

  it("verify when timestamped by a timestamp authority instead of a log (private repositories)", async () => {
    const signed = await keyless({}, { log: "tsa" });
    const bundle = signed.bundle as { verificationMaterial: Record<string, unknown> };
    expect(bundle.verificationMaterial.tlogEntries ?? []).toEqual([]);
    expect(bundle.verificationMaterial.timestampVerificationData).toBeDefined();
    const report = verifyAttestations([foundBundle(signed.bundle)], trusted, { bundles: verifier });
    expect(report.statements[0]?.verdict).toBe("valid");
  });

  it("verify from the comment the Action posts, the bundle in the marker", async () => {
    const signed = await keyless();
    const body = renderAttestationComment(signed.envelope, signed.statement, signed.bundle);
    expect(body).toContain("keyless (Sigstore certificate of its workflow)");
    const extracted = extractAttestation(body);
    expect(extracted.ok && extracted.bundle).toEqual(signed.bundle);
    const report = verifyAttestations(
      [{ body, repository: REPO, pullRequest: PR, commentId: 1 }],
      trusted,
      { bundles: verifier },
    );
    expect(report.statements[0]?.verdict).toBe("valid");
  });

  it("count by the same rules as keyed ones: stale, duplicate, revoked", async () => {
    const first = await keyless();
    const again = await keyless({ prev: first.digest });
    const report = verifyAttestations(
      [foundBundle(first.bundle), foundBundle(again.bundle)],
      trusted,
      { bundles: verifier, head: NEW_HEAD },
    );
    expect(report.statements.map((s) => s.verdict)).toEqual(["stale", "duplicate_source"]);

    const revocation = await keyless({
      decision: "revoked",
      revokes: first.digest,
      prev: first.digest,
      source: { kind: "comment", id: 77, at: "2026-03-02T10:00:00Z", commit: HEAD },
      issued_at: "2026-03-02T10:00:01Z",
    });
    const revoked = verifyAttestations(
      [foundBundle(first.bundle), foundBundle(revocation.bundle)],
      trusted,
      { bundles: verifier },
    );
    expect(revoked.statements.map((s) => s.verdict)).toEqual(["revoked", "valid"]);
    expect(approvalsFrom(revoked)).toEqual([]);
  });
});

describe("keyed and keyless statements on one pull request", () => {
  it("chain together: a keyless statement's prev may name a keyed one and the reverse", async () => {
    const keyed = issue({
      source: { kind: "review", id: 3001, at: "2026-03-02T09:14:07Z", commit: HEAD },
    });
    const next = await keyless({
      prev: keyed.digest,
      source: { kind: "review", id: 3002, at: "2026-03-02T09:15:07Z", commit: HEAD },
      issued_at: "2026-03-02T09:15:09Z",
    });
    const last = issue({
      prev: next.digest,
      source: { kind: "review", id: 3003, at: "2026-03-02T09:16:07Z", commit: HEAD },
      issued_at: "2026-03-02T09:16:09Z",
    });
    const report = verifyAttestations(
      [found(keyed.body), foundBundle(next.bundle), found(last.body)],
      trusted,
      { bundles: verifier },
    );
    expect(report.statements.map((s) => s.verdict)).toEqual(["valid", "valid", "valid"]);
    // Deleting the keyless one in the middle is seen, as for any statement.
    const gap = verifyAttestations([found(keyed.body), found(last.body)], trusted, {
      bundles: verifier,
    });
    expect(gap.statements.map((s) => s.verdict)).toEqual(["valid", "missing_predecessor"]);
  });

  it("a keyed envelope whose statement says keyless counts for nothing", () => {
    const payload = Buffer.from(canonicalJson(statementFor(predicate({ issuer: KEYLESS }))));
    const sig = sign(null, pae(PAYLOAD_TYPE, payload), createPrivateKey(issuerKey.privateKeyPem));
    const envelope = {
      payload: payload.toString("base64"),
      payloadType: PAYLOAD_TYPE,
      signatures: [{ keyid: issuer.keyId, sig: sig.toString("base64") }],
    };
    const [verdict] = verifyAttestations([foundBundle(envelope)], trusted).statements;
    expect(verdict?.verdict).toBe("malformed");
    expect(verdict?.reason).toContain("says keyless");
  });

  it("a bundle whose statement names a key counts for nothing", async () => {
    const payload = Buffer.from(canonicalJson(statementFor(predicate())));
    const builder = new DSSEBundleBuilder({
      signer: new FulcioSigner({
        identityProvider: { getToken: async () => actionsToken(WORKFLOW) },
        fulcioBaseURL: mock.fulcioURL,
      }),
      witnesses: [new RekorWitness({ rekorBaseURL: mock.rekorURL, entryType: "intoto" })],
    });
    const bundle = bundleToJSON(await builder.create({ data: payload, type: PAYLOAD_TYPE }));
    const [verdict] = verifyAttestations([foundBundle(bundle)], trusted, {
      bundles: verifier,
    }).statements;
    expect(verdict?.verdict).toBe("malformed");
    expect(verdict?.reason).toContain("but it is a keyless bundle");
  });
});

describe("keyless evidence that counts for nothing", () => {
  it("an edited bundle: the payload changed after signing", async () => {
    const signed = await keyless();
    const edited = structuredClone(signed.bundle) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(edited.dsseEnvelope.payload, "base64").toString());
    statement.predicate.approver.login = "mallory";
    edited.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString("base64");
    const [verdict] = verifyAttestations([foundBundle(edited)], trusted, {
      bundles: verifier,
    }).statements;
    expect(verdict?.verdict).toBe("bad_signature");
    expect(verdict?.reason).toMatch(/Sigstore verification failed/);
  });

  it("a certificate for another workflow of the same repository", async () => {
    const signed = await keyless(
      {},
      { workflow: "acme/credit-models/.github/workflows/other.yml" },
    );
    const [verdict] = verifyAttestations([foundBundle(signed.bundle)], trusted, {
      bundles: verifier,
    }).statements;
    expect(verdict?.verdict).toBe("untrusted_identity");
    expect(verdict?.reason).toContain("other.yml@refs/heads/main, which is not an allowed signer");
  });

  it("the allowed workflow at another ref", async () => {
    const signed = await keyless({}, { ref: "refs/heads/feature" });
    const [verdict] = verifyAttestations([foundBundle(signed.bundle)], trusted, {
      bundles: verifier,
    }).statements;
    expect(verdict?.verdict).toBe("untrusted_identity");
  });

  it("another repository's identity, even one whose name only extends the allowed one", async () => {
    for (const workflow of [
      "evil/credit-models/.github/workflows/aigate.yml",
      "acme/credit-models-evil/.github/workflows/aigate.yml",
    ]) {
      const signed = await keyless({}, { workflow });
      const [verdict] = verifyAttestations([foundBundle(signed.bundle)], trusted, {
        bundles: verifier,
      }).statements;
      expect(verdict?.verdict).toBe("untrusted_identity");
    }
  });

  it("an expired certificate without a valid timestamp", async () => {
    const signed = await keyless({}, { via: expired });
    const expiredVerifier = createBundleVerifier(TrustedRoot.fromJSON(expired.trustedRoot), [
      { workflow: WORKFLOW, ref: MAIN },
    ]);
    const [verdict] = verifyAttestations([foundBundle(signed.bundle)], trusted, {
      bundles: expiredVerifier,
    }).statements;
    expect(verdict?.verdict).toBe("bad_signature");
    expect(verdict?.reason).toMatch(/certificate/i);
  });

  it("a bundle from another Sigstore instance than the trusted root's", async () => {
    const signed = await keyless({}, { via: expired });
    const [verdict] = verifyAttestations([foundBundle(signed.bundle)], trusted, {
      bundles: verifier,
    }).statements;
    expect(verdict?.verdict).toBe("bad_signature");
  });

  it("a bundle with no trusted root and identities given", async () => {
    const signed = await keyless();
    const [verdict] = verifyAttestations([foundBundle(signed.bundle)], trusted).statements;
    expect(verdict?.verdict).toBe("unknown_key");
  });

  it("a certificate from an issuer other than GitHub Actions", async () => {
    const statement = statementFor(predicate({ issuer: KEYLESS }));
    const claims = {
      iss: "https://accounts.example.com",
      sub: "someone",
      job_workflow_ref_uri: `https://github.com/${WORKFLOW}@${MAIN}`,
    };
    const token = `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
    const other = createKeylessSigner({
      endpoints: { fulcioURL: mock.fulcioURL, rekorURL: mock.rekorURL },
      getToken: async () => token,
      entryType: "intoto",
    });
    const signed = await other.sign(statement);
    const [verdict] = verifyAttestations([foundBundle(signed.bundle)], trusted, {
      bundles: verifier,
    }).statements;
    expect(verdict?.verdict).toBe("untrusted_identity");
    expect(verdict?.reason).toContain("not GitHub Actions");
  });
});

describe("keyless signing failures", () => {
  const statement = () => statementFor(predicate({ issuer: KEYLESS }));

  it("names the missing id-token permission when the token cannot be had", async () => {
    const failing = createKeylessSigner({
      endpoints: { fulcioURL: mock.fulcioURL, rekorURL: mock.rekorURL },
      getToken: async () => {
        throw new Error("Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable");
      },
    });
    await expect(failing.sign(statement())).rejects.toThrow(KeylessSigningError);
    await expect(failing.sign(statement())).rejects.toThrow(/id-token: write/);
  });

  it("never repeats the token in its message", async () => {
    const token = `e30.${Buffer.from('{"iss":"x"}').toString("base64url")}.c2lnbmF0dXJl`;
    const bad = createKeylessSigner({
      endpoints: { fulcioURL: mock.fulcioURL, rekorURL: mock.rekorURL },
      getToken: async () => token,
    });
    const error = await bad.sign(statement()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeylessSigningError);
    expect((error as Error).message).not.toContain(token);
    expect((error as Error).message).not.toContain(token.split(".")[1]);
  });

  it("names the Sigstore service that could not be reached", async () => {
    const unreachable = createKeylessSigner({
      endpoints: { fulcioURL: "http://127.0.0.1:9", rekorURL: mock.rekorURL },
      getToken: async () => actionsToken(WORKFLOW),
      retries: 0,
      timeoutMs: 2000,
    });
    await expect(unreachable.sign(statement())).rejects.toThrow(
      /certificate authority http:\/\/127\.0\.0\.1:9 refused or could not be reached/,
    );
  });

  it("refuses to sign a keyless statement that names a key", async () => {
    await expect(signer().sign(statementFor(predicate()))).rejects.toThrow(/no key_id/);
  });
});

describe("file subjects, checked by sigstore-js's own verifier", () => {
  it("a keyless approval naming model files verifies with @sigstore/verify, digests of the raw bytes", async () => {
    const model = Buffer.from([0x08, 0x07, 0x12, 0x00, 0xff]);
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    const entries = fileEntries(
      { present: ["models/credit/model.onnx"], deleted: [] },
      { "models/credit/model.onnx": sha(model) },
    );
    const statement = statementFor(predicate({ issuer: KEYLESS }), entries);
    const signed = await signer().sign(statement);

    // Not our code path: sigstore-js verifies the bundle with its own policy (issuer and SAN).
    const bundle = bundleFromJSON(signed.bundle);
    const third = new Verifier(toTrustMaterial(root));
    const identity = third.verify(toSignedEntity(bundle), {
      subjectAlternativeName: `^https://github\\.com/${WORKFLOW.replaceAll(".", "\\.")}@refs/heads/main$`,
      extensions: { issuer: "https://token.actions.githubusercontent.com" },
    });
    expect(identity.identity?.subjectAlternativeName).toBe(
      `https://github.com/${WORKFLOW}@${MAIN}`,
    );
    if (bundle.content.$case !== "dsseEnvelope") throw new Error("a DSSE bundle expected");
    const payload = JSON.parse(bundle.content.dsseEnvelope.payload.toString("utf8"));
    expect(payload.subject).toContainEqual({
      name: "models/credit/model.onnx",
      digest: { sha256: sha(model) },
    });
    expect(payload.predicateType).toBe("https://aigate.dev/attestation/approval/v1");

    const carried = envelopeOfBundle(signed.bundle);
    expect(carried.ok && carried.envelope.digest).toBe(signed.digest);
  });
});
