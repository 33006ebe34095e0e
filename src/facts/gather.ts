/**
 * The one fact-gathering path of the App, the Action and the CLI (docs/architecture.md): the
 * manifest from the base commit, the change's files, which systems they touch, and the files
 * the engine needs for those systems. Digests are taken over the raw bytes everywhere.
 */
import { extendedPolicy } from "../core/manifest/parse.js";
import { type ManifestPreparation, prepareManifest } from "../core/manifest/prepare.js";
import { matchChanges, removesGoverned } from "../core/match.js";
import type { OrgPolicyRead } from "../core/org-policy/parse.js";
import { formatPolicyReference, type PolicyReference } from "../core/org-policy/reference.js";
import type { PreparedChange } from "../core/policy/evaluate.js";
import { planReads } from "../core/policy/plan.js";
import type {
  AffectedSystem,
  ChangedFile,
  Facts,
  FileFacts,
  ManifestFacts,
} from "../core/types.js";
import type { FileContent, SourceReader } from "./reader.js";

export interface ChangeTarget {
  baseSha: string;
  headSha: string;
  manifestPath: string;
  /**
   * Parses a manifest under the organisation policy it extends (as read); the App passes a
   * cached one so each manifest and policy is prepared once. Default: `prepareManifest`.
   */
  prepare?: (
    text: string,
    sha256: string,
    path: string,
    orgPolicy: OrgPolicyRead | undefined,
  ) => ManifestPreparation;
  /**
   * Reads the organisation policy a manifest extends (docs/policy.md#organisation-policies).
   * Without it such a manifest is invalid: nothing is decided on half its rules.
   */
  readPolicy?: (reference: PolicyReference) => Promise<OrgPolicyRead>;
}

/** The change as far as the manifest decides it. */
export interface ChangeRead {
  manifest: ManifestFacts;
  /** The base manifest prepared, when there is one; `affected` is empty when it is invalid. */
  prepared?: PreparedChange;
  affected: AffectedSystem[];
  changedFiles: ChangedFile[];
  changedFilesTruncated: boolean;
  /** The manifest as the change leaves it, when the change touches it. */
  proposedManifest?: { text: string; sha256: string } | { removed: true };
  /** The organisation policy the base manifest extends, as read. */
  orgPolicy?: OrgPolicyRead;
  /** The organisation policy the proposed manifest extends, as read. */
  proposedOrgPolicy?: OrgPolicyRead;
  /**
   * The head's file paths, when the change edits the manifest or deletes or moves a governed
   * file, and the reader can list them.
   */
  headTree?: readonly string[];
}

/** The files the engine needs for the affected systems (assessments, evidence, the AI policy). */
export interface ChangeFiles {
  headFiles: Record<string, FileFacts | null>;
  baseFiles: Record<string, FileFacts | null>;
}

/** Reads the manifest at the base and the change's files, and matches them. */
export async function readChange(reader: SourceReader, target: ChangeTarget): Promise<ChangeRead> {
  const { baseSha, headSha, manifestPath } = target;
  const [changed, manifest] = await Promise.all([
    reader.changedFiles(),
    reader.readFile(baseSha, manifestPath),
  ]);
  const change: ChangeRead = {
    manifest: manifest
      ? { status: "present", path: manifestPath, baseSha, ...digestAndText(manifest) }
      : { status: "missing", path: manifestPath, baseSha },
    affected: [],
    changedFiles: changed.files,
    changedFilesTruncated: changed.truncated,
  };
  const touchesManifest = changed.files.some(
    (f) => f.path === manifestPath || f.previousPath === manifestPath,
  );
  if (touchesManifest) {
    // The proposed manifest's paths are checked against the head's tree, read alongside it.
    const [proposed, tree] = await Promise.all([
      reader.readFile(headSha, manifestPath),
      reader.treeFiles?.(headSha) ?? null,
    ]);
    change.proposedManifest = proposed ? digestAndText(proposed) : { removed: true };
    if (proposed && tree) change.headTree = tree;
  }
  await readPolicies(target, change);
  if (change.manifest.status !== "present") return change;
  const prepare =
    target.prepare ?? ((text, _sha, path, orgPolicy) => prepareManifest(text, path, orgPolicy));
  const preparation = prepare(
    change.manifest.text,
    change.manifest.sha256,
    manifestPath,
    change.orgPolicy,
  );
  change.affected = preparation.ok ? matchChanges(preparation.compiled, changed.files) : [];
  change.prepared = { preparation, affected: change.affected };
  // A change that deletes or moves a governed file may leave one of the base manifest's paths
  // matching nothing: the head's tree says (docs/manifest.md#paths-that-match-no-file). Any
  // other change reads no tree.
  if (!touchesManifest && preparation.ok && removesGoverned(preparation.compiled, changed.files)) {
    const tree = (await reader.treeFiles?.(headSha)) ?? null;
    if (tree) change.headTree = tree;
  }
  return change;
}

/**
 * Reads the organisation policies the base and the proposed manifest extend, once each: a
 * change that only moves the pin reads both versions.
 */
async function readPolicies(target: ChangeTarget, change: ChangeRead): Promise<void> {
  const { readPolicy } = target;
  if (!readPolicy) return;
  const path = target.manifestPath;
  const base =
    change.manifest.status === "present" ? extendedPolicy(change.manifest.text, path) : undefined;
  const proposed =
    change.proposedManifest && "text" in change.proposedManifest
      ? extendedPolicy(change.proposedManifest.text, path)
      : undefined;
  if (base) change.orgPolicy = await readPolicy(base);
  if (proposed) {
    const same = base && formatPolicyReference(base) === formatPolicyReference(proposed);
    const read = same ? change.orgPolicy : await readPolicy(proposed);
    if (read) change.proposedOrgPolicy = read;
  }
}

/** Reads, at the head and at the base, the files the plan asks for. */
export async function readChangeFiles(
  reader: SourceReader,
  target: ChangeTarget,
  change: ChangeRead,
): Promise<ChangeFiles> {
  const preparation = change.prepared?.preparation;
  if (!preparation?.ok || change.affected.length === 0) return { headFiles: {}, baseFiles: {} };
  const plan = planReads(preparation.manifest, change.affected, target.manifestPath);
  const [headFiles, baseFiles] = await Promise.all([
    readAll(reader, target.headSha, plan.head),
    readAll(reader, target.baseSha, plan.base),
  ]);
  return { headFiles, baseFiles };
}

/**
 * The engine's facts for a gathered change, before any approval is known: the same for every
 * door, which then adds what it knows of the pull request (its commits, approvals, vetoes).
 */
export function factsOfChange(
  repository: Facts["repository"],
  change: ChangeRead & ChangeFiles,
  evaluateApprovals: boolean,
): Facts {
  const facts: Facts = {
    repository,
    manifest: change.manifest,
    changedFiles: change.changedFiles,
    changedFilesTruncated: change.changedFilesTruncated,
    headFiles: change.headFiles,
    baseFiles: change.baseFiles,
    commits: [],
    approvals: [],
    vetoes: [],
    rejectedAttestations: [],
    changedSince: {},
    evaluateApprovals,
  };
  if (change.proposedManifest) facts.proposedManifest = change.proposedManifest;
  if (change.headTree) facts.headTree = change.headTree;
  if (change.orgPolicy) facts.orgPolicy = change.orgPolicy;
  if (change.proposedOrgPolicy) facts.proposedOrgPolicy = change.proposedOrgPolicy;
  return facts;
}

/** Both steps, one after the other: the CLI's path. */
export async function gatherChange(
  reader: SourceReader,
  target: ChangeTarget,
): Promise<ChangeRead & ChangeFiles> {
  const change = await readChange(reader, target);
  return { ...change, ...(await readChangeFiles(reader, target, change)) };
}

/**
 * The sha256 at the head of each file an approval will name (docs/attestation.md#file-subjects),
 * `null` for a path that is not a file there. Read only when statements are about to be signed.
 */
export async function readFileDigests(
  reader: SourceReader,
  headSha: string,
  paths: readonly string[],
): Promise<Record<string, string | null>> {
  if (reader.readFiles) {
    const files = await reader.readFiles(headSha, paths);
    return Object.fromEntries(paths.map((path) => [path, files.get(path)?.sha256 ?? null]));
  }
  const entries = await Promise.all(
    paths.map(
      async (path) => [path, (await reader.readFile(headSha, path))?.sha256 ?? null] as const,
    ),
  );
  return Object.fromEntries(entries);
}

async function readAll(
  reader: SourceReader,
  revision: string,
  paths: string[],
): Promise<Record<string, FileFacts | null>> {
  const entries = await Promise.all(
    paths.map(async (path) => {
      const file = await reader.readFile(revision, path);
      return [path, file ? { path, ...digestAndText(file) } : null] as const;
    }),
  );
  return Object.fromEntries(entries);
}

function digestAndText(file: FileContent): FileContent {
  return { sha256: file.sha256, text: file.text };
}
