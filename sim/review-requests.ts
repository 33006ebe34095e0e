import { z } from "zod";
import { errorReply, type OpHandler, type OpRequest, paginate } from "./handlers.js";
import {
  commentJson,
  pullSimpleJson,
  reviewRequestEventJson,
  teamJson,
  userJson,
} from "./representations.js";
import { GITHUB_ACTIONS_APP, type SimPullRequest, type SimState, type SimUser } from "./state.js";

/**
 * Review requests in the simulated GitHub: request, remove and list requested reviewers, the
 * `review_requested` / `review_request_removed` events in the issue's events and in its
 * timeline (with the comments, as GitHub lists them there too), and a team's members. GitHub refuses a request naming a user who is
 * not a collaborator or a team without access to the repository (422, the whole request).
 */

const requestBody = z.looseObject({
  reviewers: z.array(z.string()).optional(),
  team_reviewers: z.array(z.string()).optional(),
});

/** Requested users and teams a pull request may have at once. */
const MAX_REQUESTED = 15;

export function reviewRequestHandlers(state: SimState): Record<string, OpHandler> {
  const pullOf = (req: OpRequest): SimPullRequest | undefined =>
    state
      .repo(req.params.owner ?? "", req.params.repo ?? "")
      ?.pulls.get(Number.parseInt(req.params.pull_number ?? req.params.issue_number ?? "", 10));
  const notFound = () => errorReply(404, "Not Found");
  const actorUser = (req: OpRequest): SimUser => state.actorUser(req.actor);

  return {
    "pulls/request-reviewers": (req) => {
      const pr = pullOf(req);
      if (!pr) return notFound();
      const body = requestBody.safeParse(req.body);
      if (!body.success) return errorReply(422, "Invalid request.");
      const logins = body.data.reviewers ?? [];
      const slugs = body.data.team_reviewers ?? [];
      const { repo } = pr;
      if (
        slugs.length > 0 &&
        req.actor.kind === "app" &&
        req.actor.app.id === GITHUB_ACTIONS_APP.id
      ) {
        // A workflow's GITHUB_TOKEN cannot see the organisation's teams.
        return errorReply(403, "Resource not accessible by integration");
      }
      if (logins.length !== new Set(logins.map((l) => l.toLowerCase())).size) {
        return errorReply(422, "Validation Failed: duplicate reviewers");
      }
      if (logins.some((l) => l.toLowerCase() === pr.author.login.toLowerCase())) {
        return errorReply(422, "Review cannot be requested from pull request author.");
      }
      const users = logins.map((l) => state.findUser(l));
      const outsider =
        users.some((u) => !u || !repo.isCollaborator(u.login)) ||
        slugs.some(
          (slug) =>
            !state.hasTeam(repo.owner.login, slug) || !repo.teamsWithAccess.has(slug.toLowerCase()),
        );
      if (outsider) {
        return errorReply(
          422,
          `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.fullName} repository.`,
        );
      }
      const known = users.filter((u): u is SimUser => u !== undefined);
      const added =
        known.filter((u) => !pr.requestedUsers.some((r) => r.id === u.id)).length +
        slugs.filter((s) => !pr.requestedTeams.includes(s.toLowerCase())).length;
      if (pr.requestedUsers.length + pr.requestedTeams.length + added > MAX_REQUESTED) {
        return errorReply(
          422,
          `Validation Failed: a pull request may have at most ${MAX_REQUESTED} reviewers requested`,
        );
      }
      const via = req.actor.kind === "app" ? req.actor.app : null;
      pr.requestReviewers(actorUser(req), known, slugs, via);
      return { status: 201, json: pullSimpleJson(pr, req.urls) };
    },
    "pulls/remove-requested-reviewers": (req) => {
      const pr = pullOf(req);
      if (!pr) return notFound();
      const body = requestBody.safeParse(req.body);
      if (!body.success) return errorReply(422, "Invalid request.");
      const users = (body.data.reviewers ?? [])
        .map((l) => state.findUser(l))
        .filter((u): u is SimUser => u !== undefined);
      pr.removeRequestedReviewers(actorUser(req), users, body.data.team_reviewers ?? []);
      return { status: 200, json: pullSimpleJson(pr, req.urls) };
    },
    "pulls/list-requested-reviewers": (req) => {
      const pr = pullOf(req);
      if (!pr) return notFound();
      return {
        status: 200,
        json: {
          users: pr.requestedUsers.map((u) => userJson(u, req.urls)),
          teams: pr.requestedTeams.map((t) => teamJson(pr.repo.owner.login, t, req.urls)),
        },
      };
    },
    "issues/list-events-for-timeline": (req) => {
      const pr = pullOf(req);
      if (!pr) return notFound();
      const events = [
        ...pr.requestEvents.map((e) => ({
          at: e.createdAt,
          id: e.id,
          json: () => reviewRequestEventJson(pr, e, req.urls),
        })),
        ...pr.repo.issueComments(pr.number).map((c) => ({
          at: c.createdAt,
          id: c.id,
          json: () => ({ ...commentJson(pr.repo, c, req.urls), event: "commented" }),
        })),
      ].sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id);
      return paginate(req, events, (e) => e.json());
    },
    // The issue's events (not its comments): here only the review request events.
    "issues/list-events": (req) => {
      const pr = pullOf(req);
      if (!pr) return notFound();
      return paginate(req, pr.requestEvents, (e) => reviewRequestEventJson(pr, e, req.urls));
    },
    "teams/list-members-in-org": (req) => {
      const { org = "", team_slug: slug = "" } = req.params;
      if (req.actor.kind === "app" && req.actor.app.id === GITHUB_ACTIONS_APP.id) {
        return errorReply(403, "Resource not accessible by integration");
      }
      const members = state.teamMembers(org, slug);
      if (!members) return notFound();
      return paginate(req, members, (u) => userJson(u, req.urls));
    },
  };
}
