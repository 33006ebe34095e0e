import {
  type DecodedEnvelope,
  extractAttestation,
  isBundle,
  type TrustedKey,
  trustedJwksFromText,
  trustedKeys,
} from "../../core/attestation/index.js";
import {
  type ExtractedVerification,
  envelopeFromText,
  envelopeFromValue,
  extractVerification,
  type RecordCheck,
  VERIFICATION_MARKER_NAME,
  verifyVerification,
} from "../../core/merge-verification/index.js";
import { type CliContext, UsageError } from "../context.js";
import { bundleVerifierOf, type KeylessOptions, signersOf } from "../keyless.js";
import { readArgumentFile } from "./keys.js";

/**
 * `aigate verify --vsa FILE (--jwks FILE | --signer-workflow W [--trusted-root FILE] | --manifest
 * FILE) [--commit SHA] [--resource-uri URI] [--evidence PACK]`: verifies merge verification
 * records offline (docs/attestation.md#verifying-a-merge-verification). FILE is a DSSE envelope
 * or a Sigstore bundle (JSON), a check run's text with the marker, the Action's
 * `merge-verifications` file, or an evidence pack (`aigate export`) whose `merge_verification`
 * lines carry them. Keyless bundles verify as keyless approvals do
 * (docs/attestation.md#keyless-merge-verifications).
 */

export interface VsaOptions extends KeylessOptions {
  vsa: string;
  jwks?: string;
  commit?: string;
  resourceUri?: string;
  evidence?: string;
  json?: boolean;
}

interface FoundRecord {
  /** Where it was found: `FILE` or `FILE:LINE`. */
  where: string;
  envelope?: DecodedEnvelope;
  /** The Sigstore bundle that carried the envelope, for a keyless record. */
  bundle?: unknown;
  problem?: string;
}

/** Envelope digests of the attestation comments a pack holds, by the comment's page. */
type PackAttestations = Map<string, string>;

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

function recordsIn(file: string, text: string, pack: PackAttestations): FoundRecord[] {
  const whole = parseLine(text);
  if (field(whole, "payloadType") !== undefined || isBundle(whole)) {
    const decoded = envelopeFromText(text);
    return [found(file, decoded)];
  }
  // The Action's `merge-verifications` file: one entry per commit, an envelope or a bundle.
  if (Array.isArray(whole)) {
    return whole.map((entry, index) =>
      found(
        `${file}[${index}]`,
        envelopeFromValue(field(entry, "bundle") ?? field(entry, "envelope")),
      ),
    );
  }
  if (!text.trimStart().startsWith("{")) return [found(file, extractVerification(text))];
  // JSON Lines: an evidence pack.
  const records: FoundRecord[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === "") return;
    const where = `${file}:${index + 1}`;
    const value = parseLine(raw);
    if (value === undefined) {
      records.push({ where, problem: "not valid JSON" });
      return;
    }
    collectAttestation(value, pack);
    if (field(value, "type") !== "merge_verification") return;
    // A keyless record's line carries its bundle besides the envelope it holds.
    const bundle = field(value, "bundle");
    const envelope = typeof bundle === "string" ? bundle : field(value, "envelope");
    records.push(
      found(
        where,
        typeof envelope === "string"
          ? envelopeFromText(envelope)
          : extractVerification(field(value, "text")),
      ),
    );
  });
  return records;
}

function found(where: string, decoded: ExtractedVerification): FoundRecord {
  if (!decoded.ok) return { where, problem: decoded.reason };
  return decoded.bundle === undefined
    ? { where, envelope: decoded.envelope }
    : { where, envelope: decoded.envelope, bundle: decoded.bundle };
}

function parseLine(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === "object"
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

/** Notes an `attestation_comment` line's envelope digest under its comment's page. */
function collectAttestation(value: unknown, pack: PackAttestations): void {
  if (field(value, "type") !== "attestation_comment") return;
  const comment = field(value, "comment");
  const url = field(comment, "html_url");
  const extracted = extractAttestation(field(comment, "body"));
  if (typeof url === "string" && extracted.ok) pack.set(url, extracted.envelope.digest);
}

interface RecordReport {
  where: string;
  ok: boolean;
  reason: string;
  commit: string | null;
  result: string | null;
  levels: string[];
  digest: string | null;
  /** The key id, or the workflow identity of a keyless record's certificate. */
  signer: string | null;
  inputs: { checked: number; missing: number };
}

function judge(
  record: FoundRecord,
  check: RecordCheck | undefined,
  pack: PackAttestations,
): RecordReport {
  const report: RecordReport = {
    where: record.where,
    ok: false,
    reason: record.problem ?? "",
    commit: null,
    result: null,
    levels: [],
    digest: null,
    signer: null,
    inputs: { checked: 0, missing: 0 },
  };
  if (!check) return report;
  const statement = check.ok ? check.statement : check.statement;
  if (statement) {
    report.commit = statement.subject[0]?.digest.gitCommit ?? null;
    report.result = statement.predicate.verificationResult;
    report.levels = statement.predicate.verifiedLevels;
  }
  if (!check.ok) {
    report.reason = check.reason;
    return report;
  }
  report.digest = check.digest;
  report.signer = check.keyId ?? check.signerIdentity ?? null;
  for (const input of check.statement.predicate.inputAttestations) {
    const held = pack.get(input.uri);
    if (held === undefined) {
      report.inputs.missing++;
      continue;
    }
    report.inputs.checked++;
    if (held !== `sha256:${input.digest.sha256}`) {
      report.reason = `the input attestation ${input.uri} in the pack has digest ${held}, the record names sha256:${input.digest.sha256}`;
      return report;
    }
  }
  if (check.statement.predicate.verificationResult !== "PASSED") {
    report.reason = "the record is genuine, and it says FAILED: the commit bypassed the gates";
    return report;
  }
  report.ok = true;
  report.reason =
    check.signerIdentity !== undefined
      ? `Sigstore bundle of ${check.signerIdentity}, subject and resource verify; PASSED`
      : "signature, subject and resource verify; PASSED";
  return report;
}

/** Runs `verify --vsa`; sets the exit code: 0 every record verifies and PASSED, 1 otherwise. */
export async function verifyVsa(ctx: CliContext, options: VsaOptions): Promise<void> {
  const keyless = signersOf(ctx, options).length > 0;
  if (options.jwks === undefined && !keyless) {
    throw new UsageError(
      "--vsa FILE needs --jwks FILE for keyed records and/or --signer-workflow or --manifest for keyless ones",
    );
  }
  if (options.commit !== undefined && !SHA.test(options.commit)) {
    throw new UsageError(`--commit ${options.commit}: the full lowercase commit SHA is required`);
  }
  if (
    options.resourceUri !== undefined &&
    !/^git\+https:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(options.resourceUri)
  ) {
    throw new UsageError(
      `--resource-uri ${options.resourceUri}: write it git+https://HOST/OWNER/REPO`,
    );
  }
  const keys: TrustedKey[] =
    options.jwks === undefined
      ? []
      : trustedKeys(
          trustedJwksFromText(readArgumentFile(ctx, options.jwks, "JWKS"), options.jwks),
          options.jwks,
        );
  const pack: PackAttestations = new Map();
  if (options.evidence !== undefined) {
    recordsIn(options.evidence, readArgumentFile(ctx, options.evidence, "evidence file"), pack);
  }
  const records = recordsIn(options.vsa, readArgumentFile(ctx, options.vsa, "record"), pack);
  const expect: { commit?: string; resourceUri?: string } = {};
  if (options.commit !== undefined) expect.commit = options.commit;
  if (options.resourceUri !== undefined) expect.resourceUri = options.resourceUri;
  const commit = options.commit;
  // A pack holds the records of many commits: --commit picks that commit's.
  const chosen =
    commit !== undefined && records.length > 1
      ? records.filter((r) => mentions(r, commit))
      : records;
  const bundles = await bundleVerifierOf(
    ctx,
    options,
    chosen.some((r) => r.bundle !== undefined),
  );
  const reports = chosen.map((r) =>
    judge(
      r,
      r.envelope
        ? verifyVerification(r.envelope, keys, expect, { bundle: r.bundle, bundles })
        : undefined,
      pack,
    ),
  );
  const ok = reports.length > 0 && reports.every((r) => r.ok);
  if (options.json) {
    ctx.stdout(`${JSON.stringify({ records: reports, ok }, null, 2)}\n`);
  } else {
    for (const r of reports) {
      const inputs =
        r.inputs.checked + r.inputs.missing > 0
          ? `  inputs ${r.inputs.checked} matched, ${r.inputs.missing} not in the pack`
          : "";
      ctx.stdout(
        `${(r.ok ? "verified" : "NOT VERIFIED").padEnd(13)} ${r.where}  commit ${r.commit ?? "-"}  ${r.result ?? "-"}  ${r.levels.join(",") || "-"}${inputs}\n    ${r.reason}\n`,
      );
    }
    ctx.stdout(
      `${reports.length} merge verification record(s): ${ok ? "all verify" : "NOT all verify"}\n`,
    );
  }
  if (reports.length === 0) {
    ctx.stderr(
      `aigate: no ${VERIFICATION_MARKER_NAME} record in ${options.vsa}: nothing was verified (exit 1)\n`,
    );
  }
  ctx.exitCode = ok ? 0 : 1;
}

/** Whether a record of a pack is about `commit` (a pack holds records of many commits). */
function mentions(record: FoundRecord, commit: string): boolean {
  return record.envelope?.payload.toString("utf8").includes(`"gitCommit":"${commit}"`) ?? false;
}
