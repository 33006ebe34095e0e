/**
 * The shapes of the pull-request events the router reads, parsed with zod at this edge: only
 * the fields it uses, every other field passed through untouched.
 */
import * as z from "zod";

export const Repository = z.looseObject({
  name: z.string(),
  owner: z.looseObject({ login: z.string() }),
});
const Sender = z
  .looseObject({ type: z.string().optional(), login: z.string().optional() })
  .optional();
const Author = z.looseObject({ login: z.string() }).nullable().optional();
const PullRequest = z.looseObject({
  number: z.int().positive(),
  head: z.looseObject({ sha: z.string() }),
  user: Author,
});

export const PullRequestEvent = z.looseObject({
  action: z.string(),
  repository: Repository,
  sender: Sender,
  pull_request: PullRequest,
  changes: z.looseObject({ base: z.unknown().optional() }).optional(),
});
export const ReviewEvent = z.looseObject({
  action: z.string(),
  repository: Repository,
  pull_request: PullRequest,
  review: z.looseObject({
    state: z.string(),
    body: z.string().nullable().optional(),
    user: Author,
    author_association: z.string().optional(),
  }),
  changes: z.looseObject({ body: z.looseObject({ from: z.string() }).optional() }).optional(),
});
export const CommentEvent = z.looseObject({
  action: z.string(),
  repository: Repository,
  sender: Sender,
  issue: z.looseObject({
    number: z.int().positive(),
    pull_request: z.unknown().optional(),
    user: Author,
  }),
  comment: z.looseObject({
    id: z.int().positive().optional(),
    body: z.string().nullable().optional(),
    user: Author,
    author_association: z.string().optional(),
    performed_via_github_app: z.looseObject({ id: z.number() }).nullable().optional(),
  }),
  changes: z.looseObject({ body: z.looseObject({ from: z.string() }).optional() }).optional(),
});
export const CheckRunEvent = z.looseObject({
  repository: Repository,
  check_run: z.looseObject({
    name: z.string(),
    head_sha: z.string(),
    pull_requests: z.array(z.looseObject({ number: z.int().positive() })),
  }),
});
export const CheckSuiteEvent = z.looseObject({
  repository: Repository,
  check_suite: z.looseObject({
    head_sha: z.string(),
    pull_requests: z.array(z.looseObject({ number: z.int().positive() })),
  }),
});
