import type { Command } from "commander";
import * as z from "zod";
import {
  carriesBundle,
  crossCheckWitnesses,
  DEFAULT_WITNESS_APP,
  DELETED_AFTER_COUNTING,
  type FoundAttestation,
  MARKER_NAME,
  type StatementVerdict,
  trustedJwksFromText,
  type VerificationReport,
  type VerifyExpectation,
  verifyAttestations,
  type WitnessFinding,
  type WitnessReport,
  type WitnessRun,
} from "../../core/attestation/index.js";
import type { LocatedError } from "../../core/errors.js";
import { ConfigurationError } from "../../core/errors.js";
import { OVERSIGHT_CHECK_NAME } from "../../core/report/index.js";
import { type CliContext, UsageError } from "../context.js";
import { addKeylessOptions, bundleVerifierOf, type KeylessOptions } from "../keyless.js";
import { readArgumentFile } from "./keys.js";
import { verifyVsa } from "./verify-vsa.js";

interface VerifyOptions extends KeylessOptions {
  evidence?: string;
  jwks?: string;
  repo?: string;
  pr?: string;
  head?: string;
  appSlug?: string;
  json?: boolean;
  vsa?: string;
  commit?: string;
  resourceUri?: string;
}

/** An issue comment as GitHub's REST API returns it (only the fields verification reads). */
const CommentSchema = z.object({
  id: z.int().positive(),
  body: z.string().nullable().optional(),
  user: z.object({ login: z.string() }).nullable().optional(),
  html_url: z.string().optional(),
  issue_url: z.string().optional(),
  pull_request_url: z.string().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});

/** A line of an evidence pack (`aigate export`): the comment with where it was found. */
const ExportLineSchema = z.object({
  type: z.literal("attestation_comment"),
  repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be OWNER/REPO"),
  repository_id: z.int().positive().optional(),
  pull_request: z.int().positive(),
  comment: CommentSchema,
});

/** A `check_run` line of an evidence pack: the fields the witness cross-check reads. */
const CheckRunLineSchema = z.object({
  type: z.literal("check_run"),
  repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be OWNER/REPO"),
  pull_request: z.int().positive(),
  id: z.int().positive(),
  name: z.string(),
  head_sha: z.string(),
  app: z.string().nullable(),
  summary: z.string().nullable(),
});

type Comment = z.infer<typeof CommentSchema>;

/** OWNER/REPO and number from an API or web URL of an issue or pull request. */
function locationFromUrls(
  comment: Comment,
): { repository: string; pullRequest: number } | undefined {
  const patterns: Array<[string | undefined, RegExp]> = [
    [comment.issue_url, /\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/],
    [comment.pull_request_url, /\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/],
    [comment.html_url, /^\/([^/]+)\/([^/]+)\/(?:pull|issues)\/(\d+)$/],
  ];
  for (const [url, pattern] of patterns) {
    if (url === undefined) continue;
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      continue;
    }
    const match = pattern.exec(path);
    if (match?.[1] && match[2] && match[3]) {
      return { repository: `${match[1]}/${match[2]}`, pullRequest: Number(match[3]) };
    }
  }
  return undefined;
}

interface Evidence {
  found: Array<FoundAttestation & { line: number }>;
  /** Check runs of the pack: witnesses of what was counted. */
  runs: WitnessRun[];
  /** Comments without any attestation marker, and evidence lines of other types. */
  skipped: number;
}

/**
 * A `check_run` line as a witness. A line of the human-oversight check that cannot be read is
 * an error (a witness is never dropped silently); any other unreadable run is skipped.
 */
function witnessRun(value: unknown, line: number): WitnessRun | { error: string } | undefined {
  const parsed = CheckRunLineSchema.safeParse(value);
  if (parsed.success) {
    const r = parsed.data;
    return {
      id: r.id,
      repository: r.repository,
      pullRequest: r.pull_request,
      name: r.name,
      app: r.app,
      headSha: r.head_sha,
      summary: r.summary,
      line,
    };
  }
  const name = (value as { name?: unknown }).name;
  if (name !== OVERSIGHT_CHECK_NAME) return undefined;
  const issue = parsed.error.issues[0];
  return { error: `${issue?.path.join(".") ?? ""}: ${issue?.message ?? "not a check_run line"}` };
}

/** Reads the JSON Lines evidence file; a line that cannot be understood is a located error. */
function readEvidence(file: string, text: string): Evidence {
  const errors: LocatedError[] = [];
  const evidence: Evidence = { found: [], runs: [], skipped: 0 };
  const at = (line: number, field: string, message: string) =>
    errors.push({ file, line, column: 0, field, message });
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      at(line, "", `not valid JSON (${(error as Error).message}); each line is one JSON object`);
      return;
    }
    const type =
      value !== null && typeof value === "object" ? (value as { type?: unknown }).type : undefined;
    let comment: Comment;
    let where: { repository: string; pullRequest: number; repositoryId?: number } | undefined;
    if (type === "attestation_comment") {
      const parsed = ExportLineSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        at(line, issue?.path.join(".") ?? "", issue?.message ?? "not an attestation_comment line");
        return;
      }
      comment = parsed.data.comment;
      where = { repository: parsed.data.repository, pullRequest: parsed.data.pull_request };
      if (parsed.data.repository_id !== undefined) where.repositoryId = parsed.data.repository_id;
    } else if (type === "check_run") {
      const run = witnessRun(value, line);
      if (run === undefined) evidence.skipped++;
      else if ("error" in run) at(line, "", `a check_run line that cannot be read: ${run.error}`);
      else evidence.runs.push(run);
      return;
    } else if (type !== undefined) {
      evidence.skipped++; // another kind of evidence (reviews, edits …)
      return;
    } else {
      const parsed = CommentSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        at(
          line,
          issue?.path.join(".") ?? "",
          `${issue?.message ?? "invalid"}: expected a GitHub issue comment object`,
        );
        return;
      }
      comment = parsed.data;
      where = locationFromUrls(comment);
      if (!where) {
        at(
          line,
          "issue_url",
          "cannot tell the repository and pull request: the comment needs issue_url or html_url",
        );
        return;
      }
    }
    const body = comment.body ?? "";
    if (!body.includes(MARKER_NAME)) {
      evidence.skipped++;
      return;
    }
    const item: FoundAttestation & { line: number } = {
      line,
      body,
      ...where,
      commentId: comment.id,
    };
    if (comment.user) item.commentAuthor = comment.user.login;
    if (comment.created_at !== undefined) item.createdAt = comment.created_at;
    if (comment.updated_at !== undefined) item.updatedAt = comment.updated_at;
    evidence.found.push(item);
  });
  if (errors.length > 0) throw new ConfigurationError(errors);
  return evidence;
}

function expectation(options: VerifyOptions): VerifyExpectation {
  const expect: VerifyExpectation = {};
  if (options.repo !== undefined) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(options.repo))
      throw new UsageError(`--repo ${options.repo}: write it OWNER/REPO`);
    expect.repo = options.repo;
  }
  if (options.pr !== undefined) {
    if (!/^[1-9]\d{0,9}$/.test(options.pr))
      throw new UsageError(`--pr ${options.pr}: a pull request number is required`);
    expect.pr = Number(options.pr);
  }
  if (options.head !== undefined) {
    if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(options.head)) {
      throw new UsageError(`--head ${options.head}: the full lowercase commit SHA is required`);
    }
    expect.head = options.head;
  }
  return expect;
}

function describeStatement(s: StatementVerdict, line: number): string {
  const p = s.statement?.predicate;
  const who = p
    ? `@${p.approver.login} ${p.decision} ${p.systems.map((x) => x.id).join(",")}`
    : "-";
  const head = p ? p.pull_request.head_sha.slice(0, 12) : "-";
  const also = s.also.length > 0 ? ` (also ${s.also.join(", ")})` : "";
  return (
    `${s.verdict.padEnd(26)} line ${line}  ${s.repository}#${s.pullRequest} comment ${s.commentId}  ` +
    `${who}  head ${head}  ${s.digest ?? "-"}\n    ${s.reason}${also}\n`
  );
}

function describeFinding(f: WitnessFinding): string {
  const where = f.line !== undefined ? `line ${f.line}` : "-";
  return (
    `${f.verdict.padEnd(26)} ${where}  ${f.repository}#${f.pullRequest} check run ${f.checkRunId}  ` +
    `head ${f.headSha.slice(0, 12)}  ${f.digest}\n    ${f.reason}\n`
  );
}

/** The outcome of a verification: what stdout, stderr and the exit code all say. */
interface Outcome {
  /** Statement verdicts and witness findings, by verdict. */
  counts: Record<string, number>;
  /** Nothing was verified: no attestation and no counted digest to look for. */
  nothing: boolean;
  ok: boolean;
}

function outcomeOf(report: VerificationReport, witnesses: WitnessReport): Outcome {
  const counts: Record<string, number> = {};
  for (const [verdict, n] of Object.entries(report.summary.counts)) if (n > 0) counts[verdict] = n;
  if (witnesses.findings.length > 0) counts[DELETED_AFTER_COUNTING] = witnesses.findings.length;
  const nothing = report.summary.total === 0 && witnesses.findings.length === 0;
  return { counts, nothing, ok: report.summary.ok && witnesses.findings.length === 0 && !nothing };
}

function summaryLine(report: VerificationReport, outcome: Outcome): string {
  if (outcome.nothing) return "0 attestation(s): nothing was verified\n";
  const counts = Object.entries(outcome.counts)
    .map(([verdict, n]) => `${n} ${verdict}`)
    .join(", ");
  const verdict = outcome.ok ? "evidence valid" : "evidence INVALID";
  return `${report.summary.total} attestation(s): ${counts}: ${verdict}\n`;
}

function witnessLine(w: WitnessReport, appSlug: string): string | undefined {
  if (w.witnesses === 0 && w.ignored === 0) return undefined;
  const ignored =
    w.ignored > 0 ? `; ${w.ignored} run(s) by other apps are not witnesses and were ignored` : "";
  return `${w.witnesses} human-oversight check run(s) by ${appSlug} cross-checked: ${w.counted} counted attestation(s), ${w.findings.length} missing${ignored}\n`;
}

/**
 * `aigate verify --evidence FILE --jwks FILE [--repo O/R --pr N --head SHA] [--json]`: verifies
 * attestation comments offline, statement by statement, and cross-checks them against the
 * digests aigate's human-oversight check runs counted. Exit 0 when every statement is valid or
 * only informational, 1 when any is not, a counted one is missing, or none is found; 2 on usage
 * errors.
 */
export function registerVerify(program: Command, ctx: CliContext): void {
  const command = program
    .command("verify")
    .description(
      "verify attestation comments offline against a JWKS and allowed keyless signers, statement by statement",
    )
    .option("--evidence <file>", "JSON Lines: GitHub issue comment objects or aigate export lines")
    .option("--jwks <file>", "the trusted public keys (aigate keys jwks)")
    .option("--repo <owner/repo>", "every statement must be for this repository")
    .option("--pr <number>", "every statement must be for this pull request")
    .option("--head <sha>", "the current head: statements for other heads are reported stale")
    .option(
      "--app-slug <slug>",
      "the App whose human-oversight check runs are witnesses of what was counted",
      DEFAULT_WITNESS_APP,
    )
    .option("--json", "print the verdicts and summary as JSON")
    .option(
      "--vsa <file>",
      "verify merge verification records (SLSA VSA): an envelope or Sigstore bundle, a check run's text, the Action's merge-verifications file, or an evidence pack",
    )
    .option("--commit <sha>", "with --vsa: the record must be about this commit")
    .option(
      "--resource-uri <uri>",
      "with --vsa: the record must be about this repository (git+https://HOST/OWNER/REPO)",
    );
  addKeylessOptions(command).action(async (options: VerifyOptions) => {
    if (options.vsa !== undefined) {
      // The same keyless flags verify keyless records (docs/attestation.md#keyless-merge-verifications).
      await verifyVsa(ctx, { ...options, vsa: options.vsa });
      return;
    }
    const keyless = (options.signerWorkflow?.length ?? 0) > 0 || options.manifest !== undefined;
    if (options.evidence === undefined || (options.jwks === undefined && !keyless)) {
      throw new UsageError(
        "--evidence FILE is required, with --jwks FILE for keyed attestations and/or --signer-workflow or --manifest for keyless ones",
      );
    }
    const expect = expectation(options);
    const jwks =
      options.jwks === undefined
        ? { keys: [] }
        : trustedJwksFromText(readArgumentFile(ctx, options.jwks, "JWKS"), options.jwks);
    const evidence = readEvidence(
      options.evidence,
      readArgumentFile(ctx, options.evidence, "evidence file"),
    );
    const bundlesPresent = evidence.found.some(
      (item) => "body" in item && carriesBundle(item.body),
    );
    const bundles = await bundleVerifierOf(ctx, options, bundlesPresent);
    if (bundles) expect.bundles = bundles;
    const report = verifyAttestations(evidence.found, jwks, expect);
    const appSlug = options.appSlug ?? DEFAULT_WITNESS_APP;
    const witnesses = crossCheckWitnesses(evidence.runs, report.statements, appSlug);
    const outcome = outcomeOf(report, witnesses);
    const lineOf = (s: StatementVerdict) => evidence.found[s.index]?.line ?? 0;

    if (options.json) {
      const statements = report.statements.map((s) => ({
        line: lineOf(s),
        verdict: s.verdict,
        reason: s.reason,
        also: s.also,
        repository: s.repository,
        pull_request: s.pullRequest,
        comment_id: s.commentId,
        comment_author: s.commentAuthor ?? null,
        digest: s.digest ?? null,
        key_id: s.keyId ?? null,
        signer_identity: s.signerIdentity ?? null,
        decision: s.statement?.predicate.decision ?? null,
        approver: s.statement?.predicate.approver ?? null,
        systems: s.statement?.predicate.systems ?? null,
        head: s.statement?.predicate.pull_request.head_sha ?? null,
      }));
      const findings = witnesses.findings.map((f) => ({
        line: f.line ?? null,
        verdict: f.verdict,
        reason: f.reason,
        repository: f.repository,
        pull_request: f.pullRequest,
        check_run_id: f.checkRunId,
        head: f.headSha,
        digest: f.digest,
      }));
      const summary = {
        total: report.summary.total,
        counts: { ...report.summary.counts, [DELETED_AFTER_COUNTING]: findings.length },
        ok: outcome.ok,
        nothing_verified: outcome.nothing,
        skipped: evidence.skipped,
        witnesses: {
          app: appSlug,
          check_runs: witnesses.witnesses,
          ignored: witnesses.ignored,
          counted: witnesses.counted,
        },
      };
      ctx.stdout(`${JSON.stringify({ statements, witnesses: findings, summary }, null, 2)}\n`);
    } else {
      for (const s of report.statements) ctx.stdout(describeStatement(s, lineOf(s)));
      for (const f of witnesses.findings) ctx.stdout(describeFinding(f));
      const witnessed = witnessLine(witnesses, appSlug);
      if (witnessed) ctx.stdout(witnessed);
      ctx.stdout(summaryLine(report, outcome));
      if (evidence.skipped > 0)
        ctx.stdout(`${evidence.skipped} line(s) without an attestation skipped\n`);
    }
    if (outcome.nothing) {
      ctx.stderr(
        `aigate: no attestation comments in ${options.evidence}: nothing was verified, so the evidence is not valid (exit 1)\n`,
      );
    }
    ctx.exitCode = outcome.ok ? 0 : 1;
  });
}
