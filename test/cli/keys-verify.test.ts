import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Issued,
  issue,
  issuer,
  issuerKey,
  NEW_HEAD,
  PR,
  REPO,
} from "../core/attestation/helpers.js";
import { type CliRun, runCli } from "../support/run-cli.js";

const CLI = join(import.meta.dirname, "..", "..", "bin", "aigate.js");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "aigate-keys-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process in the temporary directory. */
function aigate(...args: string[]): Promise<CliRun> {
  return runCli(args, dir, {});
}

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

/** An issue comment object as GitHub's REST API lists it. */
function apiComment(issued: Issued, id: number, body = issued.body) {
  return {
    id,
    body,
    user: { login: "aigate[bot]", id: 1, type: "Bot" },
    html_url: `https://github.com/${REPO}/pull/${PR}#issuecomment-${id}`,
    issue_url: `https://api.github.com/repos/${REPO}/issues/${PR}`,
    created_at: "2026-03-02T09:14:10Z",
    updated_at: "2026-03-02T09:14:10Z",
  };
}

function jsonl(...lines: unknown[]): string {
  return `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`;
}

function trustedJwksFile(): string {
  write("issuer.pub.pem", issuerKey.publicKeyPem);
  return write(
    "jwks.json",
    JSON.stringify({
      keys: [
        JSON.parse(
          readFileSync(
            join(import.meta.dirname, "..", "fixtures", "attestation", "vector.json"),
            "utf8",
          ),
        ).public_jwk,
      ],
    }),
  );
}

const approval = issue();
const second = issue({
  prev: approval.digest,
  approver: { id: 99, login: "risk-officer" },
  source: {
    kind: "comment",
    id: 555,
    at: "2026-03-02T10:00:00Z",
    commit: approval.statement.predicate.pull_request.head_sha,
  },
  issued_at: "2026-03-02T10:00:01Z",
});

describe("aigate keys generate", () => {
  it("writes a new private key with mode 0600 and prints only its key id and public JWK", async () => {
    const run = await aigate("keys", "generate", "--out", "signing.pem");
    expect(run.code).toBe(0);
    const pem = readFileSync(join(dir, "signing.pem"), "utf8");
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(statSync(join(dir, "signing.pem")).mode & 0o777).toBe(0o600);
    expect(run.stdout).toMatch(
      /^key id: [A-Za-z0-9_-]{43}\npublic JWK: \{"kty":"OKP","crv":"Ed25519"/,
    );
    expect(run.stdout).not.toContain("PRIVATE");
  });

  it("refuses to overwrite an existing file unless --force is given", async () => {
    write("signing.pem", "old");
    const refused = await aigate("keys", "generate", "--out", "signing.pem");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("signing.pem exists: pass --force");
    expect(readFileSync(join(dir, "signing.pem"), "utf8")).toBe("old");
    const forced = await aigate("keys", "generate", "--out", "signing.pem", "--force");
    expect(forced.code).toBe(0);
    expect(statSync(join(dir, "signing.pem")).mode & 0o777).toBe(0o600);
  });

  it("never prints a private key unless --stdout asks for it", async () => {
    const refused = await aigate("keys", "generate");
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain("--out FILE");
    const printed = await aigate("keys", "generate", "--stdout");
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/,
    );
  });
});

describe("aigate keys jwks", () => {
  it("prints the same public JWKS from the private and the public PEM, once per key", async () => {
    write("issuer.pem", issuerKey.privateKeyPem);
    write("issuer.pub.pem", issuerKey.publicKeyPem);
    const run = await aigate("keys", "jwks", "--key", "issuer.pem", "--key", "issuer.pub.pem");
    expect(run.code).toBe(0);
    const jwks = JSON.parse(run.stdout) as { keys: Array<Record<string, string>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", use: "sig", alg: "EdDSA" });
    expect(run.stdout).not.toContain('"d"');
  });

  it("exits 2 for a missing key file or a file that is not an Ed25519 key", async () => {
    expect((await aigate("keys", "jwks", "--key", "absent.pem")).stderr).toContain(
      "cannot read the key file absent.pem (ENOENT)",
    );
    write("notes.txt", "hello");
    const run = await aigate("keys", "jwks", "--key", "notes.txt");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("notes.txt: not a PEM-encoded key");
    expect((await aigate("keys", "jwks")).code).toBe(2);
  });
});

describe("rotating keys with aigate keys jwks", () => {
  it("retires the old key with --not-after and merges the new key into the JWKS", async () => {
    write("old.pem", issuerKey.privateKeyPem);
    await aigate("keys", "generate", "--out", "new.pem");
    const retired = await aigate(
      "keys",
      "jwks",
      "--key",
      "old.pem",
      "--not-after",
      "2026-03-02T12:00:00Z",
    );
    expect(retired.code).toBe(0);
    write("old-jwks.json", retired.stdout);
    const merged = await aigate("keys", "jwks", "--key", "new.pem", "--merge", "old-jwks.json");
    expect(merged.code).toBe(0);
    write("jwks.json", merged.stdout);
    const jwks = JSON.parse(merged.stdout) as { keys: Array<Record<string, string>> };
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys[0]).toMatchObject({ kid: issuer.keyId, not_after: "2026-03-02T12:00:00Z" });

    const late = issue({
      issued_at: "2026-03-02T12:00:00Z",
      source: { kind: "comment", id: 777, at: "2026-03-02T11:59:00Z", commit: NEW_HEAD },
      prev: approval.digest,
    });
    write("before.jsonl", jsonl(apiComment(approval, 1)));
    write("after.jsonl", jsonl(apiComment(approval, 1), apiComment(late, 2)));
    expect((await aigate("verify", "--evidence", "before.jsonl", "--jwks", "jwks.json")).code).toBe(
      0,
    );
    const after = await aigate("verify", "--evidence", "after.jsonl", "--jwks", "jwks.json");
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/^key_not_valid_at_issued_at +line 2 /m);
  });

  it("replaces a key listed in the merged JWKS, e.g. to revoke it", async () => {
    write("old.pem", issuerKey.privateKeyPem);
    write("old-jwks.json", (await aigate("keys", "jwks", "--key", "old.pem")).stdout);
    const run = await aigate(
      "keys",
      "jwks",
      "--key",
      "old.pem",
      "--revoked-at",
      "2026-03-01T00:00:00Z",
      "--merge",
      "old-jwks.json",
    );
    expect(JSON.parse(run.stdout)).toEqual({
      keys: [expect.objectContaining({ kid: issuer.keyId, revoked_at: "2026-03-01T00:00:00Z" })],
    });
  });

  it("exits 2 for a validity time that is not ISO-8601 or a JWKS to merge that is invalid", async () => {
    write("old.pem", issuerKey.privateKeyPem);
    const badTime = await aigate("keys", "jwks", "--key", "old.pem", "--not-after", "next year");
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain("--not-after next year: give an ISO-8601 time");
    write("broken.json", '{"keys":[{"kty":"RSA"}]}');
    const badMerge = await aigate("keys", "jwks", "--key", "old.pem", "--merge", "broken.json");
    expect(badMerge.code).toBe(2);
    expect(badMerge.stderr).toMatch(/^broken\.json: not a valid Ed25519 JWKS/m);
  });
});

describe("aigate verify", () => {
  it("exits 0 for valid evidence and prints a line per statement and a summary", async () => {
    const jwks = trustedJwksFile();
    const evidence = write(
      "comments.jsonl",
      jsonl(
        apiComment(approval, 1),
        {
          id: 2,
          body: "LGTM",
          user: { login: "dev" },
          issue_url: `https://api.github.com/repos/${REPO}/issues/${PR}`,
        },
        apiComment(second, 3),
      ),
    );
    const run = await aigate("verify", "--evidence", evidence, "--jwks", jwks);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `valid                      line 1  ${REPO}#${PR} comment 1  @octocat approved credit-scoring  head 89e6c98d9288  ${approval.digest}`,
    );
    expect(run.stdout).toContain("@risk-officer approved credit-scoring");
    expect(run.stdout).toContain("2 attestation(s): 2 valid: evidence valid");
    expect(run.stdout).toContain("1 line(s) without an attestation skipped");
  });

  it("exits 1 for tampered evidence and says which statement and why", async () => {
    const jwks = trustedJwksFile();
    const envelope = JSON.parse(second.envelopeJson) as { payload: string };
    const forged = Buffer.from(envelope.payload, "base64")
      .toString("utf8")
      .replace("risk-officer", "mallory");
    const tampered = JSON.stringify({
      ...envelope,
      payload: Buffer.from(forged).toString("base64"),
    });
    const body = second.body.replace(
      /v1 [A-Za-z0-9+/=]+ -->/,
      `v1 ${Buffer.from(tampered).toString("base64")} -->`,
    );
    const evidence = write(
      "comments.jsonl",
      jsonl(apiComment(approval, 1), apiComment(second, 3, body)),
    );
    const run = await aigate("verify", "--evidence", evidence, "--jwks", jwks);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^bad_signature +line 2 /m);
    expect(run.stdout).toContain("evidence INVALID");
  });

  it("reads aigate export lines and skips other evidence kinds", async () => {
    const jwks = trustedJwksFile();
    const evidence = write(
      "pack.jsonl",
      jsonl(
        { type: "check_run", name: "aigate / oversight" },
        {
          type: "attestation_comment",
          repository: REPO,
          repository_id: 812345678,
          pull_request: PR,
          comment: {
            id: 1,
            body: approval.body,
            user: { login: "aigate[bot]" },
            created_at: "2026-03-02T09:14:10Z",
          },
        },
      ),
    );
    const run = await aigate("verify", "--evidence", evidence, "--jwks", jwks, "--json");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      statements: Array<Record<string, unknown>>;
      summary: Record<string, unknown>;
    };
    expect(out.statements).toEqual([
      expect.objectContaining({
        line: 2,
        verdict: "valid",
        digest: approval.digest,
        head: approval.statement.predicate.pull_request.head_sha,
      }),
    ]);
    expect(out.summary).toMatchObject({ total: 1, ok: true, skipped: 1 });
  });

  it("reports statements for another head as stale and still exits 0", async () => {
    const jwks = trustedJwksFile();
    const evidence = write("comments.jsonl", jsonl(apiComment(approval, 1)));
    const run = await aigate(
      "verify",
      "--evidence",
      evidence,
      "--jwks",
      jwks,
      "--repo",
      REPO,
      "--pr",
      String(PR),
      "--head",
      NEW_HEAD,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^stale /m);
  });

  it("exits 1 when the statements are for another pull request than expected", async () => {
    const jwks = trustedJwksFile();
    const evidence = write("comments.jsonl", jsonl(apiComment(approval, 1)));
    const run = await aigate(
      "verify",
      "--evidence",
      evidence,
      "--jwks",
      jwks,
      "--repo",
      REPO,
      "--pr",
      "7",
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^replayed /m);
  });

  it("never says valid when nothing was verified: stdout, stderr and exit 1 agree", async () => {
    const jwks = trustedJwksFile();
    const evidence = write(
      "comments.jsonl",
      jsonl({
        id: 2,
        body: "LGTM",
        user: { login: "dev" },
        html_url: `https://github.com/${REPO}/pull/${PR}#issuecomment-2`,
      }),
    );
    const run = await aigate("verify", "--evidence", evidence, "--jwks", jwks);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      "0 attestation(s): nothing was verified\n1 line(s) without an attestation skipped\n",
    );
    expect(run.stdout).not.toMatch(/valid/);
    expect(run.stderr).toBe(
      "aigate: no attestation comments in comments.jsonl: nothing was verified, so the evidence is not valid (exit 1)\n",
    );
    const json = await aigate("verify", "--evidence", evidence, "--jwks", jwks, "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).summary).toMatchObject({
      total: 0,
      ok: false,
      nothing_verified: true,
    });
  });

  it("exits 2 naming the line of a malformed JSON Lines entry", async () => {
    const jwks = trustedJwksFile();
    const evidence = write(
      "comments.jsonl",
      `${JSON.stringify(apiComment(approval, 1))}\n{"id": 2, "body": \n`,
    );
    const run = await aigate("verify", "--evidence", evidence, "--jwks", jwks);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^comments\.jsonl:2:1: not valid JSON/m);
  });

  it("exits 2 naming the line and field of a comment it cannot place", async () => {
    const jwks = trustedJwksFile();
    const evidence = write(
      "comments.jsonl",
      jsonl(apiComment(approval, 1), { id: 3, body: approval.body }),
    );
    const run = await aigate("verify", "--evidence", evidence, "--jwks", jwks);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "comments.jsonl:2:1: issue_url: cannot tell the repository and pull request",
    );
  });

  it.each([
    [
      "without --jwks",
      ["--evidence", "comments.jsonl"],
      "--evidence FILE is required, with --jwks FILE for keyed attestations",
    ],
    [
      "with an unreadable evidence file",
      ["--evidence", "absent.jsonl", "--jwks", "jwks.json"],
      "cannot read the evidence file absent.jsonl",
    ],
    [
      "with an unreadable JWKS",
      ["--evidence", "comments.jsonl", "--jwks", "absent.json"],
      "cannot read the JWKS absent.json",
    ],
    [
      "with a pull request that is not a number",
      ["--evidence", "comments.jsonl", "--jwks", "jwks.json", "--pr", "abc"],
      "--pr abc",
    ],
    [
      "with a short head SHA",
      ["--evidence", "comments.jsonl", "--jwks", "jwks.json", "--head", "89e6c98"],
      "--head 89e6c98",
    ],
    [
      "with an unknown flag",
      ["--evidence", "comments.jsonl", "--jwks", "jwks.json", "--fast"],
      "unknown option '--fast'",
    ],
  ])("exits 2 %s", async (_case, args, message) => {
    trustedJwksFile();
    write("comments.jsonl", jsonl(apiComment(approval, 1)));
    const run = await aigate("verify", ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("exits 2 naming the field of an invalid JWKS", async () => {
    write(
      "jwks.json",
      JSON.stringify({
        keys: [{ kty: "OKP", crv: "Ed25519", x: "abc", use: "sig", alg: "EdDSA" }],
      }),
    );
    write("comments.jsonl", jsonl(apiComment(approval, 1)));
    const run = await aigate("verify", "--evidence", "comments.jsonl", "--jwks", "jwks.json");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^jwks\.json: not a valid Ed25519 JWKS: keys\[0\]\.x/m);
  });
});

describe("the built aigate binary", () => {
  it("generates a key, publishes its JWKS and verifies evidence, as a child process", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8" });
    const generated = run("keys", "generate", "--out", "signing.pem");
    expect(generated.status).toBe(0);
    expect(statSync(join(dir, "signing.pem")).mode & 0o777).toBe(0o600);
    const jwks = run("keys", "jwks", "--key", "signing.pem");
    expect(jwks.status).toBe(0);
    expect(JSON.parse(jwks.stdout)).toMatchObject({ keys: [{ kty: "OKP", crv: "Ed25519" }] });

    write("issuer.pem", issuerKey.privateKeyPem);
    writeFileSync(join(dir, "jwks.json"), run("keys", "jwks", "--key", "issuer.pem").stdout);
    write("comments.jsonl", jsonl(apiComment(approval, 1)));
    const valid = run("verify", "--evidence", "comments.jsonl", "--jwks", "jwks.json");
    expect(valid.status).toBe(0);
    const tampered = approval.body.replace(/v1 ([A-Za-z0-9+/=]+) -->/, "v1 e30= -->");
    write("tampered.jsonl", jsonl(apiComment(approval, 1, tampered)));
    expect(run("verify", "--evidence", "tampered.jsonl", "--jwks", "jwks.json").status).toBe(1);
    expect(run("verify", "--evidence", "comments.jsonl").status).toBe(2);
  });
});

describe("aigate verify: check runs as witnesses of what was counted", () => {
  /** An export line of aigate's human-oversight run that counted these attestation digests. */
  function oversightRun(digests: string[], app = "aigate") {
    const rows = digests.map(
      (digest, i) =>
        `| approver${i} | listed user | 2026-03-02T10:00:00Z | \`89e6c98\` | review ${i} | \`${digest}\` |`,
    );
    return {
      type: "check_run",
      repository: REPO,
      pull_request: PR,
      id: 4242,
      name: "AI governance: human oversight",
      head_sha: approval.statement.predicate.pull_request.head_sha,
      current_head: true,
      status: "completed",
      conclusion: "success",
      title: "2 of 2 approvals recorded",
      summary: `### credit-scoring\n\nCounted approvals:\n\n| Approver | Eligible as | Given at | Commit | Source | Attestation |\n| --- | --- | --- | --- | --- | --- |\n${rows.join("\n")}\n`,
      started_at: null,
      completed_at: null,
      app,
      html_url: null,
    };
  }

  function exportLine(issued: Issued, id: number) {
    return {
      type: "attestation_comment",
      repository: REPO,
      repository_id: 812345678,
      pull_request: PR,
      comment: apiComment(issued, id),
    };
  }

  it("exits 0 when every digest the check run counted is in the pack", async () => {
    const jwks = trustedJwksFile();
    const evidence = write(
      "pack.jsonl",
      jsonl(
        oversightRun([approval.digest, second.digest]),
        exportLine(approval, 1),
        exportLine(second, 2),
      ),
    );
    const run = await aigate("verify", "--evidence", evidence, "--jwks", jwks);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "1 human-oversight check run(s) by aigate cross-checked: 2 counted attestation(s), 0 missing",
    );
    expect(run.stdout).toContain("2 attestation(s): 2 valid: evidence valid");
  });

  it("reports the newest attestation deleted from the pack as deleted_after_counting (exit 1)", async () => {
    const jwks = trustedJwksFile();
    const evidence = write(
      "pack.jsonl",
      jsonl(oversightRun([approval.digest, second.digest]), exportLine(approval, 1)),
    );
    // The chain alone cannot see it: the remaining statement is intact and valid.
    const run = await aigate("verify", "--evidence", evidence, "--jwks", jwks);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        `^deleted_after_counting +line 1  ${REPO}#${PR} check run 4242  head 89e6c98d9288  ${second.digest}$`,
        "m",
      ),
    );
    expect(run.stdout).toContain(
      "1 attestation(s): 1 valid, 1 deleted_after_counting: evidence INVALID",
    );

    const json = await aigate("verify", "--evidence", evidence, "--jwks", jwks, "--json");
    const out = JSON.parse(json.stdout) as {
      witnesses: Array<Record<string, unknown>>;
      summary: Record<string, unknown>;
    };
    expect(json.code).toBe(1);
    expect(out.witnesses).toEqual([
      expect.objectContaining({
        verdict: "deleted_after_counting",
        check_run_id: 4242,
        digest: second.digest,
        line: 1,
      }),
    ]);
    expect(out.summary).toMatchObject({
      ok: false,
      counts: expect.objectContaining({ valid: 1, deleted_after_counting: 1 }),
      witnesses: { app: "aigate", check_runs: 1, ignored: 0, counted: 2 },
    });
  });

  it("counts only check runs of the App named by --app-slug as witnesses", async () => {
    const jwks = trustedJwksFile();
    const evidence = write(
      "pack.jsonl",
      jsonl(oversightRun([second.digest], "impostor"), exportLine(approval, 1)),
    );
    const ignored = await aigate("verify", "--evidence", evidence, "--jwks", jwks);
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toContain("1 run(s) by other apps are not witnesses and were ignored");
    const named = await aigate(
      "verify",
      "--evidence",
      evidence,
      "--jwks",
      jwks,
      "--app-slug",
      "impostor",
    );
    expect(named.code).toBe(1);
    expect(named.stdout).toContain("deleted_after_counting");
  });

  it("is invalid, not 'nothing verified', when every counted attestation was deleted", async () => {
    const jwks = trustedJwksFile();
    const evidence = write("pack.jsonl", jsonl(oversightRun([approval.digest])));
    const run = await aigate("verify", "--evidence", evidence, "--jwks", jwks);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("0 attestation(s): 1 deleted_after_counting: evidence INVALID");
    expect(run.stderr).toBe("");
  });

  it("exits 2 naming the line of a human-oversight check_run line it cannot read", async () => {
    const jwks = trustedJwksFile();
    const evidence = write(
      "pack.jsonl",
      jsonl({ type: "check_run", name: "AI governance: human oversight", id: "x" }),
    );
    const run = await aigate("verify", "--evidence", evidence, "--jwks", jwks);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pack\.jsonl:1:1: a check_run line that cannot be read/m);
  });
});
