import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import pLimit from "p-limit";
import writeFileAtomic from "write-file-atomic";
import type { BundleVerifier } from "../../core/attestation/index.js";
import {
  approvalKey,
  buildRegister,
  buildSoa,
  type CheckRunCounts,
  checkRunCounts,
  type LastApprovedChange,
  type Register,
  type RepositoryGateCounts,
  type RepositorySnapshot,
  registerFails,
  registerHtml,
  registerMarkdown,
  registerTableNames,
  registerTables,
  type Soa,
  soaHtml,
  soaMarkdown,
  soaTable,
  tableCsv,
} from "../../core/register/index.js";
import type { GitHubClient } from "../../github/client.js";
import { CHECK_RUNS_REFUSED, describeFailure } from "../../github/errors.js";
import { readLastApprovedChanges } from "../../github/reads/approval-history.js";
import {
  type InventoryStore,
  listRepositories,
  memoryStore,
  type RepositoryListing,
  readListing,
  readRepositorySnapshot,
  TokenRejectedError,
} from "../../github/reads/inventory.js";
import {
  noPullHistory,
  type PullHistoryStore,
  RECENT_CLOSED_PULLS,
  readGateCounts,
  readRecentPulls,
} from "../../github/reads/pull-history.js";
import { type CliContext, UsageError } from "../context.js";
import { createExportClient } from "../export/client.js";
import { readJwks } from "../export/run.js";
import { bundleVerifierOf } from "../keyless.js";
import { evaluationTime } from "../time.js";
import { DiskStore, defaultCacheDir } from "./cache.js";
import { readCheckout } from "./checkout.js";
import { type RegisterOptions, type RegisterSettings, registerSettings } from "./options.js";
import { createProgress, type Progress } from "./progress.js";

/** Repositories read at once: enough to hide latency, few enough for GitHub's secondary limits. */
const CONCURRENCY = 4;

interface Reading {
  snapshots: RepositorySnapshot[];
  description: string;
  approvals?: Map<string, LastApprovedChange | null>;
  checkRuns?: CheckRunCounts;
}

function outcome(snapshot: RepositorySnapshot): string {
  if (snapshot.kind !== "read") return snapshot.kind;
  return snapshot.manifest ? "manifest read" : "not governed";
}

async function readCheckouts(
  ctx: CliContext,
  paths: string[],
  progress: Progress,
): Promise<Reading> {
  progress.start(paths.length, "reading checkouts");
  const snapshots: RepositorySnapshot[] = [];
  for (const path of paths) {
    const snapshot = await readCheckout(ctx.cwd, path);
    progress.step(snapshot.repository, outcome(snapshot));
    snapshots.push(snapshot);
  }
  progress.stop();
  return { snapshots, description: `checkout ${paths.join(", ")}` };
}

async function listingsOf(
  client: GitHubClient,
  source: Extract<RegisterSettings["source"], { kind: "github" }>,
): Promise<Array<RepositoryListing | RepositorySnapshot>> {
  if (source.org !== undefined) {
    try {
      return await listRepositories(client, source.org);
    } catch (error) {
      if (error instanceof TokenRejectedError) throw new UsageError(error.message);
      const { status, description } = describeFailure(error);
      throw new UsageError(
        status === 404
          ? `no organisation or user ${source.org}, or the token cannot see it (${description})`
          : `cannot list the repositories of ${source.org}: ${description}`,
      );
    }
  }
  const listings: Array<RepositoryListing | RepositorySnapshot> = [];
  for (const { owner, repo } of source.repos) {
    try {
      listings.push(await readListing(client, owner, repo));
    } catch (error) {
      if (error instanceof TokenRejectedError) throw new UsageError(error.message);
      throw error;
    }
  }
  return listings;
}

/** What verifies the approvals' attestations: the trusted keys, and keyless bundles' verifier. */
interface ApprovalTrust {
  jwks: unknown;
  bundles: BundleVerifier | undefined;
}

async function readGitHub(
  ctx: CliContext,
  settings: RegisterSettings,
  store: InventoryStore & PullHistoryStore,
  progress: Progress,
  trust: ApprovalTrust,
  now: Date,
): Promise<Reading> {
  const source = settings.source;
  const github = settings.github;
  if (source.kind !== "github" || !github) throw new UsageError("no GitHub source");
  const client = await createExportClient({
    token: github.token,
    apiUrl: github.apiUrl,
    notice: (message) => ctx.stderr(`aigate: ${message}\n`),
    userAgent: "aigate-register",
    // 304: unchanged since the cached ETag; 409: an empty repository; 403/404: named as problems.
    expected: [304, 403, 404, 409],
  });
  const listings = await listingsOf(client, source);
  const description =
    source.org !== undefined
      ? `organisation ${source.org}`
      : `repositories ${source.repos.map((r) => `${r.owner}/${r.repo}`).join(", ")}`;
  progress.start(listings.length, `reading ${description}`);
  const limit = pLimit(CONCURRENCY);
  let snapshots: RepositorySnapshot[];
  try {
    snapshots = await Promise.all(
      listings.map((listing) =>
        limit(async () => {
          const snapshot =
            "kind" in listing ? listing : await readRepositorySnapshot(client, store, listing);
          progress.step(snapshot.repository, outcome(snapshot));
          return snapshot;
        }),
      ),
    );
  } catch (error) {
    if (error instanceof TokenRejectedError) throw new UsageError(error.message);
    throw error;
  } finally {
    progress.stop();
  }
  if (!settings.withApprovals && !settings.withCheckRuns) return { snapshots, description };
  const draft = buildRegister(snapshots, registerOptions(settings, now, description));
  return {
    snapshots,
    description,
    ...(await readPullHistory(client, settings, listings, draft, store, progress, trust)),
  };
}

/**
 * With `--with-approvals` or `--with-check-runs`: each governed repository's recently merged
 * pull requests, read once for both, and what they say (docs/audit.md).
 */
async function readPullHistory(
  client: GitHubClient,
  settings: RegisterSettings,
  listings: ReadonlyArray<RepositoryListing | RepositorySnapshot>,
  draft: Register,
  history: PullHistoryStore,
  progress: Progress,
  trust: ApprovalTrust,
): Promise<Pick<Reading, "approvals" | "checkRuns">> {
  const notGoverned = new Set(draft.problems.map((p) => p.repository));
  const systemsOf = new Map<string, string[]>();
  for (const s of draft.systems) {
    systemsOf.set(s.repository, [...(systemsOf.get(s.repository) ?? []), s.system]);
  }
  // Approvals alone need only repositories with systems; check runs count every governed one.
  const governed = listings.filter(
    (l): l is RepositoryListing =>
      !("kind" in l) &&
      !notGoverned.has(l.fullName) &&
      (settings.withCheckRuns || systemsOf.has(l.fullName)),
  );
  const approvals = new Map<string, LastApprovedChange | null>();
  const counts: RepositoryGateCounts[] = [];
  const limit = pLimit(CONCURRENCY);
  progress.start(governed.length, "reading merged pull requests");
  try {
    await Promise.all(
      governed.map((repo) =>
        limit(async () => {
          const systems = systemsOf.get(repo.fullName) ?? [];
          try {
            const pulls = await readRecentPulls(client, repo, history);
            if (settings.withApprovals) {
              const changes = await readLastApprovedChanges(
                client,
                repo,
                pulls,
                systems,
                trust.jwks,
                trust.bundles,
              );
              for (const [system, change] of changes) {
                approvals.set(approvalKey(repo.fullName, system), change);
              }
            }
            if (settings.withCheckRuns) {
              counts.push(await readGateCounts(client, repo, pulls, settings.appSlug, history));
            }
            progress.step(repo.fullName, `${pulls.merged.length} merged pull request(s)`);
          } catch (error) {
            const { status, description } = describeFailure(error);
            throw new UsageError(
              `cannot read the merged pull requests of ${repo.fullName}: ${description}${status === 403 && settings.withCheckRuns ? `: ${CHECK_RUNS_REFUSED}` : ""}`,
            );
          }
        }),
      ),
    );
  } finally {
    progress.stop();
  }
  return {
    ...(settings.withApprovals ? { approvals } : {}),
    ...(settings.withCheckRuns
      ? { checkRuns: checkRunCounts(settings.appSlug, RECENT_CLOSED_PULLS, counts) }
      : {}),
  };
}

function registerOptions(settings: RegisterSettings, now: Date, description: string) {
  return {
    today: now.toISOString().slice(0, 10),
    expiringWithinDays: settings.expiringWithinDays,
    generatedAt: now.toISOString(),
    source: { kind: settings.source.kind, description },
  };
}

interface Output {
  /** A file inside the `--out` folder (CSV tables), or the `--out` file itself when absent. */
  file?: string;
  text: string;
}

function render(
  command: "register" | "soa",
  settings: RegisterSettings,
  register: Register,
  soa: Soa,
): Output[] {
  if (command === "soa") {
    switch (settings.format) {
      case "json":
        return [{ text: `${JSON.stringify(soa, null, 2)}\n` }];
      case "csv":
        return [{ text: tableCsv(soaTable(soa)) }];
      case "html":
        return [{ text: soaHtml(soa) }];
      default:
        return [{ text: soaMarkdown(soa) }];
    }
  }
  switch (settings.format) {
    case "json":
      return [{ text: `${JSON.stringify(register, null, 2)}\n` }];
    case "md":
      return [{ text: registerMarkdown(register) }];
    case "html":
      return [{ text: registerHtml(register, soa) }];
    default: {
      const tables = registerTables(register);
      if (settings.table) return [{ text: tableCsv(tables[settings.table]) }];
      return registerTableNames(register).map((name) => ({
        file: `${name}.csv`,
        text: tableCsv(tables[name]),
      }));
    }
  }
}

/**
 * Writes every output, each atomically (a temporary file renamed into place), after all of them
 * were rendered: an interrupted run leaves the previous files, never a half-written one.
 */
async function write(
  ctx: CliContext,
  out: string | undefined,
  outputs: Output[],
): Promise<string[]> {
  if (out === undefined) {
    for (const o of outputs) ctx.stdout(o.text);
    return [];
  }
  const target = resolve(ctx.cwd, out);
  const written: string[] = [];
  try {
    if (outputs.some((o) => o.file !== undefined)) mkdirSync(target, { recursive: true });
    for (const o of outputs) {
      const path = o.file !== undefined ? join(target, o.file) : target;
      await writeFileAtomic(path, o.text);
      written.push(o.file !== undefined ? join(out, o.file) : out);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unwritable";
    throw new UsageError(`cannot write ${out} (${code})`);
  }
  return written;
}

/**
 * `aigate register` and `aigate soa`: read the repositories (a checkout offline, or GitHub),
 * build the register and the draft SoA, write the chosen view. `register` exits 1 when an
 * assessment is expired, missing or invalid, or a repository could not be put in the register.
 */
export async function runRegister(
  command: "register" | "soa",
  paths: string[],
  options: RegisterOptions,
  ctx: CliContext,
): Promise<void> {
  const settings = registerSettings(command, paths, options, ctx.env, defaultCacheDir(ctx.env));
  const jwks = settings.withApprovals
    ? settings.jwksFile !== undefined
      ? readJwks(ctx, settings.jwksFile)
      : { keys: [] }
    : undefined;
  // Keyless approvals verify with the allowed workflows; the root is fetched when not given.
  const bundles = settings.withApprovals ? await bundleVerifierOf(ctx, options, true) : undefined;
  const now = evaluationTime(ctx.env);
  const progress = createProgress(ctx.stderr, ctx.terminal === true);
  let reading: Reading;
  if (settings.source.kind === "checkout") {
    reading = await readCheckouts(ctx, settings.source.paths, progress);
  } else {
    const store = settings.cacheDir
      ? new DiskStore(settings.cacheDir, settings.github?.apiUrl ?? "")
      : { ...memoryStore(), ...noPullHistory };
    try {
      reading = await readGitHub(ctx, settings, store, progress, { jwks, bundles }, now);
    } finally {
      if (store instanceof DiskStore) await store.flush();
    }
  }
  const register = buildRegister(reading.snapshots, {
    ...registerOptions(settings, now, reading.description),
    ...(reading.approvals ? { approvals: reading.approvals } : {}),
    ...(reading.checkRuns ? { checkRuns: reading.checkRuns } : {}),
  });
  const soa = buildSoa(register);
  const written = await write(ctx, settings.out, render(command, settings, register, soa));
  if (written.length > 0) ctx.stderr(`aigate: wrote ${written.join(", ")}\n`);
  const t = register.totals;
  const failing = t.by_status.expired + t.by_status.missing + t.by_status.invalid;
  const unread = t.by_problem.invalid_manifest + t.by_problem.unreadable;
  ctx.stderr(
    `aigate: ${t.systems} AI system(s) in ${t.governed} governed of ${t.repositories} repository(ies); ${failing} assessment(s) expired, missing or invalid, ${t.by_status.expiring} expiring; ${unread} repository(ies) with an invalid manifest or unreadable\n`,
  );
  ctx.exitCode = command === "register" && registerFails(register) ? 1 : 0;
}
