import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import * as z from "zod";
import {
  generateKeyPair,
  type Jwk,
  type JwksEntry,
  jwksFrom,
  publicJwkFromPem,
  trustedJwksFromText,
} from "../../core/attestation/index.js";
import { type CliContext, UsageError } from "../context.js";

interface GenerateOptions {
  out?: string;
  force?: boolean;
  stdout?: boolean;
}

interface JwksOptions {
  key?: string[];
  notBefore?: string;
  notAfter?: string;
  revokedAt?: string;
  merge?: string;
}

/** Reads a file named on the command line; a missing or unreadable file is a usage error. */
export function readArgumentFile(ctx: CliContext, file: string, what: string): string {
  try {
    return readFileSync(resolve(ctx.cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new UsageError(`cannot read the ${what} ${file} (${code})`);
  }
}

function writePrivateKey(ctx: CliContext, file: string, pem: string, force: boolean): void {
  const path = resolve(ctx.cwd, file);
  try {
    // "wx" refuses to replace an existing file; the mode applies when the file is created.
    writeFileSync(path, pem, { mode: 0o600, flag: force ? "w" : "wx" });
    chmodSync(path, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new UsageError(`${file} exists: pass --force to overwrite it`);
    throw new UsageError(`cannot write ${file} (${code ?? "unwritable"})`);
  }
}

/**
 * `aigate keys generate [--out FILE [--force] | --stdout]` and
 * `aigate keys jwks --key FILE… [--not-before|--not-after|--revoked-at TIME] [--merge JWKS]`:
 * the Ed25519 key that signs attestations, and the public JWKS verifiers trust.
 */
export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program
    .command("keys")
    .description("the Ed25519 key that signs attestations, and its public JWKS (offline)");

  keys
    .command("generate")
    .description("make a new Ed25519 signing key (PKCS#8 PEM) for AIGATE_SIGNING_KEY")
    .option("--out <file>", "write the private key to FILE, readable by its owner only (0600)")
    .option("--force", "with --out: replace FILE if it exists")
    .option("--stdout", "print the private key to standard output instead of writing a file")
    .action((options: GenerateOptions) => {
      if (options.out !== undefined && options.stdout) {
        throw new UsageError("choose one: --out FILE or --stdout");
      }
      if (options.out === undefined && !options.stdout) {
        throw new UsageError(
          "keys generate makes a private key: write it to a file with --out FILE (mode 0600), " +
            "or pass --stdout to print it (it is never printed by default)",
        );
      }
      const pair = generateKeyPair();
      if (options.out !== undefined) {
        writePrivateKey(ctx, options.out, pair.privateKeyPem, options.force === true);
        ctx.stdout(`key id: ${pair.keyId}\n`);
        ctx.stdout(`public JWK: ${JSON.stringify(pair.publicJwk)}\n`);
        return;
      }
      ctx.stdout(pair.privateKeyPem);
      ctx.stderr(`key id: ${pair.keyId}\n`);
    });

  keys
    .command("jwks")
    .description("print the public JWKS for keys given as private or public PEM files")
    .option("--key <file...>", "a PEM key file (repeatable)")
    .option("--not-before <time>", "the keys sign no statement issued before TIME (ISO-8601)")
    .option("--not-after <time>", "the keys sign no statement issued at or after TIME (rotation)")
    .option("--revoked-at <time>", "the keys were compromised or withdrawn at TIME")
    .option(
      "--merge <file>",
      "add the keys to this existing JWKS (a key listed in both is replaced)",
    )
    .action((options: JwksOptions) => {
      const files = options.key ?? [];
      if (files.length === 0)
        throw new UsageError("name at least one key: aigate keys jwks --key FILE");
      const validity = {
        notBefore: isoTime("--not-before", options.notBefore),
        notAfter: isoTime("--not-after", options.notAfter),
        revokedAt: isoTime("--revoked-at", options.revokedAt),
      };
      const entries = new Map<string, JwksEntry>();
      for (const file of files) {
        const pem = readArgumentFile(ctx, file, "key file");
        let keyId: string;
        try {
          keyId = publicJwkFromPem(pem).kid;
        } catch (error) {
          throw new UsageError(
            `${file}: ${(error as Error).message} (expected an Ed25519 PEM key)`,
          );
        }
        if (!entries.has(keyId)) entries.set(keyId, { pem, ...validity });
      }
      const added = jwksFrom([...entries.values()]).keys;
      const earlier = options.merge === undefined ? [] : mergedKeys(ctx, options.merge);
      const kept = earlier.filter((jwk) => !added.some((k) => k.x === jwk.x));
      ctx.stdout(`${JSON.stringify({ keys: [...kept, ...added] }, null, 2)}\n`);
    });
}

function isoTime(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!z.iso.datetime({ offset: true }).safeParse(value).success) {
    throw new UsageError(`${flag} ${value}: give an ISO-8601 time, e.g. 2026-11-27T00:00:00Z`);
  }
  return value;
}

/** The keys of an existing JWKS, checked like any trusted key set. */
function mergedKeys(ctx: CliContext, file: string): Jwk[] {
  return trustedJwksFromText(readArgumentFile(ctx, file, "JWKS"), file).keys;
}
