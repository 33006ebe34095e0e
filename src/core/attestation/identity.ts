/**
 * The signer identities keyless evidence may come from (docs/attestation.md#keyless-bundles):
 * a GitHub Actions workflow file at a ref, compared exactly with the Sigstore certificate's
 * subject alternative name. Named in the manifest (`governance.signers`) or on the command line.
 */
import * as z from "zod";
import type { SignerIdentity } from "./signer-identity.js";

export {
  GITHUB_ACTIONS_ISSUER,
  type SignerIdentity,
  subjectAlternativeName,
} from "./signer-identity.js";

/** `OWNER/REPO/.github/workflows/FILE.yml` (or `.yaml`), no wildcard, no `@`. */
export const WORKFLOW_PATH =
  /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/\.github\/workflows\/[A-Za-z0-9_.-]+\.ya?ml$/;
/** A fully qualified git ref, e.g. `refs/heads/main`. */
export const FULL_REF = /^refs\/(?:heads|tags)\/[^\s@*?[\]\\~^:]+$/;

export const SignerSchema: z.ZodType<SignerIdentity> = z
  .strictObject({
    workflow: z
      .string()
      .regex(WORKFLOW_PATH, "must be OWNER/REPO/.github/workflows/FILE.yml, without @ or wildcards")
      .describe("The workflow file that signs, OWNER/REPO/.github/workflows/FILE.yml."),
    ref: z
      .string()
      .regex(FULL_REF, "must be a full ref such as refs/heads/main")
      .describe("The ref the workflow runs from, e.g. refs/heads/main."),
  })
  .meta({
    id: "Signer",
    description: "A GitHub Actions workflow whose keyless (Sigstore) approvals count.",
  });
