import * as core from "@actions/core";
import * as github from "@actions/github";
import { defaults as githubDefaults } from "@actions/github/lib/utils";
import { getProxyUrl } from "@actions/http-client/lib/proxy";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { throttleOptions } from "../src/github/backoff.js";
import type { GitHubClient, Log } from "../src/github/client.js";

/** What the Action needs from the runner: @actions/core and @actions/github in production, fakes in tests. */
export interface ActionRuntime {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  log: Log & { notice(message: string): void };
  /** Appends Markdown to the job summary. */
  writeSummary(markdown: string): Promise<void>;
  context: {
    eventName: string;
    payload: Record<string, unknown>;
    repo: { owner: string; repo: string };
  };
  client(token: string): GitHubClient;
  /** The job's OIDC token for an audience (needs `permissions: id-token: write`). */
  idToken(audience: string): Promise<string>;
  env: NodeJS.ProcessEnv;
  now(): Date;
}

/** A job is billed while it waits: the Action waits out a limit for at most five minutes. */
const ACTION_MAX_WAIT_SECONDS = 300;

/**
 * The request options for the GitHub API client. With no proxy for the API (the rule
 * @actions/http-client applies: HTTPS_PROXY or HTTP_PROXY, NO_PROXY, loopback never proxied),
 * requests go through Node's own fetch, so undici (action/dist/undici.cjs) is never loaded;
 * with one, @actions/github's defaults stay: undici's fetch through a proxy agent. Octokit merges
 * `request` shallowly, so it is set only when it replaces nothing needed
 * (docs/action.md#behind-a-proxy).
 */
export function requestOptions(
  apiUrl: string | undefined = githubDefaults.baseUrl,
): { request: { fetch: typeof fetch } } | Record<string, never> {
  // An API URL that does not parse keeps @actions/github's defaults and their error.
  if (apiUrl === undefined || !URL.canParse(apiUrl)) return {};
  return getProxyUrl(new URL(apiUrl)) ? {} : { request: { fetch: globalThis.fetch } };
}

/** The runtime on a GitHub runner: @actions/core for I/O, @actions/github's Octokit with retries and throttling. */
export function runtimeFromActions(): ActionRuntime {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (message) => core.setFailed(message),
    log: {
      info: (message) => core.info(message),
      warn: (message) => core.warning(message),
      error: (message) => core.error(message),
      debug: (message) => core.debug(message),
      notice: (message) => core.notice(message),
    },
    writeSummary: async (markdown) => {
      await core.summary.addRaw(markdown, true).write();
    },
    context: {
      eventName: github.context.eventName,
      payload: github.context.payload as Record<string, unknown>,
      repo: github.context.repo,
    },
    client: (token) =>
      github.getOctokit(
        token,
        {
          ...requestOptions(),
          // Octokit's own warnings (a batch read that failed, say) as the job's annotations.
          log: {
            debug: (message: string) => core.debug(message),
            info: (message: string) => core.info(message),
            warn: (message: string) => core.warning(message),
            error: (message: string) => core.error(message),
          },
          throttle: throttleOptions({
            maxWaitSeconds: ACTION_MAX_WAIT_SECONDS,
            notice: (message) => core.info(message),
          }),
        },
        retry,
        throttling,
      ) as unknown as GitHubClient,
    idToken: (audience) => core.getIDToken(audience),
    env: process.env,
    now: () => new Date(),
  };
}
