/**
 * The simulated GitHub's GraphQL slice (sim/graphql.ts): blobs at a commit through
 * `repository.object(expression)`, validated and executed by graphql-js, each request recorded
 * and counted once.
 */
import { execFileSync } from "node:child_process";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GitHubSim,
  GRAPHQL_OPERATION,
  GRAPHQL_TEXT_LIMIT,
  isWriteRequest,
  startGitHubSimulator,
} from "../../sim/index.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let sim: GitHubSim;
let gh: Octokit;

beforeAll(async () => {
  sim = await startGitHubSimulator();
  gh = new Octokit({ baseUrl: sim.apiUrl, auth: "test-token", log: quiet });
});
afterAll(async () => {
  await sim.stop();
});

const BLOB = `... on Blob { oid byteSize isBinary isTruncated text }`;
const gitHashObject = (text: string) =>
  execFileSync("git", ["hash-object", "--stdin"], { input: Buffer.from(text, "utf8") })
    .toString()
    .trim();

describe("the simulated GraphQL API", () => {
  it("answers blobs at a commit with git's oid, a tree as a non-blob, and a missing path as null", async () => {
    const repo = sim.state.createRepo({ owner: "acme", name: "gql" });
    const text = "w = 0.5  # é ✓\r\n";
    const big = "x".repeat(GRAPHQL_TEXT_LIMIT + 10);
    const head = repo.commit("main", {
      files: { "models/a.py": text, "models/w.bin": "ONNX\0w", "data/big.csv": big },
    });
    const mark = sim.requests.length;
    const answer = await gh.graphql<{ repository: Record<string, unknown> }>(
      `query($owner: String!, $name: String!, $a: String!) {
        repository(owner: $owner, name: $name) {
          a: object(expression: $a) { ${BLOB} }
          bin: object(expression: "main:models/w.bin") { ${BLOB} }
          big: object(expression: "main:data/big.csv") { ... on Blob { isTruncated byteSize } }
          dir: object(expression: "main:models") { ${BLOB} }
          none: object(expression: "main:nope.py") { ${BLOB} }
        }
      }`,
      { owner: "acme", name: "gql", a: `${head}:models/a.py` },
    );
    expect(answer.repository).toEqual({
      a: {
        oid: gitHashObject(text),
        byteSize: Buffer.byteLength(text),
        isBinary: false,
        isTruncated: false,
        text,
      },
      bin: {
        oid: gitHashObject("ONNX\0w"),
        byteSize: 6,
        isBinary: true,
        isTruncated: false,
        text: null,
      },
      big: { isTruncated: true, byteSize: big.length },
      dir: {},
      none: null,
    });
    const recorded = sim.requests.slice(mark);
    expect(recorded).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/api/graphql",
        operationId: GRAPHQL_OPERATION,
        status: 200,
        counted: true,
      }),
    ]);
    expect(recorded.filter(isWriteRequest)).toEqual([]);
  });

  it("answers a field GitHub's schema does not have with a GraphQL error, and takes injected failures", async () => {
    await expect(
      gh.graphql(`{ repository(owner: "acme", name: "gql") { bogus } }`),
    ).rejects.toThrow(/Cannot query field "bogus"/);
    sim.failNext(GRAPHQL_OPERATION, 502);
    await expect(
      gh.graphql(`{ repository(owner: "acme", name: "gql") { nameWithOwner } }`),
    ).rejects.toMatchObject({ status: 502 });
    expect(
      await gh.graphql(`{ repository(owner: "acme", name: "nope") { nameWithOwner } }`),
    ).toEqual({ repository: null });
  });
});
