import type { Command } from "commander";
import { z } from "zod";
import {
  type FoundAttestation,
  parseStrictJson,
  type StatementVerdict,
  trustedKeys,
  type VerificationReport,
  type VerifyExpectation,
  verifyAttestations,
} from "../../core/attestation/index.js";
import { ConfigurationError } from "../../core/errors.js";
import type { LocatedError } from "../../core/types.js";
import { type CliContext, UsageError } from "../context.js";
import { readArgumentFile } from "./keys.js";

interface VerifyOptions {
  evidence?: string;
  jwks?: string;
  repo?: string;
  pr?: string;
  head?: string;
  json?: boolean;
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
  /** Comments without any attestation marker, and evidence lines of other types. */
  skipped: number;
}

/** Reads the JSON Lines evidence file; a line that cannot be understood is a located error. */
function readEvidence(file: string, text: string): Evidence {
  const errors: LocatedError[] = [];
  const evidence: Evidence = { found: [], skipped: 0 };
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
    } else if (type !== undefined) {
      evidence.skipped++; // another kind of evidence (check runs, reviews …)
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
    if (!body.includes("aigate-attestation")) {
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

function summaryLine(report: VerificationReport): string {
  const counts = Object.entries(report.summary.counts)
    .filter(([, n]) => n > 0)
    .map(([verdict, n]) => `${n} ${verdict}`)
    .join(", ");
  const verdict = report.summary.ok ? "evidence valid" : "evidence INVALID";
  return `${report.summary.total} attestation(s): ${counts}: ${verdict}\n`;
}

/**
 * `aigate verify --evidence FILE --jwks FILE [--repo O/R --pr N --head SHA] [--json]`: verifies
 * attestation comments offline, statement by statement. Exit 0 when every statement is valid
 * or only informational, 1 when any is not (or none is found), 2 on usage errors.
 */
export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command("verify")
    .description("verify attestation comments offline against a JWKS, statement by statement")
    .option("--evidence <file>", "JSON Lines: GitHub issue comment objects or aigate export lines")
    .option("--jwks <file>", "the trusted public keys (aigate keys jwks)")
    .option("--repo <owner/repo>", "every statement must be for this repository")
    .option("--pr <number>", "every statement must be for this pull request")
    .option("--head <sha>", "the current head: statements for other heads are reported stale")
    .option("--json", "print the verdicts and summary as JSON")
    .action((options: VerifyOptions) => {
      if (options.evidence === undefined || options.jwks === undefined) {
        throw new UsageError("both --evidence FILE and --jwks FILE are required");
      }
      const expect = expectation(options);
      const jwksText = readArgumentFile(ctx, options.jwks, "JWKS");
      const jwksJson = parseStrictJson(jwksText);
      if (!jwksJson.ok) {
        throw new ConfigurationError([
          { file: options.jwks, line: 0, column: 0, field: "", message: jwksJson.reason },
        ]);
      }
      trustedKeys(jwksJson.value, options.jwks);
      const evidence = readEvidence(
        options.evidence,
        readArgumentFile(ctx, options.evidence, "evidence file"),
      );
      const report = verifyAttestations(evidence.found, jwksJson.value, expect);
      const lineOf = (s: StatementVerdict) => evidence.found[s.index]?.line ?? 0;
      const nothing = report.summary.total === 0;

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
          decision: s.statement?.predicate.decision ?? null,
          approver: s.statement?.predicate.approver ?? null,
          systems: s.statement?.predicate.systems ?? null,
          head: s.statement?.predicate.pull_request.head_sha ?? null,
        }));
        const ok = report.summary.ok && !nothing;
        ctx.stdout(
          `${JSON.stringify({ statements, summary: { ...report.summary, ok, skipped: evidence.skipped } }, null, 2)}\n`,
        );
      } else {
        for (const s of report.statements) ctx.stdout(describeStatement(s, lineOf(s)));
        ctx.stdout(summaryLine(report));
        if (evidence.skipped > 0)
          ctx.stdout(`${evidence.skipped} line(s) without an attestation skipped\n`);
      }
      if (nothing)
        ctx.stderr(`no attestation comments in ${options.evidence}: nothing was verified\n`);
      ctx.exitCode = report.summary.ok && !nothing ? 0 : 1;
    });
}
