/**
 * The App's settings from the environment: the signing key, the trusted keys, production's
 * refusals to start.
 */
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import { type Jwk, parseJwksText } from "../../core/attestation/index.js";
import { parseTrustedRoots } from "../../sigstore/trusted-root.js";

/**
 * The App's own settings, read once from the environment (Probot reads APP_ID, PRIVATE_KEY,
 * WEBHOOK_SECRET, GHE_HOST … itself). Production refuses to start without a webhook secret or
 * a signing key; development generates a signing key into the git-ignored `.aigate/` directory.
 */
export interface AppConfig {
  /** PKCS#8 PEM of the Ed25519 key that signs attestations. Never logged. */
  signingKeyPem: string;
  signingKeySource: "environment" | "generated" | "development file";
  /** Public keys of earlier signing keys, still trusted when verifying (rotation). */
  trustedKeys: Jwk[];
  /** Where the development key lives, when it came from a file. */
  signingKeyFile?: string;
  /**
   * The Sigstore trusted root keyless approvals are verified against (AIGATE_TRUSTED_ROOT,
   * docs/app.md#keyless-approvals); without it they count for nothing.
   */
  trustedRoot?: TrustedRoot[];
  production: boolean;
}

/** The App cannot start with these settings; the message says which variable to set. */
export class StartupError extends Error {
  override name = "StartupError";
}

const DEV_KEY_DIR = ".aigate";
const DEV_KEY_FILE = "signing-key.pem";

export interface LoadConfigOptions {
  env: NodeJS.ProcessEnv;
  /** Directory the development key is kept under (`.aigate/` inside it). */
  cwd: string;
  /** Told where a development key came from; never given the key itself. */
  notice?: (message: string) => void;
}

/** Reads and checks the App's settings, or throws a StartupError naming what to set. */
export function loadAppConfig({ env, cwd, notice = () => {} }: LoadConfigOptions): AppConfig {
  const production = env.NODE_ENV === "production";
  const missing: string[] = [];
  // "development" is the secret Probot falls back to: public, so no secret at all.
  if (production && (!nonEmpty(env.WEBHOOK_SECRET) || env.WEBHOOK_SECRET.trim() === "development"))
    missing.push("WEBHOOK_SECRET");
  if (production && !nonEmpty(env.AIGATE_SIGNING_KEY)) missing.push("AIGATE_SIGNING_KEY");
  if (missing.length > 0) {
    throw new StartupError(
      `aigate refuses to start in production without ${missing.join(" and ")}: ` +
        "set the webhook secret you registered the App with, and an Ed25519 signing key " +
        "(aigate keys generate). Without them anyone could forge webhooks or nobody could verify attestations.",
    );
  }
  const trustedKeys = parseTrustedKeys(env.AIGATE_TRUSTED_KEYS);
  const trustedRoot = parseTrustedRootSetting(env.AIGATE_TRUSTED_ROOT);
  const withRoot = trustedRoot ? { trustedRoot } : {};

  const fromEnv = env.AIGATE_SIGNING_KEY;
  if (nonEmpty(fromEnv)) {
    return {
      signingKeyPem: checkSigningKey(decodePem(fromEnv), "AIGATE_SIGNING_KEY"),
      signingKeySource: "environment",
      trustedKeys,
      ...withRoot,
      production,
    };
  }

  const dir = join(cwd, DEV_KEY_DIR);
  const file = join(dir, DEV_KEY_FILE);
  if (existsSync(file)) {
    const pem = checkSigningKey(readFileSync(file, "utf8"), file);
    notice(
      `aigate: using the development signing key in ${file} (set AIGATE_SIGNING_KEY in production)`,
    );
    return {
      signingKeyPem: pem,
      signingKeySource: "development file",
      signingKeyFile: file,
      trustedKeys,
      ...withRoot,
      production,
    };
  }
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
  notice(
    `aigate: generated a development signing key in ${file} (git-ignored); ` +
      "set AIGATE_SIGNING_KEY for any real installation",
  );
  return {
    signingKeyPem: pem,
    signingKeySource: "generated",
    signingKeyFile: file,
    trustedKeys,
    ...withRoot,
    production,
  };
}

/**
 * AIGATE_TRUSTED_ROOT: a `trusted_root.json` (or the JSON Lines `gh attestation trusted-root`
 * writes), given as its content or as the path of a file holding it.
 */
function parseTrustedRootSetting(value: string | undefined): TrustedRoot[] | undefined {
  if (!nonEmpty(value)) return undefined;
  const text = value.trim();
  const inline = text.startsWith("{");
  let content = text;
  if (!inline) {
    try {
      content = readFileSync(text, "utf8");
    } catch (error) {
      throw new StartupError(
        `AIGATE_TRUSTED_ROOT names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give the path of a trusted_root.json, or its content`,
      );
    }
  }
  try {
    return parseTrustedRoots(
      content,
      inline ? "AIGATE_TRUSTED_ROOT" : `AIGATE_TRUSTED_ROOT (${text})`,
    );
  } catch (error) {
    throw new StartupError(
      `${(error as Error).message}: give the Sigstore trusted root keyless approvals are verified against (\`gh attestation trusted-root > trusted_root.json\`)`,
    );
  }
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

/** Accepts the PEM itself, a PEM with literal `\n`, or its base64 (for single-line variables). */
function decodePem(value: string): string {
  const text = value.trim();
  if (text.startsWith("-----BEGIN")) return `${text.replace(/\\n/g, "\n")}\n`;
  const decoded = Buffer.from(text, "base64").toString("utf8").trim();
  return decoded.startsWith("-----BEGIN") ? `${decoded}\n` : text;
}

function checkSigningKey(pem: string, where: string): string {
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    // The parser's message may quote the input; name the variable instead.
    throw new StartupError(
      `${where} is not a PEM private key: generate one with "aigate keys generate"`,
    );
  }
  if (type !== "ed25519") {
    throw new StartupError(
      `${where} is a ${type ?? "unknown"} key; attestations are signed with Ed25519 ("aigate keys generate")`,
    );
  }
  return pem;
}

function parseTrustedKeys(value: string | undefined): Jwk[] {
  if (!nonEmpty(value)) return [];
  const parsed = parseJwksText(value);
  if (parsed.ok) return parsed.jwks.keys;
  switch (parsed.kind) {
    case "pem":
      throw new StartupError(
        "AIGATE_TRUSTED_KEYS is a PEM key, not a JWKS: give the JWKS of earlier keys from `aigate keys jwks --key FILE`",
      );
    case "not_json":
      throw new StartupError(
        'AIGATE_TRUSTED_KEYS is not JSON: give the JWKS of earlier keys, {"keys":[…]}',
      );
    case "invalid":
      throw new StartupError(
        `AIGATE_TRUSTED_KEYS is not an Ed25519 JWKS${parsed.field ? ` (at ${parsed.field})` : ""}: ${parsed.message}`,
      );
  }
}
