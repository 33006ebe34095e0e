import { MAX_CHECK_SUMMARY_CHARS, MAX_CHECK_TEXT_CHARS } from "../limits.js";
import type { MergeFacts, MergeVerdict } from "../merge-verification/verdict.js";
import { cut, pack, truncateTitle } from "./budget.js";
import { bullets, code, digest, md, sha, table } from "./markdown.js";
import type { Section } from "./sections.js";

/**
 * The merge verification's check run, for people (docs/app.md#merge-verification): what landed,
 * from which pull request, the systems and tiers, the assessments and approvals it rested on,
 * and why it failed. The signed record rides in the text, in its marker; nothing here is signed.
 */

/** Fixed so that branch rules and auditors can find it on every governed commit. */
export const MERGE_VERIFICATION_CHECK_NAME = "AI governance: merge verification";

export interface MergeVerificationOutput {
  conclusion: "success" | "failure";
  title: string;
  summary: string;
  text: string;
}

/**
 * Renders one verdict; `record` is the signed record's digest, the key that signed it (none when
 * signed keyless, its marker then carrying a Sigstore bundle) and marker line.
 */
export function renderMergeVerification(
  facts: MergeFacts,
  verdict: MergeVerdict,
  record: { digest: string; keyId?: string; marker: string },
  limit = MAX_CHECK_SUMMARY_CHARS,
): MergeVerificationOutput {
  const passed = verdict.result === "PASSED";
  const pr = facts.pullRequest;
  const title = truncateTitle(
    passed && pr
      ? `Verified: #${pr.number} landed as approved (${facts.commit.affected.map((a) => a.id).join(", ")})`
      : `Bypass: ${verdict.reasons[0]?.message ?? "not verified"}`,
  );
  const sections: Section[] = [{ ...overview(facts, verdict), keep: true }];
  if (verdict.reasons.length > 0) {
    sections.push({
      heading: "Why it failed",
      body: bullets(verdict.reasons.map((r) => md(r.message))),
      keep: true,
    });
  }
  if (facts.commit.affected.length > 0) {
    sections.push({
      heading: "Systems",
      body: table(
        ["system", "tier", "kinds", "files"],
        facts.commit.affected.map((a) => [
          code(a.id),
          md(a.tier),
          md(a.kinds.join(", ")),
          md(
            `${a.files.map((f) => f.path).join(", ")}${a.moreFiles > 0 ? ` and ${a.moreFiles} more` : ""}`,
          ),
        ]),
      ),
    });
  }
  if (facts.files && facts.files.length > 0) {
    sections.push({
      heading: "Governed files, landed and approved",
      body: table(
        ["file", "blob at this commit", "blob at the approved head", ""],
        facts.files.map((f) => [
          code(f.path),
          f.landed ? code(f.landed) : "absent",
          f.approved ? code(f.approved) : "absent",
          f.landed === f.approved ? "same" : "**differs**",
        ]),
      ),
    });
  }
  if (facts.assessments.length > 0) {
    sections.push({
      heading: "Assessments",
      body: table(
        ["system", "assessment", "sha256"],
        facts.assessments.map((a) => [code(a.system), code(a.path), digest(a.sha256)]),
      ),
    });
  }
  if (facts.attestations.length > 0) {
    sections.push({
      heading: "Approvals",
      body: table(
        ["approver", "systems", "commit", "attestation", ""],
        facts.attestations.map((a) => [
          `@${md(a.approver)}`,
          md(a.systems.join(", ")),
          sha(a.commit),
          `[${code(a.digest)}](${a.uri})`,
          a.valid ? "verifies" : `**does not verify**: ${md(a.reason ?? "")}`,
        ]),
      ),
    });
  }
  sections.push({
    heading: "Signed record",
    body: bullets([
      `SLSA v1.2 verification summary (VSA), \`${verdict.result}\`, verified levels: ${verdict.levels.length > 0 ? verdict.levels.map(code).join(", ") : "none"}`,
      record.keyId !== undefined
        ? `Digest ${digest(record.digest)}, key ${code(record.keyId)}`
        : `Digest ${digest(record.digest)}, keyless (Sigstore certificate of its workflow)`,
      record.keyId !== undefined
        ? "Verify offline: save the record from this check run (`aigate export`) and run `aigate verify --vsa record.json --jwks jwks.json --commit SHA` (docs/attestation.md#verifying-a-merge-verification)."
        : "Verify offline: save the record from this check run (`aigate export`) and run `aigate verify --vsa record.json --trusted-root trusted_root.json --signer-workflow OWNER/REPO/.github/workflows/FILE.yml --commit SHA` (docs/attestation.md#keyless-merge-verifications).",
    ]),
    keep: true,
  });
  const header = `## ${MERGE_VERIFICATION_CHECK_NAME} — ${passed ? "success" : "failure"}\n\n**${md(title)}**`;
  const { summary } = pack(header, sections, limit);
  return {
    conclusion: passed ? "success" : "failure",
    title,
    summary,
    text: cut(
      `The signed record of this verification (${record.keyId !== undefined ? "DSSE envelope" : "Sigstore bundle"}, base64):\n\n${record.marker}\n`,
      MAX_CHECK_TEXT_CHARS,
    ),
  };
}

function overview(facts: MergeFacts, verdict: MergeVerdict): Section {
  const pr = facts.pullRequest;
  const manifest = facts.commit.manifest;
  const rows: string[][] = [
    ["Commit", code(facts.commit.sha)],
    ["Branch", code(facts.branch)],
    ["Pull request", pr ? `[#${pr.number}](${pr.url}) ${md(pr.title)}` : "none (pushed directly)"],
  ];
  if (pr) rows.push(["Approved head", code(pr.headSha)]);
  rows.push(
    [
      "Checks on that head",
      facts.checks
        ? `risk assessment ${md(facts.checks.assessment)}, human oversight ${md(facts.checks.oversight)}`
        : "not read",
    ],
    ["Manifest", `${code(manifest.path)} at ${sha(manifest.commit)}, ${digest(manifest.sha256)}`],
    ["Result", `${verdict.result}`],
  );
  return { heading: "Overview", body: table(["", ""], rows) };
}
