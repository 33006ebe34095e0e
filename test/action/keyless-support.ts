/**
 * What the keyless suites of the bundled Action share (docs/action.md#keyless-signing): the
 * runner's OIDC token service and Sigstore's mock services on loopback, a governed repository
 * whose manifest allows its own workflow to sign, and the inputs of a keyless run.
 */
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { pullRequestReviewEvent, type SimPullRequest, type SimRepo } from "../../sim/index.js";
import { FIXTURE_REPO, governedRepo, readTree } from "../../sim/stack.js";
import { actionsToken, type MockSigstore, startMockSigstore } from "../support/sigstore.js";
import { type BundleRun, type Runner, runBundle, useRunner } from "./runner.js";

export const OIDC_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: "",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "runner-request-token",
};

export interface Keyless {
  runner: Runner;
  /** Sigstore's mock services, started before the suite's tests. */
  sigstore: MockSigstore;
  /** The workflow the next OIDC token names. */
  workflow: string;
  /** A governed repository whose manifest allows its own aigate workflow to sign keyless. */
  keylessRepo(): { repo: SimRepo; workflowPath: string };
  /** The inputs of a keyless run against the mocks, with their trusted root as a file. */
  inputs(): Record<string, string>;
  /** Runs the bundle for an event with the runner's OIDC token service. */
  run(
    repo: SimRepo,
    name: string,
    payload: Record<string, unknown>,
    extra?: Record<string, string>,
    options?: { bundle?: string },
  ): Promise<BundleRun>;
  /** An approving review by `user`, and the run it triggers. */
  approve(repo: SimRepo, pr: SimPullRequest, user: string): Promise<BundleRun>;
}

/** Starts the mocks and the token service before the suite's tests and stops them after. */
export function useKeyless(prefix: string): Keyless {
  const runner = useRunner(prefix);
  let oidc: Server | undefined;
  let oidcUrl = "";
  const keyless: Keyless = {
    runner,
    sigstore: undefined as unknown as MockSigstore,
    workflow: "",
    keylessRepo() {
      const files = readTree(FIXTURE_REPO);
      const name = `keyless-${Math.random().toString(36).slice(2, 8)}`;
      const workflowPath = `acme/${name}/.github/workflows/aigate.yml`;
      const manifest = files[".github/ai-governance.yml"] ?? "";
      files[".github/ai-governance.yml"] = manifest.replace(
        "  policy: docs/ai-policy.md\n",
        `  policy: docs/ai-policy.md\n  signers:\n    - workflow: ${workflowPath}\n      ref: refs/heads/main\n`,
      );
      return { repo: governedRepo(runner.sim, files, name), workflowPath };
    },
    inputs() {
      const root = join(runner.work, "trusted_root.json");
      writeFileSync(root, JSON.stringify(keyless.sigstore.trustedRoot));
      return {
        token: "app-installation-token",
        "signing-key": "",
        signing: "keyless",
        sigstore: `fulcio=${keyless.sigstore.fulcioURL},rekor=${keyless.sigstore.rekorURL},entry=intoto`,
        "trusted-root": root,
        "manifest-path": ".github/ai-governance.yml",
      };
    },
    run(repo, name, payload, extra = {}, options = {}) {
      return runBundle(runner, {
        name,
        payload,
        repository: `acme/${repo.name}`,
        inputs: { ...keyless.inputs(), ...extra },
        env: { ...OIDC_ENV, ACTIONS_ID_TOKEN_REQUEST_URL: oidcUrl },
        ...(options.bundle ? { bundle: options.bundle } : {}),
      });
    },
    approve(repo, pr, user) {
      const review = pr.addReview({ user, state: "APPROVED", body: "" });
      return keyless.run(
        repo,
        "pull_request_review",
        pullRequestReviewEvent("submitted", repo, pr, review),
      );
    },
  };
  beforeAll(async () => {
    keyless.sigstore = await startMockSigstore();
    // The runner's token service: GET ACTIONS_ID_TOKEN_REQUEST_URL&audience=sigstore.
    const server = createServer((req, res) => {
      const audience = new URL(req.url ?? "/", "http://x").searchParams.get("audience");
      if (req.headers.authorization !== "Bearer runner-request-token" || audience !== "sigstore") {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ value: actionsToken(keyless.workflow) }));
    });
    oidc = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    oidcUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
  });
  afterAll(async () => {
    await keyless.sigstore?.close();
    await new Promise<void>((resolve) => (oidc ? oidc.close(() => resolve()) : resolve()));
  });
  return keyless;
}
