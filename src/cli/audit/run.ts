import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { trustedJwksFromText, trustedKeys } from "../../core/attestation/index.js";
import {
  AUDIT_STATUSES,
  type AuditFormat,
  type AuditRow,
  auditRow,
  auditTotals,
  renderAudit,
} from "../../core/audit/index.js";
import { readArgumentFile } from "../commands/keys.js";
import { type CliContext, UsageError } from "../context.js";
import { createExportClient } from "../export/client.js";
import { githubAccess, parseRepo } from "../export/options.js";
import { LocalGit } from "../git.js";
import { defaultCacheDir } from "../register/cache.js";
import { CheckRunCache, readMergeVerifications } from "./check-runs.js";
import { localPopulation } from "./population.js";

/**
 * `aigate audit`: the auditor's population of landed governed changes and the status of each
 * merge verification (docs/audit.md#aigate-audit-the-population-of-landed-changes).
 */

interface AuditOptions {
  repo?: string;
  branch?: string;
  since?: string;
  until?: string;
  jwks?: string;
  format?: string;
  out?: string;
  cache?: boolean;
}

const FORMATS = ["md", "csv", "json", "html"] as const;
const DATE = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
/** A progress line every this many commits read, on long runs. */
const PROGRESS_EVERY = 100;

function repositoryFromRemote(url: string | null): string | undefined {
  return url?.match(/[/:]([^/:]+\/[^/]+?)(?:\.git)?\/?$/)?.[1];
}

/** The web host of a remote URL (`https://HOST/…`, `git@HOST:…`, `ssh://git@HOST/…`). */
function hostFromRemote(url: string | null): string | undefined {
  return url?.match(/^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^/:]+)[/:]/)?.[1];
}

/** The web host of an API URL: api.github.com → github.com, HOST/api/v3 → HOST. */
function hostFromApi(apiUrl: string): string {
  const host = new URL(apiUrl).host;
  return host === "api.github.com" ? "github.com" : host;
}

function date(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!DATE.safeParse(text).success) {
    throw new UsageError(
      `${flag} ${text}: write a date (2026-01-31) or a date and time with offset`,
    );
  }
  return text;
}

async function run(ctx: CliContext, options: AuditOptions): Promise<void> {
  const format = (options.format ?? "md") as AuditFormat;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format ${options.format}: one of ${FORMATS.join(", ")}`);
  }
  const since = date("--since", options.since);
  const until = date("--until", options.until);
  const git = new LocalGit(ctx.cwd);
  const inCheckout = (await git.resolve("HEAD")) !== null;
  if (!inCheckout) {
    throw new UsageError(
      "aigate audit lists the population from a checkout of the repository: run it inside a clone (with its full history)",
    );
  }
  if (await git.isShallow()) {
    throw new UsageError(
      "this clone is shallow: fetch the full history (git fetch --unshallow) to list the population",
    );
  }
  const remoteUrl = await git.remoteUrl("origin");
  const remote = repositoryFromRemote(remoteUrl);
  const fullName = options.repo ?? remote;
  if (fullName === undefined)
    throw new UsageError("--repo OWNER/REPO is required: the checkout has no GitHub remote");
  const repository = parseRepo(fullName);
  const branch = options.branch ?? (await git.defaultBase())?.replace(/^origin\//, "");
  if (branch === undefined)
    throw new UsageError("--branch BRANCH is required: no default branch found");
  const ref = (await git.resolve(`origin/${branch}`)) ?? (await git.resolve(branch));
  if (ref === null) throw new UsageError(`--branch ${branch}: no such branch in this checkout`);

  const keys =
    options.jwks === undefined
      ? undefined
      : trustedKeys(
          trustedJwksFromText(readArgumentFile(ctx, options.jwks, "JWKS"), options.jwks),
          options.jwks,
        );
  const access = githubAccess(ctx.env, "read the repository's check runs (checks: read)");
  const window: { since?: string; until?: string } = {};
  if (since !== undefined) window.since = since;
  if (until !== undefined) window.until = until;
  const population = await localPopulation(git, ref, window);
  ctx.stderr(
    `aigate: ${population.listed} first-parent commit(s) on ${branch}, ${population.commits.length} changed a governed path\n`,
  );
  const client = createExportClient({
    token: access.token,
    apiUrl: access.apiUrl,
    notice: (message) => ctx.stderr(`aigate: ${message}\n`),
    userAgent: "aigate-audit",
    expected: [304],
  });
  const cache = new CheckRunCache(
    options.cache === false ? undefined : join(dirname(defaultCacheDir(ctx.env)), "audit"),
    access.apiUrl,
  );
  let done = 0;
  const total = population.commits.length;
  const { runs, reads } = await readMergeVerifications(
    client,
    repository,
    population.commits.map((c) => c.sha),
    cache,
    () => {
      done++;
      if (done % PROGRESS_EVERY === 0 && done < total)
        ctx.stderr(`aigate: [${done}/${total}] merge verifications read\n`);
    },
  );
  await cache.flush();
  // The repository as the records name it: the checkout's remote host, else the API's.
  const host =
    (options.repo === undefined || options.repo === remote
      ? hostFromRemote(remoteUrl)
      : undefined) ?? hostFromApi(access.apiUrl);
  const resourceUri = `git+https://${host}/${repository.owner}/${repository.repo}`;
  const rows: AuditRow[] = population.commits.map((commit) =>
    best(
      (runs.get(commit.sha) ?? []).map((r) => auditRow(commit, r, keys, resourceUri)),
      auditRow(commit, undefined, keys, resourceUri),
    ),
  );
  const text = renderAudit(
    {
      repository: `${repository.owner}/${repository.repo}`,
      branch,
      since: since ?? null,
      until: until ?? null,
      signaturesChecked: keys !== undefined,
      rows,
    },
    format,
  );
  if (options.out !== undefined) writeFileSync(resolve(ctx.cwd, options.out), text);
  else ctx.stdout(text);
  const totals = auditTotals(rows);
  ctx.stderr(
    `aigate: ${rows.length} governed commit(s): ${AUDIT_STATUSES.map((s) => `${totals.all[s]} ${s}`).join(", ")}; ${reads.requests} request(s), ${reads.notModified} not modified\n`,
  );
  ctx.exitCode = rows.every((r) => r.status === "verified") ? 0 : 1;
}

const RANK = { verified: 0, bypass: 1, invalid: 2, missing: 3 } as const;

/** Of several runs on one commit (another app may use the name), the one whose record counts most. */
function best(rows: AuditRow[], none: AuditRow): AuditRow {
  return rows.reduce<AuditRow>(
    (a, b) => (RANK[b.status] < RANK[a.status] ? b : a),
    rows[0] ?? none,
  );
}

export function registerAudit(program: Command, ctx: CliContext): void {
  program
    .command("audit")
    .description(
      "the population of commits on a branch that changed governed paths, each with the status of its merge verification",
    )
    .option("--repo <owner/repo>", "the repository (default: the checkout's origin)")
    .option("--branch <branch>", "the branch (default: the default branch)")
    .option("--since <date>", "commits from this date")
    .option("--until <date>", "commits up to this date")
    .option("--jwks <file>", "the trusted public keys: without them no record can be verified")
    .option("--format <format>", `output format: ${FORMATS.join(", ")}`, "md")
    .option("--out <file>", "write to a file instead of standard output")
    .option("--no-cache", "read every check run afresh, without the ETag cache")
    .action(async (options: AuditOptions) => run(ctx, options));
}
