import * as z from "zod";
import { UsageError } from "../context.js";
import type { KeylessOptions } from "../keyless.js";
import type { Selection } from "./records.js";

const FORMATS = ["jsonl", "csv", "html"] as const;
export type ExportFormat = (typeof FORMATS)[number];

/** The options as commander hands them over. */
export interface ExportOptions extends KeylessOptions {
  repo?: string;
  pr?: string;
  since?: string;
  format?: string;
  jwks?: string;
  out?: string;
}

/** Everything `aigate export` needs, validated once. */
export interface ExportSettings {
  owner: string;
  repo: string;
  selection: Selection;
  /** With `--since`: the cut-off in epoch milliseconds. */
  sinceMs?: number;
  format: ExportFormat;
  jwksFile?: string;
  outFile?: string;
  token: string;
  apiUrl: string;
}

export const DEFAULT_API_URL = "https://api.github.com";

const REPO = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
const DATE = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** OWNER/REPO from a `--repo` option; a usage error otherwise. */
export function parseRepo(text: string): { owner: string; repo: string } {
  const match = REPO.exec(text);
  if (!match?.[1] || !match[2] || match[2] === "." || match[2] === "..") {
    throw new UsageError(`--repo ${text}: write it OWNER/REPO, e.g. acme/models`);
  }
  return { owner: match[1], repo: match[2] };
}

/**
 * The token from GITHUB_TOKEN or GH_TOKEN (never echoed) and the API base from GITHUB_API_URL,
 * for every command that reads GitHub. `needs` says what the token must be able to read.
 */
export function githubAccess(
  env: NodeJS.ProcessEnv,
  needs: string,
): { token: string; apiUrl: string } {
  const token = (env.GITHUB_TOKEN ?? "").trim() || (env.GH_TOKEN ?? "").trim();
  if (token === "") {
    throw new UsageError(`no GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to ${needs}`);
  }
  const apiUrl = (env.GITHUB_API_URL ?? "").trim() || DEFAULT_API_URL;
  let parsedUrl: URL | undefined;
  try {
    parsedUrl = new URL(apiUrl);
  } catch {
    parsedUrl = undefined;
  }
  if (!parsedUrl || (parsedUrl.protocol !== "https:" && parsedUrl.protocol !== "http:")) {
    throw new UsageError(
      `GITHUB_API_URL ${JSON.stringify(apiUrl)} is not an http(s) URL (GitHub Enterprise Server: https://HOST/api/v3)`,
    );
  }
  return { token, apiUrl: apiUrl.replace(/\/+$/, "") };
}

function parseSince(text: string): number {
  const parsed = DATE.safeParse(text);
  const ms = parsed.success ? Date.parse(parsed.data) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--since ${text}: write a date (2026-01-31) or a date and time with offset (2026-01-31T09:00:00Z)`,
    );
  }
  return ms;
}

/**
 * Validates the command line and the environment: the token from GITHUB_TOKEN or GH_TOKEN
 * (never echoed), the API base from GITHUB_API_URL. Throws UsageError (exit 2).
 */
export function exportSettings(options: ExportOptions, env: NodeJS.ProcessEnv): ExportSettings {
  if (options.repo === undefined) throw new UsageError("--repo OWNER/REPO is required");
  const { owner, repo } = parseRepo(options.repo);
  if (options.pr !== undefined && options.since !== undefined) {
    throw new UsageError(
      "choose one: --pr N (one pull request) or --since DATE (all updated since)",
    );
  }
  let selection: Selection = { all: true };
  let sinceMs: number | undefined;
  if (options.pr !== undefined) {
    if (!/^[1-9]\d{0,9}$/.test(options.pr)) {
      throw new UsageError(`--pr ${options.pr}: a pull request number is required`);
    }
    selection = { pr: Number(options.pr) };
  } else if (options.since !== undefined) {
    sinceMs = parseSince(options.since);
    selection = { since: new Date(sinceMs).toISOString() };
  }
  const format = options.format ?? "jsonl";
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format ${format}: choose one of ${FORMATS.join(", ")}`);
  }
  const { token, apiUrl } = githubAccess(
    env,
    "a token that can read the repository's pull requests, issues and checks",
  );
  const settings: ExportSettings = {
    owner,
    repo,
    selection,
    format: format as ExportFormat,
    token,
    apiUrl,
  };
  if (sinceMs !== undefined) settings.sinceMs = sinceMs;
  if (options.jwks !== undefined) settings.jwksFile = options.jwks;
  if (options.out !== undefined) settings.outFile = options.out;
  return settings;
}
