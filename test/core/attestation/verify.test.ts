import { createHash, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  approvalsFrom,
  canonicalJson,
  jwksFrom,
  PAYLOAD_TYPE,
  pae,
  rejectedFrom,
  statementFor,
  verifyAttestations,
} from "../../../src/core/attestation/index.js";
import {
  found,
  HEAD,
  issue,
  issuer,
  issuerKey,
  markerBody,
  NEW_HEAD,
  other,
  otherKey,
  PR,
  predicate,
  REPO,
  trusted,
} from "./helpers.js";

/** Signs arbitrary payload bytes with the issuer key, as a key holder could. */
function signRaw(
  payload: Buffer,
  payloadType = PAYLOAD_TYPE,
  privateKeyPem = issuerKey.privateKeyPem,
): string {
  const sig = sign(null, pae(payloadType, payload), privateKeyPem);
  return JSON.stringify({
    payload: payload.toString("base64"),
    payloadType,
    signatures: [{ keyid: issuer.keyId, sig: sig.toString("base64") }],
  });
}

/** A comment whose envelope payload had `from` replaced by `to` after signing. */
function editedPayload(envelopeJson: string, from: string, to: string): string {
  const envelope = JSON.parse(envelopeJson) as { payload: string };
  const edited = Buffer.from(envelope.payload, "base64").toString("utf8").replace(from, to);
  return markerBody(
    JSON.stringify({ ...envelope, payload: Buffer.from(edited).toString("base64") }),
  );
}

function verdictOf(bodies: string[], expect = {}, jwks: unknown = trusted) {
  return verifyAttestations(
    bodies.map((body) => found(body)),
    jwks,
    expect,
  ).statements.map((s) => s.verdict);
}

describe("verifying attestations", () => {
  it("round-trips sign → comment → extract → verify as valid, with the approval for the engine", () => {
    const issued = issue();
    const report = verifyAttestations([found(issued.body)], trusted, {
      repo: REPO,
      pr: PR,
      head: HEAD,
    });
    expect(report.statements[0]).toMatchObject({
      verdict: "valid",
      digest: issued.digest,
      keyId: issuer.keyId,
    });
    expect(report.summary).toMatchObject({ total: 1, ok: true });
    expect(approvalsFrom(report)).toEqual([
      {
        approver: { id: 583231, login: "octocat", type: "User" },
        systems: [{ system: "credit-scoring", reason: "member of acme/model-risk" }],
        commit: HEAD,
        baseRef: "main",
        source: { kind: "review", id: 1001, at: "2026-03-02T09:14:07Z" },
        attestationDigest: issued.digest,
      },
    ]);
  });

  it("accepts an approver with an enterprise managed user's login (handle_shortcode)", () => {
    const issued = issue({ approver: { id: 9, login: "mona_acme" } });
    expect(verdictOf([issued.body])).toEqual(["valid"]);
  });

  it("records the organisation policy beside the manifest, and a statement without one (as issued before policies) still verifies", () => {
    const policy = {
      repository: "acme/.github",
      path: "ai-governance/policy.yml",
      commit: "3f786850e387550fdab836ed7e6dc881de23001b",
      sha256: "e".repeat(64),
    };
    const withPolicy = issue({ policy });
    expect(withPolicy.statement.predicate.policy).toEqual(policy);
    expect(verdictOf([withPolicy.body])).toEqual(["valid"]);
    expect(verdictOf([issue().body])).toEqual(["valid"]);
  });

  it("accepts an envelope given directly, as an object or as JSON text", () => {
    const issued = issue();
    const where = { repository: REPO, pullRequest: PR, commentId: 1 };
    const report = verifyAttestations(
      [
        { ...where, envelope: issued.envelope },
        { ...where, envelope: issued.envelopeJson },
      ],
      trusted,
    );
    expect(report.statements.map((s) => s.verdict)).toEqual(["valid", "duplicate_source"]);
  });

  it("follows a chain of statements, each naming its predecessor", () => {
    const first = issue();
    const second = issue({
      prev: first.digest,
      approver: { id: 2, login: "hubot-human" },
      source: { kind: "comment", id: 77, at: "2026-03-02T10:00:00Z", commit: HEAD },
      issued_at: "2026-03-02T10:00:01Z",
    });
    expect(verdictOf([second.body, first.body])).toEqual(["valid", "valid"]);
  });

  it("bad_signature: a payload signed by the trusted key, then edited", () => {
    const issued = issue();
    const envelope = JSON.parse(issued.envelopeJson) as { payload: string };
    const edited = Buffer.from(envelope.payload, "base64")
      .toString("utf8")
      .replace("octocat", "mallory");
    envelope.payload = Buffer.from(edited).toString("base64");
    const [verdict] = verdictOf([markerBody(JSON.stringify(envelope))]);
    expect(verdict).toBe("bad_signature");
  });

  it("unknown_key: signed by a key the JWKS does not list", () => {
    expect(verdictOf([issue({}, other).body])).toEqual(["unknown_key"]);
  });

  it("unknown_key: the keyid hint is never trusted, the signature decides", () => {
    const forged = issue({}, other);
    const envelope = JSON.parse(forged.envelopeJson) as { signatures: Array<{ keyid: string }> };
    expect(
      verdictOf([
        markerBody(
          JSON.stringify({
            ...envelope,
            signatures: [{ ...envelope.signatures[0], keyid: issuer.keyId }],
          }),
        ),
      ]),
    ).toEqual(["bad_signature"]);
  });

  it("valid without a keyid hint when some trusted key verifies", () => {
    const issued = issue();
    const envelope = JSON.parse(issued.envelopeJson) as { signatures: Array<{ sig: string }> };
    const body = markerBody(
      JSON.stringify({ ...envelope, signatures: [{ sig: envelope.signatures[0]?.sig }] }),
    );
    expect(
      verdictOf([body], {}, jwksFrom([otherKey.publicKeyPem, issuerKey.publicKeyPem])),
    ).toEqual(["valid"]);
  });

  it("key_not_valid_at_issued_at: issued after the key's not_after", () => {
    const jwks = jwksFrom([{ pem: issuerKey.publicKeyPem, notAfter: "2026-03-01T00:00:00Z" }]);
    expect(verdictOf([issue().body], {}, jwks)).toEqual(["key_not_valid_at_issued_at"]);
  });

  it("key_not_valid_at_issued_at: issued before the key's not_before", () => {
    const jwks = jwksFrom([{ pem: issuerKey.publicKeyPem, notBefore: "2026-04-01T00:00:00Z" }]);
    expect(verdictOf([issue().body], {}, jwks)).toEqual(["key_not_valid_at_issued_at"]);
  });

  it("key_not_valid_at_issued_at: issued after the key was revoked, and valid when issued before", () => {
    const jwks = jwksFrom([{ pem: issuerKey.publicKeyPem, revokedAt: "2026-03-02T12:00:00Z" }]);
    const before = issue();
    const after = issue({
      issued_at: "2026-03-02T12:00:00Z",
      source: { kind: "comment", id: 9, at: "2026-03-02T11:59:00Z", commit: HEAD },
      prev: before.digest,
    });
    const report = verifyAttestations(
      [found(before.body), found(after.body, { createdAt: "2026-03-02T12:00:01Z" })],
      jwks,
    );
    expect(report.statements.map((s) => s.verdict)).toEqual([
      "valid",
      "key_not_valid_at_issued_at",
    ]);
  });

  it("key_not_valid_at_issued_at: a backdated statement posted after the key was revoked", () => {
    const jwks = jwksFrom([{ pem: issuerKey.publicKeyPem, revokedAt: "2026-03-05T00:00:00Z" }]);
    const report = verifyAttestations(
      [found(issue().body, { createdAt: "2026-03-06T00:00:00Z" })],
      jwks,
    );
    expect(report.statements[0]).toMatchObject({
      verdict: "key_not_valid_at_issued_at",
      reason: expect.stringContaining("posted after"),
    });
  });

  it("wrong_payload_type: a signed payload of another type", () => {
    const payload = Buffer.from(canonicalJson(statementFor(predicate())));
    expect(verdictOf([markerBody(signRaw(payload, "application/json"))])).toEqual([
      "wrong_payload_type",
    ]);
  });

  it("wrong_predicate_type: a signed statement with another predicate type", () => {
    const statement = {
      ...statementFor(predicate()),
      predicateType: "https://slsa.dev/provenance/v1",
    };
    expect(verdictOf([markerBody(signRaw(Buffer.from(canonicalJson(statement))))])).toEqual([
      "wrong_predicate_type",
    ]);
  });

  it.each([
    ["a payload with a duplicate key", '{"_type":"https://in-toto.io/Statement/v1","_type":"x"}'],
    ["a payload that is not a Statement", '{"hello":"world"}'],
    [
      "a statement with an unknown predicate field",
      canonicalJson({ ...statementFor(predicate()), predicate: { ...predicate(), extra: true } }),
    ],
    [
      "an organisation policy without its commit",
      canonicalJson({
        ...statementFor(predicate()),
        predicate: {
          ...predicate(),
          policy: { repository: "acme/.github", path: "policy.yml", sha256: "e".repeat(64) },
        },
      }),
    ],
    [
      "a subject that is not the PR's head",
      canonicalJson({
        ...statementFor(predicate()),
        subject: [{ name: `github.com/${REPO}/pull/${PR}`, digest: { gitCommit: NEW_HEAD } }],
      }),
    ],
    [
      "an issuer key id that is not the signing key",
      canonicalJson(statementFor(predicate({ issuer: { kind: "app", key_id: other.keyId } }))),
    ],
  ])("malformed: %s, though signed", (_case, payload) => {
    expect(verdictOf([markerBody(signRaw(Buffer.from(payload)))])).toEqual(["malformed"]);
  });

  it("malformed: a payload that is not UTF-8, though signed", () => {
    expect(verdictOf([markerBody(signRaw(Buffer.from([0x7b, 0xff, 0x7d])))])).toEqual([
      "malformed",
    ]);
  });

  it("malformed: a comment whose marker cannot be read", () => {
    const report = verifyAttestations([found("<!-- aigate-attestation:v1 !!! -->")], trusted);
    expect(report.statements[0]).toMatchObject({
      verdict: "malformed",
      reason: expect.stringContaining("marker"),
    });
  });

  it("replayed: a statement for another pull request posted here", () => {
    const issued = issue();
    const report = verifyAttestations([found(issued.body, { pullRequest: 43 })], trusted);
    expect(report.statements[0]).toMatchObject({
      verdict: "replayed",
      reason: `names ${REPO}#42 but was found on ${REPO}#43`,
    });
  });

  it("replayed: a statement for another repository, or another repository id", () => {
    const issued = issue();
    const report = verifyAttestations(
      [found(issued.body, { repository: "evil/fork" }), found(issued.body, { repositoryId: 99 })],
      trusted,
    );
    expect(report.statements.map((s) => s.verdict)).toEqual(["replayed", "replayed"]);
  });

  it("replayed: a statement that is not for the pull request the auditor expects", () => {
    expect(verdictOf([issue().body], { repo: REPO, pr: 7 })).toEqual(["replayed"]);
  });

  it("stale: a statement for another head than the expected one, which stays informational", () => {
    const report = verifyAttestations([found(issue().body)], trusted, { head: NEW_HEAD });
    expect(report.statements[0]?.verdict).toBe("stale");
    expect(report.summary.ok).toBe(true);
    expect(approvalsFrom(report)).toHaveLength(1);
  });

  it("duplicate_source: the same review attested twice counts once; the later one is flagged", () => {
    const first = issue();
    const second = issue({ issued_at: "2026-03-02T09:15:00Z", prev: first.digest });
    const report = verifyAttestations([found(second.body), found(first.body)], trusted);
    expect(report.statements.map((s) => s.verdict)).toEqual(["duplicate_source", "valid"]);
    expect(report.summary.ok).toBe(true);
    expect(approvalsFrom(report)).toHaveLength(1);
  });

  it("missing_predecessor: a statement whose predecessor was deleted", () => {
    const deleted = issue();
    const next = issue({
      prev: deleted.digest,
      source: { kind: "comment", id: 8, at: "2026-03-02T10:00:00Z", commit: HEAD },
    });
    const report = verifyAttestations([found(next.body)], trusted);
    expect(report.statements[0]?.verdict).toBe("missing_predecessor");
    expect(report.summary.ok).toBe(false);
  });

  it("missing_predecessor: a statement whose predecessor was edited", () => {
    const first = issue();
    const next = issue({
      prev: first.digest,
      source: { kind: "comment", id: 8, at: "2026-03-02T10:00:00Z", commit: HEAD },
    });
    const edited = editedPayload(first.envelopeJson, "octocat", "mallory");
    expect(verdictOf([edited, next.body])).toEqual(["bad_signature", "missing_predecessor"]);
  });

  it("fork: two statements that share a predecessor are reported, not failed", () => {
    const root = issue();
    const a = issue({
      prev: root.digest,
      source: { kind: "comment", id: 10, at: "2026-03-02T10:00:00Z", commit: HEAD },
      issued_at: "2026-03-02T10:00:01Z",
    });
    const b = issue({
      prev: root.digest,
      source: { kind: "comment", id: 11, at: "2026-03-02T10:00:00Z", commit: HEAD },
      issued_at: "2026-03-02T10:00:02Z",
    });
    const report = verifyAttestations([found(root.body), found(b.body), found(a.body)], trusted);
    expect(report.statements.map((s) => s.verdict)).toEqual(["valid", "fork", "valid"]);
    expect(report.summary.ok).toBe(true);
  });

  it("revoked: a later revocation statement revokes the approval it names", () => {
    const approval = issue();
    const revocation = issue({
      decision: "revoked",
      revokes: approval.digest,
      prev: approval.digest,
      source: { kind: "comment", id: 12, at: "2026-03-02T11:00:00Z", commit: HEAD },
      issued_at: "2026-03-02T11:00:01Z",
    });
    const report = verifyAttestations([found(approval.body), found(revocation.body)], trusted);
    expect(report.statements.map((s) => s.verdict)).toEqual(["revoked", "valid"]);
    expect(report.summary.ok).toBe(true);
    expect(approvalsFrom(report)).toEqual([]);
  });

  it("a revocation on another pull request revokes nothing here", () => {
    const approval = issue();
    const elsewhere = issue({
      decision: "revoked",
      revokes: approval.digest,
      pull_request: { ...predicate().pull_request, number: 43 },
      source: { kind: "comment", id: 12, at: "2026-03-02T11:00:00Z", commit: HEAD },
      issued_at: "2026-03-02T11:00:01Z",
    });
    const report = verifyAttestations([found(approval.body), found(elsewhere.body)], trusted);
    expect(report.statements.map((s) => s.verdict)).toEqual(["valid", "replayed"]);
  });

  it("reports failing statements for the engine with their reasons", () => {
    const report = verifyAttestations(
      [found(issue({}, other).body, { commentId: 31, commentAuthor: "mallory" })],
      trusted,
    );
    expect(rejectedFrom(report)).toEqual([
      { commentId: 31, commentAuthor: "mallory", reason: expect.stringMatching(/^unknown_key: /) },
    ]);
  });

  it("summarises counts per verdict", () => {
    const report = verifyAttestations([found(issue().body), found(issue({}, other).body)], trusted);
    expect(report.summary).toMatchObject({
      total: 2,
      ok: false,
      counts: { valid: 1, unknown_key: 1, bad_signature: 0 },
    });
  });

  it("gives a verdict, not an exception, for items that are not attestations at all", () => {
    const report = verifyAttestations(
      [null, 42, {}, { body: "x" }, { repository: REPO, pullRequest: PR, commentId: 1 }],
      trusted,
    );
    expect(report.statements.map((s) => s.verdict)).toEqual([
      "malformed",
      "malformed",
      "malformed",
      "malformed",
      "malformed",
    ]);
  });

  it("digests the canonical envelope JSON", () => {
    const issued = issue();
    expect(issued.digest).toBe(
      `sha256:${createHash("sha256").update(issued.envelopeJson).digest("hex")}`,
    );
  });
});
