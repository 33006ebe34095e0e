import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { RequestError } from "@octokit/request-error";
import type { Command } from "commander";
import * as z from "zod";
import { trustedJwksFromText, trustedKeys } from "../../core/attestation/index.js";
import {
  AUDIT_STATUSES,
  type AuditFormat,
  type AuditRow,
  auditRow,
  auditTotals,
  type PopulationCommit,
  renderAudit,
} from "../../core/audit/index.js";
import { extractVerification } from "../../core/merge-verification/index.js";
import { readArgumentFile } from "../commands/keys.js";
import { type CliContext, UsageError } from "../context.js";
import { createExportClient } from "../export/client.js";
import { githubAccess, parseRepo } from "../export/options.js";
import { LocalGit } from "../git.js";
import { addKeylessOptions, bundleVerifierOf, type KeylessOptions } from "../keyless.js";
import { defaultCacheDir } from "../register/cache.js";
import { apiPopulation, defaultBranch, ResponseCache } from "./api-population.js";
import { CheckRunCache, readMergeVerifications } from "./check-runs.js";
import { localPopulation } from "./population.js";

/**
 * `aigate audit`: the auditor's population of landed governed changes and the status of each
 * merge verification (docs/audit.md#aigate-audit-the-population-of-landed-changes).
 */

interface AuditOptions extends KeylessOptions {
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

/** The host of GITHUB_SERVER_URL (`https://HOST`), when set and a URL. */
function hostFromServer(url: string | undefined): string | undefined {
  if (url === undefined || url.trim() === "") return undefined;
  try {
    return new URL(url.trim()).host || undefined;
  } catch {
    return undefined;
  }
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
  if (inCheckout && (await git.isShallow())) {
    throw new UsageError(
      "this clone is shallow: fetch the full history (git fetch --unshallow) to list the population",
    );
  }
  const remoteUrl = inCheckout ? await git.remoteUrl("origin") : null;
  const remote = repositoryFromRemote(remoteUrl);
  const fullName = options.repo ?? remote;
  if (fullName === undefined) {
    throw new UsageError(
      inCheckout
        ? "--repo OWNER/REPO is required: the checkout has no GitHub remote"
        : "--repo OWNER/REPO is required outside a checkout",
    );
  }
  const repository = parseRepo(fullName);

  const keys =
    options.jwks === undefined
      ? undefined
      : trustedKeys(
          trustedJwksFromText(readArgumentFile(ctx, options.jwks, "JWKS"), options.jwks),
          options.jwks,
        );
  const access = githubAccess(
    ctx.env,
    inCheckout
      ? "read the repository's check runs (checks: read)"
      : "read the repository's commits and check runs (contents: read, checks: read)",
  );
  const window: { since?: string; until?: string } = {};
  if (since !== undefined) window.since = since;
  if (until !== undefined) window.until = until;
  const client = await createExportClient({
    token: access.token,
    apiUrl: access.apiUrl,
    notice: (message) => ctx.stderr(`aigate: ${message}\n`),
    userAgent: "aigate-audit",
    expected: [304],
  });
  // Every request of the run, and the 304s among them (docs/audit.md#where-the-population-comes-from).
  const reads = { requests: 0, notModified: 0 };
  client.hook.wrap("request", async (request, route) => {
    reads.requests++;
    try {
      return await request(route);
    } catch (error) {
      if (error instanceof RequestError && error.status === 304) reads.notModified++;
      throw error;
    }
  });
  const cacheRoot =
    options.cache === false ? undefined : join(dirname(defaultCacheDir(ctx.env)), "audit");

  let branch: string;
  let population: { commits: PopulationCommit[]; listed: number };
  if (inCheckout) {
    const found = options.branch ?? (await git.defaultBase())?.replace(/^origin\//, "");
    if (found === undefined)
      throw new UsageError("--branch BRANCH is required: no default branch found");
    branch = found;
    const ref = (await git.resolve(`origin/${branch}`)) ?? (await git.resolve(branch));
    if (ref === null) throw new UsageError(`--branch ${branch}: no such branch in this checkout`);
    population = await localPopulation(git, ref, window);
  } else {
    const history = new ResponseCache(cacheRoot, access.apiUrl);
    try {
      branch = options.branch ?? (await defaultBranch(client, repository, history));
      population = await apiPopulation(client, repository, branch, window, history);
    } finally {
      await history.flush();
    }
  }
  ctx.stderr(
    `aigate: ${population.listed} first-parent commit(s) on ${branch}, ${population.commits.length} changed a governed path\n`,
  );
  const cache = new CheckRunCache(cacheRoot, access.apiUrl);
  let done = 0;
  const total = population.commits.length;
  const { runs } = await readMergeVerifications(
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
  // Keyless records verify as keyless approvals do (docs/audit.md#keyless-merge-verifications).
  const keyless = [...runs.values()].some((found) =>
    found.some((r) => {
      const extracted = extractVerification(r.text);
      return extracted.ok && extracted.bundle !== undefined;
    }),
  );
  const bundles = await bundleVerifierOf(ctx, options, keyless);
  // The repository as the records name it: the checkout's remote host, else GITHUB_SERVER_URL's,
  // else the API's (docs/audit.md#where-the-population-comes-from).
  const host =
    (options.repo === undefined || options.repo === remote
      ? hostFromRemote(remoteUrl)
      : undefined) ??
    hostFromServer(ctx.env.GITHUB_SERVER_URL) ??
    hostFromApi(access.apiUrl);
  const resourceUri = `git+https://${host}/${repository.owner}/${repository.repo}`;
  const rows: AuditRow[] = population.commits.map((commit) =>
    best(
      (runs.get(commit.sha) ?? []).map((r) => auditRow(commit, r, keys, resourceUri, bundles)),
      auditRow(commit, undefined, keys, resourceUri, bundles),
    ),
  );
  const text = renderAudit(
    {
      repository: `${repository.owner}/${repository.repo}`,
      branch,
      since: since ?? null,
      until: until ?? null,
      signaturesChecked: keys !== undefined || bundles !== undefined,
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
  const command = program
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
    .option("--no-cache", "read every check run afresh, without the ETag cache");
  // Keyless records count with the same flags as `aigate verify` (docs/audit.md#keyless-merge-verifications).
  addKeylessOptions(command).action(async (options: AuditOptions) => run(ctx, options));
}
