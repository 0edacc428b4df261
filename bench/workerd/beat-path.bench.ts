/**
 * Bench (issue 11): the beat path's own CPU inside workerd, apart from local KV. Local KV and the
 * local rate limiter are simulated inside workerd, so their work lands in workerd's CPU and
 * inflates what bench/beat-ingest.ts reports; in production they are services the Worker waits
 * on. Each round sends, through the Worker's real fetch handler, one batch of each:
 *   trivial   GET of an unknown route (404 JSON): the baseline
 *   refused   a beat for a cached host signed with the wrong key (401 at the signature)
 *   accepted  a fresh beat, storage and rate limiter held in isolate memory (202)
 *   real KV   a fresh beat with the pool's real local KV and rate limiter (202)
 * Batches interleave, so a busy machine slows every row alike. Run through `tsx bench/beat-path.ts`;
 * prints one `BENCH {json}` line.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inject, it, vi } from "vitest";
import { generateKeyPair } from "../../protocol/keys.ts";
import { BASE, type Enrolled, enroll, signedBeat } from "../../test/worker/helpers.ts";
import { CFG_PREFIX } from "../../worker/fleet/store.ts";
import worker from "../../worker/index.ts";

const HOSTS = 500;
const ROUNDS = 10;
/** KV accepts one write a second per key, and so does the beat path per host. */
const ROUND_MS = 1_100;

type Row = "trivial" | "refused" | "accepted" | "realKv";

async function cpuMs(): Promise<number> {
  const read = async () => ((await (await fetch(`${inject("receiverUrl")}/cpu`)).json()) as { ms: number }).ms;
  try {
    return await read();
  } catch {
    // A batch outlasts Node's 5 s keep-alive, so workerd may reuse a connection the receiver closed.
    return await read();
  }
}

/** The real namespace with `get` and `put` served from a Map, as the beat path calls them. */
function isolateKv(kv: KVNamespace): { kv: KVNamespace; values: Map<string, string> } {
  const values = new Map<string, string>();
  const get = async (key: string, options?: string | { type?: string }) => {
    const value = values.get(key);
    if (value === undefined) return null;
    const type = typeof options === "string" ? options : (options?.type ?? "text");
    return type === "json" ? JSON.parse(value) : value;
  };
  const put = async (key: string, value: string) => {
    values.set(key, value);
  };
  const proxy = new Proxy(kv, {
    get(target, prop) {
      if (prop === "get") return get;
      if (prop === "put") return put;
      return Reflect.get(target, prop);
    },
  });
  return { kv: proxy, values };
}

const allowAll: RateLimit = { limit: async () => ({ success: true }) };

let client = 0;
/** A beat from an address of its own, so the real per-address limit never answers 429 here. */
function fromNewAddress(host: Enrolled): Promise<Request> {
  client++;
  const ip = `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}`;
  return signedBeat(host, {}, { headers: { "cf-connecting-ip": ip } });
}

async function send(request: Request, bindings: typeof env, expected: number): Promise<void> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, bindings, ctx);
  await waitOnExecutionContext(ctx);
  if (res.status !== expected) throw new Error(`expected ${expected}, got ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

it("the beat path's CPU apart from local KV", { timeout: 900_000 }, async () => {
  // Tomorrow onwards, so no ledger alarm falls due on its own mid-run.
  let now = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000;
  vi.setSystemTime(now);
  const hosts: Enrolled[] = [];
  for (let i = 0; i < HOSTS; i++) hosts.push(await enroll(`path-${i}`));
  const wrong = await generateKeyPair();
  const isolated = isolateKv(env.SEATWATCH_KV);
  for (const host of hosts) {
    isolated.values.set(CFG_PREFIX + host.id, (await env.SEATWATCH_KV.get(CFG_PREFIX + host.id)) ?? "");
  }
  const inMemory = { ...env, SEATWATCH_KV: isolated.kv, BEAT_LIMITER: allowAll };

  // A first beat per host on both sides: it loads the host cache and tells the ledger, as a new host does once.
  for (const host of hosts) {
    await send(await signedBeat(host), inMemory, 202);
    await send(await fromNewAddress(host), env, 202);
  }

  const cpu: Record<Row, number> = { trivial: 0, refused: 0, accepted: 0, realKv: 0 };
  const measure = async (row: Row, requests: Request[], bindings: typeof env, expected: number) => {
    const before = await cpuMs();
    for (const request of requests) await send(request, bindings, expected);
    cpu[row] += (await cpuMs()) - before;
  };
  for (let round = 0; round < ROUNDS; round++) {
    now += ROUND_MS;
    vi.setSystemTime(now);
    // Signing is the beacon's work: done before the clock on workerd's CPU starts.
    const trivial = hosts.map(() => new Request(`${BASE}/nothing`));
    const refused = await Promise.all(hosts.map((host) => signedBeat({ id: host.id, keys: wrong })));
    const accepted = await Promise.all(hosts.map((host) => signedBeat(host)));
    const realKv = await Promise.all(hosts.map(fromNewAddress));
    await measure("trivial", trivial, env, 404);
    await measure("refused", refused, inMemory, 401);
    await measure("accepted", accepted, inMemory, 202);
    await measure("realKv", realKv, env, 202);
  }
  vi.useRealTimers();
  console.log(`BENCH ${JSON.stringify({ requests: HOSTS * ROUNDS, cpuMs: cpu })}`);
});
