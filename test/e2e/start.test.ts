/**
 * `npm start` as a newcomer runs it: in a fresh copy of the working tree (so nothing of this
 * checkout's .dev.vars, key or state is used or touched), with a tmux session holding an agent.
 * It must enroll this machine, run its beacon, print where everything is, and Ctrl-C must stop
 * every process it started.
 */
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort } from "../../scripts/dev-worker.ts";
import { descendants } from "../../scripts/proc.ts";
import { Lab } from "../beacon/lab.ts";
import { until } from "./harness.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const copy = mkdtempSync(join(tmpdir(), "seatwatch-start-"));
const lab = new Lab();

afterAll(() => {
  lab.cleanup();
  rmSync(copy, { recursive: true, force: true });
});

function freshCopy(): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT })
    .toString()
    .split("\0")
    .filter((f) => f && existsSync(join(ROOT, f)));
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(ROOT, file), join(copy, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
}

it("runs the whole product, enrolls this machine, and stops everything on Ctrl-C", async () => {
  freshCopy();
  const session = `start${process.pid}`;
  lab.start(["agent", "agent"], { session });
  const port = await freePort();
  const host = `start-${process.pid}`;
  const child = spawn("npm", ["start"], {
    cwd: copy,
    env: { ...process.env, PORT: String(port), SEATWATCH_HOST: host },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  try {
    await until("npm start to print its URLs", () => output.includes("Ctrl-C stops everything"), 120_000);
    const url = `http://127.0.0.1:${port}`;
    for (const path of ["/", "/v1/status?format=text", "/v1/check", `/badge/${host}.svg`, "/metrics"]) {
      expect(output).toContain(`${url}${path}`);
    }
    expect(readFileSync(join(copy, ".dev.vars"), "utf8")).toMatch(/^ADMIN_TOKEN=dev_/m);
    expect(existsSync(join(copy, ".seatwatch/key.pem"))).toBe(true);
    expect(output).toContain(`enrolled this machine as ${host}`);
    // The beacon's first push waits for --confirm samples (15 s apart by default).
    const seen = await until(
      "this machine's first beat",
      async () => {
        const detail = (await (await fetch(`${url}/v1/hosts/${host}`)).json()) as {
          lastSeen: string | null;
          seats: number;
        };
        return detail.lastSeen ? detail : undefined;
      },
      90_000,
    );
    expect(seen.seats).toBeGreaterThanOrEqual(2);
    const monitor = (await (await fetch(`${url}/v1/status`)).json()) as { monitor: { lastCronAt: string | null } };
    expect(monitor.monitor.lastCronAt).not.toBeNull();

    const started = descendants(child.pid as number);
    expect(started.length).toBeGreaterThan(3);
    process.kill(-(child.pid as number), "SIGINT");
    await exited;
    await until("every process npm start ran to be gone", () =>
      started.every((pid) => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ")),
    );
  } finally {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // Already stopped, as it should be.
    }
  }
});
