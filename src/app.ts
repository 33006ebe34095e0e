/**
 * The GitHub App (docs/architecture.md#three-doors-one-engine): webhooks → reconcile → two check runs and signed attestation
 * comments. `npm start` runs it with `probot run ./dist/app.js`; everything it does to GitHub
 * goes through src/github/.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunction, Context, Probot } from "probot";
import { createSigner, type Jwks, trustedKeys } from "./core/attestation/index.js";
import { ConfigurationError } from "./core/errors.js";
import { type AdapterCache, createAdapterCache } from "./github/cache.js";
import type { GitHubClient, Log } from "./github/client.js";
import { loadAppConfig, StartupError } from "./github/config.js";
import { HANDLED_EVENTS, targetOf } from "./github/events.js";
import { type ReconcileResult, reconcile, reportFailure } from "./github/reconcile.js";
import {
  connectRedis,
  inProcessSerialiser,
  redisSerialiser,
  type Serialiser,
} from "./github/serialise.js";
import { type AppTelemetry, silentAppTelemetry } from "./github/telemetry.js";
import type { WorkQueue } from "./server/work-queue.js";

/** Where the App publishes the public keys its attestations verify with. */
export const JWKS_PATH = "/aigate/jwks.json";

export interface AppOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory for the development signing key (default: the server's working directory). */
  cwd?: string;
  now?: () => Date;
  serialiser?: Serialiser;
  cache?: AdapterCache;
  /** Told about every reconcile, for tests and the demo. */
  onReconciled?: (result: ReconcileResult, event: string, deliveryId: string) => void;
  /**
   * Where verified deliveries wait for their reconcile (the server's fast acknowledgement).
   * Without one the webhook is answered when its reconcile ends (serverless hosts, tests).
   */
  queue?: WorkQueue;
  telemetry?: AppTelemetry;
  /** Told once the signing key is loaded (readiness). */
  onStarted?: (info: { signingKeyId: string }) => void;
}

/** The Probot application function, configured from the environment. */
export function createApp(options: AppOptions = {}): ApplicationFunction {
  return async (app: Probot, { addHandler, cwd }) => {
    const env = options.env ?? process.env;
    const config = loadAppConfig({
      env,
      cwd: options.cwd ?? cwd,
      notice: (message) => app.log.info(message),
    });
    const signer = createSigner(config.signingKeyPem);
    // The current key is trusted as published in AIGATE_TRUSTED_KEYS (with its validity) when
    // listed there, and as is otherwise.
    const listed = config.trustedKeys.some((k) => k.x === signer.publicJwk.x);
    const jwks: Jwks = {
      keys: listed ? config.trustedKeys : [{ ...signer.publicJwk }, ...config.trustedKeys],
    };
    try {
      trustedKeys({ keys: config.trustedKeys }, "AIGATE_TRUSTED_KEYS");
      trustedKeys(jwks, "the signing key");
    } catch (error) {
      if (error instanceof ConfigurationError) throw new StartupError(error.message);
      throw error;
    }
    const cache = options.cache ?? createAdapterCache();
    const appId = Number(env.APP_ID) || undefined;
    const log: Log = {
      info: (m) => app.log.info(m),
      warn: (m) => app.log.warn(m),
      error: (m) => app.log.error(m),
      debug: (m) => app.log.debug(m),
    };
    const telemetry = options.telemetry ?? silentAppTelemetry;
    const serialiser =
      options.serialiser ??
      (env.REDIS_URL
        ? redisSerialiser(await connectRedis(env.REDIS_URL, log), { log, telemetry })
        : inProcessSerialiser());
    app.log.info(
      `aigate: signing attestations with key ${signer.keyId}; public keys at ${JWKS_PATH}`,
    );

    addHandler(jwksHandler(jwks));
    options.onStarted?.({ signingKeyId: signer.keyId });

    app.on([...HANDLED_EVENTS], async (context: Context) => {
      const action = (context.payload as { action?: string }).action ?? "";
      const event = `${context.name}.${action}`;
      const target = targetOf(event, context.payload, appId);
      if (!target) {
        telemetry.event(context.name, action, "dropped");
        app.log.debug(`aigate: ${event} cannot change a gate; dropped`);
        return;
      }
      const key = `${target.owner}/${target.repo}#${target.pullNumber}`.toLowerCase();
      const client = context.octokit as unknown as GitHubClient;
      const deps = {
        signer,
        appId,
        trustedJwks: jwks,
        issuer: { kind: "app" as const },
        now: options.now ?? (() => new Date()),
        log,
        cache,
        telemetry,
      };
      const work = async () => {
        const started = performance.now();
        // reconcile never throws; the lock can, and then both checks go red saying why.
        const result = await serialiser
          .run(key, (lock) => reconcile(client, target, { ...deps, lock }))
          .catch((error: unknown) => reportFailure(client, target, error, deps));
        telemetry.reconciled((performance.now() - started) / 1000);
        telemetry.event(context.name, action, result.error ? "failed" : "handled");
        app.log.info(
          `aigate: ${key} after ${target.why}: ${
            Object.entries(result.checks)
              .map(([name, outcome]) => `${name} ${outcome}`)
              .join(", ") ||
            result.skipped ||
            "no checks written"
          }`,
        );
        options.onReconciled?.(result, event, context.id);
      };
      if (!options.queue) return work();
      try {
        options.queue.submit(work);
      } catch (error) {
        telemetry.event(context.name, action, "rejected");
        app.log.warn(`aigate: ${event} for ${key} refused: ${(error as Error).message}`);
        throw error;
      }
    });
  };
}

/** Serves the JWKS (public keys only) at /aigate/jwks.json. */
function jwksHandler(jwks: Jwks): (req: IncomingMessage, res: ServerResponse) => boolean {
  const body = `${JSON.stringify(jwks, null, 2)}\n`;
  return (req, res) => {
    const path = req.url?.split("?")[0];
    if (path !== JWKS_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    res
      .writeHead(200, {
        "content-type": "application/jwk-set+json",
        "cache-control": "public, max-age=300",
      })
      .end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}

export default createApp();
