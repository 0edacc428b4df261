/** Drives the Worker inside workerd with real local KV: signed beats, admin calls, storage snapshots. */
import { env, exports } from "cloudflare:workers";
import { expect, vi } from "vitest";
import type { Beat } from "../../protocol/beat.ts";
import { generateKeyPair, type KeyPair } from "../../protocol/keys.ts";
import { signV1a } from "../../protocol/signing.ts";
import { makeBeat } from "../support/beats.ts";
import { TEST_ADMIN_TOKEN, TEST_BEAT_LIMIT } from "../support/secrets.ts";
import { checkAnswer } from "./openapi-check.ts";

export { makeBeat, TEST_ADMIN_TOKEN, TEST_BEAT_LIMIT };

export const BASE = "https://seatwatch.test";

/** Every answer the tests receive is also checked against `GET /openapi.json` (openapi-check.ts). */
async function documentedFetch(request: Request): Promise<Response> {
  const response = await exports.default.fetch(request);
  await checkAnswer(request.method, request.url, response);
  return response;
}

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return documentedFetch(new Request(BASE + path, init));
}

export function admin(method: string, path: string, body?: unknown, token = TEST_ADMIN_TOKEN): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return call(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

export interface Enrolled {
  id: string;
  keys: KeyPair;
}

export async function enroll(id: string, policy: Record<string, unknown> = {}): Promise<Enrolled> {
  const keys = await generateKeyPair();
  const res = await admin("PUT", `/v1/hosts/${id}`, { publicKey: keys.publicKey, ...policy });
  expect(res.status, await res.clone().text()).toBe(201);
  return { id, keys };
}

let beatCounter = 0;

export interface SignOptions {
  id?: string;
  /** Unix seconds for webhook-timestamp; defaults to now. */
  timestamp?: number;
  /** Applied to the body after signing, to forge a change. */
  tamper?: (body: string) => string;
  headers?: Record<string, string>;
}

export async function signedBeat(
  host: Enrolled,
  beat: Partial<Beat> = {},
  options: SignOptions = {},
): Promise<Request> {
  const body = JSON.stringify(makeBeat({ host: host.id, ts: Date.now(), seq: ++beatCounter, ...beat }));
  const id = options.id ?? `beat_${beatCounter}_${crypto.randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = await signV1a(host.keys.privateKey, id, timestamp, body);
  return new Request(`${BASE}/v1/beats`, {
    method: "POST",
    // A spread of client addresses keeps unrelated tests out of each other's per-IP rate-limit bucket.
    headers: {
      "content-type": "application/json",
      "cf-connecting-ip": `203.0.113.${beatCounter % 250}`,
      ...signature,
      ...options.headers,
    },
    body: options.tamper ? options.tamper(body) : body,
  });
}

export async function sendBeat(host: Enrolled, beat: Partial<Beat> = {}, options: SignOptions = {}): Promise<Response> {
  return documentedFetch(await signedBeat(host, beat, options));
}

/** Every KV key with its value and metadata, to prove a rejected request wrote nothing. */
export async function kvSnapshot(): Promise<Record<string, { value: string | null; metadata: unknown }>> {
  const kv = env.SEATWATCH_KV;
  const out: Record<string, { value: string | null; metadata: unknown }> = {};
  let cursor: string | undefined;
  do {
    const page = await kv.list(cursor ? { cursor } : {});
    for (const key of page.keys) {
      out[key.name] = { value: await kv.get(key.name), metadata: key.metadata ?? null };
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

export async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<{ code: string; message: string }> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  return body.error;
}

/**
 * Time for one test file, driven explicitly. Start after the real clock, so the ledger's alarms
 * never fire on their own (tests run them); each test starts a day after the last, so hosts'
 * histories never meet.
 */
export function testClock(start: string): { at(ms: number): number; freshDay(): number } {
  let clock = Date.parse(start);
  const at = (ms: number): number => {
    vi.setSystemTime(ms);
    return ms;
  };
  return {
    at,
    freshDay: () => {
      clock += 86_400_000;
      return at(clock);
    },
  };
}
