/** Reads and writes the App's issue of changes that bypassed the gates (plan: src/core/merge-verification/bypass-issue.ts). */
import {
  BYPASS_LABEL,
  BYPASS_MARKER,
  type Bypass,
  type ExistingIssue,
  planBypassIssue,
} from "../../core/merge-verification/index.js";
import type { GitHubClient } from "../client.js";
import { statusOf } from "../errors.js";

/** Adds a bypass to the issue (created on the first): one list, then at most one write. */
export async function recordBypass(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  bypass: Bypass,
): Promise<number | null> {
  const issues = await client.paginate(client.rest.issues.listForRepo, {
    ...repo,
    labels: BYPASS_LABEL,
    state: "all",
    per_page: 100,
  });
  const ours = issues
    .filter((i) => !i.pull_request && (i.body ?? "").includes(BYPASS_MARKER))
    .map(
      (i): ExistingIssue => ({
        number: i.number,
        state: i.state === "closed" ? "closed" : "open",
        body: i.body ?? "",
      }),
    )
    .sort((a, b) => b.number - a.number);
  const existing = ours.find((i) => i.state === "open") ?? ours[0] ?? null;
  const plan = planBypassIssue(existing, bypass);
  switch (plan.kind) {
    case "none":
      return existing?.number ?? null;
    case "create": {
      try {
        await client.rest.issues.createLabel({
          ...repo,
          name: BYPASS_LABEL,
          color: "b60205",
          description: "Changes that landed without passing aigate's gates",
        });
      } catch (error) {
        if (statusOf(error) !== 422) throw error; // the label exists already
      }
      const { data } = await client.rest.issues.create({
        ...repo,
        title: plan.title,
        body: plan.body,
        labels: plan.labels,
      });
      return data.number;
    }
    case "update":
      await client.rest.issues.update({
        ...repo,
        issue_number: plan.number,
        body: plan.body,
        ...(plan.reopen ? { state: "open" as const } : {}),
      });
      return plan.number;
  }
}
