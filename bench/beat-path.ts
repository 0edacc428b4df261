/**
 * `tsx bench/beat-path.ts` — issue 11's bench: CPU per request of the beat path inside workerd,
 * refused at the signature and accepted with storage in isolate memory, against a trivial route
 * measured in the same run; and the accepted beat with real local KV, whose simulation runs inside
 * workerd too. Runs bench/workerd/beat-path.bench.ts in the pool's workerd and formats its BENCH line.
 */
import { runWorkerdBench } from "./workerd.ts";

interface Result {
  requests: number;
  cpuMs: { trivial: number; refused: number; accepted: number; realKv: number };
}

const r = (await runWorkerdBench("bench/workerd/beat-path.bench.ts")) as Result;
const per = (ms: number) => ms / r.requests;
const trivial = per(r.cpuMs.trivial);
const rows: [string, number][] = [
  ["trivial route (404 JSON)", r.cpuMs.trivial],
  ["beat refused at signature (401)", r.cpuMs.refused],
  ["beat accepted, KV in memory (202)", r.cpuMs.accepted],
  ["beat accepted, local KV (202)", r.cpuMs.realKv],
];
console.log(`beat path inside workerd, workerd CPU per request (${r.requests} requests a row, interleaved)`);
for (const [name, ms] of rows) {
  console.log(`  ${name.padEnd(34)} ${per(ms).toFixed(3)} ms   ${(per(ms) / trivial).toFixed(2)}× trivial`);
}
const kvShare = (r.cpuMs.realKv - r.cpuMs.accepted) / r.cpuMs.realKv;
console.log(
  `  local KV and rate limiter simulation: ${(kvShare * 100).toFixed(0)} % of the accepted beat's workerd CPU`,
);
