/**
 * What the CLI's live tests share: the real Worker under `wrangler dev` (one per test file), a
 * counting proxy in front of it — so a test sees every request the CLI sends, as the Worker
 * receives it — a webhook receiver, and the CLI itself, built once into the file `bin` runs.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAdmin } from "../../scripts/build-admin.ts";
import { type LiveWorker, startLiveWorker } from "../support/live-worker.ts";

export interface Seen {
  method: string;
  path: string;
}

export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Default: the rig's directory, which has no .dev.vars. */
  cwd?: string;
  /** Called with stdout as it grows, while the CLI runs. */
  onStdout?: (stdout: string) => void;
}

export interface Rig {
  worker: LiveWorker;
  /** The address the CLI is given: the proxy, which forwards to the Worker. */
  url: string;
  dir: string;
  /** Every request that reached the Worker through the proxy, in order. */
  seen: Seen[];
  writes(): Seen[];
  /** Base URL of the receiver: POST <receiver>/ok/<key> answers 200, /fail/<key> 500. */
  receiver: string;
  deliveries(key: string): Delivery[];
  cli(args: string[], options?: CliOptions): Promise<Run>;
  stop(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function countingProxy(target: string, seen: Seen[]): Server {
  const to = new URL(target);
  return createServer((req, res) => {
    seen.push({ method: req.method ?? "GET", path: req.url ?? "/" });
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
}

function receiverServer(log: Map<string, Delivery[]>): Server {
  return createServer((req, res) => {
    const [, kind, key = ""] = (req.url ?? "/").split("/");
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entries = log.get(key) ?? [];
      entries.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString("utf8") });
      log.set(key, entries);
      res.writeHead(kind === "ok" ? 200 : 500).end(kind === "ok" ? "ok" : "receiver broke");
    });
  });
}

export async function startRig(): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), "seatwatch-admin-"));
  const bin = join(dir, "seatwatch.mjs");
  const [worker] = await Promise.all([startLiveWorker(), buildAdmin(bin)]);
  const seen: Seen[] = [];
  const proxy = countingProxy(worker.url, seen);
  const log = new Map<string, Delivery[]>();
  const receiver = receiverServer(log);
  const [url, receiverUrl] = await Promise.all([listen(proxy), listen(receiver)]);
  return {
    worker,
    url,
    dir,
    seen,
    writes: () => seen.filter((s) => s.method !== "GET"),
    receiver: receiverUrl,
    deliveries: (key) => log.get(key) ?? [],
    cli(args, options = {}) {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], {
          // A directory with no .dev.vars, and only the settings each test gives.
          cwd: options.cwd ?? dir,
          env: { PATH: process.env.PATH, SEATWATCH_URL: url, SEATWATCH_ADMIN_TOKEN: worker.adminToken, ...options.env },
          stdio: ["pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => {
          stdout += c;
          options.onStdout?.(stdout);
        });
        child.stderr.on("data", (c) => {
          stderr += c;
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
        child.stdin.end(options.input ?? "");
      });
    },
    async stop() {
      proxy.closeAllConnections();
      receiver.closeAllConnections();
      await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => receiver.close(r)), worker.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
