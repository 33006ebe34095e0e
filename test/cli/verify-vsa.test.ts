import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type MergeRecord,
  mergeRecord,
  mergeRecordKeyless,
} from "../../src/core/merge-verification/index.js";
import { createKeylessSigner } from "../../src/sigstore/sign.js";
import {
  COMMIT,
  context,
  key,
  mergedFacts,
  otherSigner,
  signer,
} from "../core/merge-verification/helpers.js";
import { runCli } from "../support/run-cli.js";
import { actionsToken, type MockSigstore, startMockSigstore } from "../support/sigstore.js";

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

describe("aigate verify --vsa, keyless records (Sigstore bundles)", () => {
  const WORKFLOW = "acme/credit-models/.github/workflows/aigate.yml";
  const MAIN = "refs/heads/main";
  let mock: MockSigstore;
  let expired: MockSigstore;

  beforeAll(async () => {
    mock = await startMockSigstore();
    // A CA whose clock is a day behind: its certificates expired long before Rekor logs them.
    expired = await startMockSigstore({ caClock: new Date(Date.now() - 24 * 3600 * 1000) });
  });
  afterAll(async () => {
    await mock?.close();
    await expired?.close();
  });

  function keylessSigner(
    options: { workflow?: string; ref?: string; token?: string; via?: MockSigstore } = {},
  ) {
    const via = options.via ?? mock;
    const token = options.token ?? actionsToken(options.workflow ?? WORKFLOW, options.ref ?? MAIN);
    // The mock log stores entries as sent, which sigstore-js verifies for `intoto` entries only.
    return createKeylessSigner({
      endpoints: { fulcioURL: via.fulcioURL, rekorURL: via.rekorURL },
      getToken: async () => token,
      entryType: "intoto",
    });
  }

  async function keylessRecord(
    options: Parameters<typeof keylessSigner>[0] = {},
    facts = mergedFacts(),
  ): Promise<MergeRecord> {
    return mergeRecordKeyless(facts, context, keylessSigner(options));
  }

  function roots(): void {
    write("trusted_root.json", JSON.stringify(mock.trustedRoot));
  }

  const offline = (...args: string[]) =>
    aigate("verify", ...args, "--trusted-root", "trusted_root.json", "--signer-workflow", WORKFLOW);

  it("verifies a record saved as its bundle, offline against the trusted root and the pinned workflow", async () => {
    const record = await keylessRecord();
    expect(record.signed.bundle).toBeDefined();
    roots();
    write("record.json", JSON.stringify(record.signed.bundle));
    const run = await offline(
      "--vsa",
      "record.json",
      "--commit",
      COMMIT,
      "--resource-uri",
      RESOURCE,
    );
    expect(run.stdout).toContain(`verified      record.json  commit ${COMMIT}  PASSED`);
    expect(run.stdout).toContain(`Sigstore bundle of https://github.com/${WORKFLOW}@${MAIN}`);
    expect(run.code).toBe(0);
    // The same from the check run's text, and with the workflow named by a manifest.
    write("check.txt", record.output.text);
    expect(record.output.text).toContain("(Sigstore bundle, base64)");
    expect((await offline("--vsa", "check.txt")).code).toBe(0);
    const fixture = readFileSync(
      join(import.meta.dirname, "..", "fixtures", "manifests", "valid-one-system.yml"),
      "utf8",
    );
    write(
      "manifest.yml",
      fixture.replace(
        "  policy: docs/ai-policy.md\n",
        `  policy: docs/ai-policy.md\n  signers:\n    - workflow: ${WORKFLOW}\n      ref: ${MAIN}\n`,
      ),
    );
    const byManifest = await aigate(
      "verify",
      "--vsa",
      "record.json",
      "--trusted-root",
      "trusted_root.json",
      "--manifest",
      "manifest.yml",
    );
    expect(byManifest.stdout + byManifest.stderr).toContain("verified");
    expect(byManifest.code).toBe(0);
  });

  it("exits 1 on a genuine keyless FAILED record, saying it is a bypass", async () => {
    const record = await keylessRecord({}, mergedFacts({ pullRequest: undefined }));
    roots();
    write("record.json", JSON.stringify(record.signed.bundle));
    const run = await offline("--vsa", "record.json");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("the record is genuine, and it says FAILED");
  });

  it("refuses a keyless record of another commit or another repository's resource", async () => {
    const record = await keylessRecord();
    roots();
    write("record.json", JSON.stringify(record.signed.bundle));
    const other = await offline("--vsa", "record.json", "--commit", "f".repeat(40));
    expect(other.code).toBe(1);
    expect(other.stdout).toContain(`the subject is commit ${COMMIT}`);
    const repo = await offline(
      "--vsa",
      "record.json",
      "--resource-uri",
      "git+https://github.com/acme/other",
    );
    expect(repo.code).toBe(1);
    expect(repo.stdout).toContain("resourceUri is git+https://github.com/acme/credit-models");
  });

  /** Runs verify --vsa on a bundle and returns the one record's reason. */
  async function rejected(bundle: unknown, root: unknown = mock.trustedRoot): Promise<string> {
    write("trusted_root.json", JSON.stringify(root));
    write("record.json", JSON.stringify(bundle));
    const run = await offline("--vsa", "record.json", "--json");
    expect(run.code).toBe(1);
    const [report] = JSON.parse(run.stdout).records;
    expect(report.ok).toBe(false);
    return report.reason;
  }

  it("rejects an edited bundle: the statement changed after signing", async () => {
    const record = await keylessRecord({}, mergedFacts({ pullRequest: undefined }));
    const edited = structuredClone(record.signed.bundle) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(edited.dsseEnvelope.payload, "base64").toString());
    statement.predicate.verificationResult = "PASSED";
    statement.predicate.verifiedLevels = [
      "ORG_SOURCE_AI_RISK_ASSESSED",
      "ORG_SOURCE_AI_HUMAN_OVERSIGHT",
    ];
    edited.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString("base64");
    expect(await rejected(edited)).toMatch(/Sigstore verification failed/);
  });

  it("rejects a certificate for another workflow of the same repository", async () => {
    const record = await keylessRecord({
      workflow: "acme/credit-models/.github/workflows/other.yml",
    });
    expect(await rejected(record.signed.bundle)).toContain(
      "other.yml@refs/heads/main, which is not an allowed signer",
    );
  });

  it("rejects the allowed workflow at another ref", async () => {
    const record = await keylessRecord({ ref: "refs/heads/feature" });
    expect(await rejected(record.signed.bundle)).toContain(
      "aigate.yml@refs/heads/feature, which is not an allowed signer",
    );
  });

  it("rejects another repository's identity, even one whose name only extends the allowed one", async () => {
    for (const workflow of [
      "evil/credit-models/.github/workflows/aigate.yml",
      "acme/credit-models-evil/.github/workflows/aigate.yml",
    ]) {
      const record = await keylessRecord({ workflow });
      expect(await rejected(record.signed.bundle)).toContain("which is not an allowed signer");
    }
  });

  it("rejects a certificate from an issuer other than GitHub Actions", async () => {
    const claims = {
      iss: "https://accounts.example.com",
      sub: "someone",
      job_workflow_ref_uri: `https://github.com/${WORKFLOW}@${MAIN}`,
    };
    const token = `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
    const record = await keylessRecord({ token });
    expect(await rejected(record.signed.bundle)).toContain("not GitHub Actions");
  });

  it("rejects an expired certificate without a valid timestamp", async () => {
    const record = await keylessRecord({ via: expired });
    expect(await rejected(record.signed.bundle, expired.trustedRoot)).toMatch(
      /Sigstore verification failed: .*certificate/i,
    );
  });

  it("counts a bundle for nothing when only keys are given, and needs keys or workflows", async () => {
    const record = await keylessRecord();
    write("record.json", JSON.stringify(record.signed.bundle));
    const keyed = await aigate("verify", "--vsa", "record.json", "--jwks", "jwks.json");
    expect(keyed.code).toBe(1);
    expect(keyed.stdout).toContain("a keyless Sigstore bundle, but no trusted root");
    expect((await aigate("verify", "--vsa", "record.json")).code).toBe(2);
  });

  it("verifies keyed and keyless records side by side in one pack", async () => {
    const record = await keylessRecord();
    roots();
    write(
      "pack.jsonl",
      `${JSON.stringify({ type: "merge_verification", commit: COMMIT, envelope: passed.signed.envelopeJson })}\n${JSON.stringify({ type: "merge_verification", commit: COMMIT, envelope: record.signed.envelopeJson, bundle: JSON.stringify(record.signed.bundle) })}\n`,
    );
    const run = await offline("--vsa", "pack.jsonl", "--jwks", "jwks.json");
    expect(run.stdout).toContain("2 merge verification record(s): all verify");
    expect(run.code).toBe(0);
  });
});
