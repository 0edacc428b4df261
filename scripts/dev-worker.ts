/**
 * Runs the Worker locally under `wrangler dev` on 127.0.0.1: used by `npm start`, the benches and
 * the end-to-end tests. State persists under `persistTo`, so a restart keeps hosts and beats.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { workerdDescendants } from "./proc.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WRANGLER = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));
/** wrangler dev bundles and boots workerd; on a busy 2-core machine that can take a while. */
const READY_TIMEOUT_MS = 60_000;

export interface DevWorkerOptions {
  port?: number;
  persistTo: string;
  vars?: Record<string, string>;
  /** Echo wrangler's output (npm start) instead of keeping it for error messages (tests). */
  inherit?: boolean;
}

export interface DevWorker {
  url: string;
  port: number;
  process: ChildProcess;
  /** Pids of the workerd processes serving this Worker (for CPU accounting). */
  workerdPids(): number[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startDevWorker(options: DevWorkerOptions): Promise<DevWorker> {
  const port = options.port ?? (await freePort());
  const args = [
    WRANGLER,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    options.persistTo,
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    "--log-level",
    options.inherit ? "info" : "warn",
  ];
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push("--var", `${name}:${value}`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: options.inherit ? "inherit" : ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output = (output + chunk).slice(-8000);
  });
  child.stderr?.on("data", (chunk) => {
    output = (output + chunk).slice(-8000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      process.kill(-(child.pid as number), "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/v1/check`);
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`wrangler dev did not answer on ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url,
    port,
    process: child,
    workerdPids: () => workerdDescendants(child.pid as number),
    stop,
  };
}

/** The cron expression in wrangler.toml; `wrangler dev` never fires it on its own. */
export const CRON = "* * * * *";

/** Runs the Worker's scheduled handler once with `scheduledTime = time` (needs --test-scheduled). */
export async function triggerCron(url: string, time = Date.now()): Promise<void> {
  const res = await fetch(`${url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(CRON)}&time=${time}`);
  const text = await res.text();
  if (!res.ok)
    throw new Error(`cron run at ${new Date(time).toISOString()} failed: ${res.status} ${text.slice(0, 200)}`);
}
