/**
 * The beacon against the real Worker under `wrangler dev` (one per file): enrollment, once, and run's
 * pacing as the Worker sees it. Each test uses its own host id, because the Worker accepts at most
 * one beat a second per host.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DaemonEvent, runDaemon } from "../../beacon/daemon.ts";
import { enroll } from "../../beacon/enroll.ts";
import { type BeaconKey, createKeyFile, loadKeyFile } from "../../beacon/keyfile.ts";
import { WorkerClient } from "../../beacon/push.ts";
import { newIdentity } from "../../beacon/sample.ts";
import { type DevWorker, startDevWorker } from "../../scripts/dev-worker.ts";
import { type Scene, ScriptedObserver } from "./fakes/scripted-observer.ts";
import { Lab, TMUX } from "./lab.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const ADMIN_TOKEN = "beacon-test-admin-token-0123456789";

let dir: string;
let worker: DevWorker;
let lab: Lab | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "seatwatch-beacon-worker-"));
  worker = await startDevWorker({ persistTo: join(dir, "state"), vars: { ADMIN_TOKEN } });
}, 90_000);
afterAll(async () => {
  await worker?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => lab?.cleanup());

async function admin(method: string, path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function issueToken(host: string): Promise<string> {
  const res = await admin("POST", `/v1/hosts/${host}/enrollment`);
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

async function newKey(name: string): Promise<BeaconKey> {
  const path = join(dir, `${name}.pem`);
  await createKeyFile(path);
  return loadKeyFile(path);
}

/** A key enrolled for `host` through the Worker's enrollment API. */
async function enrolledKey(host: string): Promise<BeaconKey> {
  const key = await newKey(host);
  const client = new WorkerClient(worker.url, key.privateKey);
  const result = await enroll(client, { host, publicKey: key.publicKey, token: await issueToken(host) });
  await client.close();
  expect(result.kind).toBe("enrolled");
  return key;
}

function beacon(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "beacon/cli.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, SEATWATCH_URL: worker.url, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("enroll and once", () => {
  let key: BeaconKey;
  let token: string;

  it("enroll registers this host's key with a one-time token", async () => {
    key = await newKey("enroll-box");
    token = await issueToken("enroll-box");

    const run = beacon(["enroll", "--token", token, "--key", key.path, "--host", "enroll-box"]);

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`enrolled host enroll-box with ${key.publicKey}`);
    const detail = (await (await fetch(`${worker.url}/v1/hosts/enroll-box`)).json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ id: "enroll-box", state: "new", keyRegistered: true });
  });

  it("once pushes one sample and exits 0 with the Worker's verdict", async () => {
    lab = new Lab();
    const server = lab.start(["agent", "agent"]);

    const run = beacon([
      "once",
      "--json",
      ...["--key", key.path, "--host", "enroll-box", "--tmux", TMUX, "--socket", server.socket],
    ]);

    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toMatchObject({ accepted: true, status: 202, state: "up", reason: null, minSeats: 1 });
    expect(printed.beat).toMatchObject({ host: "enroll-box", seats: 2, observed: "ok" });
    const detail = (await (await fetch(`${worker.url}/v1/hosts/enroll-box`)).json()) as {
      lastBeat: { instance: string; seats: number };
    };
    expect(detail.lastBeat).toMatchObject({ instance: printed.beat.instance, seats: 2 });
  });

  it("refuses the same token a second time: 409 token_used, exit 1, explained", () => {
    const run = beacon(["enroll", "--token", token, "--key", key.path, "--host", "enroll-box"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("409 token_used");
    expect(run.stderr).toContain("POST /v1/hosts/enroll-box/enrollment");
  });

  it("refuses a token issued for another host: 401 invalid_token", async () => {
    const key2 = await newKey("other-box");
    const tokenForAnother = await issueToken("another-box");
    const run = beacon(["enroll", "--token", tokenForAnother, "--key", key2.path, "--host", "other-box"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("401 invalid_token");
  });

  it("once with a key nobody enrolled exits 1 with 401 invalid_signature and what to check", async () => {
    const stranger = await newKey("stranger");
    const run = beacon(["once", "--json", "--key", stranger.path, "--host", "enroll-box"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      accepted: false,
      status: 401,
      error: { code: "invalid_signature" },
      explanation: expect.stringContaining("KV propagation"),
    });
  });
});

/** Runs the daemon in-process against the real Worker with a scripted observer, until `done`. */
async function runUntil(
  host: string,
  script: Scene[],
  settings: { sampleMs: number; confirm: number; keepaliveMs: number },
  done: (events: DaemonEvent[]) => boolean,
): Promise<DaemonEvent[]> {
  const key = await enrolledKey(host);
  const client = new WorkerClient(worker.url, key.privateKey);
  const controller = new AbortController();
  const events: DaemonEvent[] = [];
  const finished = runDaemon({
    observer: new ScriptedObserver(script),
    rule: { countShells: false },
    identity: newIdentity(host),
    client,
    publicKey: key.publicKey,
    sampleMs: settings.sampleMs,
    pacing: { confirm: settings.confirm, keepaliveMs: settings.keepaliveMs },
    healthPath: null,
    signal: controller.signal,
    onEvent: (event) => {
      events.push(event);
      if (done(events)) controller.abort();
    },
  });
  const timer = setTimeout(() => controller.abort(), 25_000);
  await finished;
  clearTimeout(timer);
  await client.close();
  return events;
}

const pushesOf = (events: DaemonEvent[]) =>
  events.flatMap((e) => (e.event === "push" ? [{ n: e.n, cause: e.cause, result: e.result }] : []));

describe("run against the Worker", () => {
  it("pushes a state change at exactly the --confirm-th sample that shows it, and not a one-sample blip", async () => {
    // Samples 0-3 two seats, 4 a timeout blip, 5-7 two seats, 8 on no server at all.
    const script: Scene[] = [
      ...Array.from({ length: 4 }, () => ({ seats: 2 })),
      { error: "timeout" },
      ...Array.from({ length: 3 }, () => ({ seats: 2 })),
      { error: "no_server" },
    ];
    // 0.6 s samples keep confirmed pushes ≥ 1 s apart (the Worker takes one beat a second per host).
    const events = await runUntil("confirm-box", script, { sampleMs: 600, confirm: 2, keepaliveMs: 60_000 }, (e) =>
      e.some((x) => x.event === "sample" && x.n >= 10),
    );

    const pushes = pushesOf(events);
    expect(pushes.map(({ n, cause }) => ({ n, cause }))).toEqual([
      { n: 1, cause: "start" },
      { n: 9, cause: "change" },
    ]);
    expect(pushes.map((p) => p.result)).toEqual([
      expect.objectContaining({ kind: "accepted", state: "up" }),
      expect.objectContaining({ kind: "accepted", state: "error", reason: "no_server" }),
    ]);
    const detail = (await (await fetch(`${worker.url}/v1/hosts/confirm-box`)).json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ state: "error", reason: "no_server" });
  });

  it("keeps alive on schedule: one push per --keepalive, none in between, all accepted", async () => {
    const events = await runUntil(
      "keepalive-box",
      [{ seats: 1 }],
      { sampleMs: 250, confirm: 1, keepaliveMs: 1_200 },
      (e) => pushesOf(e).length >= 4,
    );

    const pushes = pushesOf(events);
    expect(pushes.map((p) => p.cause)).toEqual(["start", "keepalive", "keepalive", "keepalive"]);
    expect(pushes.every((p) => p.result.kind === "accepted")).toBe(true);
    // 1.2 s at 0.25 s a sample: the fifth sample after a push is the first at or past the keep-alive
    // (the sixth or seventh when a push's answer or a sample runs late on a busy machine), never earlier.
    const gaps = pushes.slice(1).map((p, i) => p.n - (pushes[i] as { n: number }).n);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(5);
      expect(gap).toBeLessThanOrEqual(7);
    }
  });

  it("run (the CLI, real tmux) pushes `low` after an agent exits, once confirmed", async () => {
    const host = "low-box";
    const key = await enrolledKey(host);
    expect((await admin("PATCH", `/v1/hosts/${host}`, { minSeats: 2 })).status).toBe(200);
    lab = new Lab();
    const server = lab.start(["agent", "agent"]);
    const child = spawn(
      process.execPath,
      [
        ...["--import", "tsx", "beacon/cli.ts", "run", "--json", "--key", key.path, "--host", host],
        // 1 s samples: the Worker takes one beat a second per host, and on a loaded box the start push's
        // answer can take half a second, which left a confirmed change 0.6 s samples later rate limited.
        ...["--tmux", TMUX, "--socket", server.socket, "--sample", "1", "--confirm", "2"],
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, SEATWATCH_URL: worker.url, RUNTIME_DIRECTORY: join(dir, "rt-low") },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const events: DaemonEvent[] = [];
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    let agentKilled = false;
    const lowPushed = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const event = JSON.parse(line) as DaemonEvent;
        events.push(event);
        if (event.event === "push" && event.result.kind === "accepted" && !agentKilled) {
          agentKilled = true;
          // The second window's agent exits; remain-on-exit keeps its pane, dead.
          spawnSync(TMUX, ["-S", server.socket, "respawn-pane", "-k", "-t", "work:1", "sh -c 'exit 0'"]);
        }
        if (event.event === "push" && event.cause === "change") resolve();
      });
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), 25_000);
    await lowPushed;
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    clearTimeout(timer);

    const firstLow = events.find((e) => e.event === "sample" && e.seats === 1) as { n: number };
    const change = events.find((e) => e.event === "push" && e.cause === "change");
    expect(change).toMatchObject({ n: firstLow.n + 1, result: { kind: "accepted", state: "low", minSeats: 2 } });
  });
});
