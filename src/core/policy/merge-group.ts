import { type CompiledMatcher, touchesGoverned } from "../match.js";
import type { ChangedFile, Decision, GateResult } from "../types.js";
import { withMore } from "./evaluate.js";

/**
 * The governed paths a merge queue's group changes and the pull request it holds does not: a
 * system's files, the manifest, an assessment, evidence or the AI policy that the group brings
 * in and the approvers never saw. Paths and previous paths of renames both count.
 */
export function governedOutsidePullRequest(
  compiled: CompiledMatcher,
  groupFiles: ChangedFile[],
  pullRequestFiles: ChangedFile[],
): string[] {
  const paths = (files: ChangedFile[]) =>
    files.flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path]));
  const own = new Set(paths(pullRequestFiles));
  return [...new Set(paths(groupFiles))].filter(
    (path) => !own.has(path) && touchesGoverned(compiled, [path]),
  );
}

/**
 * A merge queue's group is judged by its own diff, but its approvals were given on the pull
 * request it holds (docs/app.md#merge-queues). A governed path that the group changes and the
 * pull request does not was never in front of the approvers, so it fails both gates; and since
 * nobody can approve a group, a gate still waiting fails too. Pure: `decision` is the group's,
 * `outside` what `governedOutsidePullRequest` found.
 */
export function judgeMergeGroup(
  decision: Decision,
  outside: string[],
  pullNumber: number,
): Decision {
  if (outside.length === 0) return { ...decision, ...noWaiting(decision) };
  const shown = outside.slice(0, 10).join(", ");
  const more = outside.length > 10 ? ` and ${outside.length - 10} more` : "";
  const problems = [
    `the merge group changes governed files that pull request #${pullNumber} does not: ${shown}${more}`,
  ];
  return {
    ...decision,
    assessment: { ...decision.assessment, ...failed(decision.assessment, problems) },
    oversight: { ...decision.oversight, ...failed(decision.oversight, problems) },
  };
}

/**
 * Nobody can approve a merge group: a gate still waiting for approvals fails it, so the entry
 * leaves the queue instead of merging (success only when both gates pass).
 */
function noWaiting(decision: Decision): Pick<Decision, "assessment" | "oversight"> {
  const settle = <G extends GateResult>(gate: G): G =>
    gate.conclusion === "action_required" ? { ...gate, conclusion: "failure" } : gate;
  return { assessment: settle(decision.assessment), oversight: settle(decision.oversight) };
}

function failed(gate: GateResult, problems: string[]): GateResult {
  const earlier = gate.conclusion === "success" ? [] : [gate.title];
  return {
    conclusion: "failure",
    title: withMore([...problems, ...earlier]),
    problems: [...problems, ...(gate.problems ?? [])],
  };
}

/**
 * The pull request a merge queue's ref names: `refs/heads/gh-readonly-queue/<base>/pr-<N>-<sha>`
 * (also without `refs/heads/`). GitHub batches by chaining single-PR groups, so exactly one
 * `pr-<N>-` segment is recognised; anything else is refused with the reason. The SHA in the
 * ref is not used: GitHub does not document which commit it names.
 */
export function queuedPullRequest(
  headRef: string,
): { ok: true; pullNumber: number; base: string } | { ok: false; reason: string } {
  const ref = headRef.replace(/^refs\/heads\//, "");
  const refuse = (why: string) => ({
    ok: false as const,
    reason: `the merge queue ref ${JSON.stringify(headRef)} ${why}`,
  });
  const segments = ref.split("/");
  if (segments[0] !== "gh-readonly-queue") {
    return refuse("is not a merge queue branch (gh-readonly-queue/<base>/pr-<N>-<sha>)");
  }
  const named = segments.filter((s) => /^pr-\d+-/.test(s));
  if (named.length !== 1) {
    return refuse(
      named.length === 0
        ? "names no pull request (pr-<N>-<sha>)"
        : `names ${named.length} pull requests; a group holds exactly one`,
    );
  }
  const match = /^pr-([1-9]\d{0,9})-[0-9a-f]{7,64}$/.exec(segments.at(-1) ?? "");
  const base = segments.slice(1, -1).join("/");
  if (!match?.[1] || base === "") {
    return refuse("is not gh-readonly-queue/<base>/pr-<N>-<sha>");
  }
  return { ok: true, pullNumber: Number(match[1]), base };
}
