/**
 * Keyless signing with sigstore-js (docs/attestation.md#keyless-bundles): the workflow's OIDC
 * token buys a short-lived Fulcio certificate, the statement is signed as a DSSE envelope, and
 * the signature is logged in Rekor (public repositories) or timestamped by GitHub's timestamp
 * authority (private ones), as GitHub's own attest action does. The result is a bundle v0.3.
 */
import { bundleToJSON } from "@sigstore/bundle";
import {
  DSSEBundleBuilder,
  FulcioSigner,
  InternalError,
  RekorWitness,
  TSAWitness,
  type Witness,
} from "@sigstore/sign";
import { envelopeOfBundle } from "../core/attestation/bundle.js";
import { PAYLOAD_TYPE } from "../core/attestation/dsse.js";
import type { KeylessSigner } from "../core/attestation/issue.js";
import { canonicalJson } from "../core/attestation/json.js";
import type { SignedAttestation } from "../core/attestation/keys.js";
import { describeIssues, StatementSchema } from "../core/attestation/statement.js";
import type { SigstoreEndpoints } from "./endpoints.js";

export {
  endpointsFor,
  GITHUB_INSTANCE,
  PUBLIC_GOOD,
  type SigstoreEndpoints,
} from "./endpoints.js";

export interface KeylessOptions {
  endpoints: SigstoreEndpoints;
  /** The OIDC token (audience `sigstore`) of the job. */
  getToken: () => Promise<string>;
  /** Rekor entry kind: `dsse` (what Rekor stores best), `intoto` where a log needs it. */
  entryType?: "dsse" | "intoto";
  timeoutMs?: number;
  retries?: number;
}

/** Why keyless signing failed, in words that say what to fix. */
export class KeylessSigningError extends Error {
  override name = "KeylessSigningError";
}

function describeFailure(
  error: unknown,
  endpoints: SigstoreEndpoints,
  tokens: ReadonlySet<string>,
): string {
  const cause =
    error instanceof InternalError && error.cause instanceof Error
      ? `: ${error.cause.message}`
      : "";
  // The token is a credential and sigstore-js quotes one it cannot parse: it never reaches a log.
  let detail = `${error instanceof Error ? error.message : String(error)}${cause}`;
  for (const token of tokens) {
    for (const part of [token, ...token.split(".")]) {
      if (part.length >= 8) detail = detail.replaceAll(part, "[token]");
    }
  }
  if (error instanceof InternalError) {
    switch (error.code) {
      case "IDENTITY_TOKEN_READ_ERROR":
      case "IDENTITY_TOKEN_PARSE_ERROR":
        return `the workflow's OIDC token could not be read (does the job grant id-token: write?): ${detail}`;
      case "CA_CREATE_SIGNING_CERTIFICATE_ERROR":
        return `Sigstore's certificate authority ${endpoints.fulcioURL} refused or could not be reached: ${detail}`;
      case "TLOG_CREATE_ENTRY_ERROR":
      case "TLOG_FETCH_ENTRY_ERROR":
        return `Sigstore's transparency log ${endpoints.rekorURL ?? ""} refused or could not be reached: ${detail}`;
      case "TSA_CREATE_TIMESTAMP_ERROR":
        return `Sigstore's timestamp authority ${endpoints.tsaURL ?? ""} refused or could not be reached: ${detail}`;
    }
  }
  return `keyless signing failed: ${detail}`;
}

/** A keyless signer: each statement becomes a Sigstore bundle whose DSSE envelope signs it. */
export function createKeylessSigner(options: KeylessOptions): KeylessSigner {
  const { endpoints } = options;
  const timeout = options.timeoutMs ?? 10_000;
  const retry = options.retries ?? 2;
  const tokens = new Set<string>();
  const witnesses: Witness[] = [];
  if (endpoints.rekorURL) {
    witnesses.push(
      new RekorWitness({
        rekorBaseURL: endpoints.rekorURL,
        entryType: options.entryType ?? "dsse",
        timeout,
        retry,
      }),
    );
  }
  if (endpoints.tsaURL)
    witnesses.push(new TSAWitness({ tsaBaseURL: endpoints.tsaURL, timeout, retry }));
  if (witnesses.length === 0) {
    throw new KeylessSigningError(
      "keyless signing needs a transparency log or a timestamp authority",
    );
  }
  const builder = new DSSEBundleBuilder({
    signer: new FulcioSigner({
      identityProvider: {
        getToken: async () => {
          const token = await options.getToken();
          tokens.add(token);
          return token;
        },
      },
      fulcioBaseURL: endpoints.fulcioURL,
      timeout,
      retry,
    }),
    witnesses,
  });
  /** Signs the exact bytes into a bundle v0.3 and returns it with the envelope it carries. */
  async function signPayload(payload: Buffer): Promise<SignedAttestation> {
    let bundle: unknown;
    try {
      bundle = bundleToJSON(await builder.create({ data: payload, type: PAYLOAD_TYPE }));
    } catch (error) {
      throw new KeylessSigningError(describeFailure(error, endpoints, tokens));
    }
    const carried = envelopeOfBundle(bundle);
    if (!carried.ok) throw new Error(`Sigstore returned an unusable bundle: ${carried.reason}`);
    if (!carried.envelope.payload.equals(payload)) {
      throw new Error("Sigstore's bundle does not carry the statement signed");
    }
    const signature = carried.envelope.signatures[0]?.sig ?? Buffer.alloc(0);
    return {
      envelope: {
        payload: payload.toString("base64"),
        payloadType: PAYLOAD_TYPE,
        signatures: [{ sig: signature.toString("base64") }],
      },
      digest: carried.envelope.digest,
      envelopeJson: carried.envelope.canonical,
      bundle,
    };
  }

  return {
    keyless: true,
    async sign(statement): Promise<SignedAttestation> {
      const checked = StatementSchema.safeParse(statement);
      if (!checked.success) {
        throw new Error(`refusing to sign an invalid statement: ${describeIssues(checked.error)}`);
      }
      if ("key_id" in checked.data.predicate.issuer) {
        throw new Error("a keyless statement's issuer has no key_id");
      }
      return signPayload(Buffer.from(canonicalJson(checked.data), "utf8"));
    },
    signPayload,
  };
}
