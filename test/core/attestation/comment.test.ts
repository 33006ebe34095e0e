import { describe, expect, it } from "vitest";
import {
  BUNDLE_MEDIA_TYPE,
  canonicalJson,
  extractAttestation,
  fileEntries,
  MAX_COMMENT_CHARS,
  renderAttestationComment,
  statementFor,
  verifyAttestations,
} from "../../../src/core/attestation/index.js";
import { found, issue, markerBody, predicate, trusted, vector } from "./helpers.js";

describe("rendering an attestation comment", () => {
  it("shows approver, systems and why eligible, commit, time, key id, digest and how to verify", () => {
    const issued = issue({
      source: {
        kind: "review",
        id: 1987654321,
        at: "2026-03-02T09:14:07Z",
        commit: vector.statement.predicate.source.commit,
      },
    });
    expect(issued.body).toMatchSnapshot();
  });

  it("carries exactly one marker, the standard base64 of the canonical envelope JSON", () => {
    const issued = issue();
    const markers = issued.body.match(/<!-- aigate-attestation:v1 ([A-Za-z0-9+/=]+) -->/g) ?? [];
    expect(markers).toHaveLength(1);
    expect(issued.body).toContain(Buffer.from(issued.envelopeJson).toString("base64"));
  });

  it("keeps hostile text from the payload inert: no HTML, no second marker, no broken table", () => {
    const issued = issue({
      systems: [
        { id: "credit-scoring", reason: "lead | <!-- aigate-attestation:v1 AAAA -->\n# owned" },
      ],
      note: "<script>alert(1)</script> `code`",
    });
    expect(issued.body.match(/aigate-attestation:/g)).toHaveLength(1);
    expect(issued.body).not.toContain("<script>");
    expect(issued.body).toContain("lead &#124; &lt;!-- aigate-attestation");
    expect(extractAttestation(issued.body).ok).toBe(true);
  });

  it("for a keyless approval naming files: says keyless, counts the files, carries the bundle", () => {
    const entries = fileEntries(
      { present: ["models/credit/model.onnx"], deleted: ["models/credit/old.onnx"] },
      { "models/credit/model.onnx": "a".repeat(64) },
    );
    const statement = statementFor(
      predicate({
        issuer: { kind: "action", signing: "sigstore" },
        source: {
          kind: "review",
          id: 1987654321,
          at: "2026-03-02T09:14:07Z",
          commit: vector.statement.predicate.source.commit,
        },
      }),
      entries,
    );
    const payload = Buffer.from(canonicalJson(statement)).toString("base64");
    const envelope = {
      payload,
      payloadType: "application/vnd.in-toto+json",
      signatures: [{ sig: "c2lnbmF0dXJl" }],
    };
    // The shape only: rendering reads the envelope, never the certificate.
    const bundle = {
      mediaType: BUNDLE_MEDIA_TYPE,
      verificationMaterial: { certificate: { rawBytes: "Y2VydA==" }, tlogEntries: [] },
      dsseEnvelope: { ...envelope, signatures: [{ sig: "c2lnbmF0dXJl", keyid: "" }] },
    };
    const body = renderAttestationComment(envelope, statement, bundle);
    expect(body).toMatchSnapshot();
    const extracted = extractAttestation(body);
    expect(extracted.ok && extracted.bundle).toEqual(bundle);

    const other = {
      ...bundle,
      dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [{ sig: "b3RoZXI=" }] },
    };
    expect(() => renderAttestationComment(envelope, statement, other)).toThrow(
      /does not carry this envelope/,
    );
  });

  it("refuses to render a statement that is not the one the envelope signs", () => {
    const issued = issue();
    const other = statementFor(predicate({ approver: { id: 1, login: "mallory" } }));
    expect(() => renderAttestationComment(issued.envelope, other)).toThrow(
      /not the one the envelope signs/,
    );
  });
});

describe("extracting an attestation from a comment", () => {
  const issued = issue();

  it("decodes the envelope from the marker", () => {
    const result = extractAttestation(issued.body);
    expect(result.ok && result.envelope.digest).toBe(issued.digest);
  });

  it("accepts URL-safe base64 in the marker and gives the same digest", () => {
    const result = extractAttestation(markerBody(issued.envelopeJson, "base64url"));
    expect(result.ok && result.envelope.digest).toBe(issued.digest);
  });

  it("trusts nothing outside the marker: edited human text still verifies as what was signed", () => {
    const edited = issued.body
      .replace("@octocat", "@mallory")
      .replace("credit-scoring", "everything");
    const report = verifyAttestations([found(edited)], trusted);
    expect(report.statements[0]?.verdict).toBe("valid");
    expect(report.statements[0]?.statement?.predicate.approver.login).toBe("octocat");
  });

  it.each([
    ["a body that is not text", 42, "not_text"],
    ["no marker", "LGTM", "no_marker"],
    [
      "two markers",
      `${issue().body}\n${issue({ approver: { id: 7, login: "eve" } }).body}`,
      "multiple_markers",
    ],
    ["a marker of another version", "<!-- aigate-attestation:v2 e30= -->", "bad_marker"],
    ["a marker without its closing", "<!-- aigate-attestation:v1 e30=", "bad_marker"],
    [
      "a comment over GitHub's size limit",
      `${"x".repeat(MAX_COMMENT_CHARS)}${issue().body}`,
      "comment_too_large",
    ],
    [
      "an envelope over 32 KiB",
      markerBody(JSON.stringify({ payload: "A".repeat(33_000), payloadType: "x", signatures: [] })),
      "envelope_too_large",
    ],
    [
      "a marker over 44 KiB, even for a bundle",
      `<!-- aigate-attestation:v1 ${"A".repeat(61_000)} -->`,
      "envelope_too_large",
    ],
    ["a marker that is not base64", "<!-- aigate-attestation:v1 e30=e30= -->", "bad_base64"],
    [
      "an envelope that is not UTF-8",
      `<!-- aigate-attestation:v1 ${Buffer.from([0xff, 0xfe, 0x7b]).toString("base64")} -->`,
      "bad_utf8",
    ],
    ["an envelope that is not JSON", markerBody("{payload:1}"), "bad_json"],
    [
      "an envelope with a duplicate key",
      markerBody('{"payload":"e30=","payloadType":"x","payloadType":"y","signatures":[]}'),
      "bad_json",
    ],
    ["JSON that is not an envelope", markerBody('{"hello":"world"}'), "bad_envelope"],
  ])("rejects %s", (_case, body, failure) => {
    const result = extractAttestation(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure).toBe(failure);
  });
});
