/**
 * What the security tests share: the App end to end against the simulated GitHub (the
 * driver in test/e2e/driver.ts), and a hand-made GitHub client for the failures the simulator
 * cannot produce (a thrown error carrying secrets, a page of the wrong shape).
 */
import type { GitHubClient } from "../../src/github/client.js";

export {
  ASSESSMENT,
  ASSESSMENT_PATH,
  driver,
  MANIFEST_PATH,
  modelChange,
  OVERSIGHT,
} from "../e2e/driver.js";

/** The pull request the fake client serves: acme/models#7 by dave, base BASE, head HEAD. */
export const BASE = "1".repeat(40);
export const HEAD = "2".repeat(40);

export interface FakeGitHub {
  client: GitHubClient;
  /** Bodies of every check run written (create or update). */
  checks: Array<Record<string, unknown>>;
  comments: string[];
}

/**
 * A GitHub client that answers the reads of one pull request from `files` (at any commit) and
 * records the writes; `override` replaces any REST method (e.g. to throw, or to return a page of
 * the wrong shape).
 */
export function fakeGitHub(
  files: Record<string, string>,
  override: Partial<Record<"get" | "listFiles" | "getContent", (params: unknown) => unknown>> = {},
): FakeGitHub {
  const checks: Array<Record<string, unknown>> = [];
  const comments: string[] = [];
  const pullRequest = {
    number: 7,
    state: "open",
    title: "Change",
    draft: false,
    user: { login: "dave", id: 11, type: "User" },
    changed_files: 1,
    commits: 1,
    base: { ref: "main", sha: BASE, repo: { id: 500, full_name: "acme/models" } },
    head: { ref: "feature", sha: HEAD },
  };
  const notFound = () => Object.assign(new Error("Not Found"), { status: 404 });
  const rest = {
    pulls: {
      get: override.get ?? (async () => ({ data: pullRequest })),
      listFiles:
        override.listFiles ??
        (async () => ({ data: [{ filename: "models/credit/model.py", status: "modified" }] })),
      listCommits: async () => ({ data: [] }),
      listReviews: async () => ({ data: [] }),
    },
    repos: {
      getContent:
        override.getContent ??
        (async (params: unknown) => {
          const path = (params as { path: string }).path;
          const text = files[path];
          if (text === undefined) throw notFound();
          return {
            data: {
              type: "file",
              sha: `blob-${path}`,
              size: text.length,
              content: Buffer.from(text).toString("base64"),
            },
          };
        }),
    },
    issues: {
      listComments: async () => ({ data: [] }),
      createComment: async (params: unknown) => {
        comments.push((params as { body: string }).body);
        return { data: { id: comments.length } };
      },
    },
    teams: { getMembershipForUserInOrg: async () => Promise.reject(notFound()) },
    checks: {
      listForRef: async () => ({ data: { total_count: 0, check_runs: [] } }),
      create: async (params: unknown) => {
        checks.push(params as Record<string, unknown>);
        return { data: { id: checks.length } };
      },
      update: async (params: unknown) => {
        checks.push(params as Record<string, unknown>);
        return { data: { id: 1 } };
      },
    },
  };
  const paginate = async (
    method: (params: unknown) => Promise<{ data: unknown }>,
    params: unknown,
  ) => (await method(params)).data;
  return { client: { rest, paginate } as unknown as GitHubClient, checks, comments };
}
