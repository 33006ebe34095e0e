import { ProbotOctokit } from "probot";
import type { GitHubClient } from "../../src/github/client.js";

/** An installation client as Probot builds one, with retries and throttling off for tests. */
export const TestOctokit = ProbotOctokit.defaults({
  retry: { enabled: false },
  throttle: { enabled: false },
});

export function testClient(token = "ghs_testtoken000000000000000000000000"): GitHubClient {
  return new TestOctokit({ auth: { token } }) as unknown as GitHubClient;
}
