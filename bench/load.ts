/**
 * Load and faults against the real Worker under `wrangler dev` (bounded, 127.0.0.1 only).
 * 1,000 simulated hosts, each with its own key, push signed beats at 10× the default keep-alive
 * rate (every 12 s instead of 120 s) for LOAD_SECONDS, with a bad-input storm mixed in (forged,
 * replayed, oversized). Checks: accepted = sent, zero 5xx, every bad request refused with its code,
 * and afterwards each host's stored beat is its last accepted one (the storm changed nothing).
 * Baseline: the same request schedule against a trivial route, measured first in the same run.
 *
 * Each simulated host sends from its own client address (cf-connecting-ip), as a real fleet does;
 * in production Cloudflare sets that header itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair, type KeyPair } from "../protocol/keys.ts";
import { MAX_BEAT_BYTES } from "../protocol/limits.ts";
import { signV1a } from "../protocol/signing.ts";
import { startDevWorker } from "../scripts/dev-worker.ts";
import { makeBeat } from "../test/support/beats.ts";

const HOSTS = Number(process.env.LOAD_HOSTS ?? 1000);
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 36);
const PERIOD_MS = 12_000; // 10× the default 120 s keep-alive
const TOKEN = "load-admin-token";

interface Host {
  id: string;
  keys: KeyPair;
  ip: string;
  seq: number;
  lastAccepted: Request | null;
  lastSeq: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(latencies: number[]): string {
  const s = [...latencies].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(1)} ms, p90 ${percentile(s, 90).toFixed(1)} ms, p99 ${percentile(s, 99).toFixed(1)} ms, max ${(s.at(-1) ?? 0).toFixed(1)} ms`;
}

async function signed(
  host: Host,
  url: string,
  overrides: Partial<ReturnType<typeof makeBeat>> = {},
  keys = host.keys,
): Promise<Request> {
  const ts = Date.now();
  const seq = ++host.seq;
  const body = JSON.stringify(makeBeat({ host: host.id, ts, seq, seats: 2, ...overrides }));
  const headers = await signV1a(keys.privateKey, `b_${host.id}_${seq}`, Math.floor(ts / 1000), body);
  return new Request(`${url}/v1/beats`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json", "cf-connecting-ip": host.ip },
    body,
  });
}

/** Runs `send(host)` for every host once per PERIOD_MS, spread evenly, for LOAD_SECONDS. */
async function schedule(hosts: Host[], send: (host: Host) => Promise<void>): Promise<void> {
  const start = performance.now();
  const pending: Promise<void>[] = [];
  const slot = PERIOD_MS / hosts.length;
  const total = Math.floor((LOAD_SECONDS * 1000) / slot);
  for (let i = 0; i < total; i++) {
    const due = start + i * slot;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(hosts[i % hosts.length] as Host));
  }
  await Promise.all(pending);
}

const state = mkdtempSync(join(tmpdir(), "seatwatch-load-"));
const worker = await startDevWorker({ persistTo: state, vars: { ADMIN_TOKEN: TOKEN } });
const url = worker.url;
try {
  console.log(`enrolling ${HOSTS} hosts …`);
  const hosts: Host[] = [];
  for (let i = 0; i < HOSTS; i++) {
    const keys = await generateKeyPair();
    const id = `load-${i}`;
    const res = await fetch(`${url}/v1/hosts/${id}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ publicKey: keys.publicKey, minSeats: 1 }),
    });
    if (res.status !== 201) throw new Error(`enroll ${id}: ${res.status} ${await res.text()}`);
    hosts.push({ id, keys, ip: `10.${(i >> 8) & 255}.${i & 255}.1`, seq: 0, lastAccepted: null, lastSeq: 0 });
  }

  const baseline: number[] = [];
  await schedule(hosts, async (host) => {
    const t = performance.now();
    const res = await fetch(`${url}/nothing`, { headers: { "cf-connecting-ip": host.ip } });
    await res.arrayBuffer();
    baseline.push(performance.now() - t);
  });

  const latencies: number[] = [];
  const refused = new Map<string, number>();
  let sent = 0;
  let accepted = 0;
  let serverErrors = 0;
  const storm = { sent: 0, refusedAsExpected: 0, unexpected: [] as string[] };
  let tick = 0;
  await schedule(hosts, async (host) => {
    const request = await signed(host, url);
    sent++;
    const t = performance.now();
    const res = await fetch(request.clone());
    const text = await res.text();
    latencies.push(performance.now() - t);
    if (res.status >= 500) serverErrors++;
    if (res.status === 202) {
      accepted++;
      host.lastAccepted = request;
      host.lastSeq = host.seq;
    } else {
      const code = (JSON.parse(text) as { error: { code: string } }).error.code;
      refused.set(code, (refused.get(code) ?? 0) + 1);
    }
    // Every 10th push, one bad request from the same address: forged, replayed or oversized.
    if (++tick % 10 !== 0) return;
    const kind = (["forged", "replayed", "oversized"] as const)[(tick / 10) % 3];
    let bad: Request;
    let expected: string;
    if (kind === "forged") {
      bad = await signed({ ...host }, url, {}, await generateKeyPair());
      expected = "invalid_signature";
    } else if (kind === "replayed" && host.lastAccepted) {
      bad = host.lastAccepted.clone();
      expected = "replayed";
    } else {
      bad = await signed({ ...host }, url, { commands: { pad: 1, ["x".repeat(60)]: 1 } });
      bad = new Request(bad.url, {
        method: "POST",
        headers: bad.headers,
        body: `${await bad.text()}${" ".repeat(MAX_BEAT_BYTES)}`,
      });
      expected = "payload_too_large";
    }
    storm.sent++;
    const res2 = await fetch(bad);
    const body2 = await res2.text();
    if (res2.status >= 500) serverErrors++;
    if (body2.includes(`"${expected}"`)) storm.refusedAsExpected++;
    else storm.unexpected.push(`${kind}: ${res2.status} ${body2.slice(0, 120)}`);
  });

  // The storm must have changed nothing: each host's stored beat is its last accepted one.
  let mismatched = 0;
  for (const host of hosts) {
    const detail = (await (await fetch(`${url}/v1/hosts/${host.id}`)).json()) as { lastBeat: { seq: number } | null };
    if ((detail.lastBeat?.seq ?? 0) !== host.lastSeq) mismatched++;
  }

  const b = [...baseline].sort((x, y) => x - y);
  const l = [...latencies].sort((x, y) => x - y);
  console.log(
    `load: ${HOSTS} hosts × every ${PERIOD_MS / 1000} s for ${LOAD_SECONDS} s (${(HOSTS / (PERIOD_MS / 1000)).toFixed(0)} beats/s)`,
  );
  console.log(`  baseline trivial route: ${summary(baseline)}`);
  console.log(`  signed beats:           ${summary(latencies)}`);
  console.log(
    `  ratio p50 ${(percentile(l, 50) / percentile(b, 50)).toFixed(2)}×, p99 ${(percentile(l, 99) / percentile(b, 99)).toFixed(2)}×`,
  );
  console.log(
    `  sent ${sent}, accepted ${accepted}, refused ${JSON.stringify(Object.fromEntries(refused))}, 5xx ${serverErrors}`,
  );
  console.log(`  bad-input storm: ${storm.sent} sent, ${storm.refusedAsExpected} refused with the expected code`);
  for (const line of storm.unexpected.slice(0, 5)) console.log(`    unexpected: ${line}`);
  console.log(`  hosts whose stored beat is not their last accepted one: ${mismatched}`);
  const ok = accepted === sent && serverErrors === 0 && storm.refusedAsExpected === storm.sent && mismatched === 0;
  console.log(ok ? "  PASS" : "  FAIL");
  process.exitCode = ok ? 0 : 1;
} finally {
  await worker.stop();
  rmSync(state, { recursive: true, force: true });
}
