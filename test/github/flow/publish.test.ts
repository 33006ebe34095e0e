import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_CHECK_SUMMARY_CHARS } from "../../../src/core/limits.js";
import {
  type CheckAnnotation,
  type CheckContent,
  publishCheck,
  publishChecks,
} from "../../../src/github/flow/publish.js";
import type { ExistingCheckRun } from "../../../src/github/reads/check-runs.js";
import {
  type CheckRecords,
  localCheckRecords,
} from "../../../src/github/replicas/check-records.js";
import { testClient } from "../../support/helpers.js";

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

describe("publishing both check runs with what the App last wrote", () => {
  const appId = 42;
  const checks = [
    content({ name: "AI governance: risk assessment", conclusion: "success", title: "ok" }),
    content(),
  ];
  /** GitHub lists the App's runs on the head once: `runs`. Chain the writes that follow. */
  const lists = (runs: Array<Partial<ExistingCheckRun> & { id: number; name: string }>) =>
    nock(api)
      .get(`/repos/acme/models/commits/${target.headSha}/check-runs`)
      .query(true)
      .reply(200, listed(runs));
  const listed = (runs: Array<Partial<ExistingCheckRun> & { id: number; name: string }>) => ({
    total_count: runs.length,
    check_runs: runs.map((r) => ({
      id: r.id,
      name: r.name,
      status: "completed",
      conclusion: r.conclusion ?? "success",
      app: { id: appId },
      output: {
        title: r.title ?? "old",
        summary: r.summary ?? "old",
        text: null,
        annotations_count: 0,
      },
    })),
  });

  it("lists the runs once, then writes from the record without listing them again", async () => {
    const records = localCheckRecords();
    lists([])
      .post("/repos/acme/models/check-runs")
      .reply(201, { id: 501 })
      .post("/repos/acme/models/check-runs")
      .reply(201, { id: 502 });
    expect(await publishChecks(testClient(), target, checks, appId, now, { records })).toEqual({
      "AI governance: risk assessment": "created",
      "AI governance: human oversight": "created",
    });
    // The same decision again: nothing read, nothing written.
    expect(await publishChecks(testClient(), target, checks, appId, now, { records })).toEqual({
      "AI governance: risk assessment": "unchanged",
      "AI governance: human oversight": "unchanged",
    });
    // A new decision updates the run the App created, by the id GitHub answered.
    nock(api).patch("/repos/acme/models/check-runs/502").reply(200, { id: 502 });
    const approved = [
      checks[0] as CheckContent,
      content({ conclusion: "success", title: "2 of 2" }),
    ];
    expect(await publishChecks(testClient(), target, approved, appId, now, { records })).toEqual({
      "AI governance: risk assessment": "unchanged",
      "AI governance: human oversight": "updated",
    });
  });

  it("lists the runs again after a write that failed, and never keeps a record for that commit", async () => {
    const records = localCheckRecords();
    lists([])
      .post("/repos/acme/models/check-runs")
      .reply(201, { id: 601 })
      .post("/repos/acme/models/check-runs")
      .reply(422, { message: "Unprocessable" });
    await expect(
      publishChecks(testClient(), target, checks, appId, now, { records }),
    ).rejects.toThrow();
    lists([
      {
        id: 601,
        name: "AI governance: risk assessment",
        title: "ok",
        summary: "## Approvals\n\n- alice",
      },
    ])
      .post("/repos/acme/models/check-runs")
      .reply(201, { id: 602 });
    expect(
      await publishChecks(testClient(), target, checks, appId, now, { records }),
    ).toMatchObject({
      "AI governance: risk assessment": "unchanged",
      "AI governance: human oversight": "created",
    });
  });

  it("lists the runs when asked to evaluate afresh, and takes what GitHub lists as the record", async () => {
    const records = localCheckRecords();
    lists([]).post("/repos/acme/models/check-runs").times(2).reply(201, { id: 701 });
    await publishChecks(testClient(), target, checks, appId, now, { records });
    // GitHub shows something else than the record (say, a run written while the record
    // could not be kept): a recheck lists the runs and writes what differs.
    lists([
      {
        id: 801,
        name: "AI governance: risk assessment",
        title: "ok",
        summary: "## Approvals\n\n- alice",
      },
      {
        id: 802,
        name: "AI governance: human oversight",
        conclusion: "failure",
        title: "could not evaluate",
      },
    ])
      .patch("/repos/acme/models/check-runs/802")
      .reply(200, { id: 802 });
    expect(
      await publishChecks(testClient(), target, checks, appId, now, { records, relist: true }),
    ).toEqual({
      "AI governance: risk assessment": "unchanged",
      "AI governance: human oversight": "updated",
    });
    // The record now holds what GitHub listed and what was written: nothing read next time.
    nock(api).patch("/repos/acme/models/check-runs/801").reply(200, { id: 801 });
    const failed = [
      content({ name: "AI governance: risk assessment", conclusion: "failure", title: "no" }),
      checks[1] as CheckContent,
    ];
    expect(await publishChecks(testClient(), target, failed, appId, now, { records })).toEqual({
      "AI governance: risk assessment": "updated",
      "AI governance: human oversight": "unchanged",
    });
  });

  it("writes without a ticket when the record's store does not answer, and forgets the record before and after", async () => {
    const forgotten: string[] = [];
    const unreachable: CheckRecords = {
      begin: async () => {
        throw new Error("connect ECONNREFUSED");
      },
      end: async () => {
        throw new Error("never ended without a ticket");
      },
      forget: async (at) => {
        forgotten.push(at.headSha);
      },
    };
    lists([]).post("/repos/acme/models/check-runs").times(2).reply(201, { id: 901 });
    expect(
      await publishChecks(testClient(), target, checks, appId, now, { records: unreachable }),
    ).toEqual({
      "AI governance: risk assessment": "created",
      "AI governance: human oversight": "created",
    });
    // Before the write and after it: a record made while it was under way is not trusted.
    expect(forgotten).toEqual([target.headSha, target.headSha]);
  });

  it("always lists the runs without the App's id", async () => {
    const records = localCheckRecords();
    for (let i = 0; i < 2; i++) {
      lists([]);
    }
    nock(api).post("/repos/acme/models/check-runs").times(4).reply(201, { id: 1 });
    await publishChecks(testClient(), target, checks, undefined, now, { records });
    await publishChecks(testClient(), target, checks, undefined, now, { records });
  });
});
