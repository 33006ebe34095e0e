import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  attestationMarker,
  canonicalJson,
  createSigner,
  decodeEnvelope,
  PAYLOAD_TYPE,
  pae,
  verifyAttestations,
} from "../../../src/core/attestation/index.js";
import { vector } from "./helpers.js";

describe("the published test vector", () => {
  const signer = createSigner(vector.private_key_pem);
  const signed = signer.sign(vector.statement);
  const payload = Buffer.from(canonicalJson(vector.statement), "utf8");

  it("derives the key id and public JWK from the private key", () => {
    expect(signer.keyId).toBe(vector.key_id);
    expect(signer.publicJwk).toEqual(vector.public_jwk);
  });

  it("has the payload bytes the statement serialises to", () => {
    expect(payload.toString("utf8")).toBe(vector.payload_utf8);
    expect(payload.length).toBe(vector.payload_length_bytes);
    expect(signed.envelope.payload).toBe(vector.payload_base64);
  });

  it("has the PAE bytes, with the payload length in bytes", () => {
    const bytes = pae(PAYLOAD_TYPE, payload);
    expect(bytes.toString("base64")).toBe(vector.pae_base64);
    expect(bytes.toString("utf8")).toBe(vector.pae_utf8);
    expect(
      vector.pae_utf8.startsWith(`DSSEv1 28 ${PAYLOAD_TYPE} ${vector.payload_length_bytes} {`),
    ).toBe(true);
  });

  it("has the signature, envelope JSON, digest and marker, byte for byte", () => {
    expect(signed.envelope.signatures[0]?.sig).toBe(vector.signature_base64);
    expect(signed.envelopeJson).toBe(vector.envelope_json);
    expect(signed.digest).toBe(vector.digest);
    expect(attestationMarker(signed.envelope)).toBe(vector.comment_marker);
    const decoded = decodeEnvelope(JSON.parse(vector.envelope_json));
    expect(decoded.ok && decoded.envelope.digest).toBe(vector.digest);
  });

  it("verifies as valid against the vector's public key alone", () => {
    const report = verifyAttestations(
      [
        {
          body: vector.comment_marker,
          repository: "acme/credit-models",
          pullRequest: 42,
          commentId: 1,
        },
      ],
      { keys: [vector.public_jwk] },
    );
    expect(report.statements[0]?.verdict).toBe("valid");
  });

  it("is reproduced verbatim in docs/attestation.md", () => {
    const docs = readFileSync(
      join(import.meta.dirname, "..", "..", "..", "docs", "attestation.md"),
      "utf8",
    );
    for (const value of [
      vector.private_key_pem.trim(),
      vector.key_id,
      vector.payload_utf8,
      vector.pae_base64,
      vector.signature_base64,
      vector.envelope_json,
      vector.digest,
    ]) {
      expect(docs).toContain(value);
    }
  });
});
