/** `/metrics` from the real Worker under `wrangler dev`, checked by Prometheus' own promtool. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeActivityBeat, makeSeat } from "../support/beats.ts";
import { type LiveWorker, startLiveWorker } from "../support/live-worker.ts";

const PROMTOOL = "/usr/bin/promtool";
const OPS = resolve(import.meta.dirname, "../../ops");
const RULES = join(OPS, "prometheus/seatwatch-rules.yml");

function promtool(text: string): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8", timeout: 10_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

let worker: LiveWorker;
let metrics: string;

beforeAll(async () => {
  worker = await startLiveWorker();
  const up = await worker.enroll("web-1", { minSeats: 2, labels: ["prod"] });
  const broken = await worker.enroll("web-2");
  await worker.enroll("web-3");
  const busy = await worker.enroll("web-4");
  const now = Date.now();
  const { seats, activity, seatList } = makeActivityBeat([
    makeSeat({ pane: "%1", state: "waiting", since: now - 120_000, via: "hook" }),
    makeSeat({ pane: "%2", state: "working", since: now - 1_000 }),
    makeSeat({ pane: "%3", state: "quiet", since: now - 60_000 }),
  ]);
  expect((await worker.beat(busy, { ts: now, seats, activity, seatList })).status).toBe(202);
  expect((await worker.beat(up, { seats: 4, idle: 1 })).status).toBe(202);
  expect(
    (await worker.beat(broken, { seats: 0, idle: 0, commands: {}, observed: "error", reason: "version_too_old" }))
      .status,
  ).toBe(202);
  metrics = await (await worker.fetch("/metrics")).text();
}, 90_000);

afterAll(async () => {
  await worker?.stop();
});

describe("GET /metrics under wrangler dev", () => {
  it("has promtool on this machine (.ci/run installs Debian's prometheus package)", () => {
    expect(existsSync(PROMTOOL), `${PROMTOOL} is missing: apt-get install prometheus`).toBe(true);
  });

  it("passes `promtool check metrics` with no lint findings", () => {
    const { status, output } = promtool(metrics);
    expect(output).toBe("");
    expect(status).toBe(0);
  });

  it("is the kind of text promtool rejects when it is broken (the check can fail)", () => {
    const broken = metrics.replace('seatwatch_seats{host="web-1"} 4', 'seatwatch_seats{host="web-1} 4');
    expect(broken).not.toBe(metrics);
    expect(promtool(broken).status).not.toBe(0);
  });

  it("carries the samples the fleet implies", () => {
    const lines = metrics.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        'seatwatch_seats{host="web-1"} 4',
        'seatwatch_idle_panes{host="web-1"} 1',
        'seatwatch_min_seats{host="web-1"} 2',
        'seatwatch_host_state{host="web-1",state="up"} 1',
        'seatwatch_host_state{host="web-2",state="error"} 1',
        'seatwatch_host_state{host="web-3",state="new"} 1',
        'seatwatch_beacon_error{host="web-2",reason="version_too_old"} 1',
        'seatwatch_hosts{state="up"} 2',
        'seatwatch_hosts{state="error"} 1',
        'seatwatch_hosts{state="new"} 1',
        'seatwatch_seats_working{host="web-4"} 1',
        'seatwatch_seats_waiting{host="web-4"} 1',
        'seatwatch_seats_quiet{host="web-4"} 1',
        "seatwatch_monitor_last_cron_timestamp_seconds 0",
      ]),
    );
    const wait = Number(/seatwatch_oldest_wait_seconds\{host="web-4"\} (\S+)/.exec(metrics)?.[1]);
    expect(wait).toBeGreaterThanOrEqual(120);
    expect(wait).toBeLessThan(180);
    const age = Number(/seatwatch_last_beat_age_seconds\{host="web-1"\} (\S+)/.exec(metrics)?.[1]);
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
  });
});

describe("the Prometheus rules and Grafana dashboard the repo ships", () => {
  /** Metric names a query text mentions. */
  const metricNames = (text: string) => new Set(text.match(/\bseatwatch_[a-z_]+\b/g) ?? []);
  const exposed = () =>
    metricNames(
      metrics
        .split("\n")
        .filter((l) => l.startsWith("# TYPE "))
        .join("\n"),
    );

  it("passes `promtool check rules`", () => {
    const run = spawnSync(PROMTOOL, ["check", "rules", RULES], { encoding: "utf8", timeout: 10_000 });
    expect(`${run.stdout}${run.stderr}`).toContain("SUCCESS");
    expect(run.status).toBe(0);
  });

  it("fires each rule on the series that should trip it (`promtool test rules`)", () => {
    const run = spawnSync(PROMTOOL, ["test", "rules", "seatwatch-rules.test.yml"], {
      cwd: join(OPS, "prometheus"),
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(`${run.stdout}${run.stderr}`).not.toContain("FAILED");
    expect(run.status).toBe(0);
  });

  it("queries only metrics that /metrics exposes", () => {
    const dashboard = JSON.parse(readFileSync(join(OPS, "grafana/seatwatch-dashboard.json"), "utf8")) as {
      panels: { targets: { expr: string }[] }[];
    };
    const queried = new Set([
      ...metricNames(readFileSync(RULES, "utf8")),
      ...dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...metricNames(t.expr)])),
    ]);
    expect(queried.size).toBeGreaterThan(5);
    expect([...queried].filter((name) => !exposed().has(name))).toEqual([]);
  });
});
