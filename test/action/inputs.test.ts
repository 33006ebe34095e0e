import { describe, expect, it } from "vitest";
import { readSettings } from "../../action/inputs.js";
import { generateKeyPair, jwksFrom } from "../../src/core/attestation/keys.js";

function inputs(values: Record<string, string>): (name: string) => string {
  const defaults: Record<string, string> = {
    token: "ghs_example",
    "manifest-path": ".github/ai-governance.yml",
    "fail-on": "errors",
  };
  return (name) => values[name] ?? defaults[name] ?? "";
}

describe("the Action's input helper", () => {
  it("turns valid inputs into one settings object", () => {
    const key = generateKeyPair();
    const settings = readSettings(
      inputs({
        "signing-key": key.privateKeyPem,
        "trusted-keys": JSON.stringify(jwksFrom([key.privateKeyPem])),
        "fail-on": "gates",
      }),
    );
    expect(settings).toMatchObject({
      token: "ghs_example",
      manifestPath: ".github/ai-governance.yml",
      failOn: "gates",
    });
    expect(settings.signingKeyPem).toBe(key.privateKeyPem.trim());
    expect(settings.trustedKeys).toHaveLength(1);
  });

  it("defaults manifest-path, fail-on, mode and the register's inputs when they are empty", () => {
    const settings = readSettings((name) => (name === "token" ? "t" : ""));
    expect(settings).toEqual({
      token: "t",
      trustedKeys: [],
      manifestPath: ".github/ai-governance.yml",
      sigstore: { instance: "auto" },
      failOn: "errors",
      mode: "gate",
      register: { repositories: [], expiringWithinDays: 30 },
    });
  });

  it("reads signing, sigstore and trusted-root, and rejects a bad one by name", () => {
    const inputs: Record<string, string> = {
      token: "t",
      signing: "keyless",
      sigstore: "fulcio=https://fulcio.example,tsa=https://tsa.example/api/v1/timestamp",
      "trusted-root": "trusted_root.json",
    };
    expect(readSettings((name) => inputs[name] ?? "")).toMatchObject({
      signing: "keyless",
      sigstore: {
        instance: "custom",
        fulcioURL: "https://fulcio.example",
        tsaURL: "https://tsa.example/api/v1/timestamp",
      },
      trustedRootPath: "trusted_root.json",
    });
    for (const [name, value, message] of [
      ["signing", "sigstore", "input 'signing': sigstore is not one of key, keyless"],
      ["sigstore", "fulcio=https://f.example", "needs fulcio= and rekor= or tsa="],
      ["sigstore", "rekor=ftp://x", "is not an http(s) URL"],
    ] as const) {
      const bad: Record<string, string> = { token: "t", [name]: value };
      expect(() => readSettings((n) => bad[n] ?? "")).toThrow(message);
    }
  });

  it("reads the register's inputs", () => {
    const inputs: Record<string, string> = {
      token: "t",
      mode: "register",
      "expiring-within": "14",
      repositories: "acme/a, acme/b\nacme/c",
      "tracking-repo": "acme/governance",
    };
    expect(readSettings((name) => inputs[name] ?? "")).toMatchObject({
      mode: "register",
      register: {
        repositories: [
          { owner: "acme", repo: "a" },
          { owner: "acme", repo: "b" },
          { owner: "acme", repo: "c" },
        ],
        expiringWithinDays: 14,
        trackingRepo: { owner: "acme", repo: "governance" },
      },
    });
  });

  it.each([
    [{ mode: "audit" }, "input 'mode': audit is not one of gate, register"],
    [{ "expiring-within": "a month" }, "input 'expiring-within': a month is not a number of days"],
    [{ repositories: "acme" }, "input 'repositories': acme is not OWNER/REPO"],
    [{ "tracking-repo": "../x" }, "input 'tracking-repo': ../x is not OWNER/REPO"],
    [{ org: "acme", repositories: "acme/a" }, "input 'repositories': give org or repositories"],
    [{ token: " " }, "input 'token': is empty"],
    [{ "signing-key": "not a key" }, "input 'signing-key': is not an Ed25519 private key"],
    [{ "trusted-keys": "{keys:" }, "input 'trusted-keys': is not JSON"],
    [
      { "trusted-keys": '{"keys":[{"kty":"RSA"}]}' },
      "input 'trusted-keys': is not a usable Ed25519 JWKS",
    ],
    [{ "manifest-path": "../outside.yml" }, "input 'manifest-path'"],
    [{ "manifest-path": "/etc/ai.yml" }, "input 'manifest-path'"],
    [{ "fail-on": "sometimes" }, "input 'fail-on': sometimes is not one of errors, gates, never"],
  ])("rejects %j naming the input", (values, message) => {
    expect(() => readSettings(inputs(values))).toThrow(message);
  });

  it("never repeats a malformed signing key in its message", () => {
    const secret = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LW1hdGVyaWFs\n-----END PRIVATE KEY-----";
    try {
      readSettings(inputs({ "signing-key": secret }));
      expect.unreachable("a malformed key must be rejected");
    } catch (error) {
      expect(String(error)).not.toContain("c2VjcmV0LW1hdGVyaWFs");
    }
  });
});
