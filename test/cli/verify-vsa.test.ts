import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mergeRecord } from "../../src/core/merge-verification/index.js";
import {
  COMMIT,
  context,
  key,
  mergedFacts,
  otherSigner,
  signer,
} from "../core/merge-verification/helpers.js";
import { runCli } from "../support/run-cli.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "aigate-vsa-"));
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [key.publicJwk] }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const passed = mergeRecord(mergedFacts(), context, signer);
const bypass = mergeRecord(mergedFacts({ pullRequest: undefined }), context, signer);
const RESOURCE = "git+https://github.com/acme/credit-models";

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const aigate = (...args: string[]) => runCli(args, dir, {});

describe("aigate verify --vsa", () => {
  it("verifies a record saved as its DSSE envelope: signature, commit, resource, PASSED", async () => {
    write("record.json", JSON.stringify(passed.signed.envelope));
    const run = await aigate(
      "verify",
      "--vsa",
      "record.json",
      "--jwks",
      "jwks.json",
      "--commit",
      COMMIT,
      "--resource-uri",
      RESOURCE,
    );
    expect(run.stdout).toContain(`verified      record.json  commit ${COMMIT}  PASSED`);
    expect(run.code).toBe(0);
  });

  it("verifies a record from a check run's text", async () => {
    write("check.txt", passed.output.text);
    const run = await aigate("verify", "--vsa", "check.txt", "--jwks", "jwks.json");
    expect(run.code).toBe(0);
  });

  it("refuses the record of another commit, another repository, or an untrusted key", async () => {
    write("record.json", JSON.stringify(passed.signed.envelope));
    const other = await aigate(
      "verify",
      "--vsa",
      "record.json",
      "--jwks",
      "jwks.json",
      "--commit",
      "f".repeat(40),
    );
    expect(other.code).toBe(1);
    expect(other.stdout).toContain(`the subject is commit ${COMMIT}`);
    const repo = await aigate(
      "verify",
      "--vsa",
      "record.json",
      "--jwks",
      "jwks.json",
      "--resource-uri",
      "git+https://github.com/acme/other",
    );
    expect(repo.code).toBe(1);
    write(
      "foreign.json",
      JSON.stringify(mergeRecord(mergedFacts(), context, otherSigner).signed.envelope),
    );
    const foreign = await aigate("verify", "--vsa", "foreign.json", "--jwks", "jwks.json");
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain("not signed by any trusted key");
  });

  it("exits 1 on a genuine FAILED record, saying it is a bypass", async () => {
    write("record.json", JSON.stringify(bypass.signed.envelope));
    const run = await aigate("verify", "--vsa", "record.json", "--jwks", "jwks.json");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("the record is genuine, and it says FAILED");
  });

  it("checks each input attestation's digest against the pack", async () => {
    const [input] = passed.statement.predicate.inputAttestations;
    const line = (body: string) =>
      JSON.stringify({
        type: "attestation_comment",
        repository: "acme/credit-models",
        pull_request: 12,
        comment: { id: 101, body, html_url: input?.uri },
      });
    write(
      "pack.jsonl",
      `${JSON.stringify({ type: "merge_verification", commit: COMMIT, envelope: passed.signed.envelopeJson })}\n${line("no marker")}\n`,
    );
    const missing = await aigate("verify", "--vsa", "pack.jsonl", "--jwks", "jwks.json");
    expect(missing.stdout).toContain("inputs 0 matched, 1 not in the pack");
    expect(missing.code).toBe(0);
    // An attestation whose envelope is not the one the record names.
    const { issue } = await import("../core/attestation/helpers.js");
    write(
      "pack.jsonl",
      `${JSON.stringify({ type: "merge_verification", commit: COMMIT, envelope: passed.signed.envelopeJson })}\n${line(issue().body)}\n`,
    );
    const differs = await aigate("verify", "--vsa", "pack.jsonl", "--jwks", "jwks.json");
    expect(differs.code).toBe(1);
    expect(differs.stdout).toContain(`the input attestation ${input?.uri} in the pack has digest`);
  });

  it("is a usage error without --jwks, or with a malformed --commit", async () => {
    write("record.json", JSON.stringify(passed.signed.envelope));
    expect((await aigate("verify", "--vsa", "record.json")).code).toBe(2);
    expect(
      (await aigate("verify", "--vsa", "record.json", "--jwks", "jwks.json", "--commit", "abc"))
        .code,
    ).toBe(2);
  });

  it("finds nothing to verify in a file without a record", async () => {
    write("empty.txt", "no record");
    const run = await aigate("verify", "--vsa", "empty.txt", "--jwks", "jwks.json");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("NOT VERIFIED");
  });
});
