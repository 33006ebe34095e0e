import * as z from "zod";
import { STATEMENT_TYPE } from "../attestation/statement.js";

/**
 * The merge verification's signed record (docs/attestation.md#merge-verifications): an in-toto
 * Statement v1 whose predicate is a SLSA v1.2 Verification Summary (VSA) and nothing else.
 * The predicate has exactly the VSA v1 fields; aigate's human detail goes in the check's text.
 */

/** The SLSA VSA v1 predicate type (the in-toto attestation framework's `vsa` predicate). */
export const VSA_PREDICATE_TYPE = "https://slsa.dev/verification_summary/v1";
/** The SLSA version the verifications follow. */
export const SLSA_VERSION = "1.2";

/**
 * aigate's own verified properties. Organisation properties begin with `ORG_SOURCE_`; none may
 * begin with `SLSA_`: aigate is not the source control system and claims no SLSA source level.
 */
export const VERIFIED_LEVELS = [
  "ORG_SOURCE_AI_RISK_ASSESSED",
  "ORG_SOURCE_AI_HUMAN_OVERSIGHT",
] as const;
export type VerifiedLevel = (typeof VERIFIED_LEVELS)[number];

export const VERIFICATION_RESULTS = ["PASSED", "FAILED"] as const;
export type VerificationResult = (typeof VERIFICATION_RESULTS)[number];

const gitSha = z
  .string()
  .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, "must be a lowercase hex git commit SHA");
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be a lowercase hex SHA-256");
// GitHub Enterprise Server may be served over plain HTTP (and the simulated GitHub is).
const httpsUri = z.url({ protocol: /^https?$/ });

const SubjectSchema = z.strictObject({
  uri: httpsUri,
  digest: z.strictObject({ gitCommit: gitSha }),
  annotations: z.strictObject({
    sourceRefs: z
      .array(z.string().regex(/^refs\/heads\/.+/, "must be a fully qualified branch ref"))
      .min(1),
  }),
});

export const VsaPredicateSchema = z.strictObject({
  verifier: z.strictObject({
    id: httpsUri,
    version: z.strictObject({ aigate: z.string().min(1).max(64) }),
  }),
  timeVerified: z.iso.datetime({ offset: true }),
  resourceUri: z
    .string()
    .regex(/^git\+https:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+$/, "must be git+https://HOST/OWNER/REPO"),
  policy: z.strictObject({ uri: httpsUri, digest: z.strictObject({ sha256 }) }),
  inputAttestations: z.array(z.strictObject({ uri: httpsUri, digest: z.strictObject({ sha256 }) })),
  verificationResult: z.enum(VERIFICATION_RESULTS),
  verifiedLevels: z.array(z.enum(VERIFIED_LEVELS)),
  slsaVersion: z.literal(SLSA_VERSION),
});

export type VsaPredicate = z.infer<typeof VsaPredicateSchema>;

export const VsaStatementSchema = z
  .strictObject({
    _type: z.literal(STATEMENT_TYPE),
    subject: z.array(SubjectSchema).length(1),
    predicateType: z.literal(VSA_PREDICATE_TYPE),
    predicate: VsaPredicateSchema,
  })
  .superRefine((statement, ctx) => {
    const { verificationResult, verifiedLevels } = statement.predicate;
    if (verificationResult === "PASSED" && verifiedLevels.length !== VERIFIED_LEVELS.length) {
      ctx.addIssue({
        code: "custom",
        path: ["predicate", "verifiedLevels"],
        message: "a PASSED verification holds every aigate property",
      });
    }
    if (new Set(verifiedLevels).size !== verifiedLevels.length) {
      ctx.addIssue({
        code: "custom",
        path: ["predicate", "verifiedLevels"],
        message: "lists a property twice",
      });
    }
  });

export type VsaStatement = z.infer<typeof VsaStatementSchema>;

/** Where one repository lives: `https://HOST/OWNER/REPO` for people, `git+https://…` for the VSA. */
export interface RepositoryAddress {
  /** The web host, e.g. `github.com`. */
  host: string;
  fullName: string;
}

/** `git+https://HOST/OWNER/REPO`: the resource a source VSA is about. */
export function resourceUriOf(repository: RepositoryAddress): string {
  return `git+https://${repository.host}/${repository.fullName}`;
}

/** What one statement records; the builder derives every URI from it. */
export interface VsaInput {
  repository: RepositoryAddress;
  commit: string;
  /** The branch the commit landed on, without `refs/heads/`. */
  branch: string;
  verifier: { id: string; version: string };
  timeVerified: Date;
  /** The manifest read at the commit's first parent. */
  policy: { path: string; commit: string; sha256: string };
  inputAttestations: Array<{ uri: string; sha256: string }>;
  result: VerificationResult;
  levels: VerifiedLevel[];
}

/** Builds the statement; throws when a field would not be a valid VSA (a bug, never input). */
export function vsaStatement(input: VsaInput): VsaStatement {
  const web = `https://${input.repository.host}/${input.repository.fullName}`;
  const statement: VsaStatement = {
    _type: STATEMENT_TYPE,
    subject: [
      {
        uri: `${web}/commit/${input.commit}`,
        digest: { gitCommit: input.commit },
        annotations: { sourceRefs: [`refs/heads/${input.branch}`] },
      },
    ],
    predicateType: VSA_PREDICATE_TYPE,
    predicate: {
      verifier: { id: input.verifier.id, version: { aigate: input.verifier.version } },
      timeVerified: input.timeVerified.toISOString(),
      resourceUri: resourceUriOf(input.repository),
      policy: {
        uri: `${web}/blob/${input.policy.commit}/${input.policy.path.split("/").map(encodeURIComponent).join("/")}`,
        digest: { sha256: input.policy.sha256 },
      },
      inputAttestations: input.inputAttestations.map((a) => ({
        uri: a.uri,
        digest: { sha256: a.sha256.replace(/^sha256:/, "") },
      })),
      verificationResult: input.result,
      verifiedLevels: VERIFIED_LEVELS.filter((level) => input.levels.includes(level)),
      slsaVersion: SLSA_VERSION,
    },
  };
  return VsaStatementSchema.parse(statement);
}
