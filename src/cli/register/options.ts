import { DEFAULT_WITNESS_APP } from "../../core/attestation/index.js";
import { REGISTER_TABLES, type RegisterTableName } from "../../core/register/index.js";
import { UsageError } from "../context.js";
import { githubAccess, parseRepo } from "../export/options.js";
import type { KeylessOptions } from "../keyless.js";

export const REGISTER_FORMATS = ["json", "csv", "md", "html"] as const;
export const SOA_FORMATS = ["md", "csv", "html", "json"] as const;
export type OutputFormat = (typeof REGISTER_FORMATS)[number];

/** Where the repositories come from. */
export type RegisterSource =
  | { kind: "checkout"; paths: string[] }
  | { kind: "github"; org?: string; repos: Array<{ owner: string; repo: string }> };

/** The options as commander hands them over (`register` and `soa` share them). */
export interface RegisterOptions extends KeylessOptions {
  org?: string;
  repo?: string[];
  format?: string;
  expiringWithin?: string;
  withApprovals?: boolean;
  jwks?: string;
  withCheckRuns?: boolean;
  appSlug?: string;
  table?: string;
  out?: string;
  cacheDir?: string;
  cache?: boolean;
}

export interface RegisterSettings {
  source: RegisterSource;
  format: OutputFormat;
  expiringWithinDays: number;
  withApprovals: boolean;
  jwksFile?: string;
  /** Count aigate's check runs on recently merged pull requests. */
  withCheckRuns: boolean;
  /** The App whose check runs count. */
  appSlug: string;
  table?: RegisterTableName;
  out?: string;
  /** Where reads are cached between runs; absent with --no-cache. */
  cacheDir?: string;
  github?: { token: string; apiUrl: string };
}

export const DEFAULT_EXPIRING_WITHIN = 30;

const ORG = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const APP_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,99})$/;

/** Validates the command line and the environment once; every mistake is a usage error (exit 2). */
export function registerSettings(
  command: "register" | "soa",
  paths: readonly string[],
  options: RegisterOptions,
  env: NodeJS.ProcessEnv,
  defaultCacheDir: string,
): RegisterSettings {
  const repos = (options.repo ?? []).map(parseRepo);
  if (options.org !== undefined && repos.length > 0) {
    throw new UsageError(
      "choose one: --org ORG (every repository) or --repo OWNER/REPO (repeatable)",
    );
  }
  if (options.org !== undefined && !ORG.test(options.org)) {
    throw new UsageError(`--org ${options.org}: an organisation or user login, e.g. acme`);
  }
  const fromGitHub = options.org !== undefined || repos.length > 0;
  if (fromGitHub && paths.length > 0) {
    throw new UsageError(
      `choose one: folders (${paths.join(", ")}) read offline, or --org/--repo read through GitHub`,
    );
  }
  const formats: readonly string[] =
    command === "soa" ? ["md", "csv", "html", "json"] : REGISTER_FORMATS;
  const format = options.format ?? (command === "soa" ? "md" : "json");
  if (!formats.includes(format)) {
    throw new UsageError(`--format ${format}: choose one of ${formats.join(", ")}`);
  }
  let expiringWithinDays = DEFAULT_EXPIRING_WITHIN;
  if (options.expiringWithin !== undefined) {
    if (!/^\d{1,4}$/.test(options.expiringWithin)) {
      throw new UsageError(
        `--expiring-within ${options.expiringWithin}: a number of days from 0 to 9999`,
      );
    }
    expiringWithinDays = Number(options.expiringWithin);
  }
  if (
    options.table !== undefined &&
    !(REGISTER_TABLES as readonly string[]).includes(options.table)
  ) {
    throw new UsageError(`--table ${options.table}: choose one of ${REGISTER_TABLES.join(", ")}`);
  }
  if (options.table !== undefined && (format !== "csv" || command === "soa")) {
    throw new UsageError("--table chooses one table of the CSV register: use it with --format csv");
  }
  if (
    command === "register" &&
    format === "csv" &&
    options.table === undefined &&
    options.out === undefined
  ) {
    throw new UsageError(
      "CSV is one file per table: give --out DIR to write systems.csv, risks.csv and problems.csv (and checks.csv with --with-check-runs), or --table NAME for one on standard output",
    );
  }
  const withApprovals = options.withApprovals === true;
  if (withApprovals && !fromGitHub) {
    throw new UsageError(
      "--with-approvals reads merged pull requests from GitHub: use it with --org or --repo",
    );
  }
  const keyless = (options.signerWorkflow?.length ?? 0) > 0 || options.manifest !== undefined;
  if (withApprovals && options.jwks === undefined && !keyless) {
    throw new UsageError(
      "--with-approvals takes approvers from verified attestations: give the trusted keys with --jwks FILE and/or the workflows allowed to sign keyless with --signer-workflow or --manifest",
    );
  }
  if ((keyless || options.trustedRoot !== undefined) && !withApprovals) {
    throw new UsageError(
      "--trusted-root, --signer-workflow and --manifest verify keyless approvals: use them with --with-approvals",
    );
  }
  const withCheckRuns = options.withCheckRuns === true;
  if (withCheckRuns && !fromGitHub) {
    throw new UsageError(
      "--with-check-runs reads check runs of merged pull requests from GitHub: use it with --org or --repo",
    );
  }
  if (options.appSlug !== undefined && !withCheckRuns) {
    throw new UsageError(
      "--app-slug names the App whose check runs count: use it with --with-check-runs",
    );
  }
  const appSlug = options.appSlug ?? DEFAULT_WITNESS_APP;
  if (!APP_SLUG.test(appSlug)) {
    throw new UsageError(`--app-slug ${appSlug}: a GitHub App's slug, e.g. aigate`);
  }
  if (options.table === "checks" && !withCheckRuns) {
    throw new UsageError("--table checks holds the check-run counts: add --with-check-runs");
  }
  const settings: RegisterSettings = {
    source: fromGitHub
      ? { kind: "github", ...(options.org !== undefined ? { org: options.org } : {}), repos }
      : { kind: "checkout", paths: paths.length > 0 ? [...paths] : ["."] },
    format: format as OutputFormat,
    expiringWithinDays,
    withApprovals,
    withCheckRuns,
    appSlug,
  };
  if (options.jwks !== undefined) settings.jwksFile = options.jwks;
  if (options.table !== undefined) settings.table = options.table as RegisterTableName;
  if (options.out !== undefined) settings.out = options.out;
  if (fromGitHub) {
    settings.github = githubAccess(
      env,
      "a token that can read the repositories' contents (and, with --with-approvals, pull requests and issues; with --with-check-runs, pull requests and checks)",
    );
    if (options.cache !== false) settings.cacheDir = options.cacheDir ?? defaultCacheDir;
  }
  return settings;
}
