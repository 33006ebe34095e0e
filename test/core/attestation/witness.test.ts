import { describe, expect, it } from "vitest";
import {
  countedDigests,
  crossCheckWitnesses,
  DELETED_AFTER_COUNTING,
  type StatementVerdict,
  verifyAttestations,
  type WitnessRun,
} from "../../../src/core/attestation/index.js";
import { OVERSIGHT_CHECK_NAME } from "../../../src/core/report/index.js";
import { found, issue, oversightSummary, PR, REPO, trusted } from "./helpers.js";

const digestA = `sha256:${"a".repeat(64)}`;
const digestB = `sha256:${"b".repeat(64)}`;

function run(summary: string, patch: Partial<WitnessRun> = {}): WitnessRun {
  return {
    id: 77,
    repository: REPO,
    pullRequest: PR,
    name: OVERSIGHT_CHECK_NAME,
    app: "aigate",
    headSha: "c".repeat(40),
    summary,
    ...patch,
  };
}

describe("countedDigests: the digests a human-oversight summary counted", () => {
  it("reads back every counted attestation digest the report renders, and nothing else", () => {
    const summary = oversightSummary(digestA, digestB);
    // The summary also carries the manifest's and the assessment's sha256 digests.
    expect(summary.match(/sha256:[0-9a-f]{64}/g)?.length).toBeGreaterThan(2);
    expect(countedDigests(summary).sort()).toEqual([digestA, digestB]);
  });

  it("finds none in a summary that counted no approval", () => {
    expect(countedDigests(oversightSummary())).toEqual([]);
    expect(countedDigests("")).toEqual([]);
  });

  it("ignores a digest written anywhere but a counted-approvals table", () => {
    expect(countedDigests(`Counted approvals: \`${digestA}\`\n\nsee ${digestB}`)).toEqual([]);
  });
});

describe("crossCheckWitnesses", () => {
  const newest = issue({ issued_at: "2026-03-02T10:00:00Z" });
  const older = issue({
    issued_at: "2026-03-02T09:00:00Z",
    source: { kind: "review", id: 999, at: "2026-03-02T08:59:00Z", commit: "c".repeat(40) },
  });
  const statements = (...bodies: string[]): StatementVerdict[] =>
    verifyAttestations(
      bodies.map((body) => found(body)),
      trusted,
    ).statements;

  it("finds nothing when every counted digest is in the evidence", () => {
    const report = crossCheckWitnesses(
      [run(oversightSummary(older.digest, newest.digest))],
      statements(older.body, newest.body),
    );
    expect(report).toEqual({ witnesses: 1, ignored: 0, counted: 2, findings: [] });
  });

  it("reports the newest attestation deleted from the pack as deleted_after_counting", () => {
    const report = crossCheckWitnesses(
      [run(oversightSummary(older.digest, newest.digest), { line: 4 })],
      statements(older.body),
    );
    expect(report.findings).toEqual([
      {
        verdict: DELETED_AFTER_COUNTING,
        repository: REPO,
        pullRequest: PR,
        checkRunId: 77,
        headSha: "c".repeat(40),
        digest: newest.digest,
        line: 4,
        reason: expect.stringContaining("deleted after it was counted"),
      },
    ]);
  });

  it("reports a missing digest once, however many runs counted it", () => {
    const summary = oversightSummary(newest.digest);
    const report = crossCheckWitnesses(
      [run(summary), run(summary, { id: 78 })],
      statements(older.body),
    );
    expect(report.witnesses).toBe(2);
    expect(report.findings.map((f) => f.checkRunId)).toEqual([77]);
  });

  it("takes only the witness App's runs of the human-oversight check as witnesses", () => {
    const summary = oversightSummary(newest.digest);
    const report = crossCheckWitnesses(
      [run(summary, { app: "impostor" }), run(summary, { name: "AI governance: risk assessment" })],
      statements(),
    );
    expect(report).toEqual({ witnesses: 0, ignored: 1, counted: 0, findings: [] });
    expect(
      crossCheckWitnesses([run(summary, { app: "gate-prod" })], statements(), "gate-prod").findings,
    ).toHaveLength(1);
  });

  it("looks for a counted digest on the same pull request only", () => {
    const report = crossCheckWitnesses(
      [run(oversightSummary(newest.digest), { pullRequest: PR + 1 })],
      statements(newest.body),
    );
    expect(report.findings).toHaveLength(1);
  });

  it("still recognises a counted statement whose keyid hint was removed", () => {
    const envelope = JSON.parse(newest.envelopeJson) as {
      signatures: Array<{ keyid?: string; sig: string }>;
    };
    const rehinted = JSON.stringify({
      ...envelope,
      signatures: envelope.signatures.map((s) => ({ sig: s.sig })),
    });
    const body = newest.body.replace(
      /v1 [A-Za-z0-9+/=]+ -->/,
      `v1 ${Buffer.from(rehinted).toString("base64")} -->`,
    );
    const found = statements(body);
    expect(found[0]?.verdict).toBe("valid");
    expect(found[0]?.digest).not.toBe(newest.digest);
    expect(crossCheckWitnesses([run(oversightSummary(newest.digest))], found).findings).toEqual([]);
  });
});
