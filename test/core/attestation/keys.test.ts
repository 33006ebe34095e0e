import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createSigner,
  generateKeyPair,
  jwksFrom,
  jwkThumbprint,
  publicJwkFromPem,
  statementFor,
  trustedKeys,
} from "../../../src/core/attestation/index.js";
import { ConfigurationError } from "../../../src/core/errors.js";
import { issuer, issuerKey, otherKey, predicate, vector } from "./helpers.js";

describe("key ids", () => {
  it("are RFC 7638 thumbprints (RFC 8037 appendix A.3 example)", () => {
    const jwk = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };
    expect(jwkThumbprint(jwk)).toBe("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  });
});

describe("key generation", () => {
  it("makes an Ed25519 PKCS#8 private key whose key id is its thumbprint", () => {
    const pair = generateKeyPair();
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPublicKey(pair.publicKeyPem).asymmetricKeyType).toBe("ed25519");
    expect(pair.keyId).toBe(jwkThumbprint(pair.publicJwk));
    expect(pair.publicJwk).toEqual({
      ...pair.publicJwk,
      kty: "OKP",
      crv: "Ed25519",
      use: "sig",
      alg: "EdDSA",
    });
  });

  it("gives the same public JWK from the private and the public PEM", () => {
    expect(publicJwkFromPem(issuerKey.privateKeyPem)).toEqual(
      publicJwkFromPem(issuerKey.publicKeyPem),
    );
    expect(publicJwkFromPem(issuerKey.privateKeyPem)).toEqual(vector.public_jwk);
  });

  it("refuses keys that are not Ed25519", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
      format: "pem",
      type: "pkcs8",
    });
    expect(() => publicJwkFromPem(rsa.toString())).toThrow(/Ed25519/);
    expect(() => createSigner(rsa.toString())).toThrow(/Ed25519/);
  });

  it("never repeats the key material in the error for an unreadable key", () => {
    const garbage =
      "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXRoYXQtaXMtbm90LWEta2V5\n-----END PRIVATE KEY-----\n";
    expect(() => createSigner(garbage)).toThrow(/not a PEM-encoded private key/);
    try {
      createSigner(garbage);
    } catch (error) {
      expect(String(error)).not.toContain("c2VjcmV0");
    }
  });
});

describe("the published JWKS", () => {
  it("lists public keys with their validity and never a private part", () => {
    const jwks = jwksFrom([
      { pem: issuerKey.privateKeyPem, notAfter: "2027-01-01T00:00:00Z" },
      {
        pem: otherKey.publicKeyPem,
        notBefore: "2026-01-01T00:00:00Z",
        revokedAt: "2026-06-01T00:00:00Z",
      },
    ]);
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys[0]).toEqual({ ...vector.public_jwk, not_after: "2027-01-01T00:00:00Z" });
    expect(jwks.keys[1]?.revoked_at).toBe("2026-06-01T00:00:00Z");
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/);
  });

  it("is accepted as trusted keys", () => {
    expect(trustedKeys(jwksFrom([issuerKey.publicKeyPem])).map((k) => k.keyId)).toEqual([
      issuer.keyId,
    ]);
  });

  it.each([
    [
      "a misspelt validity field",
      { keys: [{ ...vector.public_jwk, revoke_at: "2026-01-01T00:00:00Z" }] },
      "",
    ],
    [
      "a kid that is not the thumbprint",
      { keys: [{ ...vector.public_jwk, kid: "someone-else" }] },
      "keys[0].kid",
    ],
    ["the same key twice", { keys: [vector.public_jwk, vector.public_jwk] }, "keys[1]"],
    ["a non-Ed25519 curve", { keys: [{ ...vector.public_jwk, crv: "X25519" }] }, ""],
    [
      "a validity time that is not ISO-8601",
      { keys: [{ ...vector.public_jwk, not_after: "next year" }] },
      "",
    ],
  ])("is refused with %s, naming the field", (_case, jwks, field) => {
    try {
      trustedKeys(jwks, "jwks.json");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).errors[0]).toMatchObject({ file: "jwks.json", field });
    }
  });
});

describe("the signer", () => {
  it("signs a statement into a DSSE envelope with its key id as the hint", () => {
    const signed = issuer.sign(statementFor(predicate()));
    expect(signed.envelope.payloadType).toBe("application/vnd.in-toto+json");
    expect(signed.envelope.signatures).toEqual([{ keyid: issuer.keyId, sig: expect.any(String) }]);
    expect(signed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("refuses a statement that names another issuer key", () => {
    const other = createSigner(otherKey.privateKeyPem);
    expect(() => other.sign(statementFor(predicate()))).toThrow(/issuer.key_id/);
  });

  it("refuses a statement that does not match the schema", () => {
    const statement = statementFor(predicate({ systems: [] }));
    expect(() => issuer.sign(statement)).toThrow(/systems/);
  });

  it("refuses a revocation that does not name what it revokes", () => {
    expect(() => issuer.sign(statementFor(predicate({ decision: "revoked" })))).toThrow(/revokes/);
  });
});
