/**
 * One beacon sample (auto mode: /proc discovery + strict list-panes + seat count + beat) against
 * a bare `tmux list-panes -a` exec, on one private server with 1, 50 and 200 panes; and the sample
 * with seats at work (DESIGN §3a: each seat's process tree from /proc, its marks, its judgement, as
 * `run` takes it with the tracker warm) against the sample without, the goal being ≤ 1.3×.
 * CPU is the beacon process's own (process.cpuUsage) plus its reaped children's (cutime + cstime
 * from /proc/self/stat, clock-tick resolution); the tmux server's own work is in neither.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { DEFAULT_ACTIVE_WINDOW_SECONDS, DEFAULT_BUSY_CPU_PERCENT } from "../beacon/limits.ts";
import { newIdentity, type SampleActivity, takeSample } from "../beacon/sample.ts";
import { ActivityTracker } from "../beacon/seat-activity.ts";
import { createTmuxObserver } from "../beacon/tmux/observer.ts";

const TMUX = "/usr/bin/tmux";
const SIZES = [1, 50, 200];
/** Samples per size and side; alternated so drift hits both sides alike. */
const ROUNDS = 30;
const run$ = promisify(execFile);
const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());

function childCpuMs(): number {
  // Fields after the ")" of comm: state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

interface Cost {
  wallMs: number;
  cpuMs: number;
}

async function measure(action: () => Promise<unknown>): Promise<Cost> {
  const cpu = process.cpuUsage();
  const children = childCpuMs();
  const start = performance.now();
  await action();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 + (childCpuMs() - children) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function startServer(socket: string, panes: number): number {
  const args = ["-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "bench", "sleep 3600"];
  for (let i = 1; i < panes; i += 1) args.push(";", "new-window", "-d", "-t", "bench", "sleep 3600");
  execFileSync(TMUX, args);
  return Number(execFileSync(TMUX, ["-S", socket, "display", "-p", "-t", "bench", "#{pid}"]).toString().trim());
}

async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "seatwatch-bench-"));
  const processes = execFileSync("sh", ["-c", "ls -d /proc/[0-9]* | wc -l"]).toString().trim();
  process.stdout.write(`rounds ${ROUNDS} per side; ${processes} processes on this box (auto mode scans their comm)\n`);
  process.stdout.write(
    "panes  baseline wall/cpu ms  sample wall/cpu ms  ratio wall  ratio cpu  | +activity wall/cpu ms  ratio wall  ratio cpu\n",
  );
  for (const panes of SIZES) {
    const socket = join(dir, `sock-${panes}`);
    const pid = startServer(socket, panes);
    try {
      const observer = createTmuxObserver({ kind: "auto", uid: null, scopeLabel: "bench", only: (s) => s.pid === pid });
      const identity = newIdentity("bench");
      const rule = { countShells: false };
      const check = await takeSample(observer, rule, identity, 0);
      if (check.beat.observed !== "ok" || check.beat.seats !== panes) {
        throw new Error(`bench sample saw ${check.beat.seats} seats (${check.beat.reason ?? "ok"}), expected ${panes}`);
      }
      const activity: SampleActivity = {
        tracker: new ActivityTracker({
          activeWindowMs: DEFAULT_ACTIVE_WINDOW_SECONDS * 1000,
          busyCpuPercent: DEFAULT_BUSY_CPU_PERCENT,
          waitingPattern: null,
          freshIntervalMs: 0,
          env: process.env,
        }),
        seatList: true,
      };
      // Warm: every pane has an earlier reading, as in `run` after its first sample.
      const warm = await takeSample(observer, rule, identity, 0, activity);
      if (warm.beat.activity?.quiet !== panes && warm.beat.activity?.working !== panes) {
        throw new Error(`bench activity judged ${JSON.stringify(warm.beat.activity)} for ${panes} sleeping panes`);
      }
      const base: Cost[] = [];
      const sample: Cost[] = [];
      const withActivity: Cost[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        base.push(await measure(() => run$(TMUX, ["-S", socket, "list-panes", "-a"])));
        sample.push(await measure(() => takeSample(observer, rule, identity, round)));
        withActivity.push(await measure(() => takeSample(observer, rule, identity, round, activity)));
      }
      const bw = median(base.map((c) => c.wallMs));
      const sw = median(sample.map((c) => c.wallMs));
      const bc = mean(base.map((c) => c.cpuMs));
      const sc = mean(sample.map((c) => c.cpuMs));
      const aw = median(withActivity.map((c) => c.wallMs));
      const ac = mean(withActivity.map((c) => c.cpuMs));
      const ratio = (a: number, b: number, width: number) => `${(a / b).toFixed(2).padStart(width)}x`;
      process.stdout.write(
        `${String(panes).padStart(5)}  ${bw.toFixed(2).padStart(8)} / ${bc.toFixed(2).padStart(6)}    ${sw.toFixed(2).padStart(8)} / ${sc.toFixed(2).padStart(6)}   ${ratio(sw, bw, 8)}  ${ratio(sc, bc, 7)}  | ${aw.toFixed(2).padStart(9)} / ${ac.toFixed(2).padStart(6)}     ${ratio(aw, sw, 8)}  ${ratio(ac, sc, 7)}\n`,
      );
    } finally {
      process.kill(pid, "SIGKILL");
    }
  }
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    "wall: median; cpu: mean of beacon process + reaped children; +activity ratios are against the sample without it\n",
  );
}
await run();
