import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAppConfig, StartupError } from "../../../src/github/operator/config.js";
import { type MockSigstore, startMockSigstore } from "../../support/sigstore.js";

function ed25519Pem(): string {
  return generateKeyPairSync("ed25519")
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "aigate-config-"));
}

describe("App settings and start-up guards", () => {
  it("refuses to start in production without a webhook secret", () => {
    const env = { NODE_ENV: "production", AIGATE_SIGNING_KEY: ed25519Pem() };
    expect(() => loadAppConfig({ env, cwd: tempDir() })).toThrow(StartupError);
    expect(() => loadAppConfig({ env, cwd: tempDir() })).toThrow(/without WEBHOOK_SECRET/);
  });

  it("refuses to start in production without a signing key, and does not generate one", () => {
    const cwd = tempDir();
    const env = { NODE_ENV: "production", WEBHOOK_SECRET: "s3cret" };
    expect(() => loadAppConfig({ env, cwd })).toThrow(/without AIGATE_SIGNING_KEY/);
    expect(existsSync(join(cwd, ".aigate"))).toBe(false);
  });

  it("starts in production with both", () => {
    const pem = ed25519Pem();
    const config = loadAppConfig({
      env: { NODE_ENV: "production", WEBHOOK_SECRET: "s3cret", AIGATE_SIGNING_KEY: pem },
      cwd: tempDir(),
    });
    expect(config).toMatchObject({ signingKeySource: "environment", production: true });
    expect(config.signingKeyPem.trim()).toBe(pem.trim());
  });

  it("accepts the signing key as base64 or with escaped new lines, for single-line variables", () => {
    const pem = ed25519Pem();
    for (const value of [Buffer.from(pem).toString("base64"), pem.replace(/\n/g, "\\n")]) {
      const config = loadAppConfig({ env: { AIGATE_SIGNING_KEY: value }, cwd: tempDir() });
      expect(config.signingKeyPem.trim()).toBe(pem.trim());
    }
  });

  it("generates a development key in .aigate/, readable only by its owner, says so, and reuses it", () => {
    const cwd = tempDir();
    const notices: string[] = [];
    const first = loadAppConfig({ env: {}, cwd, notice: (m) => notices.push(m) });
    const file = join(cwd, ".aigate", "signing-key.pem");
    expect(first.signingKeySource).toBe("generated");
    expect(readFileSync(file, "utf8")).toBe(first.signingKeyPem);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(notices[0]).toContain(`generated a development signing key in ${file}`);
    expect(notices[0]).not.toContain("PRIVATE KEY");
    const second = loadAppConfig({ env: {}, cwd, notice: (m) => notices.push(m) });
    expect(second).toMatchObject({
      signingKeySource: "development file",
      signingKeyPem: first.signingKeyPem,
    });
  });

  it("rejects a key that is not Ed25519 without quoting it", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    expect(() => loadAppConfig({ env: { AIGATE_SIGNING_KEY: rsa }, cwd: tempDir() })).toThrow(
      /AIGATE_SIGNING_KEY is a rsa key/,
    );
    try {
      loadAppConfig({
        env: {
          AIGATE_SIGNING_KEY: "-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----",
        },
        cwd: tempDir(),
      });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toContain("AIGATE_SIGNING_KEY is not a PEM private key");
      expect(String(error)).not.toContain("not-a-key");
    }
  });

  it("reads earlier keys from AIGATE_TRUSTED_KEYS and names what is wrong with them", () => {
    const jwk = { kty: "OKP", crv: "Ed25519", x: "A".repeat(43), use: "sig", alg: "EdDSA" };
    const config = loadAppConfig({
      env: {
        AIGATE_SIGNING_KEY: ed25519Pem(),
        AIGATE_TRUSTED_KEYS: JSON.stringify({ keys: [jwk] }),
      },
      cwd: tempDir(),
    });
    expect(config.trustedKeys).toEqual([jwk]);
    expect(() =>
      loadAppConfig({
        env: { AIGATE_SIGNING_KEY: ed25519Pem(), AIGATE_TRUSTED_KEYS: "{" },
        cwd: tempDir(),
      }),
    ).toThrow(/AIGATE_TRUSTED_KEYS is not JSON/);
    expect(() =>
      loadAppConfig({
        env: { AIGATE_SIGNING_KEY: ed25519Pem(), AIGATE_TRUSTED_KEYS: '{"keys":[{"kty":"RSA"}]}' },
        cwd: tempDir(),
      }),
    ).toThrow(/AIGATE_TRUSTED_KEYS is not an Ed25519 JWKS \(at keys.0.kty\)/);
  });
});

describe("AIGATE_TRUSTED_ROOT", () => {
  let sigstore: MockSigstore;
  beforeAll(async () => {
    sigstore = await startMockSigstore();
  });
  afterAll(async () => {
    await sigstore?.close();
  });
  const load = (value: string) =>
    loadAppConfig({
      env: { AIGATE_SIGNING_KEY: ed25519Pem(), AIGATE_TRUSTED_ROOT: value },
      cwd: tempDir(),
    });

  it("is read as content or from a file, once, at start-up", () => {
    const text = JSON.stringify(sigstore.trustedRoot);
    const inline = load(text).trustedRoot;
    expect(inline?.map((r) => r.certificateAuthorities.length)).toEqual([1]);
    const file = join(tempDir(), "trusted_root.json");
    writeFileSync(file, `${text}\n${text}\n`);
    // JSON Lines, as `gh attestation trusted-root` writes: each root is kept, to verify by its own rules.
    expect(load(file).trustedRoot?.map((r) => r.certificateAuthorities.length)).toEqual([1, 1]);
    expect(
      loadAppConfig({ env: { AIGATE_SIGNING_KEY: ed25519Pem() }, cwd: tempDir() }).trustedRoot,
    ).toBeUndefined();
  });

  it("refuses to start when it is malformed, naming the setting", () => {
    expect(() => load("{")).toThrow(StartupError);
    expect(() => load("{")).toThrow(/^AIGATE_TRUSTED_ROOT: not valid JSON/);
    expect(() => load('{"keys":[]}')).toThrow(/AIGATE_TRUSTED_ROOT: not a Sigstore trusted root/);
    expect(() => load(join(tempDir(), "missing.json"))).toThrow(
      /AIGATE_TRUSTED_ROOT names a file that cannot be read \(ENOENT\)/,
    );
  });
});
