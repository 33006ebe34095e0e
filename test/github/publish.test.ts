import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_CHECK_SUMMARY_CHARS } from "../../src/core/limits.js";
import {
  type CheckAnnotation,
  type CheckContent,
  type ExistingCheckRun,
  publishCheck,
} from "../../src/github/publish.js";
import { testClient } from "../support/helpers.js";

const target = { owner: "acme", repo: "models", headSha: "a".repeat(40) };
const now = new Date("2026-11-27T12:00:00Z");
const api = "https://api.github.com";

function content(overrides: Partial<CheckContent> = {}): CheckContent {
  return {
    name: "AI governance: human oversight",
    conclusion: "action_required",
    title: "Waiting for 1 of 2 approvals (credit-scoring)",
    summary: "## Approvals\n\n- alice",
    annotations: [],
    ...overrides,
  };
}

function existing(overrides: Partial<ExistingCheckRun> = {}): ExistingCheckRun {
  return {
    id: 77,
    name: "AI governance: human oversight",
    status: "completed",
    conclusion: "action_required",
    title: "Waiting for 1 of 2 approvals (credit-scoring)",
    summary: "## Approvals\n\n- alice",
    text: null,
    annotationsCount: 0,
    ...overrides,
  };
}

function annotations(count: number): CheckAnnotation[] {
  return Array.from({ length: count }, (_, i) => ({
    path: ".github/ai-governance.yml",
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: "failure" as const,
    message: `problem ${i + 1}`,
  }));
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("publishing a check run", () => {
  it("creates a completed run when the head has none", async () => {
    let body: Record<string, unknown> = {};
    nock(api)
      .post("/repos/acme/models/check-runs", (b) => {
        body = b;
        return true;
      })
      .reply(201, { id: 1 });
    expect(await publishCheck(testClient(), target, content(), undefined, now)).toBe("created");
    expect(body).toMatchObject({
      name: "AI governance: human oversight",
      head_sha: target.headSha,
      status: "completed",
      conclusion: "action_required",
      completed_at: now.toISOString(),
      output: { title: "Waiting for 1 of 2 approvals (credit-scoring)", annotations: [] },
    });
  });

  it("writes nothing when the run on the head already says the same", async () => {
    expect(await publishCheck(testClient(), target, content(), existing(), now)).toBe("unchanged");
  });

  it("does not count the evaluation time as a change", async () => {
    const at = (time: string) =>
      `| Repository | acme/models |\n| Evaluated at | ${time} |\n\nWaiting`;
    const outcome = await publishCheck(
      testClient(),
      target,
      content({ summary: at("2026-11-27T12:05:00.000Z") }),
      existing({ summary: at("2026-11-27T12:00:00.000Z") }),
      now,
    );
    expect(outcome).toBe("unchanged");
  });

  it("updates the run of the same head instead of adding another", async () => {
    nock(api)
      .patch(
        "/repos/acme/models/check-runs/77",
        (b) => b.conclusion === "success" && b.status === "completed",
      )
      .reply(200, { id: 77 });
    const outcome = await publishCheck(
      testClient(),
      target,
      content({ conclusion: "success", title: "2 of 2 approvals recorded" }),
      existing(),
      now,
    );
    expect(outcome).toBe("updated");
  });

  it("creates its own run when the run of that name belongs to another app (403 on update)", async () => {
    nock(api)
      .patch("/repos/acme/models/check-runs/77")
      .reply(403, {
        message: "Invalid app_id `15368` - check run can only be modified by its creator.",
      })
      .post("/repos/acme/models/check-runs", (b) => b.name === "AI governance: human oversight")
      .reply(201, { id: 78 });
    const outcome = await publishCheck(
      testClient(),
      target,
      content({ conclusion: "success", title: "2 of 2 approvals recorded" }),
      existing(),
      now,
    );
    expect(outcome).toBe("created");
  });

  it("completes a run left in progress even when its text is the same", async () => {
    nock(api).patch("/repos/acme/models/check-runs/77").reply(200, { id: 77 });
    expect(
      await publishCheck(
        testClient(),
        target,
        content(),
        existing({ status: "in_progress", conclusion: null }),
        now,
      ),
    ).toBe("updated");
  });

  it("writes a run in one request, with at most the 50 annotations GitHub takes in one", async () => {
    const sent: number[] = [];
    nock(api)
      .post("/repos/acme/models/check-runs", (b) => {
        sent.push(b.output.annotations.length);
        return b.status === "completed";
      })
      .reply(201, { id: 9 });
    await publishCheck(
      testClient(),
      target,
      content({ annotations: annotations(120) }),
      undefined,
      now,
    );
    expect(sent).toEqual([50]);
  });

  it("replaces rather than updates a run that carries annotations, so old ones do not linger", async () => {
    nock(api).post("/repos/acme/models/check-runs").reply(201, { id: 10 });
    const outcome = await publishCheck(
      testClient(),
      target,
      content({ conclusion: "success", title: "Fixed" }),
      existing({ annotationsCount: 3, conclusion: "failure" }),
      now,
    );
    expect(outcome).toBe("created");
  });

  it("keeps the summary within GitHub's limit", async () => {
    let length = 0;
    nock(api)
      .post("/repos/acme/models/check-runs", (b) => {
        length = b.output.summary.length;
        return true;
      })
      .reply(201, { id: 2 });
    await publishCheck(
      testClient(),
      target,
      content({ summary: "x".repeat(100_000) }),
      undefined,
      now,
    );
    expect(length).toBe(MAX_CHECK_SUMMARY_CHARS);
  });
});
