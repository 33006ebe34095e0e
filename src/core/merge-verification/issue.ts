import type { KeylessSigner } from "../attestation/issue.js";
import type { SignedAttestation, Signer } from "../attestation/keys.js";
import {
  type MergeVerificationOutput,
  renderMergeVerification,
} from "../report/merge-verification.js";
import { signVerification, signVerificationKeyless, verificationMarker } from "./record.js";
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
  const { verdict, statement } = decide(facts, context);
  return finish(facts, verdict, statement, signVerification(statement, signer), signer.keyId);
}

/**
 * The same record signed keyless (docs/attestation.md#keyless-merge-verifications): the marker
 * carries a Sigstore bundle holding the same statement. Rejects as the signer does.
 */
export async function mergeRecordKeyless(
  facts: MergeFacts,
  context: RecordContext,
  signer: KeylessSigner,
): Promise<MergeRecord> {
  const { verdict, statement } = decide(facts, context);
  const signed = await signVerificationKeyless(statement, signer);
  return finish(facts, verdict, statement, signed, undefined);
}

function decide(
  facts: MergeFacts,
  context: RecordContext,
): { verdict: MergeVerdict; statement: VsaStatement } {
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
  return { verdict, statement };
}

function finish(
  facts: MergeFacts,
  verdict: MergeVerdict,
  statement: VsaStatement,
  signed: SignedAttestation,
  keyId: string | undefined,
): MergeRecord {
  const output = renderMergeVerification(facts, verdict, {
    digest: signed.digest,
    ...(keyId !== undefined ? { keyId } : {}),
    marker: verificationMarker(signed),
  });
  return { verdict, statement, signed, output };
}
