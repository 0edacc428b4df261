/**
 * Start-up of the built beacon (dist/seatwatch-beacon.cjs, what hosts install): `--help` against a
 * bare `node -e 0`, the goal being ≤ 1.2×; `mark working` (outside tmux, so it writes nothing) is
 * shown too, as agents' hooks may start it. Each pair runs A then B back to back, and the ratio is
 * taken pair by pair, so a machine whose speed drifts moves both sides alike; the median is quoted.
 * CPU is the reaped children's (cutime + cstime from /proc/self/stat), summed over all runs of a side,
 * as one run is only a few clock ticks. Both sides get an environment of PATH alone: a
 * NODE_EXTRA_CA_CERTS naming the system bundle adds ~45 ms of certificate parsing to every node
 * start, the baseline's too, and would hide most of the difference.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { BEACON_FILE, buildBeacon } from "../scripts/build-beacon.ts";

const PAIRS = Number(process.env.SEATWATCH_BENCH_START_PAIRS ?? 40);
const WARMUP = 3;
const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());

function childCpuMs(): number {
  // Fields after the ")" of comm: state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

interface Run {
  wallMs: number;
  cpuMs: number;
}

function once(args: string[]): Run {
  const cpu = childCpuMs();
  const started = process.hrtime.bigint();
  // Output through a pipe, as a shell or a script reading it would; an empty environment but PATH.
  const result = spawnSync(process.execPath, args, {
    env: { PATH: process.env.PATH },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return { wallMs, cpuMs: childCpuMs() - cpu };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function compare(label: string, a: string[], b: string[]): void {
  for (let i = 0; i < WARMUP; i += 1) {
    once(a);
    once(b);
  }
  const ratios: number[] = [];
  const as: Run[] = [];
  const bs: Run[] = [];
  for (let i = 0; i < PAIRS; i += 1) {
    const ra = once(a);
    const rb = once(b);
    as.push(ra);
    bs.push(rb);
    ratios.push(ra.wallMs / rb.wallMs);
  }
  const sum = (runs: Run[]) => runs.reduce((total, run) => total + run.cpuMs, 0);
  process.stdout.write(
    `${label.padEnd(28)} wall median ${median(as.map((r) => r.wallMs)).toFixed(1)} ms vs ${median(bs.map((r) => r.wallMs)).toFixed(1)} ms; ` +
      `ratio (median of ${PAIRS} pairs) ${median(ratios).toFixed(2)}x [${Math.min(...ratios).toFixed(2)} … ${Math.max(...ratios).toFixed(2)}]; ` +
      `cpu ${(sum(as) / PAIRS).toFixed(1)} vs ${(sum(bs) / PAIRS).toFixed(1)} ms a run, ${(sum(as) / sum(bs)).toFixed(2)}x\n`,
  );
}

const size = await buildBeacon();
process.stdout.write(`built file ${BEACON_FILE}: ${(size / 1024).toFixed(1)} KiB; baseline: node -e 0, same run\n`);
compare("--help vs node -e 0", [BEACON_FILE, "--help"], ["-e", "0"]);
compare("mark working vs node -e 0", [BEACON_FILE, "mark", "working"], ["-e", "0"]);
