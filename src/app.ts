/**
 * The GitHub App (docs/architecture.md#three-doors-one-engine): webhooks → reconcile → two check runs and signed attestation
 * comments. `npm start` runs it with `probot run ./dist/app.js`; everything it does to GitHub
 * goes through src/github/.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Redis } from "ioredis";
import type { ApplicationFunction, Context, Probot } from "probot";
import {
  createSigner,
  DEFAULT_WITNESS_APP,
  type Jwks,
  type SignerIdentity,
  trustedKeys,
} from "./core/attestation/index.js";
import { ConfigurationError } from "./core/errors.js";
import { MANIFEST_PATH } from "./core/manifest/schema.js";
import { AIGATE_VERSION } from "./core/version.js";
import type { WriteKind } from "./core/write-budget.js";
import type { GitHubClient, Log, PullRequestTarget } from "./github/client.js";
import { describeFailure } from "./github/errors.js";
import { type BasePushTarget, reevaluateAfterPush } from "./github/events/base-push.js";
import { reconcileMergeGroup, reportMergeGroupFailure } from "./github/events/merge-group.js";
import { HANDLED_EVENTS, routeDelivery } from "./github/events/router.js";
import { emptyResult, type ReconcileResult, type ReconcileTarget } from "./github/flow/contract.js";
import { reconcile, reportFailure } from "./github/flow/reconcile.js";
import { landedPushFrom } from "./github/landed/push.js";
import { verifyLandedPush } from "./github/landed/verify-push.js";
import { loadAppConfig, StartupError } from "./github/operator/config.js";
import { type AppTelemetry, silentAppTelemetry } from "./github/operator/telemetry.js";
import { type AdapterCache, createAdapterCache } from "./github/reads/cache.js";
import { localCheckRecords, redisCheckRecords } from "./github/replicas/check-records.js";
import { redisSerialiser } from "./github/replicas/coalesce.js";
import { localDeliveryLog, sharedDeliveryLog } from "./github/replicas/deliveries.js";
import type { HeldLock } from "./github/replicas/lock.js";
import { decodeQueued, encodeQueued, type QueuedEvent } from "./github/replicas/queued-event.js";
import { connectRedis } from "./github/replicas/redis-client.js";
import { sharedRequestMemory } from "./github/replicas/request-memory.js";
import { inProcessSerialiser, type Serialiser } from "./github/replicas/serialise.js";
import {
  localWriteBudget,
  sharedWriteBudget,
  type WriteBudget,
} from "./github/replicas/write-budget.js";
import type { WorkQueue } from "./server/work-queue.js";
import { createBundleVerifier } from "./sigstore/verify.js";

/** Where the App publishes the public keys its attestations verify with. */
export const JWKS_PATH = "/aigate/jwks.json";

export interface AppOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory for the development signing key (default: the server's working directory). */
  cwd?: string;
  now?: () => Date;
  serialiser?: Serialiser;
  /**
   * The Redis the replicas share the handled deliveries and the check-run records through
   * (default: one connected from REDIS_URL; without either, this process's memory).
   */
  redis?: Redis;
  cache?: AdapterCache;
  /** Told about every reconcile, for tests and the demo. */
  onReconciled?: (result: ReconcileResult, event: string, deliveryId: string) => void;
  /**
   * Where verified deliveries wait for their reconcile (the server's fast acknowledgement).
   * Without one the webhook is answered when its reconcile ends (serverless hosts, tests).
   */
  queue?: WorkQueue;
  telemetry?: AppTelemetry;
  /**
   * The installations' write budget (docs/deployment.md#the-write-budget); the server passes
   * the one its telemetry counts every write in. Default: one shared through the Redis above,
   * or this process's memory, counting only the optional writes it admits.
   */
  writeBudget?: WriteBudget;
  /** Told once the signing key is loaded (readiness). */
  onStarted?: (info: { signingKeyId: string }) => void;
}

/** The installation an event came for, as the write budget keys it ("" for none). */
function installationOf(context: Context): string {
  const id = (context.payload as { installation?: { id?: unknown } }).installation?.id;
  return typeof id === "number" ? String(id) : "";
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
    // Keyless approvals count once verified against the trusted root, for the workflows the base
    // manifest allows; the App itself never signs keyless (docs/app.md#keyless-approvals).
    const root = config.trustedRoot;
    const bundles = root
      ? (signers: readonly SignerIdentity[]) =>
          signers.length > 0 ? createBundleVerifier(root, signers) : undefined
      : undefined;
    const cache = options.cache ?? createAdapterCache();
    // Where people read what the App wrote, and who signs merge verifications (docs/app.md#merge-verification).
    const webUrl = `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST ?? "github.com"}`;
    const verifierId = `${webUrl}/apps/${env.AIGATE_APP_SLUG ?? DEFAULT_WITNESS_APP}`;
    const appId = Number(env.APP_ID) || undefined;
    const log: Log = {
      info: (m) => app.log.info(m),
      warn: (m) => app.log.warn(m),
      error: (m) => app.log.error(m),
      debug: (m) => app.log.debug(m),
    };
    const telemetry = options.telemetry ?? silentAppTelemetry;
    const redis =
      options.redis ?? (env.REDIS_URL ? await connectRedis(env.REDIS_URL, log) : undefined);
    const serialiser =
      options.serialiser ??
      (redis ? redisSerialiser(redis, { log, telemetry }) : inProcessSerialiser());
    const deliveries = redis ? sharedDeliveryLog(redis) : localDeliveryLog();
    const checkRecords = redis ? redisCheckRecords(redis) : localCheckRecords();
    const requestMemory = redis ? sharedRequestMemory(redis) : undefined;
    const writeBudget =
      options.writeBudget ?? (redis ? sharedWriteBudget(redis) : localWriteBudget());
    app.log.info(
      `aigate: signing attestations with key ${signer.keyId}; public keys at ${JWKS_PATH}`,
    );

    addHandler(jwksHandler(jwks));
    options.onStarted?.({ signingKeyId: signer.keyId });

    app.on([...HANDLED_EVENTS], async (context: Context) => {
      const action = (context.payload as { action?: string }).action ?? "";
      const event = `${context.name}.${action}`;
      const routed = routeDelivery(context.name, context.payload, appId);
      if ("ignored" in routed) {
        telemetry.event(context.name, action, "dropped");
        for (const command of routed.dropped ?? []) telemetry.commandDropped(command);
        if (routed.dropped) app.log.info(`aigate: ${event}: ${routed.ignored}`);
        else app.log.debug(`aigate: ${event} cannot change a gate; dropped`);
        return;
      }
      const client = context.octokit as unknown as GitHubClient;
      const deps = {
        signer,
        ...(bundles ? { bundles } : {}),
        appId,
        trustedJwks: jwks,
        issuer: { kind: "app" as const },
        now: options.now ?? (() => new Date()),
        log,
        cache,
        telemetry,
        checkRecords,
        requestMemory,
        admitWrite: (kind: WriteKind) => writeBudget.admit(installationOf(context), kind),
      };
      const report = (key: string, why: string, result: ReconcileResult, seconds?: number) => {
        if (seconds !== undefined) telemetry.reconciled(seconds);
        app.log.info(
          `aigate: ${key} after ${why}: ${
            Object.entries(result.checks)
              .map(([name, outcome]) => `${name} ${outcome}`)
              .join(", ") ||
            result.skipped ||
            "no checks written"
          }`,
        );
        options.onReconciled?.(result, event, context.id);
      };
      /**
       * Runs one reconcile under its lock, and reports it; when the lock is held, the event is
       * queued for its holder, which reconciles again for it (and reports that run).
       */
      const locked = async (
        key: string,
        own: QueuedEvent,
        why: string,
        failed: (error: unknown) => Promise<ReconcileResult>,
      ): Promise<ReconcileResult> => {
        let started = performance.now();
        let ownResult: ReconcileResult | undefined;
        const ownText = encodeQueued(own);
        const work = async (text: string, lock: HeldLock) => {
          const first = ownResult === undefined && text === ownText;
          // This delivery's own event as routed; events queued by others as they queued them.
          const queued = text === ownText ? own : decodeQueued(text);
          const result =
            "group" in queued
              ? await reconcileMergeGroup(client, queued.group, { ...deps, lock })
              : await reconcile(client, queued.pull, { ...deps, lock });
          if (first) ownResult = result;
          else result.coalesced = "rerun";
          report(
            key,
            first ? why : "events queued behind it",
            result,
            (performance.now() - started) / 1000,
          );
          started = performance.now();
        };
        let result: ReconcileResult;
        try {
          // reconcile never throws; the lock can, and then both checks go red saying why.
          const outcome = await serialiser.run(key, ownText, work);
          if (outcome === "ran" && ownResult) return ownResult;
          result = {
            ...emptyResult(),
            skipped: "queued for the reconcile in progress on it, which runs again for this event",
            coalesced: "queued",
          };
          report(key, why, result);
        } catch (error) {
          result = await failed(error);
          report(key, why, result, (performance.now() - started) / 1000);
        }
        return result;
      };
      const pullRequest = (
        target: PullRequestTarget & Pick<ReconcileTarget, "headSha" | "deleted"> & { why: string },
      ) =>
        locked(
          `${target.owner}/${target.repo}#${target.pullNumber}`.toLowerCase(),
          { pull: target },
          target.why,
          (error) => reportFailure(client, target, error, deps),
        );
      const subject =
        "pullNumber" in routed ? `${routed.owner}/${routed.repo}#${routed.pullNumber}` : routed.why;
      /**
       * The merge verification of what a push landed (docs/app.md#merge-verification): never
       * throws; a GitHub failure is logged, and the commits are judged on a redelivery.
       */
      const verifyLanded = async (
        client: GitHubClient,
        push: BasePushTarget,
      ): Promise<"dropped" | "handled" | "failed"> => {
        const target = landedPushFrom(push);
        if (!target) return "dropped";
        try {
          const landed = await verifyLandedPush(client, target, {
            signer,
            jwks,
            bundles,
            appId,
            verifier: { id: verifierId, version: AIGATE_VERSION },
            web: webUrl,
            manifestPath: MANIFEST_PATH,
            cache,
            serialiser,
            log,
            now: options.now ?? (() => new Date()),
          });
          for (const w of landed.written) telemetry.mergeVerified(w.result);
          if (landed.dropped) {
            app.log.debug(`aigate: ${landed.dropped}; no merge verification`);
            return "dropped";
          }
          return "handled";
        } catch (error) {
          app.log.warn(
            `aigate: the merge verification of ${push.owner}/${push.repo}@${push.ref} failed: ${describeFailure(error).description}; a redelivery of the push judges it again`,
          );
          return "failed";
        }
      };
      /** Whether the delivery's own work ended without an error (a redelivery is then dropped). */
      const done = (result: ReconcileResult) => !result.error && result.coalesced !== "queued";
      const work = async () => {
        if (await deliveries.handled(context.id)) {
          telemetry.event(context.name, action, "duplicate");
          app.log.info(
            `aigate: ${event} for ${subject}: delivery ${context.id} was handled already; dropped`,
          );
          return;
        }
        if ("mergeGroup" in routed) {
          const group = routed.mergeGroup;
          const result = await locked(
            `${group.owner}/${group.repo}@${group.headSha}`.toLowerCase(),
            { group },
            routed.why,
            (error) => reportMergeGroupFailure(client, group, error, deps),
          );
          if (done(result)) await deliveries.record(context.id);
          telemetry.event(context.name, action, result.error ? "failed" : "handled");
        } else if ("basePush" in routed) {
          const outcome = await reevaluateAfterPush(
            client,
            routed.basePush,
            { cache, log, manifestPath: MANIFEST_PATH },
            pullRequest,
          );
          if (outcome.dropped) app.log.debug(`aigate: ${outcome.dropped}; dropped`);
          const landed = await verifyLanded(client, routed.basePush);
          if (landed === "failed") {
            telemetry.event(context.name, action, "failed");
            return;
          }
          if (landed !== "dropped") await deliveries.record(context.id);
          telemetry.event(
            context.name,
            action,
            outcome.dropped && landed === "dropped" ? "dropped" : "handled",
          );
        } else {
          const result = await pullRequest(routed);
          if (done(result)) await deliveries.record(context.id);
          telemetry.event(context.name, action, result.error ? "failed" : "handled");
        }
      };
      if (!options.queue) return work();
      try {
        options.queue.submit(work);
      } catch (error) {
        telemetry.event(context.name, action, "rejected");
        app.log.warn(`aigate: ${event} for ${subject} refused: ${(error as Error).message}`);
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
