/**
 * Reads and writes the register's tracking issue (plan: src/core/register/tracking.ts). One
 * list request finds it by label and marker; a write happens only when the plan says so.
 */

import type { Register } from "../../core/register/index.js";
import {
  planTrackingIssue,
  TRACKING_LABEL,
  type TrackedIssue,
  type TrackingPlan,
  trackingMarker,
} from "../../core/register/tracking.js";
import type { GitHubClient } from "../client.js";
import { statusOf } from "../errors.js";

/** The newest open issue carrying the marker, else the newest closed one. */
async function findTrackingIssue(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  marker: string,
): Promise<TrackedIssue | null> {
  const issues = await client.paginate(client.rest.issues.listForRepo, {
    owner: repo.owner,
    repo: repo.repo,
    labels: TRACKING_LABEL,
    state: "all",
    per_page: 100,
  });
  const ours = issues
    .filter((i) => !i.pull_request && (i.body ?? "").includes(marker))
    .map(
      (i): TrackedIssue => ({
        number: i.number,
        state: i.state === "closed" ? "closed" : "open",
        body: i.body ?? "",
      }),
    )
    .sort((a, b) => b.number - a.number);
  return ours.find((i) => i.state === "open") ?? ours[0] ?? null;
}

/** Brings the tracking issue in line with the register; returns what was done and its number. */
export async function syncTrackingIssue(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  register: Register,
): Promise<{ plan: TrackingPlan; number: number | null }> {
  const existing = await findTrackingIssue(
    client,
    repo,
    trackingMarker(register.source.description),
  );
  const plan = planTrackingIssue(existing, register);
  switch (plan.kind) {
    case "none":
      return { plan, number: plan.number };
    case "create": {
      try {
        await client.rest.issues.createLabel({
          owner: repo.owner,
          repo: repo.repo,
          name: TRACKING_LABEL,
          color: "bf8700",
          description: "Risk assessments expired or due (kept by aigate)",
        });
      } catch (error) {
        if (statusOf(error) !== 422) throw error; // 422: the label exists already
      }
      const { data } = await client.rest.issues.create({
        owner: repo.owner,
        repo: repo.repo,
        title: plan.title,
        body: plan.body,
        labels: plan.labels,
      });
      return { plan, number: data.number };
    }
    case "update":
    case "close":
      await client.rest.issues.update({
        owner: repo.owner,
        repo: repo.repo,
        issue_number: plan.number,
        body: plan.body,
        ...(plan.kind === "close"
          ? { state: "closed" as const, state_reason: "completed" as const }
          : plan.reopen
            ? { state: "open" as const }
            : {}),
      });
      return { plan, number: plan.number };
  }
}
