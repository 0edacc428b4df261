/**
 * The real Worker under `wrangler dev` (scripts/dev-worker.ts) for Node-side tests — promtool,
 * Chromium, end-to-end — with a throwaway state directory, optional KV seeding, and helpers that
 * enroll hosts and push signed beats exactly as a beacon would.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Beat } from "../../protocol/beat.ts";
import { generateKeyPair, type KeyPair } from "../../protocol/keys.ts";
import { signV1a } from "../../protocol/signing.ts";
import { startDevWorker } from "../../scripts/dev-worker.ts";
import { makeBeat } from "./beats.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

export interface KvEntry {
  key: string;
  value: string;
  metadata?: unknown;
}

export interface LiveWorkerOptions {
  /** Extra `--var NAME:VALUE` bindings, e.g. READ_TOKEN or PUBLIC_BADGES. */
  vars?: Record<string, string>;
  /** Written to the local KV before the Worker starts: storage states the API cannot produce. */
  seed?: KvEntry[];
  /**
   * SQL run on the ledger Durable Object's local SQLite file before the Worker serves: a past the
   * API cannot produce in real time (30 days of transitions). Costs one extra Worker start, since
   * the file exists only once the ledger has run.
   */
  ledgerSql?: string;
}

export interface Host {
  id: string;
  keys: KeyPair;
}

export interface LiveWorker {
  url: string;
  adminToken: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  enroll(id: string, policy?: Record<string, unknown>): Promise<Host>;
  beat(host: Host, beat?: Partial<Beat>): Promise<Response>;
  stop(): Promise<void>;
}

/** Starts the Worker once so the ledger creates its SQLite file and schema, then runs `sql` on it. */
async function seedLedger(stateDir: string, vars: Record<string, string>, sql: string): Promise<void> {
  const dev = await startDevWorker({ persistTo: stateDir, vars });
  try {
    // Any ledger call creates it; the webhook listing needs only the admin token.
    const res = await fetch(`${dev.url}/v1/webhooks`, { headers: { authorization: `Bearer ${vars.ADMIN_TOKEN}` } });
    if (res.status !== 200) throw new Error(`ledger warm-up: ${res.status} ${await res.text()}`);
  } finally {
    await dev.stop();
  }
  // Miniflare keeps each Durable Object in <persist>/v3/do/<script>-<class>/<object id>.sqlite.
  const dir = join(stateDir, "v3/do/seatwatch-Ledger");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one ledger database in ${dir}, found ${files.join(", ")}`);
  await promisify(execFile)("sqlite3", ["-bail", join(dir, files[0] as string), sql]);
}

async function seedKv(stateDir: string, entries: KvEntry[]): Promise<void> {
  const file = join(stateDir, "seed.json");
  await writeFile(file, JSON.stringify(entries));
  await promisify(execFile)(
    process.execPath,
    [WRANGLER, "kv", "bulk", "put", file, "--binding", "SEATWATCH_KV", "--local", "--persist-to", stateDir],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } },
  );
}

export async function startLiveWorker(options: LiveWorkerOptions = {}): Promise<LiveWorker> {
  const stateDir = await mkdtemp(join(tmpdir(), "seatwatch-live-"));
  if (options.seed?.length) await seedKv(stateDir, options.seed);
  const adminToken = `live-admin-${crypto.randomUUID()}`;
  // Explicit values win over a developer's .dev.vars, so tests see the same Worker everywhere.
  const vars = { ADMIN_TOKEN: adminToken, READ_TOKEN: "", PUBLIC_BADGES: "true", ...options.vars };
  let dev: Awaited<ReturnType<typeof startDevWorker>>;
  try {
    if (options.ledgerSql) await seedLedger(stateDir, vars, options.ledgerSql);
    dev = await startDevWorker({ persistTo: stateDir, vars });
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }

  const call = (path: string, init: RequestInit = {}) => fetch(dev.url + path, init);
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
    url: dev.url,
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
      const id = `beat_${crypto.randomUUID()}`;
      const headers = await signV1a(host.keys.privateKey, id, Math.floor(Date.now() / 1000), body);
      return call("/v1/beats", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    },
    async stop() {
      await dev.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
