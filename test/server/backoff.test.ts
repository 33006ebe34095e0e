/**
 * The App's GitHub clients follow the one retry and rate-limit policy every aigate client
 * shares (src/github/backoff.ts): a secondary rate limit is waited out and the event goes on,
 * where Probot's own default would give up on it and leave the checks red.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { governedRepo, type Stack, startStack } from "../../sim/stack.js";
import { driver, modelChange } from "../e2e/driver.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ throttling: true });
});
afterAll(async () => {
  await stack?.stop();
});

const app = driver(() => stack);

describe("the App's rate-limit policy", () => {
  it("waits out a secondary rate limit and writes the checks the event decides", async () => {
    const repo = governedRepo(stack.sim);
    stack.sim.faultNext("pulls/get", "secondary-rate-limit");
    const mark = stack.sim.requests.length;
    const pr = await app.open(repo, modelChange("backoff"));
    const gets = stack.sim.requests
      .slice(mark)
      .filter((r) => r.operationId === "pulls/get")
      .map((r) => r.status);
    expect(gets.slice(0, 2)).toEqual([403, 200]);
    expect(app.checks(repo, pr).oversight?.title).toBe(
      "Waiting for 2 of 2 approvals (credit-scoring)",
    );
    expect(stack.logs.join("\n")).toContain("secondary rate limit on GET");
  });
});
