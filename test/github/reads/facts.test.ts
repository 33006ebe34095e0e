/** The adapter's reads over a mocked GitHub: what each returns, and what is cached. */
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAdapterCache } from "../../../src/github/reads/cache.js";
import {
  pullRequestReader,
  readChangedFiles,
  readChangedSince,
  readFileAt,
} from "../../../src/github/reads/change.js";
import { readTeamsOf } from "../../../src/github/reads/conversation.js";
import { testClient } from "../../support/helpers.js";

const API = "https://api.github.com";
const repo = { owner: "acme", repo: "models" };
const target = { ...repo, pullNumber: 7 };
const A = "a".repeat(40);
const B = "b".repeat(40);

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("reading facts from GitHub", () => {
  it("reads every page of changed files and marks the list incomplete past GitHub's cap", async () => {
    const page = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ filename: `f${from + i}.py`, status: "added" }));
    nock(API)
      .get("/repos/acme/models/pulls/7/files")
      .query({ per_page: "100" })
      .reply(200, page(0, 100), {
        link: '<https://api.github.com/repos/acme/models/pulls/7/files?per_page=100&page=2>; rel="next"',
      })
      .get("/repos/acme/models/pulls/7/files")
      .query({ per_page: "100", page: "2" })
      .reply(200, [
        ...page(100, 1),
        { filename: "new.py", previous_filename: "old.py", status: "renamed" },
      ]);
    const { files, truncated } = await readChangedFiles(testClient(), target, 4000);
    expect(files).toHaveLength(102);
    expect(files.at(-1)).toEqual({ path: "new.py", status: "renamed", previousPath: "old.py" });
    expect(truncated).toBe(true);
  });

  it("reads a file at a commit once, and a missing file as null", async () => {
    const cache = createAdapterCache();
    nock(API)
      .get("/repos/acme/models/contents/docs%2Fa.md")
      .query({ ref: A })
      .reply(200, {
        type: "file",
        sha: "1".repeat(40),
        size: 5,
        content: Buffer.from("hello").toString("base64"),
      })
      .get("/repos/acme/models/contents/docs%2Fmissing.md")
      .query({ ref: A })
      .reply(404, { message: "Not Found" });
    const client = testClient();
    const first = await readFileAt(client, cache, repo, A, "docs/a.md");
    expect(first).toMatchObject({ text: "hello", blobSha: "1".repeat(40) });
    expect(first?.sha256).toBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    expect(await readFileAt(client, cache, repo, A, "docs/a.md")).toBe(first);
    expect(await readFileAt(client, cache, repo, A, "docs/missing.md")).toBeNull();
  });

  it("reads a file over 1 MB through the blob API", async () => {
    const text = "x".repeat(16);
    nock(API)
      .get("/repos/acme/models/contents/data%2Fbig.csv")
      .query({ ref: A })
      .reply(200, {
        type: "file",
        sha: "2".repeat(40),
        size: 2_000_000,
        content: "",
        encoding: "none",
      })
      .get(`/repos/acme/models/git/blobs/${"2".repeat(40)}`)
      .reply(200, { content: Buffer.from(text).toString("base64"), encoding: "base64" });
    const file = await readFileAt(testClient(), createAdapterCache(), repo, A, "data/big.csv");
    expect(file?.text).toBe(text);
  });

  it("does not mistake a directory for a document", async () => {
    nock(API)
      .get("/repos/acme/models/contents/docs")
      .query({ ref: A })
      .reply(200, [{ type: "file", name: "a.md" }]);
    expect(await readFileAt(testClient(), createAdapterCache(), repo, A, "docs")).toBeNull();
  });

  it("lists the files changed since an approved commit, and null when history diverged", async () => {
    const cache = createAdapterCache();
    nock(API)
      .get(`/repos/acme/models/compare/${A}...${B}`)
      .query(true)
      .reply(200, { status: "ahead", files: [{ filename: "b.py", previous_filename: "a.py" }] })
      .get(`/repos/acme/models/compare/${B}...${A}`)
      .query(true)
      .reply(200, { status: "diverged", files: [] });
    expect(await readChangedSince(testClient(), cache, repo, A, B)).toEqual(["b.py", "a.py"]);
    expect(await readChangedSince(testClient(), cache, repo, A, B)).toEqual(["b.py", "a.py"]);
    expect(await readChangedSince(testClient(), cache, repo, B, A)).toBeNull();
    expect(await readChangedSince(testClient(), cache, repo, A, A)).toEqual([]);
  });

  it("takes a changed file at the head from a blob already read, named by the file list", async () => {
    const cache = createAdapterCache();
    const body = (text: string) => ({
      type: "file",
      sha: `blob-${text}`,
      size: text.length,
      encoding: "base64",
      content: Buffer.from(text).toString("base64"),
    });
    nock(API)
      // The assessment as another pull request's head had it: the same blob.
      .get("/repos/acme/models/contents/assessment.yml")
      .query({ ref: B })
      .reply(200, body("risk: low\n"))
      .get("/repos/acme/models/pulls/7/files")
      .query(true)
      .reply(200, [
        { filename: "assessment.yml", status: "modified", sha: "blob-risk: low\n" },
        { filename: "card.md", status: "modified", sha: "blob-unseen" },
        { filename: "gone.md", status: "removed", sha: "blob-gone" },
      ])
      // A changed file whose blob was never read, and any file at the base, are read.
      .get("/repos/acme/models/contents/card.md")
      .query({ ref: A })
      .reply(200, body("# Card\n"))
      .get("/repos/acme/models/contents/assessment.yml")
      .query({ ref: "c".repeat(40) })
      .reply(200, body("risk: high\n"));
    const client = testClient();
    expect((await readFileAt(client, cache, repo, B, "assessment.yml"))?.text).toBe("risk: low\n");
    const reader = pullRequestReader(client, cache, target, { headSha: A, changedFilesCount: 3 });
    await reader.changedFiles();
    expect((await reader.readFile(A, "assessment.yml"))?.text).toBe("risk: low\n");
    expect((await reader.readFile(A, "card.md"))?.text).toBe("# Card\n");
    expect((await reader.readFile("c".repeat(40), "assessment.yml"))?.text).toBe("risk: high\n");
  });

  it("remembers the head's blobs only from a file list whose every entry names that head", async () => {
    const at = (sha: string, path: string) =>
      `https://api.github.com/repos/acme/models/contents/${path}?ref=${sha}`;
    const list = (second: string) => [
      {
        filename: "model.py",
        status: "modified",
        sha: "1".repeat(40),
        contents_url: at(A, "model.py"),
      },
      {
        filename: "data.csv",
        status: "added",
        sha: "2".repeat(40),
        contents_url: at(second, "data.csv"),
      },
      {
        filename: "old.pkl",
        status: "removed",
        sha: "3".repeat(40),
        contents_url: at(B, "old.pkl"),
      },
    ];
    nock(API)
      .get("/repos/acme/models/pulls/7/files")
      .query(true)
      .reply(200, list(A))
      .get("/repos/acme/models/pulls/8/files")
      .query(true)
      .reply(200, list(B));
    const cache = createAdapterCache();
    const client = testClient();
    await pullRequestReader(client, cache, target, {
      headSha: A,
      changedFilesCount: 3,
    }).changedFiles();
    expect(cache.pullHeads.get(`acme/models@${A}`)).toEqual(
      new Map([
        ["model.py", "1".repeat(40)],
        ["data.csv", "2".repeat(40)],
        ["old.pkl", null],
      ]),
    );
    // Listed while the head moved: one entry names another head. Nothing is remembered.
    await pullRequestReader(
      client,
      cache,
      { ...target, pullNumber: 8 },
      {
        headSha: B,
        changedFilesCount: 3,
      },
    ).changedFiles();
    expect(cache.pullHeads.get(`acme/models@${B}`)).toBeUndefined();
  });

  it("leaves a team unreadable, never counted, when the token may not read it (403)", async () => {
    nock(API)
      .get("/orgs/acme/teams/model-risk/memberships/erin")
      .reply(403, { message: "Resource not accessible by integration" });
    expect(
      await readTeamsOf(testClient(), createAdapterCache(), "erin", ["acme/model-risk"]),
    ).toEqual({
      member: [],
      unreadable: ["acme/model-risk"],
    });
  });

  it("counts only active team memberships, and remembers them briefly", async () => {
    // A real clock: lru-cache reads a start time of 0 as "never set".
    let clock = 1_800_000_000_000;
    const cache = createAdapterCache(() => clock);
    nock(API)
      .get("/orgs/acme/teams/model-risk/memberships/erin")
      .times(2)
      .reply(200, { state: "active" })
      .get("/orgs/acme/teams/model-risk/memberships/pat")
      .reply(200, { state: "pending" })
      .get("/orgs/acme/teams/model-risk/memberships/mallory")
      .reply(404, { message: "Not Found" });
    const client = testClient();
    expect(await readTeamsOf(client, cache, "erin", ["acme/model-risk"])).toEqual({
      member: ["acme/model-risk"],
      unreadable: [],
    });
    expect(await readTeamsOf(client, cache, "erin", ["acme/model-risk"])).toEqual({
      member: ["acme/model-risk"],
      unreadable: [],
    });
    expect(await readTeamsOf(client, cache, "pat", ["acme/model-risk"])).toEqual({
      member: [],
      unreadable: [],
    });
    expect(await readTeamsOf(client, cache, "mallory", ["acme/model-risk"])).toEqual({
      member: [],
      unreadable: [],
    });
    clock += 61_000;
    expect(await readTeamsOf(client, cache, "erin", ["acme/model-risk"])).toEqual({
      member: ["acme/model-risk"],
      unreadable: [],
    });
  });
});
