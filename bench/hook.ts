/**
 * What one seatwatch hook costs the agent that runs it (DESIGN §3a: "a few ms, no Node start-up"):
 * the installed command, run the way Claude Code runs hooks — `/bin/sh -c COMMAND`, detached from
 * the terminal, the event's JSON on stdin, inside a tmux pane — against `/bin/sh -c /bin/true` run
 * the same way, and against `node -e 0` (the floor of any hook that starts Node). Calls alternate
 * A B C A B C … so drift hits all alike. Wall: median per call; CPU: the children's user + system
 * (cutime + cstime of this process), summed per side over every call, per call.
 * The measuring half runs inside a private tmux pane, so the hook finds a terminal above it as it
 * would under Claude Code; the outer half starts that pane and prints what it measured.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { claudeHooks } from "../beacon/claude-hooks.ts";
import { HOOK_SCRIPT_NAME, writeHookScript } from "../beacon/hook-script.ts";

const TMUX = "/usr/bin/tmux";
const ROUNDS = Number(process.env.SEATWATCH_BENCH_HOOK_ROUNDS ?? 200);
const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());
/** A PostToolUse payload of a typical size (the tool's output rides along). */
const INPUT = JSON.stringify({
  session_id: "bench",
  transcript_path: "/dev/null",
  cwd: "/tmp",
  hook_event_name: "PostToolUse",
  tool_name: "Bash",
  tool_input: { command: "npm test" },
  tool_response: { stdout: "x".repeat(4096) },
});

function childCpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

/** One hook call as Claude Code makes it; resolves with its wall time in ms. */
function call(command: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn("/bin/sh", ["-c", command], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
    child.stdin.on("error", () => {});
    child.stdin.end(INPUT);
    child.on("error", reject);
    child.on("exit", () => resolve(performance.now() - start));
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function measureInPane(dir: string): Promise<void> {
  const script = join(dir, HOOK_SCRIPT_NAME);
  writeHookScript(script);
  const hook = claudeHooks(script).PostToolUse?.[0]?.hooks[0]?.command ?? "";
  const sides = [
    { name: "seatwatch hook (PostToolUse)", command: hook },
    { name: "/bin/true", command: "/bin/true" },
    { name: "node -e 0", command: `${process.execPath} -e 0` },
  ];
  const walls = sides.map((): number[] => []);
  const cpus = sides.map(() => 0);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [i, side] of sides.entries()) {
      const before = childCpuMs();
      walls[i]?.push(await call(side.command));
      cpus[i] = (cpus[i] ?? 0) + childCpuMs() - before;
    }
  }
  const rows = sides.map((side, i) => ({
    name: side.name,
    wallMs: median(walls[i] ?? []),
    cpuMs: (cpus[i] ?? 0) / ROUNDS,
  }));
  writeFileSync(join(dir, "result.json"), JSON.stringify(rows));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "seatwatch-bench-hook-"));
  const socket = join(dir, "sock");
  const runtime = join(dir, "xdg");
  execFileSync("mkdir", ["-m", "700", runtime]);
  const self = fileURLToPath(import.meta.url);
  const inner = `XDG_RUNTIME_DIR=${runtime} ${process.execPath} --import tsx ${self} --in-pane ${dir} 2> ${dir}/err`;
  execFileSync(TMUX, ["-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "bench", inner], {
    env: { ...process.env, TMUX: "" },
  });
  const server = Number(execFileSync(TMUX, ["-S", socket, "display", "-p", "#{pid}"]).toString().trim());
  try {
    const result = join(dir, "result.json");
    const until = Date.now() + 600_000;
    while (!existsSync(result)) {
      if (Date.now() > until) throw new Error(`no result from the pane: ${readFileSync(join(dir, "err"), "utf8")}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const marks = join(runtime, "seatwatch", "marks", `${server}_0`);
    if (!readFileSync(marks, "utf8").includes("state working")) throw new Error("the hook wrote no mark: not measured");
    const rows: { name: string; wallMs: number; cpuMs: number }[] = JSON.parse(readFileSync(result, "utf8"));
    const truth = rows[1] as { wallMs: number; cpuMs: number };
    process.stdout.write(
      `${ROUNDS} calls per side, each /bin/sh -c COMMAND detached with ${INPUT.length} bytes of JSON on stdin, in a tmux pane (the mark was written: ${statSync(marks).size} bytes)\n`,
    );
    process.stdout.write("command                          wall ms (median)  cpu ms (mean)  vs /bin/true wall  cpu\n");
    for (const row of rows) {
      process.stdout.write(
        `${row.name.padEnd(32)} ${row.wallMs.toFixed(2).padStart(16)}  ${row.cpuMs.toFixed(2).padStart(13)}  ${(row.wallMs / truth.wallMs).toFixed(2).padStart(16)}x  ${(row.cpuMs / truth.cpuMs).toFixed(2)}x\n`,
      );
    }
  } finally {
    process.kill(server, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--in-pane") await measureInPane(process.argv[3] as string);
else await main();
