/**
 * The files an approval names, end to end over the simulated GitHub
 * (docs/attestation.md#how-the-files-are-read): each digest in the signed statement is the
 * sha256 of the file's bytes at the head, whether the bytes came from the GraphQL batch (text
 * checked against its git blob) or from the REST read it falls back to (binary, truncated, or
 * GraphQL failing).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GRAPHQL_OPERATION, GRAPHQL_TEXT_LIMIT, type SimRepo } from "../../sim/index.js";
import { governedRepo } from "../../sim/stack.js";
import { extractAttestation } from "../../src/core/attestation/index.js";
import { drivenStack, modelChange } from "./driver.js";

const app = drivenStack();

/**
 * The governed files of a change, new bytes for each `version` (a blob read once is known to
 * the App afterwards): text with CRLF line ends and characters beyond ASCII; a file GitHub's
 * GraphQL calls binary (it holds NUL), read through REST; a text longer than a GraphQL answer
 * carries (truncated there), read through REST.
 */
function files(version: string) {
  return {
    "models/credit/model.py": `def score(application):\r\n    return 0.6  # é, ✓, 信用 ${version}\r\n`,
    "models/credit/weights.onnx": `ONNX\0\u0001\u0002weights ${version}`,
    "data/credit/big.csv": `${"id,income,score\n".repeat(Math.ceil((GRAPHQL_TEXT_LIMIT + 1000) / 16))}${version}\n`,
  };
}

const sha256 = (text: string) =>
  createHash("sha256").update(Buffer.from(text, "utf8")).digest("hex");

/** The subjects of each statement aigate signed on the pull request, by path. */
function fileSubjects(repo: SimRepo, pr: Parameters<typeof app.attestations>[1]) {
  return app.attestations(repo, pr).map((c) => {
    const extracted = extractAttestation(c.body);
    if (!extracted.ok) throw new Error(extracted.reason);
    const statement = JSON.parse(extracted.envelope.payload.toString("utf8")) as {
      subject: Array<{ name: string; digest: Record<string, string> }>;
    };
    return Object.fromEntries(statement.subject.slice(1).map((s) => [s.name, s.digest]));
  });
}

/** What each subject must say: the sha256 of the bytes the simulated GitHub holds. */
function expected(version: string) {
  return Object.fromEntries(
    Object.entries(files(version))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, text]) => [path, { sha256: sha256(text) }]),
  );
}

describe("the files an approval names", () => {
  it("digests each file's bytes: text from one GraphQL request, binary and truncated files through REST", async () => {
    const repo = governedRepo(app.stack().sim);
    const pr = await app.open(repo, { ...modelChange(), ...files("v1") });
    const mark = app.stack().sim.requests.length;
    await app.review(repo, pr, "alice");
    const requests = app.stack().sim.requests.slice(mark);
    expect(fileSubjects(repo, pr)).toEqual([expected("v1")]);
    expect(requests.filter((r) => r.operationId === GRAPHQL_OPERATION)).toHaveLength(1);
    const contents = requests
      .filter((r) => r.operationId === "repos/get-content")
      .map((r) => decodeURIComponent(r.path.replace(/^.*\/contents\//, "")));
    expect(contents).toEqual(
      expect.arrayContaining(["models/credit/weights.onnx", "data/credit/big.csv"]),
    );
    expect(contents).not.toContain("models/credit/model.py");
  });

  it("reads every file through REST when GraphQL fails, and signs the same digests", async () => {
    const { sim } = app.stack();
    const repo = governedRepo(sim);
    const pr = await app.open(repo, { ...modelChange(), ...files("v2") });
    sim.failNext(GRAPHQL_OPERATION, 502, 10);
    const mark = sim.requests.length;
    await app.review(repo, pr, "alice");
    const requests = sim.requests.slice(mark);
    expect(requests.some((r) => r.operationId === GRAPHQL_OPERATION && r.status === 502)).toBe(
      true,
    );
    expect(fileSubjects(repo, pr)).toEqual([expected("v2")]);
    const contents = requests
      .filter((r) => r.operationId === "repos/get-content")
      .map((r) => decodeURIComponent(r.path.replace(/^.*\/contents\//, "")));
    expect(contents).toContain("models/credit/model.py");
  });
});
