import { RequestError } from "@octokit/request-error";
import { describe, expect, it } from "vitest";
import { describeFailure, redact } from "../../src/github/errors.js";

describe("describing a failure for a red check", () => {
  it("names GitHub's status, the call without host or query, and the request id", () => {
    const error = new RequestError("Server Error", 502, {
      request: {
        method: "POST",
        url: "https://ghe.example.com/api/v3/repos/acme/models/issues/7/comments?x=1",
        headers: {},
      },
      response: {
        status: 502,
        url: "",
        headers: { "x-github-request-id": "ABCD:1234:5678" },
        data: {},
      },
    });
    expect(describeFailure(error)).toEqual({
      description:
        "GitHub 502 on POST /repos/acme/models/issues/7/comments (request id ABCD:1234:5678)",
      status: 502,
      call: "POST /repos/acme/models/issues/7/comments",
      requestId: "ABCD:1234:5678",
    });
  });

  it("says when GitHub gave no request id, and ignores one that is not an id", () => {
    const error = new RequestError("Bad", 500, {
      request: { method: "GET", url: "https://api.github.com/repos/a/b", headers: {} },
      response: { status: 500, url: "", headers: { "x-github-request-id": "<script>" }, data: {} },
    });
    expect(describeFailure(error).description).toBe(
      "GitHub 500 on GET /repos/a/b (request id not given)",
    );
  });

  it("describes any other error without the secrets its message might carry", () => {
    const pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA\n-----END PRIVATE KEY-----";
    const failure = describeFailure(new Error(`bad key ${pem} and token ghs_${"a".repeat(36)}`));
    expect(failure.description).toBe(
      "internal error: bad key [redacted key] and token [redacted token]",
    );
    expect(describeFailure("boom").description).toBe("internal error: boom");
  });

  it("redacts keys and tokens from any text", () => {
    expect(redact("Authorization: token abcdefghijklmnopqrstuvwxyz123456")).toBe(
      "Authorization: [redacted token]",
    );
    expect(redact("nothing secret here")).toBe("nothing secret here");
  });
});
