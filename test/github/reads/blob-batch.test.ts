/**
 * The GraphQL batch read of the files an approval names, over a mocked GitHub: an answer counts
 * only when its bytes hash to the blob GitHub and the file list name; everything else is read
 * one by one through the REST API, as before.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { fileContent } from "../../../src/facts/reader.js";
import { BLOB_BATCH_SIZE, readBlobBatch } from "../../../src/github/reads/blob-batch.js";
import { createAdapterCache } from "../../../src/github/reads/cache.js";
import { pullRequestReader } from "../../../src/github/reads/change.js";
import { testClient } from "../../support/helpers.js";

const API = "https://api.github.com";
const repo = { owner: "acme", repo: "models" };
const target = { ...repo, pullNumber: 7 };
const HEAD = "c".repeat(40);

/** git's own blob SHA of `bytes` (`git hash-object --stdin`), not ours. */
function gitHashObject(bytes: Buffer): string {
  return execFileSync("git", ["hash-object", "--stdin"], { input: bytes }).toString().trim();
}
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

const TEXT = 'weights = [0.5, 0.25]\nnote = "é, ✓"\n';
const TEXT_BYTES = Buffer.from(TEXT, "utf8");
const TEXT_SHA = gitHashObject(TEXT_BYTES);

interface GraphqlBody {
  query: string;
  variables: Record<string, string>;
}

/** The blob fields GitHub answers for a text file. */
const blobAnswer = (text: string, oid = gitHashObject(Buffer.from(text, "utf8"))) => ({
  oid,
  byteSize: Buffer.byteLength(text, "utf8"),
  isBinary: false,
  isTruncated: false,
  text,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("reading many files in one GraphQL request", () => {
  it("keeps a text whose bytes are the blob git names, and asks with variables, not spliced paths", async () => {
    let body: GraphqlBody | undefined;
    nock(API)
      .post("/graphql", (b: GraphqlBody) => {
        body = b;
        return true;
      })
      .reply(200, { data: { repository: { f0: blobAnswer(TEXT) } } });
    const result = await readBlobBatch(testClient(), repo, HEAD, [
      { path: 'models/a "b".py', blobSha: TEXT_SHA },
    ]);
    expect(result.fallback).toEqual([]);
    expect(result.files.get('models/a "b".py')).toEqual({
      blobSha: TEXT_SHA,
      sha256: sha256(TEXT_BYTES),
      text: TEXT,
    });
    expect(body?.variables).toEqual({
      owner: "acme",
      name: "models",
      e0: `${HEAD}:models/a "b".py`,
    });
    expect(body?.query).not.toContain("models/");
  });

  it("leaves to REST an answer whose oid is not the blob its text hashes to", async () => {
    nock(API)
      .post("/graphql")
      .reply(200, { data: { repository: { f0: blobAnswer(TEXT, "0".repeat(40)) } } });
    const result = await readBlobBatch(testClient(), repo, HEAD, [
      { path: "m.py", blobSha: TEXT_SHA },
    ]);
    expect(result.files.size).toBe(0);
    expect(result.fallback).toEqual(["m.py"]);
  });

  it("leaves to REST a text that hashes to its oid but not to the blob the file list named", async () => {
    nock(API)
      .post("/graphql")
      .reply(200, { data: { repository: { f0: blobAnswer(TEXT) } } });
    const result = await readBlobBatch(testClient(), repo, HEAD, [
      { path: "m.py", blobSha: "1".repeat(40) },
    ]);
    expect(result.fallback).toEqual(["m.py"]);
  });

  it("leaves to REST a text that is not the file's bytes (decoded with replacements)", async () => {
    // The file holds a byte that is not UTF-8: GitHub's text cannot carry it.
    const raw = Buffer.from([0x61, 0xff, 0x0a]);
    const oid = gitHashObject(raw);
    nock(API)
      .post("/graphql")
      .reply(200, {
        data: {
          repository: {
            f0: {
              oid,
              byteSize: 3,
              isBinary: false,
              isTruncated: false,
              text: raw.toString("utf8"),
            },
          },
        },
      });
    const result = await readBlobBatch(testClient(), repo, HEAD, [{ path: "m.py", blobSha: oid }]);
    expect(result.fallback).toEqual(["m.py"]);
  });

  it("leaves binary, truncated, missing and non-blob answers to REST", async () => {
    nock(API)
      .post("/graphql")
      .reply(200, {
        data: {
          repository: {
            f0: { oid: TEXT_SHA, byteSize: 9, isBinary: true, isTruncated: false, text: null },
            f1: { ...blobAnswer(TEXT), isTruncated: true },
            f2: null,
            f3: {},
            f4: blobAnswer(TEXT),
          },
        },
      });
    const result = await readBlobBatch(testClient(), repo, HEAD, [
      { path: "model.onnx", blobSha: TEXT_SHA },
      { path: "big.csv", blobSha: TEXT_SHA },
      { path: "gone.py", blobSha: TEXT_SHA },
      { path: "vendor/sub", blobSha: TEXT_SHA },
      { path: "ok.py", blobSha: TEXT_SHA },
    ]);
    expect([...result.files.keys()]).toEqual(["ok.py"]);
    expect(result.fallback).toEqual(["model.onnx", "big.csv", "gone.py", "vendor/sub"]);
  });

  it("leaves a whole batch to REST on a GraphQL error, a 502 or an answer of another shape", async () => {
    const wanted = [{ path: "m.py", blobSha: TEXT_SHA }];
    nock(API)
      .post("/graphql")
      .reply(200, {
        data: null,
        errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded" }],
      })
      .post("/graphql")
      .reply(502, { message: "Server Error" })
      .post("/graphql")
      .reply(200, { data: { repository: { f0: { oid: 7 } } } });
    for (const reason of [/rate limit/, /Server Error/, /shape/]) {
      const result = await readBlobBatch(testClient(), repo, HEAD, wanted);
      expect(result.files.size).toBe(0);
      expect(result.fallback).toEqual(["m.py"]);
      expect(result.failures).toEqual([expect.stringMatching(reason)]);
    }
  });

  it("leaves every file to REST when GraphQL cannot see the repository", async () => {
    nock(API)
      .post("/graphql")
      .reply(200, { data: { repository: null } });
    const result = await readBlobBatch(testClient(), repo, HEAD, [
      { path: "a.py", blobSha: TEXT_SHA },
      { path: "b.py", blobSha: TEXT_SHA },
    ]);
    expect(result.files.size).toBe(0);
    expect(result.fallback).toEqual(["a.py", "b.py"]);
  });

  it(`asks for at most ${BLOB_BATCH_SIZE} files per request`, async () => {
    const sizes: number[] = [];
    const wanted = Array.from({ length: BLOB_BATCH_SIZE + 10 }, (_, i) => ({
      path: `f${i}.py`,
      blobSha: TEXT_SHA,
    }));
    nock(API)
      .post("/graphql")
      .times(2)
      .reply(200, (_uri, body) => {
        const n = Object.keys((body as GraphqlBody).variables).length - 2;
        sizes.push(n);
        const answer = blobAnswer(TEXT);
        const answers = Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, answer]));
        return { data: { repository: answers } };
      });
    const result = await readBlobBatch(testClient(), repo, HEAD, wanted);
    expect(sizes).toEqual([BLOB_BATCH_SIZE, 10]);
    expect(result.files.size).toBe(BLOB_BATCH_SIZE + 10);
  });
});

describe("the pull request's reader, many files at once", () => {
  /** The reader of a one-file pull request, with the warnings its client logs. */
  const readerOfOneFile = () => {
    const client = testClient();
    const warnings: string[] = [];
    client.log.warn = (message: string) => {
      warnings.push(message);
    };
    const reader = pullRequestReader(client, createAdapterCache(), target, {
      headSha: HEAD,
      changedFilesCount: 1,
    });
    return { reader, warnings };
  };

  const listFiles = (files: Array<{ filename: string; sha: string }>) =>
    nock(API)
      .get("/repos/acme/models/pulls/7/files")
      .query({ per_page: "100" })
      .reply(
        200,
        files.map((f) => ({ ...f, status: "modified" })),
      );

  it("reads the checked answers from GraphQL, the others through REST, and known blobs not at all", async () => {
    const cache = createAdapterCache();
    const known = Buffer.from("known\n");
    const knownSha = gitHashObject(known);
    cache.blobs.set(knownSha, { blobSha: knownSha, ...fileContent(known) });
    const binary = Buffer.from([0x00, 0x01, 0x02, 0xff]);
    const binarySha = gitHashObject(binary);
    listFiles([
      { filename: "models/a.py", sha: TEXT_SHA },
      { filename: "models/known.py", sha: knownSha },
      { filename: "models/w.bin", sha: binarySha },
    ]);
    nock(API)
      .post("/graphql", (b: GraphqlBody) =>
        Object.values(b.variables).every((v) => !v.endsWith("known.py")),
      )
      .reply(200, {
        data: {
          repository: {
            f0: blobAnswer(TEXT),
            f1: { oid: binarySha, byteSize: 4, isBinary: true, isTruncated: false, text: null },
          },
        },
      })
      .get("/repos/acme/models/contents/models%2Fw.bin")
      .query({ ref: HEAD })
      .reply(200, {
        type: "file",
        sha: binarySha,
        size: 4,
        content: binary.toString("base64"),
      });
    const reader = pullRequestReader(testClient(), cache, target, {
      headSha: HEAD,
      changedFilesCount: 3,
    });
    await reader.changedFiles();
    const files = await reader.readFiles?.(HEAD, [
      "models/a.py",
      "models/known.py",
      "models/w.bin",
    ]);
    expect(files?.get("models/a.py")?.sha256).toBe(sha256(TEXT_BYTES));
    expect(files?.get("models/known.py")?.sha256).toBe(sha256(known));
    expect(files?.get("models/w.bin")?.sha256).toBe(sha256(binary));
    // Both read blobs are now known: the next event on this head reads nothing.
    expect(cache.blobs.get(TEXT_SHA)?.sha256).toBe(sha256(TEXT_BYTES));
    expect(cache.blobs.get(binarySha)?.sha256).toBe(sha256(binary));
  });

  it("says in the log why a batch was read one by one, and reads it so", async () => {
    listFiles([{ filename: "models/a.py", sha: TEXT_SHA }]);
    nock(API)
      .post("/graphql")
      .reply(502, { message: "Server Error" })
      .get("/repos/acme/models/contents/models%2Fa.py")
      .query({ ref: HEAD })
      .reply(200, {
        type: "file",
        sha: TEXT_SHA,
        size: TEXT_BYTES.length,
        content: TEXT_BYTES.toString("base64"),
      });
    const { reader, warnings } = readerOfOneFile();
    await reader.changedFiles();
    const files = await reader.readFiles?.(HEAD, ["models/a.py"]);
    expect(files?.get("models/a.py")?.sha256).toBe(sha256(TEXT_BYTES));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^aigate: acme\/models: a GraphQL read of files at cccccccccccc failed \(.*Server Error.*\); its files are read one by one instead$/,
      ),
    ]);
  });

  it("fails as the REST read fails when GraphQL is down and the REST read fails too", async () => {
    listFiles([{ filename: "models/a.py", sha: TEXT_SHA }]);
    nock(API)
      .post("/graphql")
      .reply(502, { message: "Server Error" })
      .get("/repos/acme/models/contents/models%2Fa.py")
      .query({ ref: HEAD })
      .reply(500, { message: "Server Error" });
    const { reader, warnings } = readerOfOneFile();
    await reader.changedFiles();
    await expect(reader.readFiles?.(HEAD, ["models/a.py"])).rejects.toMatchObject({ status: 500 });
    expect(warnings).toHaveLength(1);
  });
});
