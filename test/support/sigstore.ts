/**
 * Sigstore's mock services (`@sigstore/mock`: Fulcio, Rekor, a timestamp authority) served by a
 * plain HTTP server on loopback, and the trusted root assembled from them the way sigstore-js's
 * own tests do. A mocked GitHub Actions OIDC token names the workflow the certificate is for.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  fulcioHandler,
  type HandlerFn,
  initializeCA,
  initializeCTLog,
  initializeTLog,
  initializeTSA,
  rekorHandler,
  tsaHandler,
} from "@sigstore/mock";
import { HashAlgorithm, PublicKeyDetails, TrustedRoot } from "@sigstore/protobuf-specs";

export const ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

export interface MockSigstore {
  url: string;
  fulcioURL: string;
  rekorURL: string;
  tsaURL: string;
  /** trusted_root.json of these services, as JSON. */
  trustedRoot: unknown;
  /** How many requests each service answered. */
  requests: Record<"fulcio" | "rekor" | "tsa", number>;
  close(): Promise<void>;
}

export interface MockOptions {
  /** The CA's clock: a certificate is valid for ten minutes from it. */
  caClock?: Date;
  /**
   * Like GitHub's own instance: the CA logs no certificate (no SCT in it) and the trusted root
   * names no certificate log and no transparency log, only the CA and the timestamp authority.
   */
  githubLike?: boolean;
}

const keyPair = () => generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const VALID_FROM = new Date("2020-01-01T00:00:00Z");

/** The mocks' CA (with its CT log), transparency log and TSA, on the clock `now`. */
async function makeServices(url: string, now: Date, caClock: Date | undefined, withCtLog = true) {
  const caKeys = keyPair();
  const ctlog = await initializeCTLog(caKeys);
  const ca = await initializeCA(caKeys, withCtLog ? ctlog : undefined, caClock ?? now);
  const tlogKeys = keyPair();
  const tlog = await initializeTLog(`${url}/rekor`, tlogKeys);
  const tsa = await initializeTSA(keyPair(), now);
  return { caKeys, ctlog, ca, tlogKeys, tlog, tsa };
}

/** Starts Fulcio, Rekor and a TSA on 127.0.0.1 (one server, three path prefixes). */
export async function startMockSigstore(options: MockOptions = {}): Promise<MockSigstore> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Whole seconds: the mock TSA writes a time's milliseconds in a form sigstore-js does not
  // parse unless they are zero. Certificates are valid for ten minutes from this clock, and
  // every timestamp is this clock. The mocks' own root certificates start at the real time
  // they are made, so they must be made within this clock's second: a timestamp earlier than
  // the TSA's certificate would not verify. Made again when the second turned meanwhile.
  const second = () => new Date(Math.floor(Date.now() / 1000) * 1000);
  let now: Date;
  let made: Awaited<ReturnType<typeof makeServices>>;
  do {
    now = second();
    made = await makeServices(url, now, options.caClock, !options.githubLike);
  } while (second().getTime() !== now.getTime());
  const { ctlog, ca, tlog, tsa } = made;

  const fulcio = fulcioHandler(ca, { strict: true, subjectClaim: "job_workflow_ref_uri" });
  const rekor = rekorHandler(tlog, { strict: true });
  const stamp = tsaHandler(tsa, { strict: true });
  const routes: Array<[string, "fulcio" | "rekor" | "tsa", { path: string; fn: HandlerFn }]> = [
    ["/fulcio", "fulcio", fulcio],
    ["/rekor", "rekor", rekor],
    ["/tsa", "tsa", stamp],
  ];
  const requests = { fulcio: 0, rekor: 0, tsa: 0 };
  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const route = routes.find(([prefix, , h]) => req.url === `${prefix}${h.path}`);
      if (!route || req.method !== "POST") {
        res.writeHead(404).end();
        return;
      }
      requests[route[1]]++;
      const body = Buffer.concat(chunks);
      void route[2].fn(body.toString("utf8")).then((result) => {
        res.writeHead(result.statusCode, {
          "content-type": result.contentType ?? "application/json",
        });
        res.end(
          typeof result.response === "string"
            ? result.response
            : Buffer.from(
                result.response.buffer,
                result.response.byteOffset,
                result.response.byteLength,
              ),
        );
      });
    });
  });

  const root = TrustedRoot.toJSON({
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: options.githubLike
      ? []
      : [
          {
            baseUrl: `${url}/rekor`,
            hashAlgorithm: HashAlgorithm.SHA2_256,
            publicKey: {
              rawBytes: tlog.publicKey,
              keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
              validFor: { start: VALID_FROM, end: undefined },
            },
            logId: { keyId: createHash("sha256").update(tlog.publicKey).digest() },
            checkpointKeyId: undefined,
            operator: "mock",
          },
        ],
    certificateAuthorities: [
      {
        subject: { organization: "sigstore.mock", commonName: "sigstore" },
        uri: `${url}/fulcio`,
        certChain: { certificates: [{ rawBytes: Buffer.from(ca.rootCertificate.buffer) }] },
        validFor: { start: VALID_FROM, end: undefined },
        operator: "mock",
      },
    ],
    ctlogs: options.githubLike
      ? []
      : [
          {
            baseUrl: `${url}/ct`,
            hashAlgorithm: HashAlgorithm.SHA2_256,
            publicKey: {
              rawBytes: ctlog.publicKey,
              keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
              validFor: { start: VALID_FROM, end: undefined },
            },
            logId: { keyId: Buffer.from(ctlog.logID.buffer) },
            checkpointKeyId: undefined,
            operator: "mock",
          },
        ],
    timestampAuthorities: [
      {
        subject: { organization: "sigstore.mock", commonName: "tsa" },
        uri: `${url}/tsa`,
        certChain: {
          certificates: [
            { rawBytes: Buffer.from(tsa.intCertificate.buffer) },
            { rawBytes: Buffer.from(tsa.rootCertificate.buffer) },
          ],
        },
        validFor: { start: VALID_FROM, end: undefined },
        operator: "mock",
      },
    ],
  });

  return {
    url,
    fulcioURL: `${url}/fulcio`,
    rekorURL: `${url}/rekor`,
    // A TSA URL with a path is used as it is (sigstore-js); GitHub's has none.
    tsaURL: `${url}/tsa${stamp.path}`,
    trustedRoot: root,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/**
 * An unsigned GitHub Actions OIDC token (the mock CA does not check signatures) for a workflow
 * of a repository at a ref: the certificate's SAN is `https://github.com/` + job_workflow_ref.
 */
export function actionsToken(workflow: string, ref = "refs/heads/main"): string {
  const claims = {
    iss: ACTIONS_ISSUER,
    aud: "sigstore",
    sub: `repo:${workflow.split("/").slice(0, 2).join("/")}:ref:${ref}`,
    job_workflow_ref: `${workflow}@${ref}`,
    job_workflow_ref_uri: `https://github.com/${workflow}@${ref}`,
    repository: workflow.split("/").slice(0, 2).join("/"),
    ref,
    exp: Math.floor(Date.now() / 1000) + 600,
  };
  return `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
}
