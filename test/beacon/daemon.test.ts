import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DaemonEvent, runDaemon } from "../../beacon/daemon.ts";
import type { Health } from "../../beacon/health.ts";
import { type BeaconKey, createKeyFile, loadKeyFile } from "../../beacon/keyfile.ts";
import type { PacerSettings } from "../../beacon/pacer.ts";
import { WorkerClient } from "../../beacon/push.ts";
import { newIdentity } from "../../beacon/sample.ts";
import { freePort } from "../../scripts/dev-worker.ts";
import { type FailingWorkerFake, type FakeMode, startFailingWorkerFake } from "./fakes/failing-worker-fake.ts";
import { type Scene, ScriptedObserver } from "./fakes/scripted-observer.ts";
import { Lab, TMUX } from "./lab.ts";

const ROOT = resolve(import.meta.dirname, "../..");

let dir: string;
let key: BeaconKey;
let fake: FailingWorkerFake | undefined;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "seatwatch-daemon-"));
  await createKeyFile(join(dir, "key.pem"));
  key = await loadKeyFile(join(dir, "key.pem"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await fake?.close();
  fake = undefined;
});

async function fakeWorker(mode: FakeMode): Promise<FailingWorkerFake> {
  fake = await startFailingWorkerFake(key.publicKey, mode);
  return fake;
}

/** Runs the daemon in-process with fast retries; `stop` aborts it as SIGTERM would and waits for it. */
function daemon(
  url: string,
  script: Scene[],
  options: { sampleMs?: number; pacing?: Partial<PacerSettings>; timeoutMs?: number; healthPath?: string } = {},
) {
  const controller = new AbortController();
  const events: DaemonEvent[] = [];
  const client = new WorkerClient(url, key.privateKey, { timeoutMs: options.timeoutMs ?? 2_000 });
  let settled = false;
  const done = runDaemon({
    observer: new ScriptedObserver(script),
    rule: { countShells: false },
    identity: newIdentity("fault-box"),
    client,
    publicKey: key.publicKey,
    sampleMs: options.sampleMs ?? 10_000,
    pacing: { confirm: 1, keepaliveMs: 60_000, retryBaseMs: 40, retryMaxMs: 160, ...options.pacing },
    healthPath: options.healthPath ?? null,
    signal: controller.signal,
    onEvent: (event) => events.push(event),
  }).finally(() => {
    settled = true;
  });
  const stop = async () => {
    controller.abort();
    await done;
    await client.close();
  };
  stops.push(stop);
  return { events, settled: () => settled, pushes: () => events.filter((e) => e.event === "push") };
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function expectFreshRetries(requests: FailingWorkerFake["requests"]): void {
  expect(new Set(requests.map((r) => r.id)).size).toBe(requests.length);
  expect(new Set(requests.map((r) => r.signature)).size).toBe(requests.length);
  expect(requests.every((r) => r.verified)).toBe(true);
  expect(requests.map((r) => r.beat.seq)).toEqual(requests.map((_, i) => i));
  for (let i = 1; i < requests.length; i += 1) {
    expect((requests[i] as { beat: { ts: number } }).beat.ts).toBeGreaterThan(
      (requests[i - 1] as { beat: { ts: number } }).beat.ts,
    );
  }
}

describe("run against a failing Worker", () => {
  it("keeps running and retries a 500 with fresh samples, fresh webhook-ids and valid fresh signatures", async () => {
    const worker = await fakeWorker("fail500");
    const run = daemon(worker.url, [{ seats: 2 }]);

    await worker.waitFor(4);

    expect(run.settled()).toBe(false);
    expectFreshRetries(worker.requests);
    const failed = run.pushes().filter((e) => e.event === "push" && e.result.kind === "refused");
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed[0]).toMatchObject({ result: { status: 500, code: "internal_error" } });
  });

  it("stops retrying once the Worker accepts, and stays quiet until something is due", async () => {
    const worker = await fakeWorker("fail500");
    const run = daemon(worker.url, [{ seats: 2 }]);
    await worker.waitFor(3);

    worker.mode = "accept";
    await until(() => run.pushes().some((e) => e.event === "push" && e.result.kind === "accepted"));
    const count = worker.requests.length;
    await new Promise((r) => setTimeout(r, 600));

    expect(worker.requests.length).toBe(count);
    expect(run.settled()).toBe(false);
  });

  it("keeps running and retries when the Worker hangs, each attempt bounded by the timeout", async () => {
    const worker = await fakeWorker("hang");
    const run = daemon(worker.url, [{ seats: 1 }], { timeoutMs: 300 });

    await worker.waitFor(3);
    await until(() => run.pushes().length >= 2);

    expect(run.settled()).toBe(false);
    expectFreshRetries(worker.requests);
    for (const push of run.pushes()) {
      expect(push).toMatchObject({
        result: { kind: "unreachable", message: expect.stringContaining("did not answer") },
      });
    }
  });

  it("keeps running and retries with a new webhook-id each time when the Worker is down", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = daemon(url, [{ seats: 1 }]);

    await until(() => run.pushes().length >= 4);

    expect(run.settled()).toBe(false);
    const pushes = run.pushes().map((e) => (e.event === "push" ? e : null));
    expect(pushes.every((p) => p?.result.kind === "unreachable" && /ECONNREFUSED/.test(p.result.message))).toBe(true);
    expect(new Set(pushes.map((p) => p?.result.webhookId)).size).toBe(pushes.length);
    expect(pushes.map((p) => p?.seq)).toEqual(pushes.map((_, i) => i));
  });

  it("waits out a 429's Retry-After before the next attempt", async () => {
    const worker = await fakeWorker("rate429");
    daemon(worker.url, [{ seats: 1 }]);

    await worker.waitFor(2);

    const [first, second] = worker.requests as [FakeRequestLike, FakeRequestLike];
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(950);
  });
});

type FakeRequestLike = FailingWorkerFake["requests"][number];

describe("the health file", () => {
  it("is rewritten after every sample with seats_seen, state, servers and the last push", async () => {
    const worker = await fakeWorker("accept");
    const path = join(dir, "health-ok", "health.json");
    const run = daemon(worker.url, [{ seats: 3 }], { sampleMs: 100, healthPath: path });

    await until(() => run.events.filter((e) => e.event === "sample").length >= 3);

    const health: Health = JSON.parse(readFileSync(path, "utf8"));
    expect(health).toMatchObject({
      host: "fault-box",
      observed: "ok",
      seats_seen: 3,
      state: "up",
      min_seats: 1,
      servers: [{ pid: 4242, panes: 3 }],
      last_push: { result: "accepted", status: 202, seq: 0, cause: "start" },
      failures: 0,
    });
    expect(readdirSync(join(dir, "health-ok"))).toEqual(["health.json"]);
  });

  it("shows a failing push, how many failures, and when the next retry goes", async () => {
    const worker = await fakeWorker("fail500");
    const path = join(dir, "health-fail", "health.json");
    daemon(worker.url, [{ error: "no_server" }], { healthPath: path, pacing: { retryBaseMs: 5_000 } });

    await worker.waitFor(1);
    await until(() => JSON.parse(readFileSync(path, "utf8")).failures === 1);

    const health: Health = JSON.parse(readFileSync(path, "utf8"));
    expect(health).toMatchObject({
      observed: "error",
      reason: "no_server",
      seats_seen: 0,
      state: null,
      last_push: { result: "refused", status: 500, code: "internal_error" },
      failures: 1,
    });
    expect(Date.parse(health.next_retry_at as string)).toBeGreaterThan(Date.now());
  });
});

describe("SIGTERM", () => {
  let lab: Lab | undefined;
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    lab?.cleanup();
  });

  function startRun(url: string, socket: string) {
    child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "beacon/cli.ts",
        "run",
        "--json",
        "--url",
        url,
        "--key",
        key.path,
        "--host",
        "term-box",
        "--tmux",
        TMUX,
        "--socket",
        socket,
        "--sample",
        "0.2",
        "--confirm",
        "1",
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, RUNTIME_DIRECTORY: join(dir, "rt") },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const events: DaemonEvent[] = [];
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) =>
      events.push(JSON.parse(line)),
    );
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    return { child, events, exited };
  }

  it("finishes the push in flight, then exits 0 without pushing again", async () => {
    lab = new Lab();
    const server = lab.start(["agent"]);
    const worker = await fakeWorker("hold");
    const run = startRun(worker.url, server.socket);
    await worker.waitFor(1, 20_000);

    run.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    worker.release();
    const code = await run.exited;

    expect(code).toBe(0);
    expect(worker.requests).toHaveLength(1);
    expect(run.events.filter((e) => e.event === "push")).toEqual([
      expect.objectContaining({ seq: 0, result: expect.objectContaining({ kind: "accepted" }) }),
    ]);
  });

  it("exits 0 promptly between samples", async () => {
    lab = new Lab();
    const server = lab.start(["agent"]);
    const worker = await fakeWorker("accept");
    const run = startRun(worker.url, server.socket);
    await worker.waitFor(1, 20_000);

    run.child.kill("SIGTERM");

    expect(await run.exited).toBe(0);
  });
});
