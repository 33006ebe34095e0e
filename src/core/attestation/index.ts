/** Signed approval attestations: statements, DSSE envelopes, keys, comments, verification. */
export {
  attestationMarker,
  type ExtractFailure,
  type ExtractResult,
  extractAttestation,
  MARKER_PREFIX,
  MAX_COMMENT_CHARS,
  MAX_ENVELOPE_BYTES,
  renderAttestationComment,
} from "./comment.js";
export {
  canonicalEnvelopeJson,
  type DecodedEnvelope,
  decodeBase64,
  decodeEnvelope,
  digestOfCanonicalEnvelope,
  type Envelope,
  EnvelopeSchema,
  PAYLOAD_TYPE,
  pae,
} from "./dsse.js";
export {
  approvalsAfter,
  assessmentDigests,
  type IssueContext,
  type IssuedStatement,
  signStatements,
} from "./issue.js";
export { canonicalJson, parseStrictJson } from "./json.js";
export {
  createSigner,
  type GeneratedKeyPair,
  generateKeyPair,
  type Jwk,
  JwkSchema,
  type Jwks,
  type JwksEntry,
  JwksSchema,
  jwksFrom,
  jwkThumbprint,
  type PublicJwk,
  publicJwkFromPem,
  type SignedAttestation,
  type Signer,
  type TrustedKey,
  trustedKeys,
} from "./keys.js";
export {
  type ApprovalPredicate,
  type ApprovalStatement,
  approvalFromStatement,
  PREDICATE_TYPE,
  PredicateSchema,
  STATEMENT_TYPE,
  StatementSchema,
  statementFor,
  subjectName,
} from "./statement.js";
export {
  approvalsFrom,
  type FoundAttestation,
  type FoundLocation,
  INFORMATIONAL_VERDICTS,
  rejectedFrom,
  type StatementVerdict,
  VERDICTS,
  type Verdict,
  type VerificationReport,
  type VerificationSummary,
  type VerifyExpectation,
  verifyAttestations,
} from "./verify.js";
export {
  countedDigests,
  crossCheckWitnesses,
  DEFAULT_WITNESS_APP,
  DELETED_AFTER_COUNTING,
  type WitnessFinding,
  type WitnessReport,
  type WitnessRun,
} from "./witness.js";
