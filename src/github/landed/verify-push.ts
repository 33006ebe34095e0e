/** The merge verification flow of one push: the governed commits it landed, each judged once, one check run with its signed record (docs/app.md#merge-verification). */
import type { BundlesFor, Jwks, KeylessSigner, Signer } from "../../core/attestation/index.js";
import { prepareManifest } from "../../core/manifest/prepare.js";
import {
  type Bypass,
  type ChainCommit,
  firstParentChain,
  type GovernedCommit,
  governedChange,
  isGovernedBranch,
  MAX_JUDGED_COMMITS,
  type ManifestAtParent,
  type MergeFacts,
  mergeRecord,
  mergeRecordKeyless,
  type Unjudged,
  type VerificationResult,
} from "../../core/merge-verification/index.js";
import { MERGE_VERIFICATION_CHECK_NAME } from "../../core/report/index.js";
import type { GitHubClient, Log } from "../client.js";
import type { AdapterCache, FileAtCommit } from "../reads/cache.js";
import { readFileAt } from "../reads/change.js";
import type { Serialiser } from "../replicas/serialise.js";
import { recordBypass } from "./bypass-issue.js";
import type { LandedPush } from "./push.js";
import {
  knownBlobsAt,
  type LandedCommit,
  readApprovalInputs,
  readAssociatedPull,
  readBlobsAt,
  readGateChecks,
  readLandedCommit,
} from "./reads.js";

export interface LandedDeps {
  /**
   * Signs each record: the Ed25519 key, or keyless with Sigstore where the Action's signing
   * decision is keyless (docs/action.md#keyless-merge-verifications).
   */
  signer: Signer | KeylessSigner;
  jwks: Jwks;
  /**
   * Verifies keyless approvals for the workflows the governing manifest allows (its
   * governance.signers); without it they count for nothing (docs/app.md#keyless-approvals).
   */
  bundles?: BundlesFor | undefined;
  appId: number | undefined;
  /** The door's identity for `verifier.id`, and aigate's version. */
  verifier: { id: string; version: string };
  /** The web host's base URL, e.g. `https://github.com`. */
  web: string;
  manifestPath: string;
  cache: AdapterCache;
  serialiser: Serialiser;
  log: Log;
  now: () => Date;
  /**
   * Where a FAILED record is added for the owners: the App's issue of bypasses by default; the
   * Action's register tracking issue (docs/action.md#bypasses-in-the-tracking-issue).
   */
  recordBypass?: (
    client: GitHubClient,
    repo: { owner: string; repo: string },
    bypass: Bypass,
  ) => Promise<unknown>;
}

export interface LandedOutcome {
  /** Why nothing was judged, when nothing was. */
  dropped?: string;
  /**
   * The records written, by commit, each with its envelope (canonical DSSE JSON) and, when signed
   * keyless, the Sigstore bundle that carries it.
   */
  written: Array<{ sha: string; result: VerificationResult; envelope: string; bundle?: unknown }>;
  /** Governed commits whose record was there already (a redelivery, another replica). */
  existing: string[];
}

const NO_COMMIT = /^0+$/;

/** Verifies what a push landed. Throws on a GitHub failure: the caller logs it, nothing is half-written. */
export async function verifyLandedPush(
  client: GitHubClient,
  push: LandedPush,
  deps: LandedDeps,
): Promise<LandedOutcome> {
  const outcome: LandedOutcome = { written: [], existing: [] };
  const where = `${push.owner}/${push.repo}@${push.branch}`;
  const repo = { owner: push.owner, repo: push.repo };
  const before = push.before && !NO_COMMIT.test(push.before) ? push.before : undefined;
  if (before === undefined) {
    outcome.dropped = `${where} is a new branch: nothing landed on it`;
    return outcome;
  }
  let manifest = await manifestAt(client, deps, repo, before);
  if (manifest.state === "absent") {
    outcome.dropped = `${where} has no governance manifest before the push`;
    return outcome;
  }
  const governs =
    manifest.state === "prepared"
      ? isGovernedBranch(manifest.prepared.manifest, push.branch, push.defaultBranch)
      : push.branch === push.defaultBranch;
  if (!governs) {
    outcome.dropped = `${push.branch} is not a governed branch of ${push.owner}/${push.repo}`;
    return outcome;
  }
  // No governed path among everything the payload lists: no record, and no request.
  if (push.paths !== undefined && !push.forced) {
    const touched = governedChange({
      sha: push.after,
      changed: push.paths.map((path) => ({ path, status: "modified" })),
      manifest,
    });
    if (!touched) {
      remember(deps.cache, repo, push.after, deps.manifestPath, before);
      outcome.dropped = `the push to ${where} changes no governed path`;
      return outcome;
    }
  }

  let manifestCommit = before;
  const { chain, unjudged } = await readChain(client, repo, push, before);
  const pushed = chain.map((c) => c.sha);
  for (const [index, commit] of chain.entries()) {
    const parent = commit.parents[0];
    const candidate: ChainCommit = { sha: commit.sha, changed: commit.files, manifest };
    let governed = parent ? governedChange(candidate) : undefined;
    const head = index === chain.length - 1;
    const leftover = head ? unjudged : undefined;
    if (commit.truncated && !governed && manifest.state !== "absent") {
      // More files than GitHub lists: what is not listed may be governed. Fail closed.
      governed = { sha: commit.sha, affected: [], files: commit.files, manifest };
    }
    if (!governed && leftover && manifest.state !== "absent") {
      governed = { sha: commit.sha, affected: [], files: [], manifest };
    }
    if (governed) {
      const result = await judgeOnce(client, repo, push.branch, governed, pushed, leftover, deps);
      if (result === "existing") outcome.existing.push(commit.sha);
      else outcome.written.push({ sha: commit.sha, ...result });
    }
    if (
      commit.files.some((f) => f.path === deps.manifestPath || f.previousPath === deps.manifestPath)
    ) {
      manifest = await manifestAt(client, deps, repo, commit.sha);
      manifestCommit = commit.sha;
    }
  }
  // The next push to the branch starts where this one ended: its manifest is then known.
  if (chain.at(-1)?.sha === push.after) {
    remember(deps.cache, repo, push.after, deps.manifestPath, manifestCommit);
  }
  return outcome;
}

/**
 * The commits the push added to the first-parent history, oldest first, at most 250, read one
 * by one from the head (each read is needed for its files anyway); a forced push is listed by a
 * compare from the merge base.
 */
async function readChain(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  push: LandedPush,
  before: string,
): Promise<{ chain: LandedCommit[]; unjudged?: Unjudged }> {
  const chain: LandedCommit[] = [];
  if (push.forced) {
    const { data } = await client.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${before}...${push.after}`,
      per_page: 100,
    });
    const shas = firstParentChain(
      data.commits.map((c) => ({ sha: c.sha, parents: c.parents.map((p) => p.sha) })),
      data.merge_base_commit.sha,
      push.after,
    );
    for (const sha of shas.slice(-MAX_JUDGED_COMMITS))
      chain.push(await readLandedCommit(client, repo, sha));
    const count = Math.max(0, data.ahead_by - chain.length);
    return { chain, unjudged: { head: push.after, count, forced: true } };
  }
  let at: string | undefined = push.after;
  while (at !== undefined && at !== before && chain.length < MAX_JUDGED_COMMITS) {
    const commit = await readLandedCommit(client, repo, at);
    chain.unshift(commit);
    at = commit.parents[0];
  }
  if (at === undefined || at === before) return { chain };
  // More than the bound: the head's record says how many were left.
  const { data } = await client.rest.repos.compareCommitsWithBasehead({
    ...repo,
    basehead: `${before}...${push.after}`,
    per_page: 1,
  });
  return {
    chain,
    unjudged: {
      head: push.after,
      count: Math.max(1, data.total_commits - chain.length),
      forced: false,
    },
  };
}

/** Judges one commit under its key's lock, unless its record exists already. */
async function judgeOnce(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  branch: string,
  commit: GovernedCommit,
  pushed: string[],
  unjudged: Unjudged | undefined,
  deps: LandedDeps,
): Promise<Omit<LandedOutcome["written"][number], "sha"> | "existing"> {
  let result: Omit<LandedOutcome["written"][number], "sha"> | "existing" = "existing";
  const key = `${repo.owner}/${repo.repo}@${commit.sha}:merge-verification`.toLowerCase();
  await deps.serialiser.run(key, commit.sha, async () => {
    const { data } = await client.rest.checks.listForRef({
      ...repo,
      ref: commit.sha,
      check_name: MERGE_VERIFICATION_CHECK_NAME,
      filter: "latest",
      ...(deps.appId !== undefined ? { app_id: deps.appId } : {}),
    });
    if (data.total_count > 0) return;
    const facts = await readFacts(client, repo, branch, commit, pushed, unjudged, deps);
    const context = {
      repository: { host: new URL(deps.web).host, fullName: `${repo.owner}/${repo.repo}` },
      verifier: deps.verifier,
      now: deps.now(),
    };
    // Signed before anything is written: a keyless signing failure leaves no record, never an unsigned one.
    const record =
      "keyless" in deps.signer
        ? await mergeRecordKeyless(facts, context, deps.signer)
        : mergeRecord(facts, context, deps.signer);
    await client.rest.checks.create({
      ...repo,
      name: MERGE_VERIFICATION_CHECK_NAME,
      head_sha: commit.sha,
      status: "completed",
      conclusion: record.output.conclusion,
      output: {
        title: record.output.title,
        summary: record.output.summary,
        text: record.output.text,
      },
    });
    result = { result: record.verdict.result, envelope: record.signed.envelopeJson };
    if (record.signed.bundle !== undefined) result.bundle = record.signed.bundle;
    if (record.verdict.result === "FAILED") {
      await (deps.recordBypass ?? recordBypass)(client, repo, {
        sha: commit.sha,
        url: `${deps.web}/${repo.owner}/${repo.repo}/commit/${commit.sha}`,
        branch,
        reason: record.verdict.reasons.map((r) => r.message).join(" "),
        at: record.statement.predicate.timeVerified,
      });
    }
    deps.log.info(
      `aigate: ${repo.owner}/${repo.repo}@${commit.sha.slice(0, 7)} on ${branch}: merge verification ${record.verdict.result}${record.verdict.reasons[0] ? ` (${record.verdict.reasons[0].message})` : ""}`,
    );
  });
  return result;
}

async function readFacts(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  branch: string,
  commit: GovernedCommit,
  pushed: string[],
  unjudged: Unjudged | undefined,
  deps: LandedDeps,
): Promise<MergeFacts> {
  const facts: MergeFacts = { commit, branch, pushed, attestations: [], assessments: [] };
  if (unjudged) facts.unjudged = unjudged;
  const pr = await readAssociatedPull(client, repo, commit.sha, branch);
  if (!pr) return facts;
  facts.pullRequest = pr;
  const landed = pr.mergeCommitSha ?? commit.sha;
  const paths = commit.files.map((f) => f.path);
  const [checks, approvedBlobs, landedBlobs, inputs] = await Promise.all([
    readGateChecks(client, repo, pr.headSha, deps.appId),
    knownBlobsAt(deps.cache, repo, pr.headSha, paths) ??
      readBlobsAt(client, repo, pr.headSha, paths),
    // A rebase merge is judged at its last commit; a merge or squash commit at itself.
    landed === commit.sha ? Promise.resolve(undefined) : readBlobsAt(client, repo, landed, paths),
    readApprovalInputs(client, repo, pr, deps.jwks, deps.web, {
      bundles: deps.bundles,
      signers:
        commit.manifest.state === "prepared"
          ? (commit.manifest.prepared.manifest.governance.signers ?? [])
          : [],
    }),
  ]);
  facts.checks = checks;
  facts.attestations = inputs.attestations;
  facts.assessments = inputs.assessments;
  if (approvedBlobs) {
    facts.files = commit.files.map((f) => ({
      path: f.path,
      landed:
        landedBlobs?.get(f.path) ??
        (landed === commit.sha ? ("blob" in f ? (f as { blob: string | null }).blob : null) : null),
      approved: approvedBlobs.get(f.path) ?? null,
    }));
  }
  return facts;
}

/** The manifest at a commit, prepared once per content (cached by the adapter). */
async function manifestAt(
  client: GitHubClient,
  deps: LandedDeps,
  repo: { owner: string; repo: string },
  commit: string,
): Promise<ManifestAtParent> {
  const file = await readFileAt(client, deps.cache, repo, commit, deps.manifestPath);
  if (!file?.text) return { state: "absent" };
  const key = `${deps.manifestPath}\0${file.sha256}`;
  let prepared = deps.cache.manifests.get(key);
  if (!prepared) {
    prepared = prepareManifest(file.text, deps.manifestPath);
    deps.cache.manifests.set(key, prepared);
  }
  return prepared.ok
    ? { state: "prepared", prepared, path: deps.manifestPath, commit, sha256: file.sha256 }
    : {
        state: "invalid",
        path: deps.manifestPath,
        commit,
        sha256: file.sha256,
        problem: prepared.errors[0]?.message ?? "invalid",
      };
}

/**
 * Notes that the manifest at `after` is the one read at `from` (no commit between changed it),
 * so the next push to the branch, whose `before` is `after`, reads nothing.
 */
function remember(
  cache: AdapterCache,
  repo: { owner: string; repo: string },
  after: string,
  path: string,
  from: string,
): void {
  const known: FileAtCommit | null | undefined = cache.files.get(
    `${repo.owner}/${repo.repo}@${from}:${path}`,
  );
  if (known !== undefined) cache.files.set(`${repo.owner}/${repo.repo}@${after}:${path}`, known);
}
