/**
 * The App's own installation clients put evidence first: with throttling as in production, an
 * attestation comment goes out before the check-run writes of another pull request queued ahead
 * of it. Real server and Probot, the simulated GitHub; the order GitHub received them is checked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubSim, startGitHubSimulator } from "../../sim/index.js";
import { type AppIdentity, appIdentity, governedRepo } from "../../sim/stack.js";
import { burst, installationClient, type PacedApp, startPacedApp } from "../support/paced-app.js";

let sim: GitHubSim;
let identity: AppIdentity;
let app: PacedApp | undefined;

beforeAll(async () => {
  sim = await startGitHubSimulator();
  identity = appIdentity();
});
afterAll(async () => {
  await app?.stop();
  await sim?.stop();
});

describe("the App's write pacing", () => {
  it("sends an attestation write before the unrelated writes queued ahead of it", async () => {
    app = await startPacedApp(sim, identity);
    const repo = governedRepo(sim);
    const client = await installationClient(app, identity, repo);
    const order = await burst(sim, client, repo);
    expect(order).toHaveLength(6);
    // At most the write already sent and the one waiting out the pause go first.
    expect(order.indexOf("evidence")).toBeLessThanOrEqual(2);
    expect(order.at(-1)).toBe("check");
  });
});
