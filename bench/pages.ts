/**
 * `tsx bench/pages.ts` — issue 15's bench: host page CPU in workerd against the dashboard's (and a
 * 404 as the baseline, all measured in the same run), and KV operations per dashboard refresh
 * before and after the shared fleet cache. Runs bench/workerd/pages.bench.ts inside workerd.
 */
import { runWorkerdBench } from "./workerd.ts";

interface Result {
  fleet: number;
  rounds: number;
  perRequest: Record<string, { cpuMs: number; wallMs: number }>;
  probeCpuMs: number;
  before: { lists: number; list: Record<string, number>; get: number };
  after: { tabs: number; loads: number; lists: number; kv: { list: Record<string, number>; get: number } }[];
}

const r = (await runWorkerdBench("bench/workerd/pages.bench.ts")) as Result;
const cpu = (name: string) => Math.max(0, (r.perRequest[name]?.cpuMs ?? Number.NaN) - r.probeCpuMs);
const base = cpu("404 (baseline)");
console.log(
  `CPU per request in workerd (${r.rounds} rounds interleaved, ${r.fleet}-host fleet; CPU probe ${r.probeCpuMs.toFixed(2)} ms subtracted)`,
);
for (const [name, f] of Object.entries(r.perRequest)) {
  console.log(
    `  ${name.padEnd(28)} ${cpu(name).toFixed(2).padStart(6)} ms CPU  ${f.wallMs.toFixed(1).padStart(6)} ms wall  ${(cpu(name) / base).toFixed(1)}× the 404`,
  );
}
console.log(
  `  host page / dashboard: ${(cpu("host page") / cpu("dashboard, listing shared")).toFixed(2)}× (shared listing), ${(cpu("host page") / cpu("dashboard, listing cold")).toFixed(2)}× (cold)`,
);

const day = (perHour: number) => Math.round(perHour * 24).toLocaleString("en");
console.log(`KV operations per dashboard refresh, ${r.fleet} hosts, refresh every 30 s`);
console.log(
  `  before the cache: ${r.before.lists} lists (${Object.entries(r.before.list)
    .map(([p, n]) => `${p} ${n}`)
    .join(", ")}) + ${r.before.get} bulk reads per refresh`,
);
for (const a of r.after) {
  const beforeLists = r.before.lists * a.loads;
  console.log(
    `  after, ${String(a.tabs).padStart(2)} tab${a.tabs === 1 ? " " : "s"} for an hour: ${a.loads} loads, ${a.lists} lists (${(a.lists / a.loads).toFixed(2)} a load; ${day(a.lists)} a day vs ${day(beforeLists)} before: ${(beforeLists / a.lists).toFixed(1)}× fewer), ${a.kv.get} bulk reads`,
  );
}
