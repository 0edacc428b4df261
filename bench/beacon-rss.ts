/**
 * Resident memory of the built beacon's `run` (dist/seatwatch-beacon.cjs, what hosts install), run
 * as the systemd unit runs it (node with DAEMON_NODE_FLAGS), after a long run at the default 15 s
 * sample, against an idle `node -e` process started alongside it, now and at peak (VmHWM), and the
 * size of the built file. The beacon observes a private tmux server with 4 agent panes and
 * pushes to an accepting Worker fake on 127.0.0.1 (memory is the beacon's, not the Worker's).
 * SEATWATCH_BENCH_RSS_SECONDS shortens the run (default 600, the figure the notes report).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DAEMON_NODE_FLAGS } from "../beacon/unit.ts";
import { BEACON_FILE, buildBeacon } from "../scripts/build-beacon.ts";

const SECONDS = Number(process.env.SEATWATCH_BENCH_RSS_SECONDS ?? 600);
const TMUX = "/usr/bin/tmux";

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

const mib = (n: number) => `${n.toFixed(1)} MiB`;

async function main(): Promise<void> {
  const size = await buildBeacon();
  const dir = mkdtempSync(join(tmpdir(), "seatwatch-bench-rss-"));
  const socket = join(dir, "sock");
  const args = ["-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "bench", "sleep 3600"];
  for (let i = 1; i < 4; i += 1) args.push(";", "new-window", "-d", "-t", "bench", "sleep 3600");
  execFileSync(TMUX, args);
  const tmuxPid = Number(execFileSync(TMUX, ["-S", socket, "display", "-p", "#{pid}"]).toString().trim());

  let pushes = 0;
  const worker = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      pushes += 1;
      res.writeHead(202, { "content-type": "application/json" });
      res.end(JSON.stringify({ accepted: true, state: "up", reason: null, minSeats: 1 }));
    });
  });
  await new Promise<void>((resolve) => worker.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(worker.address() as AddressInfo).port}`;

  const key = join(dir, "key.pem");
  execFileSync(process.execPath, [BEACON_FILE, "keygen", "--key", key], { stdio: "ignore" });
  const children: ChildProcess[] = [];
  try {
    const beacon = spawn(
      process.execPath,
      [
        ...DAEMON_NODE_FLAGS,
        BEACON_FILE,
        "run",
        "--json",
        "--url",
        url,
        "--key",
        key,
        "--host",
        "bench",
        "--tmux",
        TMUX,
        "--socket",
        socket,
      ],
      { cwd: dir, env: { PATH: process.env.PATH, RUNTIME_DIRECTORY: dir }, stdio: ["ignore", "pipe", "inherit"] },
    );
    // The same environment as the beacon's: a NODE_EXTRA_CA_CERTS inherited by one side only moves RSS by ~2 MiB.
    const idle = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], {
      env: { PATH: process.env.PATH },
      stdio: "ignore",
    });
    children.push(beacon, idle);
    let samples = 0;
    createInterface({ input: beacon.stdout }).on("line", (line) => {
      if (line.includes('"event":"sample"')) samples += 1;
    });

    process.stdout.write(`built file ${BEACON_FILE}: ${size} bytes (${(size / 1024).toFixed(1)} KiB)\n`);
    process.stdout.write(
      `running ${SECONDS} s at the default 15 s sample (pinned to a 4-pane tmux server), node ${DAEMON_NODE_FLAGS.join(" ")}\n`,
    );
    process.stdout.write("   t s  beacon RSS   idle node RSS\n");
    const started = Date.now();
    for (let t = 60; ; t += 60) {
      const wait = Math.min(t, SECONDS) * 1000 - (Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
      if (beacon.exitCode !== null) throw new Error(`the beacon exited with ${beacon.exitCode}`);
      const b = memory(beacon.pid as number);
      const i = memory(idle.pid as number);
      process.stdout.write(
        `${String(Math.min(t, SECONDS)).padStart(6)}  ${mib(b.rss).padStart(10)}  ${mib(i.rss).padStart(14)}\n`,
      );
      if (t >= SECONDS) {
        process.stdout.write(
          `after ${SECONDS} s: beacon RSS ${mib(b.rss)} (peak ${mib(b.peak)}), idle node -e RSS ${mib(i.rss)} (peak ${mib(i.peak)}); ratio ${(b.rss / i.rss).toFixed(2)}x, peak ratio ${(b.peak / i.peak).toFixed(2)}x; beacon over idle node ${mib(b.rss - i.rss)}; ${samples} samples, ${pushes} pushes accepted\n`,
        );
        break;
      }
    }
  } finally {
    for (const child of children) child.kill("SIGTERM");
    process.kill(tmuxPid, "SIGKILL");
    worker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
