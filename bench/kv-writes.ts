/**
 * `tsx bench/kv-writes.ts` — issues 6 and 13: KV writes per host-day at the default beacon push
 * rule (change-driven, keep-alive 120 s) against a beacon pushing every 60 s (1,440 a day), from a
 * simulated day of beats through the Worker's real fetch handler with the KV binding counted
 * (bench/workerd/kv-writes.bench.ts, inside workerd) — including agents flipping between working
 * and waiting every minute, whose changes ride the keep-alive unless they change the verdict.
 */
import { runWorkerdBench } from "./workerd.ts";

interface Day {
  beats: number;
  states: string[];
  rejected: Record<string, number>;
  kv: { list: Record<string, number>; get: number; getWithMetadata: number; put: number; delete: number };
}

const r = (await runWorkerdBench("bench/workerd/kv-writes.bench.ts")) as Record<string, Day>;
console.log("KV operations per host-day, through the real beat path");
console.log("profile                     beats   KV writes   KV reads   rejected   verdicts seen");
for (const [name, d] of Object.entries(r)) {
  const rejected = Object.entries(d.rejected)
    .map(([status, n]) => `${n}×${status}`)
    .join(" ");
  console.log(
    `${name.padEnd(26)} ${String(d.beats).padStart(6)}   ${String(d.kv.put).padStart(9)}   ${String(d.kv.get + d.kv.getWithMetadata).padStart(8)}   ${(rejected || "-").padEnd(8)}   ${d.states.join(" ")}`,
  );
}
for (const name of Object.keys(r).filter((n) => !n.endsWith("-naive"))) {
  const ours = r[name]?.kv.put ?? 0;
  const naive = r[`${name}-naive`]?.kv.put ?? 0;
  console.log(
    `${name}: ${ours} writes vs naive ${naive} → ${(ours / naive).toFixed(2)}× (${naive - ours} fewer a day)`,
  );
}
