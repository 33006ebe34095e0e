/**
 * The client every stage of the adapter is given: an Octokit's REST methods and pagination, and
 * the names the adapter uses for a pull request and a log.
 */
import type { Octokit } from "@octokit/core";
import type { PaginateInterface } from "@octokit/plugin-paginate-rest";
import type { Api } from "@octokit/plugin-rest-endpoint-methods";

/**
 * What the adapter needs from an Octokit: the REST methods and pagination. Probot's
 * `context.octokit`, `@actions/github`'s `getOctokit()` and a plain `@octokit/rest` client
 * built with those plugins all fit; retries and throttling are the client's business.
 */
export type GitHubClient = Octokit & Api & { paginate: PaginateInterface };

/** A pull request, as every part of the adapter names it. */
export interface PullRequestTarget {
  owner: string;
  repo: string;
  pullNumber: number;
}

/** Where a log line goes; Probot's pino logger fits. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}
