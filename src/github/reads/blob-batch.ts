/**
 * Many files' bytes at one commit in one GraphQL request, each answer kept only when its git
 * blob SHA-1, computed here from the bytes, equals both the `oid` GitHub gave with it and the
 * blob the pull request's file list names (docs/attestation.md#how-the-files-are-read).
 * Everything else is left for the per-file REST read.
 */
import { createHash } from "node:crypto";
import * as z from "zod";
import { fileContent } from "../../facts/reader.js";
import type { GitHubClient } from "../client.js";
import { redact } from "../errors.js";
import type { FileAtCommit } from "./cache.js";

/** Files per GraphQL query: 60 files cost two requests, and no answer grows without bound. */
export const BLOB_BATCH_SIZE = 50;

/** One file wanted: its path and the blob SHA the pull request's file list gives at the head. */
export interface WantedBlob {
  path: string;
  blobSha: string;
}

/** How a batch went, for the log: files kept, files left to REST, and why a batch failed. */
export interface BlobBatchResult {
  /** Path → the file, for every answer whose bytes hash to the expected blob. */
  files: Map<string, FileAtCommit>;
  /** Paths to read one by one: binary, truncated, missing, mismatching or in a failed batch. */
  fallback: string[];
  /** Why a whole batch was not used (an error or an answer of the wrong shape), per batch. */
  failures: string[];
}

const BlobAnswer = z.union([
  z.null(),
  z.object({
    oid: z.string(),
    byteSize: z.number(),
    isBinary: z.boolean().nullable(),
    isTruncated: z.boolean(),
    text: z.string().nullable(),
  }),
  // An object that is not a blob (a tree, a submodule's commit): the fragment selects nothing.
  z.object({}).strict(),
]);
const BatchAnswer = z.object({
  repository: z.record(z.string(), BlobAnswer).nullable(),
});

/** The git blob SHA-1 of `bytes`, as `git hash-object` computes it. */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** The query for `count` files: each expression is a variable, never spliced into the text. */
function batchQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$e${i}: String!`).join(", ");
  const fields = Array.from(
    { length: count },
    (_, i) =>
      `f${i}: object(expression: $e${i}) { ... on Blob { oid byteSize isBinary isTruncated text } }`,
  ).join("\n    ");
  return `query aigateBlobs($owner: String!, $name: String!, ${variables}) {
  repository(owner: $owner, name: $name) {
    ${fields}
  }
}`;
}

/**
 * Reads `wanted` at `revision` in batches of `BLOB_BATCH_SIZE`. A file counts only if GitHub
 * gave its text untruncated and the SHA-1 of that text's UTF-8 bytes is the blob's `oid` and the
 * blob the file list named; its digest is then taken over exactly those bytes. A failed batch
 * (GraphQL error, 5xx, unexpected shape) leaves all its files to the REST read.
 */
export async function readBlobBatch(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  revision: string,
  wanted: readonly WantedBlob[],
  batchSize: number = BLOB_BATCH_SIZE,
): Promise<BlobBatchResult> {
  const result: BlobBatchResult = { files: new Map(), fallback: [], failures: [] };
  for (let start = 0; start < wanted.length; start += batchSize) {
    const batch = wanted.slice(start, start + batchSize);
    const variables: Record<string, string> = { owner: repo.owner, name: repo.repo };
    batch.forEach((w, i) => {
      variables[`e${i}`] = `${revision}:${w.path}`;
    });
    let answer: z.infer<typeof BatchAnswer>;
    try {
      const raw: unknown = await client.graphql(batchQuery(batch.length), variables);
      const parsed = BatchAnswer.safeParse(raw);
      if (!parsed.success) throw new Error("the answer does not have the shape asked for");
      answer = parsed.data;
    } catch (error) {
      result.failures.push(error instanceof Error ? error.message : String(error));
      result.fallback.push(...batch.map((w) => w.path));
      continue;
    }
    batch.forEach((w, i) => {
      const file = verifiedFile(answer.repository?.[`f${i}`], w.blobSha);
      if (file) result.files.set(w.path, file);
      else result.fallback.push(w.path);
    });
  }
  return result;
}

/** The file, when the answer is a whole text whose bytes are the expected blob; else null. */
function verifiedFile(
  answer: z.infer<typeof BlobAnswer> | undefined,
  expected: string,
): FileAtCommit | null {
  if (!answer || !("oid" in answer)) return null;
  if (answer.isBinary !== false || answer.isTruncated || answer.text === null) return null;
  const bytes = Buffer.from(answer.text, "utf8");
  if (bytes.length !== answer.byteSize) return null;
  const sha = gitBlobSha(bytes);
  if (sha !== answer.oid.toLowerCase() || sha !== expected.toLowerCase()) return null;
  return { blobSha: sha, ...fileContent(bytes) };
}

/**
 * The files at `revision` as the pull request's reader answers them, many at once: a blob
 * already known costs nothing, the others with a blob named by the file list are read in
 * GraphQL batches, and whatever is left is read one by one with `readOne` (the REST read).
 */
export async function readFilesBatched(
  client: GitHubClient,
  blobs: { get(sha: string): FileAtCommit | undefined; set(sha: string, file: FileAtCommit): void },
  repo: { owner: string; repo: string },
  revision: string,
  paths: readonly string[],
  listed: ReadonlyMap<string, string>,
  readOne: (path: string) => Promise<FileAtCommit | null>,
): Promise<Map<string, FileAtCommit | null>> {
  const out = new Map<string, FileAtCommit | null>();
  const wanted: WantedBlob[] = [];
  const rest: string[] = [];
  for (const path of paths) {
    const blobSha = listed.get(path);
    const known = blobSha === undefined ? undefined : blobs.get(blobSha);
    if (known) out.set(path, known);
    else if (blobSha !== undefined) wanted.push({ path, blobSha });
    else rest.push(path);
  }
  if (wanted.length > 0) {
    const batch = await readBlobBatch(client, repo, revision, wanted);
    for (const [path, file] of batch.files) {
      if (file.blobSha) blobs.set(file.blobSha, file);
      out.set(path, file);
    }
    rest.push(...batch.fallback);
    // Not an error (each file is read again through REST), but each failed batch costs a
    // request per file: the operator sees why.
    for (const failure of batch.failures) {
      client.log.warn(
        `aigate: ${repo.owner}/${repo.repo}: a GraphQL read of files at ${revision.slice(0, 12)} failed (${redact(failure)}); its files are read one by one instead`,
      );
    }
  }
  const read = await Promise.all(rest.map(async (path) => [path, await readOne(path)] as const));
  for (const [path, file] of read) out.set(path, file);
  return out;
}
