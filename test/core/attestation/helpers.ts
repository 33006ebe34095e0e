import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ApprovalPredicate,
  type ApprovalStatement,
  createSigner,
  type FoundAttestation,
  generateKeyPair,
  jwksFrom,
  renderAttestationComment,
  type SignedAttestation,
  type Signer,
  statementFor,
} from "../../../src/core/attestation/index.js";
import { evaluate } from "../../../src/core/policy/index.js";
import { renderCheck } from "../../../src/core/report/index.js";
import { ALICE, approval, CAROL, creditChange, NOW } from "../policy/fixtures.js";

export const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "attestation");

export interface TestVector {
  private_key_pem: string;
  public_key_pem: string;
  public_jwk: Record<string, string>;
  key_id: string;
  statement: ApprovalStatement;
  payload_utf8: string;
  payload_length_bytes: number;
  payload_base64: string;
  pae_utf8: string;
  pae_base64: string;
  signature_base64: string;
  envelope_json: string;
  digest: string;
  comment_marker: string;
}

export const vector = JSON.parse(readFileSync(join(FIXTURES, "vector.json"), "utf8")) as TestVector;

/** The issuer key of the tests (the test vector's key) and a second, unrelated key. */
export const issuerKey = {
  privateKeyPem: vector.private_key_pem,
  publicKeyPem: vector.public_key_pem,
};
export const issuer: Signer = createSigner(issuerKey.privateKeyPem);
export const otherKey = generateKeyPair();
export const other: Signer = createSigner(otherKey.privateKeyPem);

export const trusted = jwksFrom([issuerKey.publicKeyPem]);

export const REPO = "acme/credit-models";
export const PR = 42;
export const HEAD = "89e6c98d92887913cadf06b2adb97f26cde4849b";
export const NEW_HEAD = "1111111111111111111111111111111111111111";

type PredicatePatch = Partial<Omit<ApprovalPredicate, "issuer">> & {
  issuer?: ApprovalPredicate["issuer"];
};

/** An approval predicate on acme/credit-models#42 at HEAD, with the given changes. */
export function predicate(patch: PredicatePatch = {}, signer: Signer = issuer): ApprovalPredicate {
  return {
    decision: "approved",
    repository: { id: 812345678, full_name: REPO },
    pull_request: {
      number: PR,
      base_ref: "main",
      base_sha: "3f786850e387550fdab836ed7e6dc881de23001b",
      head_sha: HEAD,
    },
    manifest: {
      path: ".github/ai-governance.yml",
      base_sha: "3f786850e387550fdab836ed7e6dc881de23001b",
      sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
    },
    assessments: [
      {
        system: "credit-scoring",
        path: "governance/assessments/credit-scoring.yml",
        sha256: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
      },
    ],
    systems: [{ id: "credit-scoring", reason: "member of acme/model-risk" }],
    approver: { id: 583231, login: "octocat" },
    source: { kind: "review", id: 1001, at: "2026-03-02T09:14:07Z", commit: HEAD },
    issuer: { kind: "app", key_id: signer.keyId },
    issued_at: "2026-03-02T09:14:09Z",
    prev: null,
    ...patch,
  };
}

export interface Issued extends SignedAttestation {
  statement: ApprovalStatement;
  body: string;
}

/** Signs a predicate and renders its comment. */
export function issue(patch: PredicatePatch = {}, signer: Signer = issuer): Issued {
  const statement = statementFor(predicate(patch, signer));
  const signed = signer.sign(statement);
  return { ...signed, statement, body: renderAttestationComment(signed.envelope, statement) };
}

let nextCommentId = 5000;

/** An attestation comment as found on acme/credit-models#42. */
export function found(body: string, patch: Partial<FoundAttestation> = {}): FoundAttestation {
  return {
    body,
    repository: REPO,
    pullRequest: PR,
    commentId: nextCommentId++,
    commentAuthor: "aigate[bot]",
    createdAt: "2026-03-02T09:14:10Z",
    ...patch,
  } as FoundAttestation;
}

/** A comment body whose marker carries the given envelope JSON text. */
export function markerBody(
  envelopeJson: string,
  encoding: "base64" | "base64url" = "base64",
): string {
  return `approved\n\n<!-- aigate-attestation:v1 ${Buffer.from(envelopeJson, "utf8").toString(encoding)} -->\n`;
}

/** The oversight summary the App writes when it counted approvals with these digests. */
export function oversightSummary(...digests: string[]): string {
  const eligible = [
    { approver: ALICE, reason: "listed user" },
    { approver: CAROL, reason: "member of acme/model-risk" },
  ];
  const approvals = digests.map((digest, i) => {
    const { approver, reason } = eligible[i % 2] ?? { approver: ALICE, reason: "listed user" };
    return {
      ...approval(approver, [{ system: "credit-scoring", reason }], {
        at: `2026-11-27T1${i}:00:00Z`,
      }),
      attestationDigest: digest,
    };
  });
  return renderCheck(evaluate(creditChange({ approvals }), NOW), "oversight").summary;
}
