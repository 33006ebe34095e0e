/**
 * The Action's client options (action/runtime.ts): Node's own fetch when no proxy applies to the
 * GitHub API, by @actions/http-client's rule; @actions/github's proxied defaults otherwise.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { getProxyUrl } from "@actions/http-client/lib/proxy";
import { afterEach, describe, expect, it, vi } from "vitest";
import { requestOptions, runtimeFromActions } from "../../action/runtime.js";
import { ROOT } from "../support/git-repo.js";

const PROXY_VARIABLES = [
  "https_proxy",
  "HTTPS_PROXY",
  "http_proxy",
  "HTTP_PROXY",
  "no_proxy",
  "NO_PROXY",
];

function proxyEnv(values: Record<string, string>) {
  for (const name of PROXY_VARIABLES) vi.stubEnv(name, values[name] ?? "");
}

afterEach(() => {
  vi.unstubAllEnvs();
});

const NODE_FETCH = { request: { fetch: globalThis.fetch } };

describe("the Action's request options", () => {
  it("use Node's fetch when no proxy is set", () => {
    proxyEnv({});
    expect(requestOptions("https://api.github.com")).toEqual(NODE_FETCH);
  });

  it("keep @actions/github's defaults when HTTPS_PROXY applies to an https API", () => {
    proxyEnv({ HTTPS_PROXY: "http://proxy.corp:3128" });
    expect(requestOptions("https://api.github.com")).toEqual({});
    expect(requestOptions("https://ghe.corp/api/v3")).toEqual({});
  });

  it("read HTTP_PROXY for an http API, and only HTTPS_PROXY for an https one", () => {
    proxyEnv({ HTTP_PROXY: "http://proxy.corp:3128" });
    expect(requestOptions("http://ghe.corp/api/v3")).toEqual({});
    expect(requestOptions("https://api.github.com")).toEqual(NODE_FETCH);
  });

  it("use Node's fetch when NO_PROXY names the API host or a domain of it", () => {
    proxyEnv({ HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "localhost, .github.com" });
    expect(requestOptions("https://api.github.com")).toEqual(NODE_FETCH);
    expect(requestOptions("https://ghe.corp/api/v3")).toEqual({});
  });

  it("never proxy a loopback API", () => {
    proxyEnv({ HTTPS_PROXY: "http://proxy.corp:3128", HTTP_PROXY: "http://proxy.corp:3128" });
    expect(requestOptions("http://127.0.0.1:8080/api/v3")).toEqual(NODE_FETCH);
    expect(requestOptions("http://localhost:8080")).toEqual(NODE_FETCH);
  });

  it("keep the defaults, and their error, for an API URL that does not parse", () => {
    proxyEnv({});
    expect(requestOptions("not a url")).toEqual({});
  });
});

describe("the proxy rule, in both copies of @actions/http-client", () => {
  // The decision above uses the top-level copy; @actions/github sends requests through its own
  // (nested) one. They must agree, or a run would pick Node's fetch where a proxy is meant.
  const nested = createRequire(join(ROOT, "node_modules", "@actions", "github", "package.json"))(
    "@actions/http-client/lib/proxy",
  ) as { getProxyUrl(url: URL): URL | undefined };
  const cases: Array<[Record<string, string>, string]> = [
    [{}, "https://api.github.com"],
    [{ HTTPS_PROXY: "http://proxy.corp:3128" }, "https://api.github.com"],
    [{ HTTP_PROXY: "http://proxy.corp:3128" }, "https://api.github.com"],
    [{ HTTP_PROXY: "http://proxy.corp:3128" }, "http://ghe.corp/api/v3"],
    [{ https_proxy: "http://proxy.corp:3128", NO_PROXY: ".github.com" }, "https://api.github.com"],
    [
      { HTTPS_PROXY: "http://proxy.corp:3128", no_proxy: "ghe.corp:443" },
      "https://ghe.corp/api/v3",
    ],
    [{ HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "*" }, "https://api.github.com"],
    [{ HTTP_PROXY: "http://proxy.corp:3128" }, "http://127.0.0.1:8080"],
  ];
  it.each(cases)("agree for %j and %s", (env, url) => {
    proxyEnv(env);
    expect(nested.getProxyUrl(new URL(url))?.href).toBe(getProxyUrl(new URL(url))?.href);
  });
});

describe("the Action's client log", () => {
  it("turns Octokit's warnings into the job's warning annotations", () => {
    vi.stubEnv("GITHUB_REPOSITORY", "acme/models");
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      runtimeFromActions().client("workflow-token").log.warn("a batch read failed");
    } finally {
      write.mockRestore();
    }
    expect(written.join("")).toContain("::warning::a batch read failed");
  });
});
