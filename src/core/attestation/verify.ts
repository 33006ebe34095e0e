import { verify as verifySignature } from "node:crypto";
import type { ApprovalRecord, RejectedAttestation } from "../types.js";
import { type BundleVerifier, envelopeOfBundle, isBundle } from "./bundle.js";
import { decodeUtf8, extractAttestation } from "./comment.js";
import {
  canonicalEnvelopeJson,
  type DecodedEnvelope,
  decodeEnvelope,
  digestOfCanonicalEnvelope,
  PAYLOAD_TYPE,
  pae,
} from "./dsse.js";
import { parseStrictJson } from "./json.js";
import { type TrustedKey, trustedKeys } from "./keys.js";
import {
  type ApprovalStatement,
  approvalFromStatement,
  describeIssues,
  PREDICATE_TYPE,
  STATEMENT_TYPE,
  StatementSchema,
} from "./statement.js";

/**
 * Offline verification of attestations, statement by statement (docs/attestation.md#6-verification-step-by-step).
 * Each statement gets one verdict; informational verdicts do not make the evidence invalid.
 */

export const VERDICTS = [
  "valid",
  "bad_signature",
  "unknown_key",
  "untrusted_identity",
  "key_not_valid_at_issued_at",
  "wrong_payload_type",
  "wrong_predicate_type",
  "malformed",
  "replayed",
  "missing_predecessor",
  "duplicate_source",
  "revoked",
  "stale",
  "fork",
] as const;

export type Verdict = (typeof VERDICTS)[number];

/** Verdicts that describe genuine, intact evidence: the evidence as a whole stays valid. */
export const INFORMATIONAL_VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>([
  "valid",
  "duplicate_source",
  "revoked",
  "stale",
  "fork",
]);

/** Where an attestation was found, and what was found there. */
export interface FoundLocation {
  /** OWNER/REPO of the repository the comment is on. */
  repository: string;
  /** The repository's numeric id, when known: checked against the statement too. */
  repositoryId?: number;
  pullRequest: number;
  commentId: number;
  commentAuthor?: string;
  /** ISO-8601 times of the comment, as GitHub reports them. */
  createdAt?: string;
  updatedAt?: string;
}

/** A comment body with a marker, or an envelope (object or JSON text) found elsewhere. */
export type FoundAttestation = FoundLocation & ({ body: string } | { envelope: unknown });

export interface VerifyExpectation {
  /** OWNER/REPO every statement must name. */
  repo?: string;
  /** Pull request number every statement must name. */
  pr?: number;
  /** The current head: statements for another head are `stale`. */
  head?: string;
  /**
   * Verifies keyless Sigstore bundles (trusted root and allowed signer identities). Without
   * it a bundle counts for nothing: `unknown_key`.
   */
  bundles?: BundleVerifier;
}

export interface StatementVerdict {
  /** Position in the input. */
  index: number;
  repository: string;
  pullRequest: number;
  commentId: number;
  commentAuthor?: string;
  verdict: Verdict;
  /** Why, in a sentence. */
  reason: string;
  /** Further informational verdicts that also apply (e.g. a stale statement that is also a fork). */
  also: Verdict[];
  /** The attestation digest, whenever the envelope could be decoded. */
  digest?: string;
  /**
   * The digest with the keyid hint the issuer writes (the verifying key's), once the signature
   * verified: a copy whose hint was changed is still the statement a check run counted.
   */
  issuedDigest?: string;
  /** The verifying key, once the signature verified. */
  keyId?: string;
  /** The Sigstore certificate identity of a keyless bundle, once it verified. */
  signerIdentity?: string;
  /** The statement, once the signature verified and the payload parsed. */
  statement?: ApprovalStatement;
}

export interface VerificationSummary {
  total: number;
  counts: Record<Verdict, number>;
  /** True when every statement's verdict is valid or informational. */
  ok: boolean;
}

export interface VerificationReport {
  statements: StatementVerdict[];
  summary: VerificationSummary;
}

interface Work {
  result: StatementVerdict;
  group: string;
  statement?: ApprovalStatement;
  issuedAt: number;
  /** Passed every check of its own: takes part in the chain checks of its pull request. */
  chained: boolean;
  flags: Set<Verdict>;
  /** The digest with the keyid the issuer writes (the verifying key's), once verified. */
  issuedDigest?: string;
}

const CHAIN_ORDER: Verdict[] = [
  "missing_predecessor",
  "duplicate_source",
  "revoked",
  "stale",
  "fork",
];

function field(item: unknown, name: string): unknown {
  return item !== null && typeof item === "object"
    ? (item as Record<string, unknown>)[name]
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function sameRepo(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function time(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

type Carried =
  | { ok: true; envelope: DecodedEnvelope; bundle?: unknown }
  | { ok: false; reason: string };

/** An envelope, or a Sigstore bundle (told apart by its mediaType) with the envelope it carries. */
function carried(value: unknown): Carried {
  if (!isBundle(value)) return decodeEnvelope(value);
  const envelope = envelopeOfBundle(value);
  return envelope.ok ? { ok: true, envelope: envelope.envelope, bundle: value } : envelope;
}

/** The envelope of a found item: from the comment marker, or given directly. */
function envelopeOf(item: unknown): Carried {
  const body = field(item, "body");
  if (typeof body === "string") return extractAttestation(body);
  const envelope = field(item, "envelope");
  if (typeof envelope === "string") {
    const parsed = parseStrictJson(envelope);
    return parsed.ok ? carried(parsed.value) : { ok: false, reason: `envelope: ${parsed.reason}` };
  }
  if (envelope !== undefined) return carried(envelope);
  return { ok: false, reason: "neither a comment body nor an envelope" };
}

type Signature =
  | { ok: true; keyed: TrustedKey }
  | { ok: true; identity: string }
  | { ok: false; verdict: Verdict; reason: string };

/** Verifies the signature of an envelope with the trusted keys, or of a bundle with its verifier. */
function verifySigned(
  envelope: DecodedEnvelope,
  bundle: unknown,
  keys: TrustedKey[],
  bundles: BundleVerifier | undefined,
): Signature {
  const signature = envelope.signatures[0];
  if (!signature) return { ok: false, verdict: "malformed", reason: "envelope has no signature" };
  if (bundle !== undefined) {
    if (!bundles) {
      return {
        ok: false,
        verdict: "unknown_key",
        reason: "a keyless Sigstore bundle, but no trusted root and signer identity were given",
      };
    }
    const checked = bundles.verify(bundle);
    if (!checked.ok) return checked;
    // What sigstore-js verified must be the very bytes read below.
    if (checked.payloadType !== envelope.payloadType || !checked.payload.equals(envelope.payload)) {
      return {
        ok: false,
        verdict: "bad_signature",
        reason: "the bundle's verified payload differs",
      };
    }
    return { ok: true, identity: checked.identity };
  }
  const hinted = keys.find((k) => k.keyId === signature.keyid);
  const message = pae(envelope.payloadType, envelope.payload);
  const signer = (hinted ? [hinted] : keys).find(
    (k) => signature.sig.length === 64 && verifySignature(null, message, k.key, signature.sig),
  );
  if (signer) return { ok: true, keyed: signer };
  return hinted
    ? {
        ok: false,
        verdict: "bad_signature",
        reason: `signature does not verify with key ${hinted.keyId}`,
      }
    : {
        ok: false,
        verdict: "unknown_key",
        reason: `not signed by any trusted key (keyid ${signature.keyid ?? "absent"})`,
      };
}

export type Check = { ok: true } | { ok: false; verdict: Verdict; reason: string };

/** Whether a trusted key was valid when a statement was issued (and, when known, posted). */
export function keyValidity(
  key: TrustedKey,
  issuedAt: number,
  createdAt: number | undefined,
): Check {
  const { not_before, not_after, revoked_at } = key.jwk;
  const bad = (reason: string): Check => ({
    ok: false,
    verdict: "key_not_valid_at_issued_at",
    reason,
  });
  const notBefore = time(not_before);
  const notAfter = time(not_after);
  const revokedAt = time(revoked_at);
  if (notBefore !== undefined && issuedAt < notBefore)
    return bad(`issued before the key's not_before ${not_before}`);
  if (notAfter !== undefined && issuedAt >= notAfter)
    return bad(`issued at or after the key's not_after ${not_after}`);
  if (revokedAt !== undefined && issuedAt >= revokedAt)
    return bad(`issued after the key was revoked at ${revoked_at}`);
  // A leaked key can backdate issued_at; the comment's own creation time cannot be backdated.
  if (revokedAt !== undefined && createdAt !== undefined && createdAt >= revokedAt) {
    return bad(`posted after the key was revoked at ${revoked_at}`);
  }
  return { ok: true };
}

/** Verifies one found item on its own: envelope, signature, statement, key validity, place. */
function verifyOne(
  item: unknown,
  index: number,
  keys: TrustedKey[],
  expect: VerifyExpectation,
): Work {
  const repository = text(field(item, "repository")) ?? "";
  const pullRequest = positiveInt(field(item, "pullRequest")) ?? 0;
  const result: StatementVerdict = {
    index,
    repository,
    pullRequest,
    commentId: positiveInt(field(item, "commentId")) ?? 0,
    verdict: "malformed",
    reason: "",
    also: [],
  };
  const author = text(field(item, "commentAuthor"));
  if (author !== undefined) result.commentAuthor = author;
  const work: Work = {
    result,
    group: `${repository.toLowerCase()}#${pullRequest}`,
    issuedAt: 0,
    chained: false,
    flags: new Set(),
  };
  const fail = (verdict: Verdict, reason: string): Work => {
    result.verdict = verdict;
    result.reason = reason;
    return work;
  };
  if (!repository || !pullRequest)
    return fail("malformed", "found without a repository and pull request");

  const decoded = envelopeOf(item);
  if (!decoded.ok) return fail("malformed", decoded.reason);
  const envelope = decoded.envelope;
  result.digest = envelope.digest;
  if (envelope.payloadType !== PAYLOAD_TYPE) {
    return fail(
      "wrong_payload_type",
      `payloadType is ${JSON.stringify(envelope.payloadType)}, expected ${PAYLOAD_TYPE}`,
    );
  }

  const signed = verifySigned(envelope, decoded.bundle, keys, expect.bundles);
  if (!signed.ok) return fail(signed.verdict, signed.reason);
  const signer = "keyed" in signed ? signed.keyed : undefined;
  if (signer) {
    result.keyId = signer.keyId;
    // The keyid hint is outside the signature: a copy with another hint, or none, has another
    // digest but is the same signed statement, and what revokes one revokes the other.
    work.issuedDigest = digestOfCanonicalEnvelope(
      canonicalEnvelopeJson({
        payloadType: envelope.payloadType,
        payload: envelope.payload,
        signatures: [{ keyid: signer.keyId, sig: envelope.signatures[0]?.sig ?? Buffer.alloc(0) }],
      }),
    );
  } else if ("identity" in signed) {
    result.signerIdentity = signed.identity;
    // A bundle's envelope has no keyid: its digest is the one the issuer chained.
    work.issuedDigest = envelope.digest;
  }
  result.issuedDigest = work.issuedDigest;

  // Only now, after the exact bytes verified, is the payload read.
  const payloadText = decodeUtf8(envelope.payload);
  if (payloadText === undefined) return fail("malformed", "payload is not valid UTF-8");
  const json = parseStrictJson(payloadText);
  if (!json.ok) return fail("malformed", `payload: ${json.reason}`);
  const type = field(json.value, "_type");
  if (type !== STATEMENT_TYPE)
    return fail(
      "malformed",
      `payload is not an in-toto Statement v1 (_type ${JSON.stringify(type) ?? "absent"})`,
    );
  const predicateType = field(json.value, "predicateType");
  if (predicateType !== PREDICATE_TYPE) {
    return fail(
      "wrong_predicate_type",
      `predicateType is ${JSON.stringify(predicateType) ?? "absent"}, expected ${PREDICATE_TYPE}`,
    );
  }
  const parsed = StatementSchema.safeParse(json.value);
  if (!parsed.success) return fail("malformed", `statement: ${describeIssues(parsed.error)}`);
  const statement = parsed.data;
  const p = statement.predicate;
  result.statement = statement;
  work.statement = statement;
  work.issuedAt = Date.parse(p.issued_at);
  if (signer) {
    if (!("key_id" in p.issuer)) {
      return fail(
        "malformed",
        "predicate.issuer says keyless, but the envelope is signed by a key",
      );
    }
    if (p.issuer.key_id !== signer.keyId) {
      return fail(
        "malformed",
        `predicate.issuer.key_id ${p.issuer.key_id} is not the signing key ${signer.keyId}`,
      );
    }
    const validity = keyValidity(signer, work.issuedAt, time(text(field(item, "createdAt"))));
    if (!validity.ok) return fail(validity.verdict, validity.reason);
  } else if ("key_id" in p.issuer) {
    return fail(
      "malformed",
      `predicate.issuer names key ${p.issuer.key_id}, but it is a keyless bundle`,
    );
  }

  const named = `${p.repository.full_name}#${p.pull_request.number}`;
  if (!sameRepo(p.repository.full_name, repository) || p.pull_request.number !== pullRequest) {
    return fail("replayed", `names ${named} but was found on ${repository}#${pullRequest}`);
  }
  const repositoryId = positiveInt(field(item, "repositoryId"));
  if (repositoryId !== undefined && repositoryId !== p.repository.id) {
    return fail(
      "replayed",
      `names repository id ${p.repository.id} but was found in repository id ${repositoryId}`,
    );
  }
  if (
    (expect.repo !== undefined && !sameRepo(expect.repo, p.repository.full_name)) ||
    (expect.pr !== undefined && expect.pr !== p.pull_request.number)
  ) {
    return fail(
      "replayed",
      `names ${named}, expected ${expect.repo ?? repository}#${expect.pr ?? pullRequest}`,
    );
  }

  work.chained = true;
  if (expect.head !== undefined && p.pull_request.head_sha !== expect.head) work.flags.add("stale");
  result.verdict = "valid";
  return work;
}

function byIssueOrder(a: Work, b: Work): number {
  return a.issuedAt - b.issuedAt || a.result.index - b.result.index;
}

/** The checks across the statements of one pull request: chain, duplicates, revocations. */
function checkChain(works: Work[]): void {
  const present = new Set<string>();
  for (const w of works) if (w.statement && w.result.digest) present.add(w.result.digest);
  const chained = works.filter((w) => w.chained).sort(byIssueOrder);

  const firstBySource = new Map<string, Work>();
  const firstByPrev = new Map<string, Work>();
  for (const w of chained) {
    const p = (w.statement as ApprovalStatement).predicate;
    if (p.prev !== null && !present.has(p.prev)) w.flags.add("missing_predecessor");
    const source = `${p.decision}:${p.source.kind}:${p.source.id}`;
    const earlier = firstBySource.get(source);
    if (earlier) w.flags.add("duplicate_source");
    else firstBySource.set(source, w);
    const prev = p.prev ?? "(none)";
    const sibling = firstByPrev.get(prev);
    if (sibling && sibling.result.digest !== w.result.digest) w.flags.add("fork");
    else if (!sibling) firstByPrev.set(prev, w);
  }

  const revocations = new Map<string, Work[]>();
  for (const r of chained) {
    const rp = (r.statement as ApprovalStatement).predicate;
    if (rp.decision !== "revoked" || rp.revokes === undefined || r.flags.has("missing_predecessor"))
      continue;
    revocations.set(rp.revokes, [...(revocations.get(rp.revokes) ?? []), r]);
  }
  const revokedBy = new Map<Work, Work>();
  for (const w of chained) {
    const p = (w.statement as ApprovalStatement).predicate;
    if (p.decision !== "approved" || w.result.digest === undefined) continue;
    const revocation = [
      ...(revocations.get(w.result.digest) ?? []),
      ...(w.issuedDigest && w.issuedDigest !== w.result.digest
        ? (revocations.get(w.issuedDigest) ?? [])
        : []),
    ].find((r) => r.issuedAt >= w.issuedAt);
    if (revocation) {
      w.flags.add("revoked");
      revokedBy.set(w, revocation);
    }
  }

  for (const w of chained) {
    const p = (w.statement as ApprovalStatement).predicate;
    const why: Record<Verdict, string> = {
      missing_predecessor: `prev ${p.prev} is not among the attestations found: one was deleted or edited`,
      duplicate_source: `${p.source.kind} ${p.source.id} is already attested by an earlier statement; counted once`,
      revoked: `revoked by ${revokedBy.get(w)?.result.digest} (comment ${revokedBy.get(w)?.result.commentId})`,
      stale: `given on head ${p.pull_request.head_sha}, not the current head`,
      fork: `shares its predecessor ${p.prev ?? "(none)"} with an earlier statement`,
    } as Record<Verdict, string>;
    const flags = CHAIN_ORDER.filter((v) => w.flags.has(v));
    const [first, ...rest] = flags;
    if (first) {
      w.result.verdict = first;
      w.result.reason = why[first];
      w.result.also = rest;
    } else {
      w.result.verdict = "valid";
      w.result.reason = w.result.signerIdentity
        ? `certificate, log entry or timestamp, signature, signer ${w.result.signerIdentity}, statement and place verified`
        : "signature, key, statement and place verified";
    }
  }
}

/**
 * Verifies attestations against the trusted keys, one verdict per found item, in input order.
 * Never throws on the found items, whatever they contain; throws ConfigurationError only when
 * `jwks` itself is invalid.
 */
export function verifyAttestations(
  found: readonly FoundAttestation[] | readonly unknown[],
  jwks: unknown,
  expect: VerifyExpectation = {},
): VerificationReport {
  const keys = trustedKeys(jwks);
  const items: readonly unknown[] = Array.isArray(found) ? found : [];
  const works = items.map((item, index) => {
    try {
      return verifyOne(item, index, keys, expect);
    } catch (error) {
      // Defence in depth: hostile input must give a verdict, never an exception.
      const reason = `could not be read (${error instanceof Error ? error.message : "unknown error"})`;
      return {
        result: {
          index,
          repository: "",
          pullRequest: 0,
          commentId: 0,
          verdict: "malformed",
          reason,
          also: [],
        },
        group: "",
        issuedAt: 0,
        chained: false,
        flags: new Set<Verdict>(),
      } satisfies Work;
    }
  });
  const groups = new Map<string, Work[]>();
  for (const w of works) {
    const group = groups.get(w.group);
    if (group) group.push(w);
    else groups.set(w.group, [w]);
  }
  for (const group of groups.values()) checkChain(group);

  const statements = works.map((w) => w.result);
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const s of statements) counts[s.verdict]++;
  return {
    statements,
    summary: {
      total: statements.length,
      counts,
      ok: statements.every((s) => INFORMATIONAL_VERDICTS.has(s.verdict)),
    },
  };
}

/**
 * The approvals the engine may count: approval statements whose verdict is valid, a fork, or
 * stale (the engine decides about staleness from the commit). Revoked and duplicate ones are not.
 */
export function approvalsFrom(report: VerificationReport): ApprovalRecord[] {
  return report.statements.flatMap((s) =>
    s.statement &&
    s.digest &&
    s.statement.predicate.decision === "approved" &&
    ["valid", "fork", "stale"].includes(s.verdict)
      ? [approvalFromStatement(s.statement, s.digest)]
      : [],
  );
}

/** The attestations that count for nothing, for the report (forged, edited, replayed …). */
export function rejectedFrom(report: VerificationReport): RejectedAttestation[] {
  return report.statements
    .filter((s) => !INFORMATIONAL_VERDICTS.has(s.verdict))
    .map((s) => {
      const rejected: RejectedAttestation = {
        commentId: s.commentId,
        reason: `${s.verdict}: ${s.reason}`,
      };
      if (s.commentAuthor !== undefined) rejected.commentAuthor = s.commentAuthor;
      return rejected;
    });
}
