/**
 * Calibrates `--busy-cpu` (DESIGN §3a, README "Seats at work"): real processes in real tmux panes,
 * each pane's process tree read the way the beacon reads it (beacon/proc.ts processTree), and its
 * CPU share printed per 1 s interval (what `once` measures) and per 15 s interval (`run`'s default
 * sample), with whether tmux saw the window print in the last second (`window_activity`).
 * The idle group (a sleep, shells and REPLs at their prompt, a `read`) must stay below the threshold
 * and print nothing; the work group (a loop) must stay above it; spinners must show output (their
 * CPU is too small to tell from an idle Node, which is why output is evidence of its own).
 * SEATWATCH_BENCH_CPU_SECONDS sets the run (default 60: 60 one-second and 4 fifteen-second intervals).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_BUSY_CPU_PERCENT } from "../beacon/limits.ts";
import { processTree, TICKS_PER_SECOND } from "../beacon/proc.ts";

const TMUX = "/usr/bin/tmux";
const SECONDS = Number(process.env.SEATWATCH_BENCH_CPU_SECONDS ?? 60);

const PROCESSES: { name: string; group: "idle" | "work" | "spinner"; command: string }[] = [
  { name: "sleep", group: "idle", command: "sleep 3600" },
  { name: "bash at its prompt", group: "idle", command: "bash --norc --noprofile" },
  { name: "python3 REPL at its prompt", group: "idle", command: "python3 -q" },
  { name: "node REPL at its prompt", group: "idle", command: "node" },
  { name: "sh waiting in read", group: "idle", command: "sh -c 'read answer'" },
  { name: "busy loop", group: "work", command: "sh -c 'while :; do :; done'" },
  {
    name: "sh spinner (printf + sleep 0.1)",
    group: "spinner",
    command: `sh -c 'while :; do for c in - / "|"; do printf "\\r%s" "$c"; sleep 0.1; done; done'`,
  },
  {
    name: "node spinner (setInterval 100 ms)",
    group: "spinner",
    command: `node -e 'let i=0;setInterval(()=>process.stdout.write("\\r"+"-/|"[i++%3]),100)'`,
  },
];

function treeTicks(pid: number): Map<number, number> {
  return new Map(processTree(pid).map((stat) => [stat.pid, stat.cpuTicks]));
}

/** CPU ticks between two readings, per process (one that exited took its ticks with it; one that started counts whole). */
function grown(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, now] of after) ticks += Math.max(0, now - (before.get(pid) ?? 0));
  return ticks;
}

/** Each window's `window_activity` (unix seconds), in window order. */
function activities(socket: string): number[] {
  return execFileSync(TMUX, ["-S", socket, "list-windows", "-t", "cpu", "-F", "#{window_activity}"])
    .toString()
    .trim()
    .split("\n")
    .map(Number);
}

const percent = (ticks: number, seconds: number) => (ticks * 100) / TICKS_PER_SECOND / seconds;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "seatwatch-bench-cpu-"));
  const socket = join(dir, "sock");
  const args = ["-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "cpu", "-x", "120", "-y", "40"];
  args.push(PROCESSES[0]?.command ?? "");
  for (const p of PROCESSES.slice(1)) args.push(";", "new-window", "-d", "-t", "cpu", p.command);
  execFileSync(TMUX, args);
  const server = Number(execFileSync(TMUX, ["-S", socket, "display", "-p", "#{pid}"]).toString().trim());
  try {
    // Let REPLs finish starting up: their start-up is work, their prompt is not.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const panePids = execFileSync(TMUX, ["-S", socket, "list-panes", "-s", "-t", "cpu", "-F", "#{pane_pid}"])
      .toString()
      .trim()
      .split("\n")
      .map(Number);
    const perSecond: number[][] = PROCESSES.map(() => []);
    const perWindow: number[][] = PROCESSES.map(() => []);
    /** Seconds in which tmux saw the window print (window_activity within the last second). */
    const printed: number[] = PROCESSES.map(() => 0);
    let windowStart = panePids.map(treeTicks);
    let last = windowStart;
    for (let second = 1; second <= SECONDS; second += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = panePids.map(treeTicks);
      now.forEach((ticks, i) => {
        perSecond[i]?.push(grown(last[i] ?? new Map(), ticks));
      });
      last = now;
      if (second % 15 === 0) {
        now.forEach((ticks, i) => {
          perWindow[i]?.push(grown(windowStart[i] ?? new Map(), ticks));
        });
        windowStart = now;
      }
      const nowSeconds = Math.floor(Date.now() / 1000);
      activities(socket).forEach((at, i) => {
        if (nowSeconds - at <= 1) printed[i] = (printed[i] ?? 0) + 1;
      });
    }
    const threshold = DEFAULT_BUSY_CPU_PERCENT;
    process.stdout.write(
      `${SECONDS} s; CPU of each pane's process tree as % of one core (1 tick = ${percent(1, 1)} % of 1 s); --busy-cpu default ${threshold} %\n`,
    );
    process.stdout.write(
      "process                              group    1 s: min/median/max %  15 s: min/max %  printed  ok\n",
    );
    let wrong = 0;
    PROCESSES.forEach((p, i) => {
      const seconds = [...(perSecond[i] ?? [])].sort((a, b) => a - b).map((t) => percent(t, 1));
      const windows = (perWindow[i] ?? []).map((t) => percent(t, 15));
      const all = [...seconds, ...windows];
      const output = printed[i] ?? 0;
      const ok =
        p.group === "idle"
          ? all.every((v) => v < threshold) && output === 0
          : p.group === "work"
            ? all.every((v) => v >= threshold)
            : output === SECONDS;
      if (!ok) wrong += 1;
      const median = seconds[Math.floor(seconds.length / 2)] ?? 0;
      const oneSecond = [seconds[0] ?? 0, median, seconds.at(-1) ?? 0].map((v) => v.toFixed(1)).join(" / ");
      const fifteen = [Math.min(...windows), Math.max(...windows)].map((v) => v.toFixed(2)).join(" / ");
      process.stdout.write(
        `${p.name.padEnd(36)} ${p.group.padEnd(7)}  ${oneSecond.padStart(20)}  ${fifteen.padStart(15)}  ${`${output}/${SECONDS}`.padStart(7)}  ${ok ? "✓" : "✗"}\n`,
      );
    });
    process.stdout.write(
      wrong === 0
        ? "idle below the threshold and silent, work above it, spinners seen printing: ✓\n"
        : `${wrong} processes on the wrong side\n`,
    );
  } finally {
    process.kill(server, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}
await main();
