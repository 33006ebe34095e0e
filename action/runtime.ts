import * as core from "@actions/core";
import * as github from "@actions/github";
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
  env: NodeJS.ProcessEnv;
  now(): Date;
}

/** A job is billed while it waits: the Action waits out a limit for at most five minutes. */
const ACTION_MAX_WAIT_SECONDS = 300;

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
          throttle: throttleOptions({
            maxWaitSeconds: ACTION_MAX_WAIT_SECONDS,
            notice: (message) => core.info(message),
          }),
        },
        retry,
        throttling,
      ) as unknown as GitHubClient,
    env: process.env,
    now: () => new Date(),
  };
}
