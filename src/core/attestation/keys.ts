import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from "node:crypto";
import * as z from "zod";
import { ConfigurationError } from "../errors.js";
import {
  canonicalEnvelopeJson,
  digestOfCanonicalEnvelope,
  type Envelope,
  PAYLOAD_TYPE,
  pae,
} from "./dsse.js";
import { canonicalJson, parseStrictJson } from "./json.js";
import { type ApprovalStatement, describeIssues, StatementSchema } from "./statement.js";

/**
 * Ed25519 signing keys, their public JWKs and the JWKS a verifier trusts. The signing key is
 * aigate's own, separate from the GitHub App's RSA key (docs/attestation.md says why).
 */

const isoTime = z.iso.datetime({ offset: true });

/**
 * A trusted public key. Strict: a misspelt `revoked_at` must fail loudly, never be ignored.
 * Validity: the key signs statements issued in [not_before, not_after) and before revoked_at.
 */
export const JwkSchema = z.strictObject({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be a 32-byte Ed25519 public key in base64url"),
  kid: z.string().optional(),
  use: z.literal("sig"),
  alg: z.literal("EdDSA"),
  not_before: isoTime.optional(),
  not_after: isoTime.optional(),
  revoked_at: isoTime.optional(),
});

export type Jwk = z.infer<typeof JwkSchema>;

export const JwksSchema = z.strictObject({ keys: z.array(JwkSchema) });

export type Jwks = z.infer<typeof JwksSchema>;

/** The public half of an Ed25519 key as a JWK (RFC 8037), with its RFC 7638 key id. */
export interface PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  use: "sig";
  alg: "EdDSA";
}

/** RFC 7638 thumbprint: base64url(SHA-256(`{"crv":"Ed25519","kty":"OKP","x":"…"}`)). */
export function jwkThumbprint(jwk: { crv: string; kty: string; x: string }): string {
  const members = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash("sha256").update(members, "utf8").digest("base64url");
}

function ed25519PublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error("not a PEM-encoded key");
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new Error(`an Ed25519 key is required, this is ${key.asymmetricKeyType ?? "unknown"}`);
  }
  return key;
}

function publicJwkOf(key: KeyObject): PublicJwk {
  const exported = key.export({ format: "jwk" });
  const x = typeof exported.x === "string" ? exported.x : "";
  const thumbprintInput = { crv: "Ed25519", kty: "OKP", x };
  return {
    kty: "OKP",
    crv: "Ed25519",
    x,
    kid: jwkThumbprint(thumbprintInput),
    use: "sig",
    alg: "EdDSA",
  };
}

/** The public JWK of an Ed25519 key given as a private (PKCS#8) or public (SPKI) PEM. */
export function publicJwkFromPem(pem: string): PublicJwk {
  return publicJwkOf(ed25519PublicKey(pem));
}

export interface GeneratedKeyPair {
  /** PKCS#8 PEM: the secret, for AIGATE_SIGNING_KEY. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
  keyId: string;
  publicJwk: PublicJwk;
}

/** A new Ed25519 signing key. */
export function generateKeyPair(): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const publicJwk = publicJwkOf(publicKey);
  return {
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    keyId: publicJwk.kid,
    publicJwk,
  };
}

/** A key to publish, with its optional validity window (ISO-8601 times). */
export interface JwksEntry {
  pem: string;
  notBefore?: string;
  notAfter?: string;
  revokedAt?: string;
}

/** The JWKS for the given keys (private or public PEMs); private parts are never included. */
export function jwksFrom(keys: Array<string | JwksEntry>): Jwks {
  return JwksSchema.parse({
    keys: keys.map((entry) => {
      const { pem, notBefore, notAfter, revokedAt } =
        typeof entry === "string" ? { pem: entry } : entry;
      const jwk: Jwk = { ...publicJwkFromPem(pem) };
      if (notBefore !== undefined) jwk.not_before = notBefore;
      if (notAfter !== undefined) jwk.not_after = notAfter;
      if (revokedAt !== undefined) jwk.revoked_at = revokedAt;
      return jwk;
    }),
  });
}

/** A trusted key, ready to verify with. */
export interface TrustedKey {
  keyId: string;
  key: KeyObject;
  jwk: Jwk;
}

/**
 * Checks a JWKS (already JSON-parsed) and imports its keys. Throws ConfigurationError, naming
 * `source` and the field, when the set is invalid: it is trusted configuration, not evidence.
 */
export function trustedKeys(jwks: unknown, source = "JWKS"): TrustedKey[] {
  const parsed = JwksSchema.safeParse(jwks);
  const fail = (field: string, message: string): never => {
    throw new ConfigurationError([{ file: source, line: 0, column: 0, field, message }]);
  };
  if (!parsed.success) fail("", `not a valid Ed25519 JWKS: ${describeIssues(parsed.error)}`);
  const keys: TrustedKey[] = [];
  for (const [index, jwk] of (parsed.data as Jwks).keys.entries()) {
    const keyId = jwkThumbprint(jwk);
    if (jwk.kid !== undefined && jwk.kid !== keyId) {
      fail(`keys[${index}].kid`, `does not match the key's RFC 7638 thumbprint ${keyId}`);
    }
    if (keys.some((k) => k.keyId === keyId)) fail(`keys[${index}]`, "the same key is listed twice");
    let key: KeyObject | undefined;
    try {
      key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: "jwk" });
    } catch {
      fail(`keys[${index}].x`, "is not an Ed25519 public key");
    }
    if (key) keys.push({ keyId, key, jwk });
  }
  return keys;
}

/** Why JWKS text could not be trusted: each door words it in its own error type. */
export type JwksTextProblem =
  | { kind: "pem" }
  | { kind: "not_json"; reason: string }
  | {
      kind: "invalid";
      /** The field at fault (`keys.0.kty` for a shape error, `keys[0].kid` for a bad key). */
      field: string;
      message: string;
      /** Every problem of a shape error on one line, for a report that lists them all. */
      described?: string;
    };

export type JwksTextResult =
  | { ok: true; jwks: Jwks; keys: TrustedKey[] }
  | ({ ok: false } & JwksTextProblem);

/**
 * The one reader of trusted keys given as text (a `--jwks` file, an Action input, an
 * environment variable): strict JSON (no repeated keys), an Ed25519 JWKS, every key
 * importable. A PEM key given where a JWKS belongs is recognised, so the user hears that,
 * not a JSON parser's complaint. Never throws.
 */
export function parseJwksText(text: string): JwksTextResult {
  if (/^\s*-----BEGIN [A-Z0-9 ]+-----/.test(text)) return { ok: false, kind: "pem" };
  const json = parseStrictJson(text);
  if (!json.ok) return { ok: false, kind: "not_json", reason: json.reason };
  const schema = JwksSchema.safeParse(json.value);
  if (!schema.success) {
    const issue = schema.error.issues[0];
    return {
      ok: false,
      kind: "invalid",
      field: issue ? issue.path.join(".") : "",
      message: issue?.message ?? "not a JWKS",
      described: describeIssues(schema.error),
    };
  }
  try {
    return { ok: true, jwks: schema.data, keys: trustedKeys(schema.data) };
  } catch (error) {
    const first = error instanceof ConfigurationError ? error.errors[0] : undefined;
    return {
      ok: false,
      kind: "invalid",
      field: first?.field ?? "",
      message: first?.message ?? String(error),
    };
  }
}

/** A JWKS problem as the CLI reports it: a configuration error located in `file`. */
export function jwksTextError(file: string, problem: JwksTextProblem): ConfigurationError {
  const at = (field: string, message: string) =>
    new ConfigurationError([{ file, line: 0, column: 0, field, message }]);
  switch (problem.kind) {
    case "pem":
      return at(
        "",
        "this is a PEM key, not a JWKS: make the JWKS verifiers trust with `aigate keys jwks --key FILE`",
      );
    case "not_json":
      return at(
        "",
        `${problem.reason}: a JWKS is JSON, {"keys": […]}, as \`aigate keys jwks\` prints it`,
      );
    case "invalid":
      return problem.described !== undefined
        ? at("", `not a valid Ed25519 JWKS: ${problem.described}`)
        : at(problem.field, problem.message);
  }
}

/** Reads trusted keys from JWKS text, throwing a ConfigurationError located in `file`. */
export function trustedJwksFromText(text: string, file: string): Jwks {
  const parsed = parseJwksText(text);
  if (!parsed.ok) throw jwksTextError(file, parsed);
  return parsed.jwks;
}

export interface SignedAttestation {
  envelope: Envelope;
  /** The attestation digest: `sha256:` + hex SHA-256 of the canonical envelope JSON. */
  digest: string;
  /** The canonical envelope JSON the digest is taken over and the comment marker carries. */
  envelopeJson: string;
  /** Keyless: the Sigstore bundle carrying `envelope`; the comment marker carries it instead. */
  bundle?: unknown;
}

export interface Signer {
  keyId: string;
  publicJwk: PublicJwk;
  /** Signs a statement: canonical JSON bytes, DSSE PAE, Ed25519. Throws on an invalid statement. */
  sign(statement: ApprovalStatement): SignedAttestation;
  /**
   * Signs the exact bytes of an in-toto statement another module built and checked (the merge
   * verification's VSA): DSSE PAE, Ed25519, with the same key as the approvals.
   */
  signPayload(payload: Buffer): SignedAttestation;
}

/**
 * A signer for the PKCS#8 PEM in AIGATE_SIGNING_KEY. Throws when the PEM is not an Ed25519
 * private key; the message never contains the key.
 */
export function createSigner(pemPrivateKey: string): Signer {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pemPrivateKey);
  } catch {
    throw new Error("the signing key is not a PEM-encoded private key (expected Ed25519 PKCS#8)");
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new Error(
      `the signing key must be Ed25519, not ${privateKey.asymmetricKeyType ?? "unknown"}`,
    );
  }
  const publicJwk = publicJwkOf(createPublicKey(privateKey));
  return {
    keyId: publicJwk.kid,
    publicJwk,
    sign(statement) {
      const checked = StatementSchema.safeParse(statement);
      if (!checked.success)
        throw new Error(`refusing to sign an invalid statement: ${describeIssues(checked.error)}`);
      const issuer = checked.data.predicate.issuer;
      if (!("key_id" in issuer) || issuer.key_id !== publicJwk.kid) {
        throw new Error(`predicate.issuer.key_id must be this signer's key id ${publicJwk.kid}`);
      }
      return signPayload(Buffer.from(canonicalJson(checked.data), "utf8"));
    },
    signPayload,
  };

  function signPayload(payload: Buffer): SignedAttestation {
    const sig = sign(null, pae(PAYLOAD_TYPE, payload), privateKey);
    const envelopeJson = canonicalEnvelopeJson({
      payloadType: PAYLOAD_TYPE,
      payload,
      signatures: [{ keyid: publicJwk.kid, sig }],
    });
    return {
      envelope: {
        payload: payload.toString("base64"),
        payloadType: PAYLOAD_TYPE,
        signatures: [{ keyid: publicJwk.kid, sig: sig.toString("base64") }],
      },
      digest: digestOfCanonicalEnvelope(envelopeJson),
      envelopeJson,
    };
  }
}
