/**
 * The reads review requests need (docs/policy.md#review-requests): the issue's review request
 * events — who was requested or removed, by whom, when — and a team's members. Read only when
 * the planner may ask someone (src/github/flow/review-requests.ts).
 */
import * as z from "zod";
import type { MembersLookup, ReviewRequestEvent } from "../../core/policy/index.js";
import type { Actor } from "../../core/types.js";
import type { GitHubClient, PullRequestTarget } from "../client.js";
import { isForbiddenNotRateLimited, isNotFound } from "../errors.js";

const Account = z.looseObject({
  id: z.number().optional(),
  login: z.string(),
  type: z.string().optional(),
});
const RequestEventSchema = z.looseObject({
  event: z.enum(["review_requested", "review_request_removed"]),
  created_at: z.string(),
  actor: Account.nullable().optional(),
  requested_reviewer: z.looseObject({ login: z.string() }).nullable().optional(),
  requested_team: z.looseObject({ slug: z.string() }).nullable().optional(),
  performed_via_github_app: z.looseObject({ id: z.number() }).nullable().optional(),
});

function actorOf(account: z.infer<typeof Account>): Actor {
  const type = account.type === "Bot" || account.type === "Organization" ? account.type : "User";
  return account.id === undefined
    ? { login: account.login, type }
    : { id: account.id, login: account.login, type };
}

/**
 * The pull request's `review_requested` and `review_request_removed` events, from the issue's
 * events (which leave the comments out, so one page holds them on most pull requests). A team
 * is written `owner/slug`: GitHub requests only the repository owner's teams. An event made
 * through the App `appId` is aigate's own.
 */
export async function readReviewRequestEvents(
  client: GitHubClient,
  target: PullRequestTarget,
  appId?: number,
): Promise<ReviewRequestEvent[]> {
  const listed = await client.paginate(client.rest.issues.listEvents, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.pullNumber,
    per_page: 100,
  });
  const events: ReviewRequestEvent[] = [];
  for (const item of listed) {
    const parsed = RequestEventSchema.safeParse(item);
    if (!parsed.success) continue;
    const e = parsed.data;
    const reviewer = e.requested_reviewer
      ? { kind: "user" as const, login: e.requested_reviewer.login }
      : e.requested_team
        ? { kind: "team" as const, team: `${target.owner}/${e.requested_team.slug}` }
        : undefined;
    if (!reviewer) continue;
    const event: ReviewRequestEvent = {
      kind: e.event === "review_requested" ? "requested" : "removed",
      reviewer,
      at: e.created_at,
    };
    if (e.actor) event.actor = actorOf(e.actor);
    if (appId !== undefined && e.performed_via_github_app?.id === appId) event.viaAigate = true;
    events.push(event);
  }
  return events;
}

/** A team's members (`org/team-slug`), or null when the token may not read them. */
export function teamMembersLookup(client: GitHubClient): MembersLookup {
  return async (team) => {
    const [org, slug] = team.split("/");
    if (!org || !slug) return null;
    try {
      const members = await client.paginate(client.rest.teams.listMembersInOrg, {
        org,
        team_slug: slug,
        per_page: 100,
      });
      return members.map((m) => m.login);
    } catch (error) {
      if (isForbiddenNotRateLimited(error) || isNotFound(error)) return null;
      throw error;
    }
  };
}
