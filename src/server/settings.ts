/**
 * The server's own settings (docs/deployment.md#2-settings), read once from the environment and
 * checked before anything connects: a bad value stops start-up with one line naming the
 * variable and what it takes.
 */
import { StartupError } from "../github/operator/config.js";
import { redisAddress } from "../github/replicas/redis-client.js";

export interface ServerSettings {
  /** Serve /aigate/metrics on the App's port. */
  metrics: boolean;
  /** Serve /aigate/metrics on this port instead (it is then not served on the App's port). */
  metricsPort?: number;
  /** How long in-flight work may run after SIGTERM (ms). */
  shutdownTimeoutMs: number;
  /** Webhooks accepted and not yet processed, at most; beyond it deliveries get 503. */
  queueLimit: number;
  /** REDIS_URL, checked to be a redis:// or rediss:// URL. */
  redisUrl?: string;
  production: boolean;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_S = 25;
export const DEFAULT_QUEUE_LIMIT = 1000;

export function readServerSettings(env: NodeJS.ProcessEnv): ServerSettings {
  const metricsFlag = env.AIGATE_METRICS?.trim() ?? "";
  if (!["", "0", "1", "true", "false"].includes(metricsFlag)) {
    throw new StartupError(`AIGATE_METRICS must be 1 or 0, not "${clip(metricsFlag)}"`);
  }
  const metricsPort = optionalNumber(env, "AIGATE_METRICS_PORT", 1, 65_535, "a TCP port", true);
  const shutdown = optionalNumber(env, "AIGATE_SHUTDOWN_TIMEOUT", 0, 3600, "a number of seconds");
  const queueLimit = optionalNumber(env, "AIGATE_QUEUE_LIMIT", 1, 1_000_000, "a count", true);
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl) redisAddress(redisUrl);
  return {
    metrics: metricsFlag === "1" || metricsFlag === "true" || metricsPort !== undefined,
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    shutdownTimeoutMs: (shutdown ?? DEFAULT_SHUTDOWN_TIMEOUT_S) * 1000,
    queueLimit: queueLimit ?? DEFAULT_QUEUE_LIMIT,
    ...(redisUrl ? { redisUrl } : {}),
    production: env.NODE_ENV === "production",
  };
}

function optionalNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  min: number,
  max: number,
  what: string,
  whole = false,
): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (whole && !Number.isInteger(value))
  ) {
    throw new StartupError(
      `${name} must be ${what}${whole && Number.isFinite(value) && !Number.isInteger(value) ? " (a whole number)" : ""} between ${min} and ${max}, not "${clip(raw)}"`,
    );
  }
  return value;
}

const clip = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);
