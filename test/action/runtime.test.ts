/**
 * The Action's client options (action/runtime.ts): Node's own fetch when no proxy applies to the
 * GitHub API, by @actions/http-client's rule; @actions/github's proxied defaults otherwise.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { requestOptions } from "../../action/runtime.js";

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
