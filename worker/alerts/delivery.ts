/**
 * Sending one alert to one webhook (DESIGN §6): signed, time-limited, and judged a success only on
 * a 2xx. Retry policy lives here too, so the outbox and its tests share one set of numbers.
 */
import { signV1 } from "../../protocol/signing.ts";
import type { AlertEvent } from "./event.ts";
import { render } from "./formats/index.ts";
import type { Webhook } from "./webhooks.ts";

/** A receiver that has not answered in 10 s is treated as down; the attempt counts and is retried. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Attempts per delivery; with the backoff below the last one is about 1 h 45 m after the first. */
export const MAX_ATTEMPTS = 6;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 3_600_000;
/** Error text kept per failed delivery: enough for "HTTP 500: upstream down", bounded for storage. */
const MAX_ERROR_CHARS = 200;
/**
 * Bytes of a non-2xx answer's body read for the error text; the rest is cancelled unread. A
 * receiver's 50 MB error page read whole took 4 s and 800 MB of workerd memory: in production
 * that resets the ledger mid-alarm.
 */
export const MAX_ERROR_BODY_BYTES = 1024;

/** Delay after the `attempt`-th failure (1-based): 30 s, 2 m, 8 m, 32 m, then hourly. */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 4 ** (attempt - 1), MAX_RETRY_MS);
}

export interface OutgoingRequest {
  method: "POST" | "PUT";
  url: string;
  headers: Record<string, string>;
  body: string;
}

export async function renderRequest(hook: Webhook, event: AlertEvent, now: number): Promise<OutgoingRequest> {
  const { method = "POST", url = hook.url, headers, body } = render(hook, event);
  const signature = await signV1(hook.secret, event.id, Math.floor(now / 1000), body);
  return { method, url, headers: { ...headers, "user-agent": "seatwatch", ...signature }, body };
}

export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export async function send(request: OutgoingRequest, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<SendResult> {
  try {
    const res = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.ok) {
      await res.body?.cancel();
      return { ok: true, status: res.status };
    }
    const text = await readPrefix(res.body, MAX_ERROR_BODY_BYTES).catch(() => "");
    return { ok: false, status: res.status, error: `HTTP ${res.status}: ${text}`.slice(0, MAX_ERROR_CHARS).trim() };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    const error = timedOut ? `no answer within ${timeoutMs} ms` : `could not connect: ${String(err)}`;
    return { ok: false, status: null, error: error.slice(0, MAX_ERROR_CHARS) };
  }
}

/** The first `max` bytes of a body as text (a cut character becomes U+FFFD); the stream is then cancelled. */
async function readPrefix(body: ReadableStream<Uint8Array> | null, max: number): Promise<string> {
  if (!body) return "";
  const reader = body.getReader();
  const prefix = new Uint8Array(max);
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.subarray(0, max - size);
      prefix.set(part, size);
      size += part.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(prefix.subarray(0, size));
}
