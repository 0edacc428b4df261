/**
 * `tsx bench/cron.ts` — issue 5's bench: a 10,000-host cron evaluation inside workerd (wall, CPU,
 * KV operations, ledger requests), with ratios against a naive per-host-read cron measured in the
 * same run. Runs bench/workerd/cron.bench.ts in the pool's workerd and formats its BENCH line.
 */
import { runWorkerdBench } from "./workerd.ts";

interface Figures {
  wallMs: number;
  cpuMs: number;
  kvOps: number;
}
interface Result {
  hosts: number;
  silent: number;
  seedMs: number;
  first: Figures & {
    kv: { list: Record<string, number>; get: number };
    report: { ledgerRequests: number; handed: number };
  };
  steady: Figures & { report: { ledgerRequests: number; handed: number } };
  naive: Figures & { sample: number; kv: { list: Record<string, number>; get: number } };
}

const r = (await runWorkerdBench("bench/workerd/cron.bench.ts")) as Result;
// The naive baseline was measured over a sample; its per-host reads scale linearly with the fleet.
const scale = r.hosts / r.naive.sample;
const naiveFull: Figures = {
  wallMs: Math.round(r.naive.wallMs * scale),
  cpuMs: Math.round(r.naive.cpuMs * scale),
  kvOps: r.naive.kv.get * scale + Math.ceil(r.hosts / 1000),
};
const ratio = (a: number, b: number) => (b === 0 ? "n/a" : `${(a / b).toFixed(1)}×`);
console.log(`cron evaluation, ${r.hosts} hosts (${r.silent} silent), seeded in ${(r.seedMs / 1000).toFixed(0)} s`);
console.log("run                           wall ms   workerd CPU ms   KV ops   ledger requests");
const row = (name: string, f: Figures, ledger: number | string) =>
  console.log(
    `${name.padEnd(29)} ${String(f.wallMs).padStart(7)}   ${String(f.cpuMs).padStart(14)}   ${String(f.kvOps).padStart(6)}   ${String(ledger).padStart(15)}`,
  );
row("first run", r.first, r.first.report.ledgerRequests);
row("steady run", r.steady, r.steady.report.ledgerRequests);
row(`naive (${r.naive.sample} measured, ×${scale})`, naiveFull, "-");
console.log(
  `KV list pages: cfg: ${r.first.kv.list["cfg:"]}, beat: ${r.first.kv.list["beat:"]}; per-host gets: ${r.first.kv.get}`,
);
console.log(
  `naive / seatwatch: KV ops ${ratio(naiveFull.kvOps, r.first.kvOps)}, wall ${ratio(naiveFull.wallMs, r.first.wallMs)}, CPU ${ratio(naiveFull.cpuMs, r.first.cpuMs)}`,
);
