/**
 * What the Action's bundle has for the npm package `undici`: @actions/http-client and
 * @actions/github import it statically (`ProxyAgent`, `fetch`), yet a run uses it only when a
 * proxy applies to the GitHub API. So the bundle resolves `undici` here (an esbuild alias in
 * scripts/bundle-action.mjs), and the real undici, bundled apart as action/dist/undici.cjs, is
 * loaded synchronously at the first `fetch(...)` or `new ProxyAgent(...)`: a run without a
 * proxy never parses it (docs/action.md#the-bundle). `fetch` and `ProxyAgent` are all the
 * names the bundled code takes from undici; the bundle script fails when it takes another.
 */
import { createRequire } from "node:module";

/** The part of undici the bundled code uses. */
export interface UndiciExports {
  fetch(input: unknown, init?: unknown): Promise<unknown>;
  ProxyAgent: new (options: unknown) => object;
}

/**
 * `fetch` and `ProxyAgent` that call `load` once, at the first use, and delegate to what it
 * returns. `new ProxyAgent(...)` returns the real undici's instance.
 */
export function lazyUndici(load: () => UndiciExports): UndiciExports {
  let loaded: UndiciExports | undefined;
  const undici = (): UndiciExports => {
    loaded ??= load();
    return loaded;
  };
  return {
    fetch: (input, init) => undici().fetch(input, init),
    // A class whose constructor returns another object makes `new` give that object.
    ProxyAgent: class ProxyAgent {
      constructor(options: unknown) {
        const Real = undici().ProxyAgent;
        // biome-ignore lint/correctness/noConstructorReturn: `new` must give undici's own instance
        return new Real(options);
      }
    },
  };
}

// In the bundle, import.meta.url is action/dist/index.js, beside which undici.cjs is written.
const shim = lazyUndici(() => createRequire(import.meta.url)("./undici.cjs") as UndiciExports);

export const fetch = shim.fetch;
export const ProxyAgent = shim.ProxyAgent;
