/**
 * The real Worker under `wrangler dev` for Node-side tests (promtool, Chromium, end-to-end):
 * local only (no Cloudflare account), on 127.0.0.1 at a free port, with its own state directory,
 * and helpers that enroll hosts and push signed beats exactly as a beacon would.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Beat } from "../../protocol/beat.ts";
import { generateKeyPair, type KeyPair } from "../../protocol/keys.ts";
import { signV1a } from "../../protocol/signing.ts";
import { makeBeat } from "./beats.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
/** Bundling plus workerd start-up on a busy 2-core machine. */
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

export interface KvEntry {
  key: string;
  value: string;
  metadata?: unknown;
}

export interface DevWorkerOptions {
  /** Extra `--var NAME:VALUE` bindings, e.g. READ_TOKEN or PUBLIC_BADGES. */
  vars?: Record<string, string>;
  /** Written to the local KV before the Worker starts (storage states the API cannot produce). */
  seed?: KvEntry[];
  /** `--test-scheduled`: exposes /cdn-cgi/handler/scheduled for cron runs. */
  testScheduled?: boolean;
}

export interface Host {
  id: string;
  keys: KeyPair;
}

export interface DevWorker {
  url: string;
  adminToken: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  enroll(id: string, policy?: Record<string, unknown>): Promise<Host>;
  beat(host: Host, beat?: Partial<Beat>): Promise<Response>;
  /** Everything wrangler printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function seedKv(stateDir: string, entries: KvEntry[]): Promise<void> {
  const file = join(stateDir, "seed.json");
  await writeFile(file, JSON.stringify(entries));
  await promisify(execFile)(
    WRANGLER,
    ["kv", "bulk", "put", file, "--binding", "SEATWATCH_KV", "--local", "--persist-to", stateDir],
    { cwd: ROOT, env: wranglerEnv() },
  );
}

function wranglerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once("exit", () => done());
  });
}

export async function startDevWorker(options: DevWorkerOptions = {}): Promise<DevWorker> {
  const stateDir = await mkdtemp(join(tmpdir(), "seatwatch-dev-"));
  if (options.seed?.length) await seedKv(stateDir, options.seed);
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const adminToken = `dev-admin-${crypto.randomUUID()}`;
  // Explicit values win over a developer's .dev.vars, so tests see the same Worker everywhere.
  const vars = { ADMIN_TOKEN: adminToken, READ_TOKEN: "", PUBLIC_BADGES: "true", ...options.vars };
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    stateDir,
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ...(options.testScheduled ? ["--test-scheduled"] : []),
  ];
  // Its own process group, so stop() ends wrangler and the workerd it started, and nothing else.
  const child = spawn(WRANGLER, args, { cwd: ROOT, env: wranglerEnv(), detached: true, stdio: "pipe" });
  let log = "";
  child.stdout?.on("data", (chunk) => {
    log += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    log += chunk;
  });
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid, "SIGTERM");
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), STOP_TIMEOUT_MS);
      await exited(child);
      clearTimeout(timer);
    }
    await rm(stateDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode} before it was ready:\n${log}`);
    }
    try {
      await fetch(`${url}/v1/check`, { signal: AbortSignal.timeout(2_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`wrangler dev did not answer on ${url} within ${READY_TIMEOUT_MS} ms:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const call = (path: string, init: RequestInit = {}) => fetch(url + path, init);
  const admin = (method: string, path: string, body?: unknown) =>
    call(path, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let seq = 0;

  return {
    url,
    adminToken,
    fetch: call,
    admin,
    async enroll(id, policy = {}) {
      const keys = await generateKeyPair();
      const res = await admin("PUT", `/v1/hosts/${id}`, { publicKey: keys.publicKey, ...policy });
      if (res.status !== 201) throw new Error(`enrolling ${id}: ${res.status} ${await res.text()}`);
      return { id, keys };
    },
    async beat(host, beat = {}) {
      const body = JSON.stringify(makeBeat({ host: host.id, ts: Date.now(), seq: ++seq, ...beat }));
      const headers = await signV1a(
        host.keys.privateKey,
        `beat_${crypto.randomUUID()}`,
        Math.floor(Date.now() / 1000),
        body,
      );
      return call("/v1/beats", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    },
    output: () => log,
    stop,
  };
}
