/**
 * Talking to the Worker (DESIGN §4, §5): every request is signed afresh (Standard Webhooks v1a, a
 * new webhook-id and timestamp each time), sent with keep-alive and one hard timeout (http.ts),
 * and routed by HTTPS_PROXY / HTTP_PROXY / NO_PROXY. Answers are read as the Worker writes them:
 * 2xx JSON, or `{error: {code, message}}`, and each refusal is explained for the operator.
 */
import { randomBytes } from "node:crypto";
import { type BeaconPolicy, type BeatAccepted, ERROR_CODES, type ErrorCode, errorOf } from "../protocol/answers.ts";
import type { Beat } from "../protocol/beat.ts";
import { MAX_BEAT_BYTES, TIMESTAMP_TOLERANCE_SECONDS } from "../protocol/limits.ts";
import { signV1a } from "../protocol/signing.ts";
import { STATES } from "../protocol/verdict.ts";
import { HttpClient } from "./http.ts";
import { CLOCK_STEP_MS, IDLE_CONNECTION_MS, MAX_ANSWER_BYTES, PUSH_TIMEOUT_MS } from "./limits.ts";

/** What came back from one signed POST: an answer (any status) or no answer at all. */
export type Reply =
  | { kind: "answer"; status: number; json: unknown; retryAfterMs?: number; webhookId: string }
  | { kind: "unreachable"; message: string; webhookId: string };

export interface WorkerClientOptions {
  timeoutMs?: number;
  /** Environment the proxy settings are read from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

export class WorkerClient {
  readonly base: string;
  private readonly http: HttpClient;
  private readonly timeoutMs: number;

  constructor(
    url: string,
    private readonly privateKey: CryptoKey,
    options: WorkerClientOptions = {},
  ) {
    this.base = url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? PUSH_TIMEOUT_MS;
    const env = options.env ?? process.env;
    this.http = new HttpClient(
      {
        // Lower case first, as curl and undici read them.
        httpProxy: env.http_proxy ?? env.HTTP_PROXY,
        httpsProxy: env.https_proxy ?? env.HTTPS_PROXY,
        noProxy: env.no_proxy ?? env.NO_PROXY,
      },
      IDLE_CONNECTION_MS,
      this.timeoutMs,
    );
  }

  /** POSTs `body` to `path`, signed with a fresh webhook-id and timestamp. Never throws for network trouble. */
  async post(path: string, body: string): Promise<Reply> {
    const webhookId = `msg_${randomBytes(18).toString("base64url")}`;
    const headers = await signV1a(this.privateKey, webhookId, Math.floor(Date.now() / 1000), body);
    // Bounds the whole exchange: connect (or the proxy's tunnel), the wait for the answer, and its body.
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await this.http.post(
        `${this.base}${path}`,
        { ...headers, "content-type": "application/json", "user-agent": "seatwatch-beacon" },
        body,
        signal,
      );
      const text = await readCapped(res.body);
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      const retryAfter = Number(res.headers["retry-after"]);
      return {
        kind: "answer",
        status: res.status,
        json,
        webhookId,
        ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    } catch (error) {
      const cause = signal.aborted ? signal.reason : error;
      return { kind: "unreachable", message: describeNetworkError(cause, this.base, this.timeoutMs), webhookId };
    }
  }

  async close(): Promise<void> {
    this.http.close();
  }
}

async function readCapped(body: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) throw new Error(`the answer is longer than ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString("utf8");
}

function describeNetworkError(error: unknown, base: string, timeoutMs: number): string {
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code;
  if (err.name === "TimeoutError" || err.name === "AbortError" || /TIMEOUT/.test(code ?? "")) {
    return `${base} did not answer within ${timeoutMs / 1000} s`;
  }
  const detail = err.cause?.message ?? err.message ?? String(error);
  return `${base} is unreachable: ${code ? `${code} ` : ""}${detail}`;
}

/** A non-2xx answer as the Worker wrote it, read with protocol/'s error codes. */
export interface Refusal {
  status: number;
  /** The Worker's error code, or `http_<status>` when the answer is not an error body. */
  code: string;
  message: string;
  /** `code` when it is one the Worker documents, so explanations switch on ErrorCode; null for anything else. */
  known: ErrorCode | null;
  /** False when the answer was not an error body at all (a proxy's page, another server). */
  fromWorker: boolean;
}

export function refusalOf(status: number, json: unknown): Refusal {
  const error = errorOf(json);
  if (error === null) {
    return {
      status,
      code: `http_${status}`,
      message: `unexpected answer (status ${status})`,
      known: null,
      fromWorker: false,
    };
  }
  return { status, ...error, known: ERROR_CODES.find((code) => code === error.code) ?? null, fromWorker: true };
}

export type PushResult =
  | ({ kind: "accepted"; status: number } & Omit<BeatAccepted, "accepted" | "policy"> & {
        /** What the beacon predicts the verdict with (DESIGN §3a); null from a Worker too old to send it. */
        policy: BeaconPolicy | null;
        webhookId: string;
      })
  | {
      kind: "refused";
      status: number;
      code: string;
      message: string;
      /** What the operator should make of it. */
      explanation: string;
      retryAfterMs?: number;
      webhookId: string;
    }
  | { kind: "unreachable"; message: string; webhookId: string };

/**
 * Measures how far the wall clock has moved against the monotonic one since the beacon started.
 * The monotonic clock is process.hrtime: `performance` would load node:perf_hooks and its ten
 * modules into the daemon for one subtraction.
 */
export class ClockWatch {
  private readonly offset = Date.now() - monotonicMs();

  /** Milliseconds the wall clock was stepped back since start (0 when it was not). */
  steppedBackMs(): number {
    return Math.max(0, this.offset - (Date.now() - monotonicMs()));
  }
}

function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export interface PushContext {
  host: string;
  publicKey: string;
  clock?: Pick<ClockWatch, "steppedBackMs">;
}

/** Signs and sends one beat; never throws for anything the network or the Worker does. */
export async function pushBeat(client: WorkerClient, beat: Beat, context: PushContext): Promise<PushResult> {
  const reply = await client.post("/v1/beats", JSON.stringify(beat));
  if (reply.kind === "unreachable") return reply;
  const { status, json, webhookId } = reply;
  if (status === 202) {
    const answer = readBeatAccepted(json);
    if (typeof answer !== "string") {
      const { state, reason, minSeats, policy } = answer;
      return { kind: "accepted", status, state, reason, minSeats, policy, webhookId };
    }
    // Guessing a missing field (minSeats 1, say) would let the pacer judge seats against a policy the host may not have.
    return {
      kind: "refused",
      status,
      code: "invalid_answer",
      message: `the 202 answer is not a beat verdict: ${answer}`,
      explanation:
        "the Worker took the beat but did not answer {accepted, state, reason, minSeats}: the beacon and the Worker disagree on the protocol version; upgrade the older one; the beacon retries with backoff",
      webhookId,
    };
  }
  const refusal = refusalOf(status, json);
  return {
    kind: "refused",
    status,
    code: refusal.code,
    message: refusal.message,
    explanation: explainBeatRefusal(refusal.known, status, context),
    ...(reply.retryAfterMs !== undefined ? { retryAfterMs: reply.retryAfterMs } : {}),
    webhookId,
  };
}

/**
 * The 202 answer as protocol/ types it, or what is wrong with it. `policy` came later than the rest:
 * a Worker without it is an older one (the beacon then predicts seat states only), not a broken one.
 */
function readBeatAccepted(json: unknown): (Omit<BeatAccepted, "policy"> & { policy: BeaconPolicy | null }) | string {
  const body = json as { [K in keyof BeatAccepted]?: unknown } | null;
  if (body?.accepted !== true) return "accepted is not true";
  const state = STATES.find((known) => known === body.state);
  if (state === undefined) return `state ${JSON.stringify(body.state)} is not one of ${STATES.join(", ")}`;
  const reason = body.reason;
  if (reason !== null && typeof reason !== "string") return "reason is neither a string nor null";
  const minSeats = body.minSeats;
  if (typeof minSeats !== "number" || !Number.isInteger(minSeats) || minSeats < 0) {
    return "minSeats is missing or not a whole number ≥ 0";
  }
  if (body.policy === undefined) return { accepted: true, state, reason, minSeats, policy: null };
  const policy = readBeaconPolicy(body.policy);
  if (typeof policy === "string") return policy;
  return { accepted: true, state, reason, minSeats, policy };
}

function readBeaconPolicy(value: unknown): BeaconPolicy | string {
  const fields = value as { [K in keyof BeaconPolicy]?: unknown } | null;
  const read = (key: keyof BeaconPolicy): number | null => {
    const n = fields?.[key];
    return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : null;
  };
  const minSeats = read("minSeats");
  const maxWaitSeconds = read("maxWaitSeconds");
  const minWorking = read("minWorking");
  const maxQuietSeconds = read("maxQuietSeconds");
  if (minSeats === null || maxWaitSeconds === null || minWorking === null || maxQuietSeconds === null) {
    return "policy is not {minSeats, maxWaitSeconds, minWorking, maxQuietSeconds} of whole numbers ≥ 0";
  }
  return { minSeats, maxWaitSeconds, minWorking, maxQuietSeconds };
}

/** One sentence per refusal: what it most likely means on this host and what the beacon does about it. */
export function explainBeatRefusal(code: ErrorCode | null, status: number, context: PushContext): string {
  switch (code) {
    case "invalid_signature":
      return `no key enrolled for host ${context.host} verifies this beat: check that --host/SEATWATCH_HOST and the key file (public key ${context.publicKey}) are the ones enrolled; right after enrollment this is usually KV propagation (up to a minute), so the beacon keeps pushing`;
    case "stale_timestamp":
      return `this host's clock is more than ${TIMESTAMP_TOLERANCE_SECONDS} s away from the Worker's: sync it (timedatectl set-ntp true, chrony); the beacon keeps pushing`;
    case "replayed": {
      const stepped = context.clock?.steppedBackMs() ?? 0;
      return stepped >= CLOCK_STEP_MS
        ? `this host's clock was stepped back by ${Math.round(stepped / 1000)} s since the beacon started, so its beats are older than the last one accepted; they are accepted again once the clock passes that time`
        : "the Worker already accepted a newer beat for this host: the clock stepped back, or another beacon pushes with this host id and key (a cloned machine?)";
    }
    case "rate_limited":
      return "the Worker takes at most one beat a second per host (and limits each address): the beacon waits for Retry-After";
    case "invalid_beat":
    case "invalid_json":
    case "invalid_host":
      return "the Worker refused the beat's shape: the beacon and the Worker disagree on the protocol version; upgrade the older one";
    case "payload_too_large":
      return `the beat is larger than ${MAX_BEAT_BYTES / 1024} KiB: too many servers or binaries to report; please report this`;
    default:
      return status >= 500
        ? "the Worker failed; the beacon retries with backoff"
        : `unexpected refusal (status ${status}); the beacon retries with backoff`;
  }
}
