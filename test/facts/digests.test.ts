/**
 * The App and the CLI gather facts through one path: for the same tree they record the same
 * digests — taken over the raw bytes, so a file that is not UTF-8 gets its true sha256 — and
 * decide the same gates.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalGit } from "../../src/cli/git.js";
import { localFacts } from "../../src/cli/local-facts.js";
import { evaluate } from "../../src/core/policy/index.js";
import { createAdapterCache } from "../../src/github/reads/cache.js";
import {
  factsOf,
  readPullRequest,
  readPullRequestState,
} from "../../src/github/reads/pull-request.js";
import { TempRepo } from "../support/git-repo.js";
import { testClient } from "../support/helpers.js";

const API = "https://api.github.com";
const MODEL_CARD = "examples-model-card.md";
/** "Modèle de crédit" in Latin-1: not valid UTF-8, so decoding it loses bytes. */
const LATIN1 = Buffer.from([
  0x4d, 0x6f, 0x64, 0xe8, 0x6c, 0x65, 0x20, 0x64, 0x65, 0x20, 0x63, 0x72, 0xe9, 0x64, 0x69, 0x74,
  0x0a,
]);

let repo: TempRepo;
let baseSha: string;
let headSha: string;
let cardPath: string;

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function bytesAt(revision: string, path: string): Buffer | null {
  try {
    return execFileSync("git", ["show", `${revision}:${path}`], { cwd: repo.dir });
  } catch {
    return null;
  }
}

beforeAll(() => {
  repo = TempRepo.fromDemo();
  const manifest = repo.read(".github/ai-governance.yml");
  cardPath = /model_card: (\S+)/.exec(manifest)?.[1] ?? MODEL_CARD;
  writeFileSync(join(repo.dir, cardPath), LATIN1);
  repo.commitAll("a model card in Latin-1");
  baseSha = repo.git("rev-parse", "HEAD").trim();
  repo.branch("retrain");
  repo.edit("models/credit/model.py", "\n", "\n# retrained\n");
  repo.edit(
    "governance/assessments/credit-scoring.yml",
    "assessed_at:",
    "# reviewed again\nassessed_at:",
  );
  repo.commitAll("retrain");
  headSha = repo.git("rev-parse", "HEAD").trim();
});

afterAll(() => repo?.remove());
afterEach(() => nock.cleanAll());

/** GitHub answering for the same repository: contents at a commit, the PR and its files. */
function serveFromGit(): void {
  const changed = repo
    .git("diff", "--name-only", `${baseSha}...${headSha}`)
    .trim()
    .split("\n")
    .map((filename) => ({ filename, status: "modified" }));
  nock(API)
    .persist()
    .get("/repos/acme/lending/pulls/3")
    .reply(200, {
      number: 3,
      state: "open",
      title: "Retrain",
      user: { login: "dave", id: 11, type: "User" },
      changed_files: changed.length,
      commits: 1,
      base: { ref: "main", sha: baseSha, repo: { id: 9, full_name: "acme/lending" } },
      head: { ref: "retrain", sha: headSha, repo: { id: 9, full_name: "acme/lending" } },
    })
    .get("/repos/acme/lending/git/ref/heads%2Fmain")
    .reply(200, { ref: "refs/heads/main", object: { sha: baseSha, type: "commit" } })
    .get("/repos/acme/lending/pulls/3/files")
    .query(true)
    .reply(200, changed)
    .get(/\/repos\/acme\/lending\/contents\/.*/)
    .query(true)
    .reply((uri) => {
      const url = new URL(uri, API);
      const path = decodeURIComponent(url.pathname.replace("/repos/acme/lending/contents/", ""));
      const bytes = bytesAt(url.searchParams.get("ref") ?? "", path);
      if (!bytes) return [404, { message: "Not Found" }];
      return [
        200,
        {
          type: "file",
          sha: sha256(bytes).slice(0, 40),
          size: bytes.length,
          content: bytes.toString("base64"),
        },
      ];
    })
    .get("/repos/acme/lending/pulls/3/commits")
    .query(true)
    .reply(200, [])
    .get("/repos/acme/lending/pulls/3/reviews")
    .query(true)
    .reply(200, [])
    .get("/repos/acme/lending/issues/3/comments")
    .query(true)
    .reply(200, []);
}

describe("one fact-gathering path for the App and the CLI", () => {
  it("records the same digests, over raw bytes, for a tree with a non-UTF-8 evidence file", async () => {
    serveFromGit();
    const client = testClient();
    const target = { owner: "acme", repo: "lending", pullNumber: 3 };
    const pr = await readPullRequest(client, target);
    const app = await readPullRequestState(
      client,
      createAdapterCache(),
      target,
      pr,
      ".github/ai-governance.yml",
    );
    const cli = await localFacts(new LocalGit(repo.dir), repo.dir, "main");

    const card = bytesAt(headSha, cardPath);
    expect(card).toEqual(LATIN1);
    const trueDigest = sha256(LATIN1);
    // A lossy UTF-8 decode would give another digest: the test would catch it.
    expect(sha256(Buffer.from(LATIN1.toString("utf8"), "utf8"))).not.toBe(trueDigest);

    expect(app.change.headFiles[cardPath]?.sha256).toBe(trueDigest);
    expect(cli.facts.headFiles[cardPath]?.sha256).toBe(trueDigest);
    const digests = (files: Record<string, { sha256: string } | null>) =>
      Object.fromEntries(Object.entries(files).map(([p, f]) => [p, f?.sha256 ?? null]));
    expect(digests(cli.facts.headFiles)).toEqual(digests(app.change.headFiles));
    expect(digests(cli.facts.baseFiles)).toEqual(digests(app.change.baseFiles));
    expect(cli.facts.manifest).toEqual(app.change.manifest);

    const now = new Date("2026-11-27T12:00:00Z");
    const fromApp = evaluate(factsOf(app), now, app.change.prepared);
    const fromCli = evaluate(cli.facts, now, cli.prepared);
    expect(fromCli.assessment.systems).toEqual(fromApp.assessment.systems);
    expect(fromCli.assessment.conclusion).toBe(fromApp.assessment.conclusion);
  });
});
