import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  approvedFiles,
  extractAttestation,
  fileEntries,
  filesToRead,
  MAX_COMMENT_CHARS,
  MAX_ENVELOPE_BYTES,
  MAX_FILE_SUBJECT_CHARS,
  MAX_FILE_SUBJECTS,
  renderAttestationComment,
  StatementSchema,
  signStatements,
  statementFor,
  verifyAttestations,
} from "../../../src/core/attestation/index.js";
import { prepareManifest } from "../../../src/core/manifest/prepare.js";
import type { PlannedStatement } from "../../../src/core/policy/approval-plan.js";
import type { ChangedFile } from "../../../src/core/types.js";
import { BASE_SHA, HEAD_SHA, MANIFEST_YAML, NOW } from "../policy/fixtures.js";
import { found, issuer, PR, predicate, REPO, trusted } from "./helpers.js";

const prepared = prepareManifest(MANIFEST_YAML, ".github/ai-governance.yml");
if (!prepared.ok) throw new Error("the fixture manifest must be valid");
const matcher = prepared.compiled;

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const modified = (...paths: string[]): ChangedFile[] =>
  paths.map((path) => ({ path, status: "modified" }));

describe("the files an approval names", () => {
  it("lists the changed files the approved systems govern, present and deleted, sorted", () => {
    const files: ChangedFile[] = [
      { path: "models/credit/model.onnx", status: "modified" },
      { path: "data/credit/2026.parquet", status: "added" },
      { path: "models/credit/old.onnx", status: "removed" },
      { path: "prompts/chat/greeting.md", status: "modified" },
      { path: "README.md", status: "modified" },
      { path: "models/credit/v2.onnx", status: "renamed", previousPath: "models/credit/v1.onnx" },
    ];
    expect(approvedFiles(matcher, files, ["credit-scoring"])).toEqual({
      present: ["data/credit/2026.parquet", "models/credit/model.onnx", "models/credit/v2.onnx"],
      deleted: ["models/credit/old.onnx", "models/credit/v1.onnx"],
    });
    // Another system's files are not named by an approval of credit-scoring alone.
    expect(approvedFiles(matcher, files, ["chat-helper"]).present).toEqual([
      "prompts/chat/greeting.md",
    ]);
  });

  it("names the manifest file for an approval of the manifest pseudo-system", () => {
    const files = modified(".github/ai-governance.yml", "models/credit/model.onnx");
    expect(approvedFiles(matcher, files, ["aigate:manifest"]).present).toEqual([
      ".github/ai-governance.yml",
    ]);
  });

  it("reads only the present files of approvals, never of revocations", () => {
    const files = modified("models/credit/a.onnx", "prompts/chat/x.md");
    const statements = [
      { decision: "approved" as const, systems: [{ system: "credit-scoring" }] },
      { decision: "revoked" as const, systems: [{ system: "chat-helper" }] },
    ];
    expect(filesToRead(matcher, files, statements)).toEqual(["models/credit/a.onnx"]);
  });

  it("leaves out a path that is not a file at the head and refuses a digest never read", () => {
    const approved = { present: ["a", "b"], deleted: [] };
    expect(fileEntries(approved, { a: sha("a"), b: null }).subjects).toEqual([
      { name: "a", digest: { sha256: sha("a") } },
    ]);
    expect(() => fileEntries(approved, { a: sha("a") })).toThrow(/digest of b/);
  });
});

describe("the cap on file subjects", () => {
  const paths = (n: number) =>
    Array.from({ length: n }, (_, i) => `models/credit/m${String(i).padStart(4, "0")}.onnx`);
  const digests = (list: string[]) => Object.fromEntries(list.map((p) => [p, sha(p)]));

  it(`names at most ${MAX_FILE_SUBJECTS} files and says the list was cut, and how many there were`, () => {
    const list = paths(250);
    const entries = fileEntries({ present: list, deleted: [] }, digests(list));
    expect(entries.subjects).toHaveLength(MAX_FILE_SUBJECTS);
    expect(entries.count).toBe(250);
    const statement = statementFor(predicate(), entries);
    expect(statement.subject).toHaveLength(MAX_FILE_SUBJECTS + 1);
    expect(statement.subject[0].annotations).toEqual({ files_cut: true, files_count: 250 });
    expect(statement.predicate.files?.count).toBe(250);
    expect(StatementSchema.safeParse(statement).success).toBe(true);
  });

  it("the largest statement the caps allow fits an envelope and a comment", () => {
    const list = Array.from(
      { length: 100 },
      (_, i) => `models/${String(i).padStart(3, "0")}/${"m".repeat(89)}`,
    );
    expect(list.reduce((n, p) => n + p.length, 0)).toBe(MAX_FILE_SUBJECT_CHARS);
    const entries = fileEntries({ present: list, deleted: paths(150) }, digests(list));
    expect(entries.subjects).toHaveLength(100);
    const statement = statementFor(predicate(), entries);
    const signed = issuer.sign(statement);
    expect(Buffer.byteLength(signed.envelopeJson)).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
    const body = renderAttestationComment(signed.envelope, statement);
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(extractAttestation(body).ok).toBe(true);
  });

  it("reads only the files it names: 3,000 governed files changed, 100 read, all counted", () => {
    const list = paths(3000);
    const statements = [{ decision: "approved" as const, systems: [{ system: "credit-scoring" }] }];
    const read = filesToRead(matcher, modified(...list), statements);
    expect(read).toEqual(list.slice(0, MAX_FILE_SUBJECTS));
    const entries = fileEntries({ present: list, deleted: [] }, digests(read));
    expect(entries.subjects.map((s) => s.name)).toEqual(read);
    expect(entries.count).toBe(3000);
  });

  it("names exactly 100 files without any cut", () => {
    const list = paths(100);
    const statement = statementFor(
      predicate(),
      fileEntries({ present: list, deleted: [] }, digests(list)),
    );
    expect(statement.subject).toHaveLength(101);
    expect(statement.subject[0].annotations).toBeUndefined();
    expect(StatementSchema.safeParse(statement).success).toBe(true);
  });

  it(`cuts earlier when the paths would pass ${MAX_FILE_SUBJECT_CHARS} characters`, () => {
    const list = Array.from({ length: 20 }, (_, i) => `data/credit/${"x".repeat(990)}${i}`);
    const entries = fileEntries({ present: list, deleted: [] }, digests(list));
    expect(entries.subjects.length).toBeLessThan(20);
    expect(entries.subjects.reduce((n, s) => n + s.name.length, 0)).toBeLessThanOrEqual(
      MAX_FILE_SUBJECT_CHARS,
    );
    expect(statementFor(predicate(), entries).subject[0].annotations?.files_count).toBe(20);
  });

  it("rejects a statement whose file list was cut without saying so, or says a cut it did not make", () => {
    const list = paths(3);
    const entries = fileEntries({ present: list, deleted: [] }, digests(list));
    const silent = statementFor(predicate(), { ...entries, count: 5 });
    delete silent.subject[0].annotations;
    expect(StatementSchema.safeParse(silent).success).toBe(false);
    const claimed = statementFor(predicate(), entries);
    claimed.subject[0].annotations = { files_cut: true, files_count: 3 };
    expect(StatementSchema.safeParse(claimed).success).toBe(false);
  });

  it("rejects unsorted or repeated file subjects, and file subjects on a revocation", () => {
    const list = paths(2);
    const statement = statementFor(
      predicate(),
      fileEntries({ present: list, deleted: [] }, digests(list)),
    );
    const [pr, first, second] = statement.subject;
    if (!first || !second) throw new Error("two file subjects expected");
    const swapped = { ...statement, subject: [pr, second, first] };
    expect(StatementSchema.safeParse(swapped).success).toBe(false);
    const revocation = structuredClone(statement);
    revocation.predicate.decision = "revoked";
    revocation.predicate.revokes = `sha256:${"a".repeat(64)}`;
    expect(StatementSchema.safeParse(revocation).success).toBe(false);
  });
});

describe("signed statements with file subjects", () => {
  const planned: PlannedStatement = {
    key: "approved:review:1001",
    decision: "approved",
    approver: { id: 583231, login: "octocat", type: "User" },
    systems: [{ system: "credit-scoring", reason: "member of acme/model-risk" }],
    source: { kind: "review", id: 1001, at: "2026-11-27T11:00:00Z", commit: HEAD_SHA },
  };
  const context = {
    repository: { id: 812345678, fullName: REPO },
    pullRequest: {
      number: PR,
      author: { id: 1, login: "dev", type: "User" as const },
      baseRef: "main",
      baseSha: BASE_SHA,
      headSha: HEAD_SHA,
    },
    manifest: { path: ".github/ai-governance.yml", baseSha: BASE_SHA, sha256: sha(MANIFEST_YAML) },
    assessments: [],
    issuer: { kind: "app" as const },
    issuedAt: NOW,
    prev: null,
  };

  it("are signed with the files at the head and verify as any approval does", () => {
    const changedFiles: ChangedFile[] = [
      { path: "models/credit/model.onnx", status: "modified" },
      { path: "models/credit/old.onnx", status: "removed" },
    ];
    const [issued] = signStatements(
      [planned],
      {
        ...context,
        files: { matcher, changedFiles, digests: { "models/credit/model.onnx": sha("onnx") } },
      },
      issuer,
    );
    expect(issued?.statement.subject.slice(1)).toEqual([
      { name: "models/credit/model.onnx", digest: { sha256: sha("onnx") } },
    ]);
    expect(issued?.statement.predicate.files).toEqual({
      count: 1,
      deleted: ["models/credit/old.onnx"],
      deleted_count: 1,
    });
    const envelope = issued?.signed.envelope;
    const report = verifyAttestations(
      [{ envelope, repository: REPO, pullRequest: PR, commentId: 1 }],
      trusted,
    );
    expect(report.statements[0]?.verdict).toBe("valid");
  });

  it("still verify when issued before file subjects existed", () => {
    const [issued] = signStatements([planned], context, issuer);
    expect(issued?.statement.subject).toHaveLength(1);
    expect(issued?.statement.predicate.files).toBeUndefined();
    const report = verifyAttestations([found(renderBody(issued))], trusted);
    expect(report.statements[0]?.verdict).toBe("valid");
  });
});

function renderBody(issued: { signed: { envelope: unknown } } | undefined): string {
  const json = JSON.stringify(issued?.signed.envelope);
  return `<!-- aigate-attestation:v1 ${Buffer.from(json).toString("base64")} -->`;
}
