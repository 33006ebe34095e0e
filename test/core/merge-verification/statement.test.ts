import { readFileSync } from "node:fs";
import { join } from "node:path";
import { crypto, dsse } from "@sigstore/core";
import { describe, expect, it } from "vitest";
import {
  mergeRecord,
  VERIFIED_LEVELS,
  VsaStatementSchema,
  vsaStatement,
} from "../../../src/core/merge-verification/index.js";
import { COMMIT, context, key, mergedFacts, signer } from "./helpers.js";

const definition = JSON.parse(
  readFileSync(
    join(
      import.meta.dirname,
      "..",
      "..",
      "fixtures",
      "merge-verification",
      "vsa-v1-definition.json",
    ),
    "utf8",
  ),
) as {
  predicateType: string;
  predicate: { required: string[]; optional: string[] };
  verifier: { required: string[]; optional: string[] };
  resourceDescriptor: { fields: string[]; oneOf: string[] };
  verificationResult: string[];
  customLevelsMustNotStartWith: string;
  statement: { _type: string; fields: string[] };
};

const passed = mergeRecord(mergedFacts(), context, signer);
const failed = mergeRecord(mergedFacts({ pullRequest: undefined }), context, signer);

describe("the merge verification statement against the SLSA VSA v1 definition", () => {
  for (const [name, record] of [
    ["a PASSED record", passed],
    ["a FAILED record", failed],
  ] as const) {
    const statement = JSON.parse(
      Buffer.from(record.signed.envelope.payload, "base64").toString("utf8"),
    );

    it(`${name}: is an in-toto Statement v1 with the VSA predicate type`, () => {
      expect(Object.keys(statement).sort()).toEqual([...definition.statement.fields].sort());
      expect(statement._type).toBe(definition.statement._type);
      expect(statement.predicateType).toBe(definition.predicateType);
    });

    it(`${name}: has every required predicate field and no field the definition lacks`, () => {
      const keys = Object.keys(statement.predicate);
      for (const field of definition.predicate.required) expect(keys).toContain(field);
      const known = [...definition.predicate.required, ...definition.predicate.optional];
      expect(keys.filter((k) => !known.includes(k))).toEqual([]);
      const verifierKeys = Object.keys(statement.predicate.verifier);
      for (const field of definition.verifier.required) expect(verifierKeys).toContain(field);
      const knownVerifier = [...definition.verifier.required, ...definition.verifier.optional];
      expect(verifierKeys.filter((k) => !knownVerifier.includes(k))).toEqual([]);
      for (const descriptor of [
        statement.predicate.policy,
        ...statement.predicate.inputAttestations,
      ]) {
        expect(
          Object.keys(descriptor).filter((k) => !definition.resourceDescriptor.fields.includes(k)),
        ).toEqual([]);
      }
    });

    it(`${name}: its subject is a resource descriptor with the commit, its page and the ref`, () => {
      const [subject] = statement.subject;
      expect(statement.subject).toHaveLength(1);
      expect(
        Object.keys(subject).filter((k) => !definition.resourceDescriptor.fields.includes(k)),
      ).toEqual([]);
      expect(definition.resourceDescriptor.oneOf.some((f) => f in subject)).toBe(true);
      expect(subject).toEqual({
        uri: `https://github.com/acme/credit-models/commit/${COMMIT}`,
        digest: { gitCommit: COMMIT },
        annotations: { sourceRefs: ["refs/heads/main"] },
      });
    });

    it(`${name}: claims no SLSA level and no custom value beginning with SLSA_`, () => {
      expect(definition.verificationResult).toContain(statement.predicate.verificationResult);
      for (const level of statement.predicate.verifiedLevels) {
        expect(level.startsWith(definition.customLevelsMustNotStartWith)).toBe(false);
        expect(level.startsWith("ORG_SOURCE_")).toBe(true);
      }
      expect(statement.predicate.slsaVersion).toBe("1.2");
      expect(statement.predicate.resourceUri).toBe("git+https://github.com/acme/credit-models");
    });
  }

  it("records the policy, the inputs and the verifier of a PASSED verification", () => {
    const p = passed.statement.predicate;
    expect(p.verificationResult).toBe("PASSED");
    expect(p.verifiedLevels).toEqual([...VERIFIED_LEVELS]);
    expect(p.verifier).toEqual({
      id: "https://github.com/apps/aigate",
      version: { aigate: "0.1.0" },
    });
    expect(p.timeVerified).toBe("2026-11-02T10:00:00.000Z");
    expect(p.policy).toEqual({
      uri: `https://github.com/acme/credit-models/blob/${"a".repeat(40)}/.github/ai-governance.yml`,
      digest: { sha256: "d".repeat(64) },
    });
    expect(p.inputAttestations).toEqual([
      {
        uri: "https://github.com/acme/credit-models/pull/12#issuecomment-101",
        digest: { sha256: "e".repeat(64) },
      },
    ]);
  });

  it("a FAILED record of a direct push holds no property", () => {
    expect(failed.statement.predicate.verificationResult).toBe("FAILED");
    expect(failed.statement.predicate.verifiedLevels).toEqual([]);
  });

  it("refuses to build a statement with a field of aigate's own or a SLSA_ level", () => {
    const extra = {
      ...passed.statement,
      predicate: { ...passed.statement.predicate, pullRequest: 12 },
    };
    expect(VsaStatementSchema.safeParse(extra).success).toBe(false);
    const slsa = {
      ...passed.statement,
      predicate: { ...passed.statement.predicate, verifiedLevels: ["SLSA_SOURCE_LEVEL_3"] },
    };
    expect(VsaStatementSchema.safeParse(slsa).success).toBe(false);
    expect(() =>
      vsaStatement({
        repository: context.repository,
        commit: "not-a-sha",
        branch: "main",
        verifier: context.verifier,
        timeVerified: context.now,
        policy: { path: ".github/ai-governance.yml", commit: COMMIT, sha256: "d".repeat(64) },
        inputAttestations: [],
        result: "FAILED",
        levels: [],
      }),
    ).toThrow();
  });
});

describe("the merge verification envelope, checked by a third-party DSSE implementation", () => {
  it("verifies with @sigstore/core's pre-authentication encoding and the public key", () => {
    const { envelope } = passed.signed;
    const signature = envelope.signatures[0];
    expect(envelope.payloadType).toBe("application/vnd.in-toto+json");
    expect(signature?.keyid).toBe(key.keyId);
    const message = dsse.preAuthEncoding(
      envelope.payloadType,
      Buffer.from(envelope.payload, "base64"),
    );
    const publicKey = crypto.createPublicKey(key.publicKeyPem);
    const sig = Buffer.from(signature?.sig ?? "", "base64");
    expect(crypto.verify(message, publicKey, sig)).toBe(true);
    const tampered = dsse.preAuthEncoding(
      envelope.payloadType,
      Buffer.from(
        Buffer.from(envelope.payload, "base64").toString("utf8").replace("PASSED", "FAILED"),
      ),
    );
    expect(crypto.verify(tampered, publicKey, sig)).toBe(false);
  });
});
