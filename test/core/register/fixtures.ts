import { createHash } from "node:crypto";
import type { RepositorySnapshot, SnapshotFile } from "../../../src/core/register/index.js";
import { assessmentYaml, CREDIT_ASSESSMENT, MANIFEST_YAML } from "../policy/fixtures.js";

export { assessmentYaml, CREDIT_ASSESSMENT, MANIFEST_YAML };

export const LEGACY_ASSESSMENT = "governance/assessments/legacy-ranker.yml";
export const TODAY = "2026-11-27";
export const COMMIT = "e".repeat(40);

export function snapshotFile(text: string): SnapshotFile {
  return { text, sha256: createHash("sha256").update(text).digest("hex") };
}

/** acme/lending as read at COMMIT: the policy fixtures' manifest and the files given. */
export function lending(
  files: Record<string, string | null> = {
    [CREDIT_ASSESSMENT]: assessmentYaml(),
    [LEGACY_ASSESSMENT]: assessmentYaml({ system: "legacy-ranker", tier: "limited" }),
  },
  repository = "acme/lending",
): RepositorySnapshot {
  return {
    repository,
    kind: "read",
    commit: COMMIT,
    manifest: snapshotFile(MANIFEST_YAML),
    files: Object.fromEntries(
      Object.entries(files).map(([path, text]) => [
        path,
        text === null ? null : snapshotFile(text),
      ]),
    ),
  };
}

export const OPTIONS = {
  today: TODAY,
  expiringWithinDays: 30,
  generatedAt: "2026-11-27T12:00:00.000Z",
  source: { kind: "github" as const, description: "organisation acme" },
};
