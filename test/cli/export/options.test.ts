import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/cli/context.js";
import { DEFAULT_API_URL, exportSettings } from "../../../src/cli/export/options.js";

const env = { GITHUB_TOKEN: "t0ken" };

describe("exportSettings", () => {
  it("defaults to every pull request, JSON Lines and api.github.com", () => {
    expect(exportSettings({ repo: "acme/models" }, env)).toEqual({
      owner: "acme",
      repo: "models",
      selection: { all: true },
      format: "jsonl",
      token: "t0ken",
      apiUrl: DEFAULT_API_URL,
    });
  });

  it("takes GH_TOKEN when GITHUB_TOKEN is not set, and GITHUB_API_URL without its trailing slash", () => {
    const settings = exportSettings(
      { repo: "acme/models" },
      { GH_TOKEN: "other", GITHUB_API_URL: "https://ghe.example.com/api/v3/" },
    );
    expect(settings.token).toBe("other");
    expect(settings.apiUrl).toBe("https://ghe.example.com/api/v3");
  });

  it("reads --since as a date or a date-time with offset", () => {
    expect(exportSettings({ repo: "a/b", since: "2026-01-31" }, env)).toMatchObject({
      selection: { since: "2026-01-31T00:00:00.000Z" },
      sinceMs: Date.UTC(2026, 0, 31),
    });
    expect(exportSettings({ repo: "a/b", since: "2026-01-31T10:00:00+02:00" }, env)).toMatchObject({
      selection: { since: "2026-01-31T08:00:00.000Z" },
    });
  });

  it.each([
    [{ repo: "acme/models/x" }, env, "write it OWNER/REPO"],
    [{ repo: "acme/.." }, env, "write it OWNER/REPO"],
    [{ repo: "a/b", pr: "0" }, env, "a pull request number is required"],
    [{ repo: "a/b", since: "2026-13-01" }, env, "--since 2026-13-01: write a date"],
    [{ repo: "a/b", since: "2026-01-31T10:00:00" }, env, "write a date"],
    [{ repo: "a/b", format: "xml" }, env, "choose one of jsonl, csv, html"],
    [{ repo: "a/b" }, { GITHUB_TOKEN: "  " }, "no GitHub token"],
    [{ repo: "a/b" }, { ...env, GITHUB_API_URL: "api.github.com" }, "is not an http(s) URL"],
  ])("rejects %j as a usage error", (options, environment, message) => {
    expect(() => exportSettings(options, environment)).toThrow(UsageError);
    expect(() => exportSettings(options, environment)).toThrow(message);
  });

  it("never puts the token in an error message", () => {
    expect(() =>
      exportSettings({ repo: "bad" }, { GITHUB_TOKEN: "ghp_secret", GITHUB_API_URL: "x" }),
    ).not.toThrow(/ghp_secret/);
  });
});
