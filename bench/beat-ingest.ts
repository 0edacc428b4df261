/**
 * CPU per accepted beat inside workerd (under `wrangler dev`), against a trivial route measured
 * in the same run. CPU is read from /proc for the workerd processes, so the client's signing
 * work is not counted. Bounded: ROUNDS × HOSTS beats, the same number of trivial requests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair, type KeyPair } from "../protocol/keys.ts";
import { signV1a } from "../protocol/signing.ts";
import { startDevWorker } from "../scripts/dev-worker.ts";
import { cpuMs } from "../scripts/proc.ts";
import { makeBeat } from "../test/support/beats.ts";

const HOSTS = 100;
const ROUNDS = 6;
const TOKEN = "bench-admin-token";

const state = mkdtempSync(join(tmpdir(), "seatwatch-bench-"));
const worker = await startDevWorker({ persistTo: state, vars: { ADMIN_TOKEN: TOKEN } });
try {
  const hosts: { id: string; keys: KeyPair }[] = [];
  for (let i = 0; i < HOSTS; i++) {
    const keys = await generateKeyPair();
    const id = `bench-${i}`;
    const res = await fetch(`${worker.url}/v1/hosts/${id}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ publicKey: keys.publicKey }),
    });
    if (res.status !== 201) throw new Error(`enroll ${id}: ${res.status} ${await res.text()}`);
    hosts.push({ id, keys });
  }
  const pids = worker.workerdPids();
  if (pids.length === 0) throw new Error("no workerd process found under wrangler dev");

  // Warm up both paths (isolate start, key cache) before measuring.
  await fetch(`${worker.url}/nothing`).then((r) => r.arrayBuffer());

  const n = HOSTS * ROUNDS;
  let cpu = cpuMs(pids);
  const wall = performance.now();
  for (let i = 0; i < n; i++) await fetch(`${worker.url}/nothing`).then((r) => r.arrayBuffer());
  const trivial = { cpu: cpuMs(pids) - cpu, wall: performance.now() - wall };

  const requests: Request[][] = [];
  let seq = 0;
  const t0 = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    const batch: Request[] = [];
    for (const host of hosts) {
      // Spread each host's beats ≥ 1 s apart (KV allows one write a second per key).
      const ts = t0 + round * 1100;
      const body = JSON.stringify(makeBeat({ host: host.id, ts, seq: ++seq, seats: round }));
      const headers = await signV1a(host.keys.privateKey, `b_${seq}`, Math.floor(ts / 1000), body);
      batch.push(
        new Request(`${worker.url}/v1/beats`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body,
        }),
      );
    }
    requests.push(batch);
  }

  let accepted = 0;
  cpu = cpuMs(pids);
  let beatWall = 0;
  for (const batch of requests) {
    const start = performance.now();
    for (const request of batch) {
      const res = await fetch(request);
      if (res.status === 202) {
        accepted++;
        await res.arrayBuffer();
      } else throw new Error(`beat ${accepted + 1} refused: ${res.status} ${await res.text()}`);
    }
    beatWall += performance.now() - start;
    // Each host's next beat must arrive ≥ 1 s after its last (KV's per-key write rate).
    await new Promise((r) => setTimeout(r, 1100));
  }
  const beats = { cpu: cpuMs(pids) - cpu, wall: beatWall };

  const per = (x: { cpu: number; wall: number }) => ({ cpu: x.cpu / n, wall: x.wall / n });
  const t = per(trivial);
  const b = per(beats);
  console.log(`beat ingest under wrangler dev (${n} requests each, ${HOSTS} hosts, workerd pids ${pids.join(",")})`);
  console.log(`  trivial route (404 JSON): ${t.cpu.toFixed(3)} ms CPU, ${t.wall.toFixed(3)} ms wall per request`);
  console.log(`  accepted beat (202):      ${b.cpu.toFixed(3)} ms CPU, ${b.wall.toFixed(3)} ms wall per request`);
  console.log(
    `  ratio beat/trivial:       ${(b.cpu / t.cpu).toFixed(2)}× CPU, ${(b.wall / t.wall).toFixed(2)}× wall; accepted ${accepted}/${n}`,
  );
} finally {
  await worker.stop();
  rmSync(state, { recursive: true, force: true });
}
