/**
 * `npm run load`: the load and fault test (docs/deployment.md#12-load-and-fault-figures).
 *
 * A real redis-server, two App replicas (the server `npm start` runs, Octokit's retries and
 * throttling on, sharing the lock, the rate-limit state and the response cache through that
 * Redis) and the simulated GitHub with per-request latency and injected faults: 5xx, 403
 * secondary rate limit with retry-after, 429, slow answers, and connections reset before or
 * after a write. Traffic: pull requests opened and pushed to; a burst of approvals in one
 * installation, each delivered to both replicas; more approvals (reviews and `/approve`
 * comments), each delivered to both replicas; rechecks; redeliveries of earlier deliveries;
 * all in random order at a fixed concurrency, to random replicas.
 *
 * It prints throughput, webhook response and event-to-checks latencies, GitHub requests per
 * event, attestations expected, issued and duplicated, and checks left in progress; it fails
 * (exit 1) unless no approval is lost or duplicated, no check is left in progress, and every
 * pull request's final checks equal what one replica without faults decides for the same
 * state.
 *
 *   npm run load -- [--deliveries 1000] [--prs 100] [--burst 60] [--concurrency 50]
 *                   [--latency 20] [--fault-rate 0.03] [--seed 1]
 *                   [--lock-ttl 120000] [--lock-wait 150000] [--redis-outage 0]
 *
 * `--redis-outage SECONDS` stops redis-server once the burst is delivered and starts it again,
 * empty, after SECONDS, while the rest of the traffic is delivered: both replicas must report
 * not ready meanwhile (`/aigate/readyz` 503, Redis unreachable) and ready again after, and no
 * decision may be lost to it.
 * The lock's lease and wait default to production's (src/github/replicas/serialise.ts).
 */
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Octokit } from "@octokit/rest";
import {
  deliver,
  type FaultKind,
  issueCommentEvent,
  isWriteRequest,
  pullRequestEvent,
  pullRequestReviewEvent,
  type SimPullRequest,
  type SimRepo,
  startGitHubSimulator,
  type WebhookPayload,
} from "../sim/index.js";
import { startRedisServer } from "../sim/redis.js";
import {
  type AppIdentity,
  appIdentity,
  governedRepo,
  readTree,
  type SimAddress,
  startReplica,
} from "../sim/stack.js";
import { createSigner, verifyAttestations } from "../src/core/attestation/index.js";
import type { GitHubClient } from "../src/github/client.js";
import { reconcile } from "../src/github/flow/reconcile.js";
import { createAdapterCache } from "../src/github/reads/cache.js";

const { values: flags } = parseArgs({
  options: {
    deliveries: { type: "string", default: "1000" },
    prs: { type: "string", default: "100" },
    burst: { type: "string", default: "60" },
    concurrency: { type: "string", default: "50" },
    latency: { type: "string", default: "20" },
    "fault-rate": { type: "string", default: "0.03" },
    seed: { type: "string", default: "1" },
    "lock-ttl": { type: "string", default: "120000" },
    "lock-wait": { type: "string", default: "150000" },
    "redis-outage": { type: "string", default: "0" },
  },
});
const DELIVERIES = Number(flags.deliveries);
const PRS = Number(flags.prs);
const BURST = Math.min(Number(flags.burst), PRS);
const CONCURRENCY = Number(flags.concurrency);
const LATENCY_MS = Number(flags.latency);
const FAULT_RATE = Number(flags["fault-rate"]);
const SEED = Number(flags.seed);
const LOCK_TTL_MS = Number(flags["lock-ttl"]);
const LOCK_WAIT_MS = Number(flags["lock-wait"]);
const REDIS_OUTAGE_MS = Number(flags["redis-outage"]) * 1000;
const FAULTS: FaultKind[] = [
  "5xx",
  "secondary-rate-limit",
  "429",
  "slow",
  "reset",
  "reset-after-write",
];
const REPOSITORIES = 5;
const OVERSIGHT = "AI governance: human oversight";
const ASSESSMENT = "AI governance: risk assessment";

// Run through scripts/run-ts.mjs, which bundles this file elsewhere: find the repository from argv.
const ROOT = resolve(dirname(process.argv[1] ?? "bench/load.ts"), "..");
const ASSESSMENT_PATH = "governance/assessments/credit-scoring.yml";

/** mulberry32: the traffic's order and targets are repeatable for a seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(SEED + 7);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? Number.NaN;
};
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);

/** What the main thread tells a replica's thread, and what it answers. */
interface ReplicaSetup {
  role: "replica";
  sim: { host: string; appId: number };
  identity: AppIdentity;
  redisUrl: string;
  lock: { ttlMs: number; waitMs: number };
}
type ToReplica = { type: "idle" } | { type: "stop" };
type FromReplica =
  | { type: "started"; appUrl: string }
  | {
      type: "reconciled";
      deliveryId: string;
      failed: boolean;
      /** Queued for the reconcile in progress on its pull request, or run again for such. */
      coalesced?: "queued" | "rerun";
    }
  | { type: "idle"; errors: string[] }
  | { type: "stopped" };

/** The thread that sends deliveries and times the answers, away from the simulator's work. */
interface DelivererSetup {
  role: "deliverer";
  secret: string;
}
interface Posted {
  n: number;
  url: string;
  event: string;
  payload: WebhookPayload;
  id: string;
}
interface Answered {
  n: number;
  status: number;
  ms: number;
}

if (!isMainThread && (workerData as DelivererSetup | ReplicaSetup).role === "deliverer") {
  const { secret } = workerData as DelivererSetup;
  const port = parentPort;
  port?.on("message", (d: Posted) => {
    const started = performance.now();
    void deliver(d.url, secret, d.event, d.payload, { deliveryId: d.id })
      .catch(() => 0)
      .then((status) =>
        port.postMessage({ n: d.n, status, ms: performance.now() - started } satisfies Answered),
      );
  });
} else if (!isMainThread) {
  // A replica in a thread of its own, as in its own process: its event loop answers webhooks
  // while the other replica, the simulated GitHub and the traffic run elsewhere.
  const setup = workerData as ReplicaSetup;
  const port = parentPort;
  if (!port) throw new Error("a replica thread needs its parent");
  const address: SimAddress = { host: setup.sim.host, state: { app: { id: setup.sim.appId } } };
  const replica = await startReplica(address, setup.identity, {
    env: { REDIS_URL: setup.redisUrl, LOG_LEVEL: "warn" },
    throttling: true,
    lock: setup.lock,
    onReconciled: (result, _event, deliveryId) =>
      port.postMessage({
        type: "reconciled",
        deliveryId,
        failed: result.error !== undefined,
        ...(result.coalesced ? { coalesced: result.coalesced } : {}),
      } satisfies FromReplica),
  });
  port.on("message", (message: ToReplica) => {
    if (message.type === "idle") {
      void replica.server.queue.idle().then(() => {
        // The App's error lines, for the report of a failed run.
        const errors = replica.logs
          .filter((l) => l.includes('"level":50'))
          .map((l) => String((JSON.parse(l) as { msg?: unknown }).msg));
        port.postMessage({ type: "idle", errors } satisfies FromReplica);
      });
    } else {
      void replica.server
        .shutdown(0)
        .then(() => port.postMessage({ type: "stopped" } satisfies FromReplica));
    }
  });
  port.postMessage({ type: "started", appUrl: replica.appUrl } satisfies FromReplica);
} else {
  await main();
}

/**
 * Each replica's `/aigate/readyz` once its Redis check reads `want` (within 10 s): e.g.
 * "a 503 as expected".
 */
async function readinessOf(replicas: ReplicaHandle[], want: "unreachable" | "connected") {
  return Promise.all(
    replicas.map(async (r) => {
      let last = "no answer";
      for (let i = 0; i < 100; i++) {
        try {
          const res = await fetch(`${r.appUrl}/aigate/readyz`);
          const body = (await res.json()) as { checks?: { redis?: string } };
          last = `${r.name} ${res.status} (redis ${body.checks?.redis})`;
          const ok = want === "connected" ? res.status === 200 : res.status === 503;
          if (body.checks?.redis === want && ok) return `${last} as expected`;
        } catch (error) {
          last = `${r.name} ${String(error)}`;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return last;
    }),
  );
}

/** A replica running in its own thread. */
interface ReplicaHandle {
  name: string;
  appUrl: string;
  /** Reconciles run: each delivery's own, and the reruns for events queued behind one. */
  reconciled: number;
  /** Deliveries queued for the reconcile in progress on their pull request. */
  queued: number;
  /** Reruns for queued deliveries. */
  reruns: number;
  /** Reconciles that ended in red "could not evaluate" checks. */
  failed: number;
  /** The App's error log lines so far, as of the last `idle()`. */
  errors: string[];
  idle(): Promise<void>;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const FIXTURE = readTree(join(ROOT, "sim", "repo"));
  let redis = await startRedisServer();
  const redisUrl = redis.url;
  const sim = await startGitHubSimulator({ latencyMs: LATENCY_MS });
  const identity = appIdentity();

  /** Send time of each delivery not yet reconciled, per replica and delivery id (FIFO). */
  const pending = new Map<string, number[]>();
  const eventToChecks: number[] = [];

  async function startThread(name: string): Promise<ReplicaHandle> {
    const setup: ReplicaSetup = {
      role: "replica",
      sim: { host: sim.host, appId: sim.state.app.id },
      identity,
      redisUrl,
      lock: { ttlMs: LOCK_TTL_MS, waitMs: LOCK_WAIT_MS },
    };
    const worker = new Worker(new URL(import.meta.url), { workerData: setup, argv: [] });
    const waiting: Record<string, (() => void)[]> = { idle: [], stopped: [] };
    let started: (url: string) => void = () => {};
    const appUrl = new Promise<string>((resolve) => {
      started = resolve;
    });
    const handle: ReplicaHandle = {
      name,
      appUrl: "",
      reconciled: 0,
      queued: 0,
      reruns: 0,
      failed: 0,
      errors: [],
      idle: () =>
        new Promise((resolve) => {
          waiting.idle?.push(resolve);
          worker.postMessage({ type: "idle" } satisfies ToReplica);
        }),
      stop: () =>
        new Promise((resolve) => {
          waiting.stopped?.push(() => void worker.terminate().then(() => resolve()));
          worker.postMessage({ type: "stop" } satisfies ToReplica);
        }),
    };
    worker.on("message", (message: FromReplica) => {
      if (message.type === "started") started(message.appUrl);
      else if (message.type === "reconciled") {
        if (message.failed) handle.failed++;
        if (message.coalesced === "rerun") {
          // The delivery that ran it was counted already; its queued events are not timed.
          handle.reconciled++;
          handle.reruns++;
        } else if (message.coalesced === "queued") {
          handle.queued++;
          pending.get(`${name}:${message.deliveryId}`)?.shift();
        } else {
          handle.reconciled++;
          const sent = pending.get(`${name}:${message.deliveryId}`)?.shift();
          if (sent !== undefined) eventToChecks.push(performance.now() - sent);
        }
      } else {
        if (message.type === "idle") handle.errors = message.errors;
        waiting[message.type]?.shift()?.();
      }
    });
    worker.on("error", (error) => {
      console.error(`replica ${name} failed:`, error);
      process.exit(1);
    });
    handle.appUrl = await appUrl;
    return handle;
  }
  const replicas = await Promise.all(["a", "b"].map(startThread));
  const [replicaA, replicaB] = replicas as [ReplicaHandle, ReplicaHandle];

  const failures: string[] = [];
  let exitCode = 0;
  let outageReport: string | undefined;
  try {
    const repos: SimRepo[] = [];
    for (let r = 0; r < REPOSITORIES; r++) repos.push(governedRepo(sim, FIXTURE, `load-${r}`));
    const prs: { repo: SimRepo; pr: SimPullRequest }[] = [];
    for (let i = 0; i < PRS; i++) {
      const repo = repos[i % REPOSITORIES] as SimRepo;
      const branch = `change-${i}`;
      repo.createBranch(branch);
      repo.commit(branch, {
        files: {
          "models/credit/model.py": `def score(application):\n    return 0.5  # tuned in change ${i}\n`,
          [ASSESSMENT_PATH]: `${FIXTURE[ASSESSMENT_PATH] ?? ""}# reviewed for change ${i}\n`,
        },
        author: "dave",
        message: `Change ${i}`,
      });
      prs.push({
        repo,
        pr: repo.openPullRequest({ head: branch, author: "dave", title: `C${i}` }),
      });
    }

    interface Delivery {
      event: string;
      payload: WebhookPayload;
      id: string;
      replica: ReplicaHandle;
    }
    const sent: Delivery[] = [];
    const responses: number[] = [];
    const statuses = new Map<number, number>();
    /** Approval sources that must each be attested exactly once: `repo#pr` → `kind:id`. */
    const expected = new Map<string, Set<string>>();
    const expect = (repo: SimRepo, pr: SimPullRequest, source: string) => {
      const key = `${repo.fullName}#${pr.number}`;
      const set = expected.get(key) ?? new Set<string>();
      set.add(source);
      expected.set(key, set);
    };
    let deliveryCounter = 0;

    const deliverer = new Worker(new URL(import.meta.url), {
      workerData: { role: "deliverer", secret: identity.secret } satisfies DelivererSetup,
      argv: [],
    });
    const answers = new Map<number, (a: Answered) => void>();
    deliverer.on("message", (a: Answered) => answers.get(a.n)?.(a));
    let posted = 0;
    async function send(d: Delivery): Promise<void> {
      const key = `${d.replica.name}:${d.id}`;
      const started = performance.now();
      const queue = pending.get(key) ?? [];
      queue.push(started);
      pending.set(key, queue);
      const n = ++posted;
      const answer = await new Promise<Answered>((resolve) => {
        answers.set(n, resolve);
        deliverer.postMessage({
          n,
          url: d.replica.appUrl,
          event: d.event,
          payload: d.payload,
          id: d.id,
        } satisfies Posted);
      });
      answers.delete(n);
      const status = answer.status;
      // Timed in the delivering thread, whose event loop does nothing else.
      responses.push(answer.ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status !== 200) queue.splice(queue.indexOf(started), 1);
      sent.push(d);
    }
    /** One step mutates GitHub's state (as a person would), then delivers its events. */
    type Step = () => Delivery[];
    const to = (event: string, payload: WebhookPayload, replica = pick(replicas)): Delivery => ({
      event,
      payload,
      id: `load-${++deliveryCounter}`,
      replica,
    });
    const toBoth = (event: string, payload: WebhookPayload): Delivery[] => {
      const first = to(event, payload, replicaA);
      return [first, { ...first, replica: replicaB }];
    };
    async function run(steps: Step[]): Promise<void> {
      let next = 0;
      const inFlight = new Set<Promise<void>>();
      while (next < steps.length || inFlight.size > 0) {
        while (next < steps.length && inFlight.size < CONCURRENCY) {
          const step = steps[next++] as Step;
          for (const d of step()) {
            const p = send(d).finally(() => inFlight.delete(p));
            inFlight.add(p);
          }
        }
        if (inFlight.size > 0) await Promise.race(inFlight);
      }
    }

    sim.setFaults({ rate: FAULT_RATE, kinds: FAULTS, seed: SEED, retryAfterSeconds: 1 });
    const started = performance.now();
    const mark = sim.requests.length;

    // Opened, and pushed to (an unrelated file) before any approval.
    await run(
      prs.map(({ repo, pr }) => () => [to("pull_request", pullRequestEvent("opened", repo, pr))]),
    );
    await run(
      prs
        .filter((_, i) => i % 3 === 0)
        .map(({ repo, pr }) => () => {
          const before = pr.headSha;
          repo.commit(pr.headRef, { files: { "docs/notes.md": "notes\n" }, author: "dave" });
          return [to("pull_request", pullRequestEvent("synchronize", repo, pr, { before }))];
        }),
    );

    // The burst: approvals on BURST pull requests of one installation at once, each delivered
    // to both replicas, as when a redelivery races a retry.
    const review =
      ({ repo, pr }: { repo: SimRepo; pr: SimPullRequest }) =>
      () => {
        const r = pr.addReview({ user: "alice", state: "APPROVED" });
        expect(repo, pr, `review:${r.id}`);
        return toBoth("pull_request_review", pullRequestReviewEvent("submitted", repo, pr, r));
      };
    await run(prs.slice(0, BURST).map(review));

    // Everything else, in random order: the other reviews, `/approve` comments, rechecks.
    const rest: Step[] = [
      ...prs.slice(BURST).map(review),
      ...prs.map(({ repo, pr }) => () => {
        const c = repo.addComment(pr.number, { user: "erin", body: "/approve -- eval read" });
        expect(repo, pr, `comment:${c.id}`);
        return toBoth("issue_comment", issueCommentEvent("created", repo, pr, c));
      }),
      ...prs
        .filter((_, i) => i % 2 === 0)
        .map(({ repo, pr }) => () => {
          const c = repo.addComment(pr.number, { user: "frank", body: "/aigate recheck" });
          return [to("issue_comment", issueCommentEvent("created", repo, pr, c))];
        }),
    ];
    // A Redis outage while the rest is delivered: it comes back empty, as without persistence.
    const outage =
      REDIS_OUTAGE_MS > 0
        ? (async () => {
            await redis.stop();
            const down = await readinessOf(replicas, "unreachable");
            await new Promise((resolve) => setTimeout(resolve, REDIS_OUTAGE_MS));
            redis = await startRedisServer(Number(new URL(redisUrl).port));
            const back = await readinessOf(replicas, "connected");
            outageReport = `Redis stopped for ${REDIS_OUTAGE_MS / 1000} s after the burst, restarted empty: readiness ${down.join(", ")} during it, ${back.join(", ")} after`;
            if (![...down, ...back].every((r) => r.endsWith("as expected"))) {
              failures.push(`readiness did not follow the outage: ${outageReport}`);
            }
          })()
        : Promise.resolve();
    await run(shuffle(rest));
    await outage;
    // Redeliveries of earlier deliveries (same id, same body), to random replicas, until the
    // planned number of deliveries is reached.
    const redeliveries: Step[] = [];
    for (let n = sent.length; n < DELIVERIES; n++) {
      redeliveries.push(() => {
        const earlier = pick(sent);
        return [{ ...earlier, replica: pick(replicas) }];
      });
    }
    await run(redeliveries);
    const answered = performance.now();
    await Promise.all(replicas.map((r) => r.idle()));
    const settled = performance.now();
    await deliverer.terminate();
    sim.setFaults(undefined);
    sim.setLatency(0);

    const requests = sim.requests.slice(mark);
    const token = (r: (typeof requests)[0]) =>
      r.operationId === "apps/create-installation-access-token";
    const processed = replicas.reduce((n, r) => n + r.reconciled, 0);

    // Attestations: every expected source exactly once.
    const jwks = { keys: [createSigner(identity.signingKeyPem).publicJwk] };
    let issued = 0;
    let duplicated = 0;
    let lost = 0;
    let inProgress = 0;
    let mismatched = 0;
    const signer = createSigner(identity.signingKeyPem);
    const reference = new Octokit({
      baseUrl: sim.apiUrl,
      auth: "reference",
      log: { debug() {}, info() {}, warn() {}, error() {} },
    }) as unknown as GitHubClient;
    const cache = createAdapterCache();
    for (const { repo, pr } of prs) {
      const key = `${repo.fullName}#${pr.number}`;
      const found = repo
        .issueComments(pr.number)
        .filter((c) => c.body.includes("<!-- aigate-attestation:v1 "))
        .map((c) => ({
          repository: repo.fullName,
          repositoryId: repo.id,
          pullRequest: pr.number,
          commentId: c.id,
          body: c.body,
        }));
      const report = verifyAttestations(found, jwks, { repo: repo.fullName, pr: pr.number });
      const sources = new Map<string, number>();
      for (const s of report.statements) {
        const predicate = s.statement?.predicate;
        if (predicate?.decision !== "approved") continue;
        const source = `${predicate.source.kind}:${predicate.source.id}`;
        sources.set(source, (sources.get(source) ?? 0) + 1);
        issued++;
      }
      for (const [source, count] of sources) {
        if (count > 1) {
          duplicated += count - 1;
          failures.push(`${key}: ${source} attested ${count} times`);
        }
      }
      for (const source of expected.get(key) ?? []) {
        if (!sources.has(source)) {
          lost++;
          failures.push(`${key}: ${source} never attested`);
        }
      }
      for (const head of new Set([...pr.heads, pr.headSha])) {
        for (const run of sim.state.checkRuns(repo, head).all) {
          if (run.status !== "completed") inProgress++;
        }
      }
      // What one replica without faults decides for the same state (it writes nothing).
      const decided = await reconcile(
        reference,
        { owner: repo.owner.login, repo: repo.name, pullNumber: pr.number },
        {
          signer,
          trustedJwks: jwks,
          issuer: { kind: "app" },
          now: () => new Date(),
          log: { info() {}, warn() {}, error() {} },
          cache,
          write: false,
        },
      );
      const latest = sim.state.checkRuns(repo, pr.headSha).latest;
      const decision = decided.decision;
      for (const [name, gate] of [
        [ASSESSMENT, "assessment"],
        [OVERSIGHT, "oversight"],
      ] as const) {
        const actual = latest[name];
        const want = decision?.[gate].conclusion;
        if (!actual || !want || actual.conclusion !== want) {
          mismatched++;
          failures.push(
            `${key}: ${name} is ${actual?.conclusion ?? "missing"} ("${actual?.output.title ?? ""}"), one replica without faults decides ${want ?? `nothing (${decided.error?.description ?? "no decision"})`}`,
          );
        }
      }
    }
    const expectedCount = [...expected.values()].reduce((n, s) => n + s.size, 0);
    const faults = new Map<string, number>();
    for (const r of requests) if (r.fault) faults.set(r.fault, (faults.get(r.fault) ?? 0) + 1);

    const seconds = (answered - started) / 1000;
    console.log(
      `Load: ${sent.length} deliveries over ${PRS} pull requests in ${REPOSITORIES} repositories of one installation, concurrency ${CONCURRENCY}, 2 replicas, Redis; burst of ${BURST} approvals each delivered to both replicas`,
    );
    console.log(
      `Simulated GitHub: ${LATENCY_MS} ms latency, ${(FAULT_RATE * 100).toFixed(1)} % faults (${[...faults].map(([k, n]) => `${k} ${n}`).join(", ") || "none drawn"}), seed ${SEED}; lock lease ${LOCK_TTL_MS / 1000} s, wait ${LOCK_WAIT_MS / 1000} s`,
    );
    console.log();
    console.log(
      `throughput            ${(sent.length / seconds).toFixed(1)} deliveries/s answered (${seconds.toFixed(1)} s); all work settled after ${((settled - started) / 1000).toFixed(1)} s`,
    );
    console.log(
      `webhook response      p50 ${ms(quantile(responses, 0.5))}, p99 ${ms(quantile(responses, 0.99))} (goal p99 ≤ 100 ms); answers ${[...statuses].map(([s, n]) => `${s}×${n}`).join(", ")}`,
    );
    console.log(
      `event to final checks p50 ${ms(quantile(eventToChecks, 0.5))}, p99 ${ms(quantile(eventToChecks, 0.99))} over ${eventToChecks.length} deliveries that ran their own reconcile`,
    );
    const counted = requests.filter((r) => r.counted && !token(r)).length;
    const total = requests.filter((r) => !token(r)).length;
    const writes = requests.filter((r) => !token(r) && isWriteRequest(r)).length;
    console.log(
      `GitHub requests       ${(counted / processed).toFixed(2)} counted and ${(total / processed).toFixed(2)} total per processed event (${counted} counted, ${total} total, ${writes} writes, ${processed} events processed, ${replicas.reduce((n, r) => n + r.failed, 0)} ended in red "could not evaluate" checks, later healed or not)`,
    );
    console.log(
      `coalesced             ${replicas.reduce((n, r) => n + r.queued, 0)} deliveries queued behind the reconcile in progress on their pull request, ${replicas.reduce((n, r) => n + r.reruns, 0)} reruns for them`,
    );
    console.log(
      `attestations          expected ${expectedCount}, issued ${issued}, duplicated ${duplicated}, lost ${lost}`,
    );
    console.log(`checks in progress    ${inProgress}`);
    if (outageReport) console.log(`redis outage          ${outageReport}`);
    console.log(
      `final checks          ${PRS * 2 - mismatched} of ${PRS * 2} equal one replica without faults`,
    );
    if (quantile(responses, 0.99) > 100) {
      console.log("  (webhook p99 over the 100 ms goal on this machine)");
    }
    if (duplicated > 0 || lost > 0 || inProgress > 0 || mismatched > 0) {
      // The App's own error lines, each once, say why.
      const logged = [...new Set(replicas.flatMap((r) => r.errors))];
      for (const line of logged.slice(0, 10).reverse()) failures.unshift(`the App logged: ${line}`);
      failures.unshift(
        `${lost} lost, ${duplicated} duplicated, ${inProgress} in progress, ${mismatched} checks differ`,
      );
    }
  } catch (error) {
    failures.push(`the load test itself failed: ${error instanceof Error ? error.stack : error}`);
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await sim.stop();
    await redis.stop();
  }
  if (failures.length > 0) {
    console.log("\nFAILED:");
    for (const f of failures.slice(0, 30)) console.log(`  - ${f}`);
    if (failures.length > 30) console.log(`  … and ${failures.length - 30} more`);
    exitCode = 1;
  } else {
    console.log(
      "\nPASSED: no approval lost or duplicated, no check in progress, every check as decided",
    );
  }
  process.exit(exitCode);
}
