import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  jwksFrom,
  renderAttestationComment,
  statementFor,
} from "../../src/core/attestation/index.js";
import { createKeylessSigner, type KeylessOptions } from "../../src/sigstore/sign.js";
import { issue, issuerKey, PR, predicate, REPO } from "../core/attestation/helpers.js";
import { runCli } from "../support/run-cli.js";
import { actionsToken, type MockSigstore, startMockSigstore } from "../support/sigstore.js";

const WORKFLOW = "acme/credit-models/.github/workflows/aigate.yml";

let mock: MockSigstore;
let dir: string;
let keylessBody: string;
let otherWorkflowBody: string;

/** A keyless approval comment, signed through the public-good-like mock unless told otherwise. */
async function keylessComment(
  workflow: string,
  id: number,
  instance: Pick<KeylessOptions, "endpoints" | "entryType"> = {
    endpoints: { fulcioURL: mock.fulcioURL, rekorURL: mock.rekorURL },
    entryType: "intoto",
  },
): Promise<string> {
  const signer = createKeylessSigner({
    ...instance,
    getToken: async () => actionsToken(workflow),
  });
  const statement = statementFor(
    predicate({
      issuer: { kind: "action", signing: "sigstore" },
      source: {
        kind: "review",
        id,
        at: "2026-03-02T09:14:07Z",
        commit: predicate().pull_request.head_sha,
      },
    }),
  );
  const signed = await signer.sign(statement);
  return renderAttestationComment(signed.envelope, statement, signed.bundle);
}

function apiComment(body: string, id: number) {
  return {
    id,
    body,
    user: { login: "github-actions[bot]" },
    issue_url: `https://api.github.com/repos/${REPO}/issues/${PR}`,
    created_at: "2026-03-02T09:14:10Z",
    updated_at: "2026-03-02T09:14:10Z",
  };
}

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

function evidence(...bodies: string[]): string {
  return write(
    "comments.jsonl",
    `${bodies.map((body, i) => JSON.stringify(apiComment(body, 100 + i))).join("\n")}\n`,
  );
}

beforeAll(async () => {
  mock = await startMockSigstore();
  dir = mkdtempSync(join(tmpdir(), "aigate-keyless-"));
  write("trusted_root.json", JSON.stringify(mock.trustedRoot));
  keylessBody = await keylessComment(WORKFLOW, 1001);
  otherWorkflowBody = await keylessComment("acme/credit-models/.github/workflows/other.yml", 1002);
});
afterAll(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

const aigate = (...args: string[]) => runCli(args, dir, {});

describe("aigate verify with keyless evidence", () => {
  it("verifies a keyless approval offline against the trusted root and a pinned workflow", async () => {
    const run = await aigate(
      "verify",
      "--evidence",
      evidence(keylessBody),
      "--trusted-root",
      "trusted_root.json",
      "--signer-workflow",
      WORKFLOW,
      "--json",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.statements[0]).toMatchObject({
      verdict: "valid",
      signer_identity: `https://github.com/${WORKFLOW}@refs/heads/main`,
      key_id: null,
    });
  });

  it("reads the JSON Lines `gh attestation trusted-root` writes: the public-good root, then ours", async () => {
    const seeds = JSON.parse(
      readFileSync(join("node_modules", "@sigstore", "tuf", "seeds.json"), "utf8"),
    );
    const publicGood = Buffer.from(
      seeds["https://tuf-repo-cdn.sigstore.dev"].targets["trusted_root.json"],
      "base64",
    ).toString("utf8");
    const lines = `${JSON.stringify(JSON.parse(publicGood))}\n${JSON.stringify(mock.trustedRoot)}\n`;
    const run = await aigate(
      "verify",
      "--evidence",
      evidence(keylessBody),
      "--trusted-root",
      write("trusted_root.jsonl", lines),
      "--signer-workflow",
      WORKFLOW,
      "--json",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).statements[0]).toMatchObject({ verdict: "valid" });
    // Only the public-good root: the mock's certificate does not chain to it.
    const alone = await aigate(
      "verify",
      "--evidence",
      evidence(keylessBody),
      "--trusted-root",
      write("public_good.json", publicGood),
      "--signer-workflow",
      WORKFLOW,
      "--json",
    );
    expect(alone.code).toBe(1);
    expect(JSON.parse(alone.stdout).statements[0]).toMatchObject({ verdict: "bad_signature" });
  });

  it("verifies each root of the JSON Lines by its own rules: a GitHub-instance certificate carries no CT log timestamp", async () => {
    const github = await startMockSigstore({ githubLike: true });
    try {
      const privateBody = await keylessComment(WORKFLOW, 1003, {
        endpoints: { fulcioURL: github.fulcioURL, tsaURL: github.tsaURL },
      });
      // As `gh attestation trusted-root` writes them: the public-good root (with a CT log), then GitHub's.
      const lines = `${JSON.stringify(mock.trustedRoot)}\n${JSON.stringify(github.trustedRoot)}\n`;
      const run = await aigate(
        "verify",
        "--evidence",
        evidence(privateBody),
        "--trusted-root",
        write("both_roots.jsonl", lines),
        "--signer-workflow",
        WORKFLOW,
        "--json",
      );
      expect(run.stderr).toBe("");
      const out = JSON.parse(run.stdout);
      expect(out.statements[0]).toMatchObject({
        verdict: "valid",
        signer_identity: `https://github.com/${WORKFLOW}@refs/heads/main`,
      });
      expect(run.code).toBe(0);
      // The public-good root alone does not verify GitHub's certificate.
      const onlyPublic = await aigate(
        "verify",
        "--evidence",
        evidence(privateBody),
        "--trusted-root",
        "trusted_root.json",
        "--signer-workflow",
        WORKFLOW,
        "--json",
      );
      expect(onlyPublic.code).toBe(1);
      expect(JSON.parse(onlyPublic.stdout).statements[0]).toMatchObject({
        verdict: "bad_signature",
      });
    } finally {
      await github.close();
    }
  });

  it("accepts keyed envelopes and keyless bundles side by side", async () => {
    write("jwks.json", JSON.stringify(jwksFrom([issuerKey.publicKeyPem])));
    const keyed = issue({
      source: {
        kind: "review",
        id: 2001,
        at: "2026-03-02T09:14:07Z",
        commit: predicate().pull_request.head_sha,
      },
    });
    const run = await aigate(
      "verify",
      "--evidence",
      evidence(keylessBody, keyed.body),
      "--jwks",
      "jwks.json",
      "--trusted-root",
      "trusted_root.json",
      "--signer-workflow",
      WORKFLOW,
    );
    expect(run.stdout).toContain("2 attestation(s)");
    expect(run.code).toBe(0);
  });

  it("takes the allowed workflows from a manifest's governance.signers", async () => {
    write(
      "ai-governance.yml",
      `version: 1
governance:
  owners:
    teams: ["acme/ai-governance"]
  policy: docs/ai-policy.md
  signers:
    - workflow: ${WORKFLOW}
      ref: refs/heads/main
systems: []
`,
    );
    const run = await aigate(
      "verify",
      "--evidence",
      evidence(keylessBody),
      "--trusted-root",
      "trusted_root.json",
      "--manifest",
      "ai-governance.yml",
    );
    expect(run.code).toBe(0);
  });

  it("rejects an approval signed by another workflow, with the reason (exit 1)", async () => {
    const run = await aigate(
      "verify",
      "--evidence",
      evidence(otherWorkflowBody),
      "--trusted-root",
      "trusted_root.json",
      "--signer-workflow",
      WORKFLOW,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("untrusted_identity");
    expect(run.stdout).toContain("other.yml@refs/heads/main, which is not an allowed signer");
  });

  it("counts a keyless approval for nothing when no workflow is allowed (exit 1)", async () => {
    write("jwks.json", JSON.stringify(jwksFrom([issuerKey.publicKeyPem])));
    const run = await aigate("verify", "--evidence", evidence(keylessBody), "--jwks", "jwks.json");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("unknown_key");
  });

  it.each([
    [["--signer-workflow", "acme/credit-models/.github/workflows/*.yml"], "without @ or wildcards"],
    [["--signer-workflow", WORKFLOW, "--signer-ref", "main"], "full ref"],
    [["--trusted-root", "trusted_root.json"], "--signer-workflow"],
    [
      ["--signer-workflow", WORKFLOW, "--trusted-root", "missing.json"],
      "cannot read the trusted root",
    ],
  ])("is a usage error: %j (exit 2)", async (args, message) => {
    write("jwks.json", JSON.stringify(jwksFrom([issuerKey.publicKeyPem])));
    const run = await aigate(
      "verify",
      "--evidence",
      evidence(keylessBody),
      "--jwks",
      "jwks.json",
      ...args,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
