/**
 * The part of GitHub's GraphQL API aigate uses, served at `POST /api/graphql` (where Octokit
 * sends GraphQL for a `…/api/v3` base URL): `repository(owner, name) { object(expression) }`
 * with the `Blob` fields. Queries are parsed, validated and executed by graphql-js against this
 * slice of GitHub's schema; an unknown field is a GraphQL error, as on GitHub.
 */
import { buildSchema, graphql } from "graphql";
import { z } from "zod";
import { treeSha } from "./git.js";
import type { SimState } from "./state.js";

/** The operation id the simulator records GraphQL requests under. */
export const GRAPHQL_OPERATION = "graphql";

/** The path Octokit posts GraphQL to for a GitHub Enterprise style base URL. */
export const GRAPHQL_PATH = "/api/graphql";

/**
 * Texts longer than this (bytes) are cut and flagged `isTruncated`, as GitHub cuts large
 * blobs' text; the figure is the simulation's own.
 */
export const GRAPHQL_TEXT_LIMIT = 512 * 1024;

const schema = buildSchema(`
  scalar GitObjectID

  interface GitObject {
    oid: GitObjectID!
  }

  type Blob implements GitObject {
    oid: GitObjectID!
    byteSize: Int!
    isBinary: Boolean
    isTruncated: Boolean!
    text: String
  }

  type Tree implements GitObject {
    oid: GitObjectID!
  }

  type Repository {
    nameWithOwner: String!
    object(expression: String, oid: GitObjectID): GitObject
  }

  type Query {
    repository(owner: String!, name: String!): Repository
  }
`);

const Request = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

/** A GraphQL answer: `data` and `errors` as GitHub sends them (always HTTP 200 once parsed). */
export interface GraphqlReply {
  status: number;
  json: unknown;
}

/** Executes one GraphQL request body against the simulated state. */
export async function answerGraphql(state: SimState, body: unknown): Promise<GraphqlReply> {
  const parsed = Request.safeParse(body);
  if (!parsed.success) {
    return { status: 400, json: { message: "Problems parsing JSON" } };
  }
  const result = await graphql({
    schema,
    source: parsed.data.query,
    variableValues: parsed.data.variables ?? undefined,
    operationName: parsed.data.operationName ?? undefined,
    rootValue: {
      repository: ({ owner, name }: { owner: string; name: string }) =>
        repository(state, owner, name),
    },
  });
  return {
    status: 200,
    json: {
      ...(result.data !== undefined ? { data: result.data } : {}),
      ...(result.errors ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
    },
  };
}

function repository(state: SimState, owner: string, name: string) {
  const repo = state.repo(owner, name);
  if (!repo) return null;
  return {
    nameWithOwner: repo.fullName,
    object: ({ expression, oid }: { expression?: string | null; oid?: string | null }) => {
      if (oid) {
        const content = state.blobs.get(oid);
        return content === undefined ? null : blob(oid, content);
      }
      if (!expression) return null;
      const colon = expression.indexOf(":");
      const rev = colon < 0 ? expression : expression.slice(0, colon);
      const path = colon < 0 ? "" : expression.slice(colon + 1);
      const sha = repo.resolveRef(rev);
      if (!sha) return null;
      if (path === "") return { __typename: "Tree", oid: repo.getCommit(sha).treeSha };
      const file = repo.fileAt(sha, path);
      if (file) return blob(file.sha, file.content);
      const prefix = `${path.replace(/\/+$/, "")}/`;
      const below = new Map<string, string>();
      for (const [p, b] of repo.getCommit(sha).tree) {
        if (p.startsWith(prefix)) below.set(p.slice(prefix.length), b);
      }
      return below.size > 0 ? { __typename: "Tree", oid: treeSha(below) } : null;
    },
  };
}

/** A blob as GitHub's GraphQL shows it: a text that is not UTF-8 or holds NUL is binary. */
function blob(oid: string, content: string) {
  const bytes = Buffer.from(content, "utf8");
  const isBinary = content.includes("\0");
  const isTruncated = !isBinary && bytes.length > GRAPHQL_TEXT_LIMIT;
  const text = isBinary
    ? null
    : isTruncated
      ? bytes.subarray(0, GRAPHQL_TEXT_LIMIT).toString("utf8")
      : content;
  return { __typename: "Blob", oid, byteSize: bytes.length, isBinary, isTruncated, text };
}
