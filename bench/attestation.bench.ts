/**
 * Verification throughput: `verifyAttestations` over 10 000 attestation comments (marker
 * extraction, base64, strict JSON, schema, Ed25519, chain checks) against the floor of the
 * same work, raw `crypto.verify` over the same 10 000 PAEs with the same key.
 * Prints the median of several rounds, in statements per second, and the ratio.
 */
import { createPublicKey, verify } from "node:crypto";
import {
  createSigner,
  extractAttestation,
  type FoundAttestation,
  generateKeyPair,
  jwksFrom,
  PAYLOAD_TYPE,
  pae,
  renderAttestationComment,
  statementFor,
  verifyAttestations,
} from "../src/core/attestation/index.js";
import { sized } from "./quick.js";

const COUNT = sized(10_000, 500);
const ROUNDS = sized(5, 1);
const REPO = "acme/credit-models";
const HEAD = "89e6c98d92887913cadf06b2adb97f26cde4849b";

const pair = generateKeyPair();
const signer = createSigner(pair.privateKeyPem);
const jwks = jwksFrom([pair.publicKeyPem]);
const publicKey = createPublicKey(pair.publicKeyPem);

// One chain of COUNT approvals on one PR, the worst case for the chain checks.
const found: FoundAttestation[] = [];
let prev: string | null = null;
for (let i = 0; i < COUNT; i++) {
  const statement = statementFor({
    decision: "approved",
    repository: { id: 812345678, full_name: REPO },
    pull_request: { number: 42, base_ref: "main", base_sha: HEAD, head_sha: HEAD },
    manifest: { path: ".github/ai-governance.yml", base_sha: HEAD, sha256: "0".repeat(64) },
    assessments: [
      {
        system: "credit-scoring",
        path: "governance/assessments/credit-scoring.yml",
        sha256: "1".repeat(64),
      },
    ],
    systems: [{ id: "credit-scoring", reason: "member of acme/model-risk" }],
    approver: { id: 1000 + i, login: `approver-${i}` },
    source: { kind: "comment", id: 1 + i, at: "2026-03-02T09:14:07Z", commit: HEAD },
    issuer: { kind: "app", key_id: signer.keyId },
    issued_at: new Date(Date.UTC(2026, 2, 2, 9, 0, 0) + i * 1000).toISOString(),
    prev,
  });
  const signed = signer.sign(statement);
  prev = signed.digest;
  found.push({
    body: renderAttestationComment(signed.envelope, statement),
    repository: REPO,
    pullRequest: 42,
    commentId: 1 + i,
  });
}

const paes = found.map((f) => {
  const extracted = extractAttestation("body" in f ? f.body : "");
  if (!extracted.ok) throw new Error("benchmark set-up produced an unreadable comment");
  const { payload, signatures } = extracted.envelope;
  return { message: pae(PAYLOAD_TYPE, payload), sig: signatures[0]?.sig ?? Buffer.alloc(0) };
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeRounds(work: () => void): number {
  const times: number[] = [];
  work(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

const baselineMs = timeRounds(() => {
  for (const { message, sig } of paes) {
    if (!verify(null, message, publicKey, sig))
      throw new Error("baseline signature did not verify");
  }
});
const fullMs = timeRounds(() => {
  const report = verifyAttestations(found, jwks);
  if (!report.summary.ok || report.summary.counts.valid !== COUNT)
    throw new Error("benchmark set did not verify");
});

const perSecond = (ms: number) => Math.round((COUNT / ms) * 1000);
console.log(`${COUNT} attestations, median of ${ROUNDS} rounds`);
console.log(
  `baseline  crypto.verify over the PAEs   ${baselineMs.toFixed(1)} ms  ${perSecond(baselineMs)} statements/s`,
);
console.log(
  `aigate    verifyAttestations (comments) ${fullMs.toFixed(1)} ms  ${perSecond(fullMs)} statements/s`,
);
console.log(`ratio     aigate / baseline time        ${(fullMs / baselineMs).toFixed(2)}x`);
