/**
 * A merge queue's `merge_group.checks_requested` (docs/app.md#merge-queues): the pull request
 * the queue ref names is evaluated with the manifest at the group's base and the group's own
 * diff, from the approvals already attested on the pull request, and both checks are written
 * on the group's head. Nothing is attested here. Anything that keeps aigate from judging the
 * group — a ref it does not recognise, a closed or unknown pull request, a GitHub failure —
 * fails both checks, saying why: the queue never waits on a missing check, and never merges on
 * a blanket success.
 */
import { approvalsAfter, rejectedFrom, verifierFor } from "../../core/attestation/index.js";
import { MAX_COMPARE_FILES } from "../../core/limits.js";
import { MANIFEST_PATH } from "../../core/manifest/schema.js";
import { evaluate, planApprovals } from "../../core/policy/index.js";
import { governedOutsidePullRequest, judgeMergeGroup } from "../../core/policy/merge-group.js";
import { md } from "../../core/report/markdown.js";
import { readChange, readChangeFiles } from "../../facts/gather.js";
import type { SourceReader } from "../../facts/reader.js";
import type { GitHubClient } from "../client.js";
import { describeFailure, isNotFound } from "../errors.js";
import { attestationComments, bodiesOf, verifyFound } from "../flow/attest.js";
import { errorChecks, refusedChecks, renderChecks } from "../flow/checks.js";
import { emptyResult, type ReconcileDeps, type ReconcileResult } from "../flow/contract.js";
import { type CheckContent, publishChecks } from "../flow/publish.js";
import { readChangedFiles, readComparedFiles, readFileAt } from "../reads/change.js";
import { readComments, readCommits, readReviews, readTeamsOf } from "../reads/conversation.js";
import {
  changeFacts,
  changeTargetFor,
  readChangesSince,
  readPullRequest,
} from "../reads/pull-request.js";
import { LockLostError, PROCESS_LOCK } from "../replicas/lock.js";

/** A merge queue asking for checks on one group. */
export interface MergeGroupTarget {
  owner: string;
  repo: string;
  /** The group's head commit: both checks are written on it. */
  headSha: string;
  /** The group's base, which holds the entries ahead of it in the queue. */
  baseSha?: string;
  headRef?: string;
  /** The pull request the queue ref names, or why none could be recognised. */
  pull: { ok: true; pullNumber: number } | { ok: false; reason: string };
}

/** Evaluates one merge group and writes both checks on its head. Never throws. */
export async function reconcileMergeGroup(
  client: GitHubClient,
  target: MergeGroupTarget,
  deps: ReconcileDeps,
): Promise<ReconcileResult> {
  const result = emptyResult();
  const repo = { owner: target.owner, repo: target.repo };
  const write = async (checks: CheckContent[]) => {
    if (deps.write === false) return;
    // Whoever holds the group's lock now writes its checks; writing here could undo theirs.
    await (deps.lock ?? PROCESS_LOCK).assertHeld();
    const where = { ...repo, headSha: target.headSha };
    Object.assign(
      result.checks,
      await publishChecks(client, where, checks, deps.appId, deps.now(), {
        records: deps.checkRecords,
      }),
    );
  };
  try {
    if (!target.pull.ok || target.baseSha === undefined) {
      const reason = target.pull.ok
        ? "the merge_group event names no base commit"
        : target.pull.reason;
      result.skipped = reason;
      await write(
        refusedChecks("Merge queue entry not recognised", [
          `${md(reason)}.`,
          "",
          "aigate evaluates a merge group as the one pull request its branch names. It cannot tell which pull request this group holds, so it fails closed: the entry leaves the queue instead of merging unchecked.",
        ]),
      );
      return result;
    }
    const pullNumber = target.pull.pullNumber;
    const prTarget = { ...repo, pullNumber };
    const pr = await readPullRequest(client, prTarget).catch((error: unknown) => {
      if (isNotFound(error)) return null;
      throw error;
    });
    if (!pr || pr.state === "closed") {
      const what = pr ? "is closed" : `does not exist in ${target.owner}/${target.repo}`;
      result.skipped = `pull request #${pullNumber} ${what}`;
      await write(
        refusedChecks(`Merge group for pull request #${pullNumber}, which ${what}`, [
          `The merge queue ref names pull request #${pullNumber}, which ${what}: there are no approvals to judge this group by, so it fails closed.`,
        ]),
      );
      return result;
    }

    const baseSha = target.baseSha;
    const reader: SourceReader = {
      readFile: (revision, path) => readFileAt(client, deps.cache, repo, revision, path),
      changedFiles: () => readComparedFiles(client, repo, baseSha, target.headSha),
    };
    const manifestPath = deps.manifestPath ?? MANIFEST_PATH;
    const changeTarget = changeTargetFor(client, deps.cache, repo, {
      baseSha,
      headSha: target.headSha,
      manifestPath,
    });
    const change = await readChange(reader, changeTarget);
    // Approvals are judged at the pull request's head; the manifest comes from the group's base.
    const onGroupBase = { ...pr, pullRequest: { ...pr.pullRequest, baseSha } };
    const facts = changeFacts(onGroupBase, { ...change, headFiles: {}, baseFiles: {} });
    facts.changedFilesLimit = MAX_COMPARE_FILES;

    const preparation = change.prepared?.preparation;
    let outside: string[] = [];
    if (preparation?.ok && change.affected.length > 0) {
      const [files, commits, reviews, comments, prFiles] = await Promise.all([
        readChangeFiles(reader, changeTarget, change),
        readCommits(client, deps.cache, prTarget, pr.pullRequest),
        readReviews(client, prTarget),
        readComments(client, prTarget),
        readChangedFiles(client, prTarget, pr.changedFilesCount),
      ]);
      facts.headFiles = files.headFiles;
      facts.baseFiles = files.baseFiles;
      facts.commits = commits;
      facts.commitsTruncated = pr.commitsCount > commits.length;
      // Keyless approvals count as on the pull request itself (docs/app.md#merge-queues).
      const found = attestationComments(pr, comments);
      const signers = preparation.manifest.governance.signers ?? [];
      const bundles = await verifierFor(deps.bundles, signers, bodiesOf(found));
      const report = verifyFound(pr, found, deps.trustedJwks, deps.cache, bundles);
      // The plan is read for its vetoes and refusals only: a merge group attests nothing.
      const plan = await planApprovals(
        {
          pullRequest: pr.pullRequest,
          manifest: preparation.manifest,
          affected: change.affected,
          commits,
          reviews,
          comments,
          report,
          now: deps.now(),
        },
        (login, teams) => readTeamsOf(client, deps.cache, login, teams),
      );
      facts.approvals = approvalsAfter(report, [], plan.ineligible);
      facts.rejectedAttestations = rejectedFrom(report);
      facts.vetoes = plan.vetoes;
      facts.changedSince = await readChangesSince(
        client,
        deps.cache,
        prTarget,
        facts.approvals,
        pr.pullRequest.headSha,
      );
      // A path missing from a truncated list of the pull request's files counts as outside it.
      outside = governedOutsidePullRequest(
        preparation.compiled,
        change.changedFiles,
        prFiles.files,
      );
    }

    let decision = evaluate(facts, deps.now(), change.prepared);
    decision.mergeGroup = {
      ref: target.headRef ?? "",
      headSha: target.headSha,
      baseSha,
    };
    decision = judgeMergeGroup(decision, outside, pullNumber);
    result.decision = decision;
    await write(renderChecks(decision));
    return result;
  } catch (error) {
    if (error instanceof LockLostError) {
      deps.log.warn(
        `aigate: ${target.owner}/${target.repo} merge group ${target.headSha}: ${error.message}; stopped without writing`,
      );
      result.skipped = error.message;
      return result;
    }
    return reportMergeGroupFailure(client, target, error, deps, result);
  }
}

/**
 * Both checks red on the group's head for a failure, naming the call and GitHub's request id
 * (also when the per-group lock could not be taken). Never throws.
 */
export async function reportMergeGroupFailure(
  client: GitHubClient,
  target: MergeGroupTarget,
  error: unknown,
  deps: ReconcileDeps,
  result: ReconcileResult = emptyResult(),
): Promise<ReconcileResult> {
  const failure = describeFailure(error);
  result.error = failure;
  deps.log.error(
    `aigate: ${target.owner}/${target.repo} merge group ${target.headSha}: ${failure.description}`,
  );
  if (deps.write === false) return result;
  try {
    const where = { owner: target.owner, repo: target.repo, headSha: target.headSha };
    const checks = errorChecks(failure, deps.now());
    Object.assign(
      result.checks,
      await publishChecks(client, where, checks, deps.appId, deps.now(), {
        records: deps.checkRecords,
      }),
    );
  } catch (writeError) {
    deps.log.error(
      `aigate: could not write the error checks either: ${describeFailure(writeError).description}`,
    );
  }
  return result;
}
