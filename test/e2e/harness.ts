/**
 * The end-to-end rig: the real Worker under `wrangler dev`, real beacons as separate processes in
 * `run` mode, a real webhook receiver verifying Standard Webhooks signatures, and cron runs fired
 * with a chosen scheduledTime. Everything listens on 127.0.0.1 and is stopped by `close()`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { Webhook } from "standardwebhooks";
import { type DevWorker, freePort, startDevWorker, triggerCron } from "../../scripts/dev-worker.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "beacon/cli.ts");

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Alert {
  webhookId: string;
  type: string;
  host: string;
  state: string;
  previous: string | null;
  reason: string | null;
  seats: number | null;
}

/** A webhook receiver that verifies every delivery with the official standardwebhooks package. */
export class Sink {
  readonly alerts: Alert[] = [];
  readonly forged: string[] = [];
  /** While false the receiver answers 503, as a receiver that is down would. */
  up = true;
  attempts = 0;
  private server: Server | null = null;
  private verifier: Webhook | null = null;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.attempts++;
        if (!this.up) {
          res.writeHead(503).end("down");
          return;
        }
        const body = Buffer.concat(chunks).toString("utf8");
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        try {
          const event = this.verifier?.verify(body, headers) as Omit<Alert, "webhookId">;
          this.alerts.push({ ...event, webhookId: headers["webhook-id"] ?? "" });
          res.writeHead(200).end("ok");
        } catch (error) {
          this.forged.push(String(error));
          res.writeHead(400).end("bad signature");
        }
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  trust(secret: string): void {
    this.verifier = new Webhook(secret);
  }

  transitions(host: string): Alert[] {
    return this.alerts.filter((a) => a.type === "host.transition" && a.host === host);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export interface BeaconEvent {
  event: string;
  [key: string]: unknown;
}

/** `seatwatch-beacon run` as its own process, with its JSON event stream collected. */
export class BeaconProcess {
  readonly events: BeaconEvent[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, ["--import", "tsx", CLI, "run", "--json", ...args], {
      cwd: ROOT,
      env: { ...process.env, TMUX: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      try {
        this.events.push(JSON.parse(line) as BeaconEvent);
      } catch {
        this.stderr.push(`stdout: ${line}`);
      }
    });
    createInterface({ input: this.child.stderr as NodeJS.ReadableStream }).on("line", (line) => this.stderr.push(line));
    this.exited = new Promise((r) => this.child.once("exit", (code) => r(code)));
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Runs the beacon CLI once (keygen, enroll …) and returns its exit code and output. */
export function beaconCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, ["--import", "tsx", CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }).toString();
    return { code: 0, stdout, stderr: "" };
  } catch (error) {
    const e = error as { status: number; stdout: Buffer; stderr: Buffer };
    return { code: e.status, stdout: e.stdout.toString(), stderr: e.stderr.toString() };
  }
}

export interface HostStatus {
  id: string;
  state: string;
  reason: string | null;
  seats: number | null;
  minSeats: number;
}

/** The Worker (restartable on the same port and state), the admin token, and the receiver. */
export class Rig {
  readonly state = mkdtempSync(join(tmpdir(), "seatwatch-e2e-"));
  readonly adminToken = `e2e-${crypto.randomUUID()}`;
  readonly sink = new Sink();
  worker: DevWorker | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await this.sink.start();
    this.port = await freePort();
    await this.startWorker();
    const res = await this.admin("PUT", "/v1/webhooks/e2e", { url: this.sink.url, format: "json" });
    if (res.status !== 201) throw new Error(`webhook: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { secret: string };
    this.sink.trust(body.secret);
  }

  async startWorker(): Promise<void> {
    this.worker = await startDevWorker({
      port: this.port,
      persistTo: this.state,
      vars: { ADMIN_TOKEN: this.adminToken, READ_TOKEN: "", PUBLIC_BADGES: "true" },
    });
  }

  async restartWorker(): Promise<void> {
    await this.worker?.stop();
    await this.startWorker();
  }

  admin(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  cron(time = Date.now()): Promise<void> {
    return triggerCron(this.url, time);
  }

  async host(id: string): Promise<HostStatus | undefined> {
    const doc = (await (await fetch(`${this.url}/v1/status`)).json()) as { hosts: HostStatus[] };
    return doc.hosts.find((h) => h.id === id);
  }

  /** A key made by `keygen` and registered by `enroll` with a one-time token, as an operator would. */
  async enroll(id: string, policy: Record<string, unknown>): Promise<string> {
    const key = join(this.state, `${id}.pem`);
    const keygen = beaconCli(["keygen", "--key", key]);
    if (keygen.code !== 0) throw new Error(`keygen: ${keygen.stderr}`);
    const issued = await this.admin("POST", `/v1/hosts/${id}/enrollment`, {});
    const { token } = (await issued.json()) as { token: string };
    const enrolled = beaconCli(["enroll", "--token", token, "--url", this.url, "--key", key, "--host", id]);
    if (enrolled.code !== 0) throw new Error(`enroll: ${enrolled.stderr}${enrolled.stdout}`);
    await this.admin("PATCH", `/v1/hosts/${id}`, policy);
    return key;
  }

  async close(): Promise<void> {
    await this.worker?.stop();
    await this.sink.close();
    rmSync(this.state, { recursive: true, force: true });
  }
}
