/**
 * Re-evaluation when the base changes (docs/app.md#re-evaluation-when-the-base-changes): a push
 * that changes the manifest on a branch re-evaluates the open pull requests that target it; a
 * push that changes an organisation policy at the branch or tag that manifests name
 * re-evaluates the open pull requests of the repositories seen extending it. At most
 * `MAX_REEVALUATED` pull requests a push; a push that changes neither costs no API call.
 */

import type { GitHubClient, Log, PullRequestTarget } from "../client.js";
import { describeFailure } from "../errors.js";
import type { AdapterCache } from "../reads/cache.js";
import { policyKey } from "../reads/pull-request.js";

/** Pull requests re-evaluated for one push; the rest are on their next event. */
export const MAX_REEVALUATED = 100;

/** A push to a branch or tag, as the event router read it. */
export interface BasePushTarget {
  owner: string;
  repo: string;
  /** `main` for `refs/heads/main`, `v2` for `refs/tags/v2`. */
  ref: string;
  /** True for a branch, which pull requests can target; false for a tag. */
  branch: boolean;
  /**
   * Every path the pushed commits added, modified or removed; undefined when the payload
   * cannot tell (no commit list, a forced push, as many commits as GitHub lists at most).
   */
  paths?: string[];
}

export interface BasePushOutcome {
  /** Why nothing was read, when the push changed neither a manifest nor a known policy. */
  dropped?: string;
  /** The pull requests re-evaluated, in order. */
  reevaluated: PullRequestTarget[];
  /** Open pull requests left to their next event beyond the bound. */
  deferred: number;
}

/** What re-evaluates one pull request: the App's per-PR lock around reconcile. */
export type ReevaluateOne = (
  target: PullRequestTarget & { why: string; fromComment: false },
) => Promise<unknown>;

/**
 * Re-evaluates the open pull requests a base push can have changed the gates of. Never throws:
 * a listing that fails is logged and the pull requests it would have named wait for their
 * next event.
 */
export async function reevaluateAfterPush(
  client: GitHubClient,
  push: BasePushTarget,
  deps: { cache: AdapterCache; log: Log; manifestPath: string },
  reevaluate: ReevaluateOne,
): Promise<BasePushOutcome> {
  const outcome: BasePushOutcome = { reevaluated: [], deferred: 0 };
  const where = `${push.owner}/${push.repo}@${push.ref}`;
  const manifestChanged =
    push.branch && (push.paths === undefined || push.paths.includes(deps.manifestPath));
  const extenders = extendingRepositories(deps.cache, push);
  if (!manifestChanged && extenders.length === 0) {
    outcome.dropped = `the push to ${where} changes neither the governance manifest nor an organisation policy a manifest extends`;
    return outcome;
  }

  const lists: Array<{ owner: string; repo: string; base?: string; why: string }> = [];
  if (manifestChanged) {
    const reason =
      push.paths === undefined
        ? `push to ${where} (its changes are not listed, so the manifest may have changed)`
        : `push to ${where} changing ${deps.manifestPath}`;
    lists.push({ owner: push.owner, repo: push.repo, base: push.ref, why: reason });
  }
  for (const name of extenders) {
    const [owner = "", repo = ""] = name.split("/");
    lists.push({ owner, repo, why: `push to the organisation policy at ${where}` });
  }

  const seen = new Set<string>();
  const queue: Array<PullRequestTarget & { why: string; fromComment: false }> = [];
  for (const list of lists) {
    try {
      const pulls = await client.paginate(client.rest.pulls.list, {
        owner: list.owner,
        repo: list.repo,
        state: "open",
        per_page: 100,
        ...(list.base !== undefined ? { base: list.base } : {}),
      });
      for (const pull of pulls) {
        const key = `${list.owner}/${list.repo}#${pull.number}`.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        queue.push({
          owner: list.owner,
          repo: list.repo,
          pullNumber: pull.number,
          why: list.why,
          fromComment: false,
        });
      }
    } catch (error) {
      deps.log.warn(
        `aigate: could not list the open pull requests of ${list.owner}/${list.repo} after a ${list.why}: ${describeFailure(error).description}; they are re-evaluated on their next event`,
      );
    }
  }
  const now = queue.slice(0, MAX_REEVALUATED);
  outcome.deferred = queue.length - now.length;
  if (outcome.deferred > 0) {
    deps.log.info(
      `aigate: ${where}: re-evaluating ${now.length} open pull requests; ${outcome.deferred} more are re-evaluated on their next event`,
    );
  }
  for (const target of now) {
    await reevaluate(target);
    outcome.reevaluated.push({
      owner: target.owner,
      repo: target.repo,
      pullNumber: target.pullNumber,
    });
  }
  return outcome;
}

/**
 * The repositories seen extending a policy file this push changed, at the pushed branch or
 * tag. Without a list of changed paths every policy known in this repository at that ref counts.
 */
function extendingRepositories(cache: AdapterCache, push: BasePushTarget): string[] {
  const found = new Set<string>();
  const prefix = `${push.owner}/${push.repo}:`.toLowerCase();
  const suffix = `@${push.ref}`.toLowerCase();
  const keys =
    push.paths === undefined
      ? cache.policyExtenders.keys().filter((k) => k.startsWith(prefix) && k.endsWith(suffix))
      : push.paths.map((path) => policyKey(push.owner, push.repo, path, push.ref));
  for (const key of keys) {
    for (const name of cache.policyExtenders.get(key) ?? []) found.add(name);
  }
  return [...found];
}
