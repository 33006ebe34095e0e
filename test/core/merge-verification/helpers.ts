import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createSigner, generateKeyPair } from "../../../src/core/attestation/index.js";
import { prepareManifest } from "../../../src/core/manifest/prepare.js";
import type {
  ChainCommit,
  GovernedCommit,
  ManifestAtParent,
  MergeFacts,
} from "../../../src/core/merge-verification/index.js";
import { governedChange } from "../../../src/core/merge-verification/index.js";

export const key = generateKeyPair();
export const signer = createSigner(key.privateKeyPem);
export const otherSigner = createSigner(generateKeyPair().privateKeyPem);

export const PARENT = "a".repeat(40);
export const COMMIT = "b".repeat(40);
export const HEAD = "c".repeat(40);
export const MANIFEST_SHA256 = "d".repeat(64);

const text = readFileSync(
  join(import.meta.dirname, "..", "..", "fixtures", "manifests", "valid-one-system.yml"),
  "utf8",
);

export function manifestAt(commit = PARENT, yaml = text): ManifestAtParent {
  const prepared = prepareManifest(yaml, ".github/ai-governance.yml");
  if (!prepared.ok) throw new Error("fixture manifest is invalid");
  return {
    state: "prepared",
    prepared,
    path: ".github/ai-governance.yml",
    commit,
    sha256: MANIFEST_SHA256,
  };
}

export function chainCommit(sha: string, paths: string[], manifest = manifestAt()): ChainCommit {
  return { sha, changed: paths.map((path) => ({ path, status: "modified" })), manifest };
}

export function governed(sha = COMMIT, paths = ["models/credit/model.onnx"]): GovernedCommit {
  const g = governedChange(chainCommit(sha, paths));
  if (!g) throw new Error("fixture commit is not governed");
  return g;
}

const BLOB_A = "1".repeat(40);
const BLOB_B = "2".repeat(40);

export { BLOB_A, BLOB_B };

/** A governed commit merged from #12 with both checks green, files as approved, one approval. */
export function mergedFacts(patch: Partial<MergeFacts> = {}): MergeFacts {
  return {
    commit: governed(),
    branch: "main",
    pushed: [COMMIT],
    pullRequest: {
      number: 12,
      url: "https://github.com/acme/credit-models/pull/12",
      title: "Retrain the credit model",
      merged: true,
      baseRef: "main",
      headSha: HEAD,
      mergeCommitSha: COMMIT,
    },
    checks: { assessment: "success", oversight: "success" },
    files: [{ path: "models/credit/model.onnx", landed: BLOB_A, approved: BLOB_A }],
    attestations: [
      {
        uri: "https://github.com/acme/credit-models/pull/12#issuecomment-101",
        digest: `sha256:${"e".repeat(64)}`,
        valid: true,
        approver: "carol",
        systems: ["credit-scoring"],
        commit: HEAD,
      },
    ],
    assessments: [
      {
        system: "credit-scoring",
        path: "governance/assessments/credit-scoring.yml",
        sha256: "f".repeat(64),
      },
    ],
    ...patch,
  };
}

export const context = {
  repository: { host: "github.com", fullName: "acme/credit-models" },
  verifier: { id: "https://github.com/apps/aigate", version: "0.1.0" },
  now: new Date("2026-11-02T10:00:00.000Z"),
};
