import { createSigner, type Jwk, parseJwksText } from "../src/core/attestation/keys.js";

/**
 * Every input of the Action, validated once into one settings object (the only place
 * that knows input names). An invalid input is reported with its name.
 */
export const FAIL_ON = ["errors", "gates", "never"] as const;
export const MODES = ["gate", "register"] as const;
export const SIGNING = ["key", "keyless"] as const;

/** Which Sigstore signs keyless (docs/action.md#keyless-signing). */
export type SigstoreChoice =
  | { instance: "auto" | "public-good" | "github" }
  | {
      instance: "custom";
      fulcioURL: string;
      rekorURL?: string;
      tsaURL?: string;
      entryType?: "dsse" | "intoto";
    };

export interface ActionSettings {
  token: string;
  /** PKCS#8 PEM; absent when the workflow gives none (then nothing can be signed). */
  signingKeyPem?: string;
  /** Earlier public keys whose attestations still count (JWKS `keys`). */
  trustedKeys: Jwk[];
  manifestPath: string;
  /** `signing`: absent = key when one is given, else keyless when the job has an OIDC token. */
  signing?: (typeof SIGNING)[number];
  /** `sigstore`: the instance keyless signing uses (auto: by the repository's visibility). */
  sigstore: SigstoreChoice;
  /** `trusted-root`: path of a Sigstore trusted_root.json (one document or JSON Lines of several). */
  trustedRootPath?: string;
  failOn: (typeof FAIL_ON)[number];
  /** `gate` on pull-request events; `register` on a schedule (docs/audit.md). */
  mode: (typeof MODES)[number];
  /** With mode register: which repositories, how far ahead, where the tracking issue lives. */
  register: {
    org?: string;
    repositories: Array<{ owner: string; repo: string }>;
    expiringWithinDays: number;
    trackingRepo?: { owner: string; repo: string };
  };
}

const REPOSITORY = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/;

function repository(input: string, text: string): { owner: string; repo: string } {
  const match = REPOSITORY.exec(text);
  if (!match?.[1] || !match[2] || match[2] === "." || match[2] === "..") {
    throw new InputError(input, `${text} is not OWNER/REPO`);
  }
  return { owner: match[1], repo: match[2] };
}

export class InputError extends Error {
  override name = "InputError";
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`input '${input}': ${message}`);
  }
}

/** Reads inputs through `getInput` (core.getInput in the Action, a map in tests). */
export function readSettings(getInput: (name: string) => string): ActionSettings {
  const token = getInput("token").trim();
  if (!token) {
    throw new InputError(
      "token",
      "is empty: pass the workflow token (github.token) or a GitHub App token",
    );
  }

  const pem = getInput("signing-key").trim();
  if (pem) {
    try {
      createSigner(pem);
    } catch {
      // The message never repeats the key.
      throw new InputError(
        "signing-key",
        "is not an Ed25519 private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----): create one with `aigate keys generate`",
      );
    }
  }

  const trustedText = getInput("trusted-keys").trim();
  let trustedKeys: ActionSettings["trustedKeys"] = [];
  if (trustedText) {
    const parsed = parseJwksText(trustedText);
    if (!parsed.ok) {
      throw new InputError(
        "trusted-keys",
        parsed.kind === "pem"
          ? "is a PEM key, not a JWKS: publish the public keys with `aigate keys jwks --key FILE` and pass that JSON"
          : parsed.kind === "not_json"
            ? 'is not JSON: give a JWKS, e.g. {"keys": [ … ]} from `aigate keys jwks`'
            : `is not a usable Ed25519 JWKS${parsed.field ? ` at ${parsed.field}` : ""}: ${parsed.message}`,
      );
    }
    trustedKeys = parsed.jwks.keys;
  }

  const manifestPath = getInput("manifest-path").trim() || ".github/ai-governance.yml";
  if (
    manifestPath.startsWith("/") ||
    manifestPath.split("/").includes("..") ||
    !/\.ya?ml$/.test(manifestPath)
  ) {
    throw new InputError(
      "manifest-path",
      `${manifestPath} must be a .yml path relative to the repository root, without '..'`,
    );
  }

  const signing = getInput("signing").trim();
  if (signing !== "" && !(SIGNING as readonly string[]).includes(signing)) {
    throw new InputError("signing", `${signing} is not one of ${SIGNING.join(", ")}`);
  }
  const sigstore = sigstoreChoice(getInput("sigstore").trim() || "auto");
  const trustedRootPath = getInput("trusted-root").trim();

  const failOn = getInput("fail-on").trim() || "errors";
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new InputError("fail-on", `${failOn} is not one of ${FAIL_ON.join(", ")}`);
  }

  const mode = getInput("mode").trim() || "gate";
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new InputError("mode", `${mode} is not one of ${MODES.join(", ")}`);
  }
  const within = getInput("expiring-within").trim() || "30";
  if (!/^\d{1,4}$/.test(within)) {
    throw new InputError("expiring-within", `${within} is not a number of days from 0 to 9999`);
  }
  const org = getInput("org").trim();
  if (org !== "" && !/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/.test(org)) {
    throw new InputError("org", `${org} is not an organisation or user login`);
  }
  const repositories = getInput("repositories")
    .split(/[\s,]+/)
    .filter((r) => r !== "")
    .map((r) => repository("repositories", r));
  if (org !== "" && repositories.length > 0) {
    throw new InputError("repositories", "give org or repositories, not both");
  }
  const tracking = getInput("tracking-repo").trim();
  const register: ActionSettings["register"] = {
    repositories,
    expiringWithinDays: Number(within),
  };
  if (org !== "") register.org = org;
  if (tracking !== "") register.trackingRepo = repository("tracking-repo", tracking);

  const settings: ActionSettings = {
    token,
    trustedKeys,
    manifestPath,
    sigstore,
    failOn: failOn as ActionSettings["failOn"],
    mode: mode as ActionSettings["mode"],
    register,
  };
  if (pem) settings.signingKeyPem = pem;
  if (signing !== "") settings.signing = signing as (typeof SIGNING)[number];
  if (trustedRootPath !== "") settings.trustedRootPath = trustedRootPath;
  return settings;
}

/**
 * `auto`, `public-good`, `github`, or a Sigstore of one's own as
 * `fulcio=URL,rekor=URL,tsa=URL[,entry=dsse|intoto]` (a Fulcio and a log or a timestamp authority).
 */
function sigstoreChoice(text: string): SigstoreChoice {
  if (text === "auto" || text === "public-good" || text === "github") return { instance: text };
  const fields = new Map<string, string>();
  for (const part of text.split(",")) {
    const [key, ...rest] = part.split("=");
    const value = rest.join("=").trim();
    if (!key || !["fulcio", "rekor", "tsa", "entry"].includes(key.trim()) || value === "") {
      throw new InputError(
        "sigstore",
        `${text} is not auto, public-good, github, or fulcio=URL,rekor=URL,tsa=URL`,
      );
    }
    fields.set(key.trim(), value);
  }
  const url = (key: string): string | undefined => {
    const value = fields.get(key);
    if (value === undefined) return undefined;
    if (!/^https?:\/\/[^\s]+$/.test(value)) {
      throw new InputError("sigstore", `${key}=${value} is not an http(s) URL`);
    }
    return value;
  };
  const fulcioURL = url("fulcio");
  const rekorURL = url("rekor");
  const tsaURL = url("tsa");
  const entry = fields.get("entry");
  if (!fulcioURL || (!rekorURL && !tsaURL)) {
    throw new InputError("sigstore", "a Sigstore of one's own needs fulcio= and rekor= or tsa=");
  }
  if (entry !== undefined && entry !== "dsse" && entry !== "intoto") {
    throw new InputError("sigstore", `entry=${entry} is not dsse or intoto`);
  }
  const choice: SigstoreChoice = { instance: "custom", fulcioURL };
  if (rekorURL) choice.rekorURL = rekorURL;
  if (tsaURL) choice.tsaURL = tsaURL;
  if (entry) choice.entryType = entry;
  return choice;
}
