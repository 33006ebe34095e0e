import type { SignedAttestation, Signer } from "../attestation/keys.js";
import {
  type MergeVerificationOutput,
  renderMergeVerification,
} from "../report/merge-verification.js";
import { signVerification, verificationMarker } from "./record.js";
import { type RepositoryAddress, type VsaStatement, vsaStatement } from "./statement.js";
import { judgeMerge, type MergeFacts, type MergeVerdict } from "./verdict.js";

/** What the door that writes a record adds: where, who verified, when. */
export interface RecordContext {
  repository: RepositoryAddress;
  /** The door's identity (the App's page, the workflow's) and aigate's version. */
  verifier: { id: string; version: string };
  now: Date;
}

export interface MergeRecord {
  verdict: MergeVerdict;
  statement: VsaStatement;
  signed: SignedAttestation;
  output: MergeVerificationOutput;
}

/** Decides one governed commit and signs its record: verdict, VSA statement, envelope, check output. */
export function mergeRecord(
  facts: MergeFacts,
  context: RecordContext,
  signer: Signer,
): MergeRecord {
  const verdict = judgeMerge(facts);
  const manifest = facts.commit.manifest;
  const statement = vsaStatement({
    repository: context.repository,
    commit: facts.commit.sha,
    branch: facts.branch,
    verifier: context.verifier,
    timeVerified: context.now,
    policy: { path: manifest.path, commit: manifest.commit, sha256: manifest.sha256 },
    inputAttestations: verdict.inputs.map((a) => ({ uri: a.uri, sha256: a.digest })),
    result: verdict.result,
    levels: verdict.levels,
  });
  const signed = signVerification(statement, signer);
  const output = renderMergeVerification(facts, verdict, {
    digest: signed.digest,
    keyId: signer.keyId,
    marker: verificationMarker(signed),
  });
  return { verdict, statement, signed, output };
}
