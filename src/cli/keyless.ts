/**
 * The options every CLI command that verifies evidence takes for keyless (Sigstore) bundles
 * (docs/attestation.md#keyless-bundles): the trusted root, offline from `--trusted-root FILE`
 * or online from Sigstore's TUF repository, and the workflows allowed to sign, from flags or
 * a manifest's `governance.signers`.
 */
import type { Command } from "commander";
import {
  type BundleVerifier,
  type SignerIdentity,
  SignerSchema,
} from "../core/attestation/index.js";
import { describeIssues } from "../core/attestation/statement.js";
import { ConfigurationError } from "../core/errors.js";
import { parseManifest } from "../core/manifest/parse.js";
import { readArgumentFile } from "./commands/keys.js";
import { type CliContext, UsageError } from "./context.js";

export interface KeylessOptions {
  trustedRoot?: string;
  signerWorkflow?: string[];
  signerRef?: string;
  manifest?: string;
}

/** Adds `--trusted-root`, `--signer-workflow`, `--signer-ref` and `--manifest` to a command. */
export function addKeylessOptions(command: Command): Command {
  return command
    .option(
      "--trusted-root <file>",
      "Sigstore trusted_root.json for keyless bundles, or the JSON Lines of several `gh attestation trusted-root` writes (offline; without it the root is fetched from Sigstore's TUF repository)",
    )
    .option(
      "--signer-workflow <owner/repo/.github/workflows/file.yml>",
      "a workflow whose keyless approvals count (repeatable)",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option("--signer-ref <ref>", "the ref those workflows run from", "refs/heads/main")
    .option(
      "--manifest <file>",
      "take the allowed workflows from this manifest's governance.signers",
    );
}

/** The allowed signer identities the options name; a usage error for a malformed one. */
export function signersOf(ctx: CliContext, options: KeylessOptions): SignerIdentity[] {
  const signers: SignerIdentity[] = [];
  for (const workflow of options.signerWorkflow ?? []) {
    const parsed = SignerSchema.safeParse({
      workflow,
      ref: options.signerRef ?? "refs/heads/main",
    });
    if (!parsed.success) {
      throw new UsageError(
        `--signer-workflow ${workflow} --signer-ref ${options.signerRef}: ${describeIssues(parsed.error)}`,
      );
    }
    signers.push(parsed.data);
  }
  if (options.manifest !== undefined) {
    const parsed = parseManifest(
      readArgumentFile(ctx, options.manifest, "manifest"),
      options.manifest,
    );
    if (!parsed.ok) throw new ConfigurationError(parsed.errors);
    signers.push(...(parsed.manifest.governance.signers ?? []));
  }
  return signers;
}

/**
 * The bundle verifier for these options, when keyless evidence is to be verified: undefined
 * when no signer is allowed (bundles then count for nothing, `unknown_key`). The trusted root
 * is read from the file, or fetched only when `bundlesPresent`.
 */
export async function bundleVerifierOf(
  ctx: CliContext,
  options: KeylessOptions,
  bundlesPresent: boolean,
): Promise<BundleVerifier | undefined> {
  const signers = signersOf(ctx, options);
  if (signers.length === 0) {
    if (options.trustedRoot !== undefined) {
      throw new UsageError(
        "--trusted-root needs the workflows allowed to sign: --signer-workflow or --manifest",
      );
    }
    return undefined;
  }
  // Sigstore's libraries are loaded only by a command that verifies bundles: they are most of
  // what starting the CLI would otherwise cost.
  const { fetchTrustedRoot } = await import("../sigstore/fetch-root.js");
  const { parseTrustedRoots } = await import("../sigstore/trusted-root.js");
  const { createBundleVerifier } = await import("../sigstore/verify.js");
  if (options.trustedRoot !== undefined) {
    const text = readArgumentFile(ctx, options.trustedRoot, "trusted root");
    try {
      return createBundleVerifier(parseTrustedRoots(text, options.trustedRoot), signers);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (!bundlesPresent) return undefined;
  try {
    return createBundleVerifier(await fetchTrustedRoot(), signers);
  } catch (error) {
    throw new UsageError(
      `cannot fetch Sigstore's trusted root (${(error as Error).message}): give it offline with --trusted-root FILE`,
    );
  }
}
