import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { version } from "../../package.json";
import { escapeLabelValue } from "../../worker/faces/metrics.ts";
import worker from "../../worker/index.ts";
import { cron } from "./alerting.ts";
import { BASE, call, enroll, expectError, sendBeat } from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
});

const T0 = Date.parse("2026-11-25T10:00:00Z");

/** Sample lines only, without HELP/TYPE comments. */
function samples(text: string): string[] {
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
}

describe("GET /metrics", () => {
  it("has HELP and TYPE gauge for exactly the contract's metric families, in order", async () => {
    const res = await call("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const types = text.split("\n").filter((l) => l.startsWith("# TYPE "));
    expect(types).toEqual(
      [
        "seatwatch_seats",
        "seatwatch_min_seats",
        "seatwatch_idle_panes",
        "seatwatch_seats_working",
        "seatwatch_seats_waiting",
        "seatwatch_seats_quiet",
        "seatwatch_oldest_wait_seconds",
        "seatwatch_host_state",
        "seatwatch_last_beat_age_seconds",
        "seatwatch_beacon_error",
        "seatwatch_hosts",
        "seatwatch_monitor_last_cron_timestamp_seconds",
        "seatwatch_last_beat_timestamp_seconds",
        "seatwatch_alerts_undelivered",
        "seatwatch_build_info",
      ].map((name) => `# TYPE ${name} gauge`),
    );
    expect(text.split("\n").filter((l) => l.startsWith("# HELP "))).toHaveLength(15);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("reports each host's seats, policy, idle panes, state and beat age", async () => {
    vi.setSystemTime(T0);
    const alpha = await enroll("alpha", { minSeats: 2 });
    await sendBeat(alpha, { seats: 5, idle: 1 });
    const broken = await enroll("broken");
    await sendBeat(broken, { seats: 0, idle: 0, commands: {}, observed: "error", reason: "protocol_mismatch" });
    await enroll("fresh");
    vi.setSystemTime(T0 + 42_500);

    const lines = samples(await (await call("/metrics")).text());
    expect(lines).toEqual(
      expect.arrayContaining([
        'seatwatch_seats{host="alpha"} 5',
        'seatwatch_seats{host="broken"} 0',
        'seatwatch_min_seats{host="alpha"} 2',
        'seatwatch_min_seats{host="fresh"} 1',
        'seatwatch_idle_panes{host="alpha"} 1',
        'seatwatch_host_state{host="alpha",state="up"} 1',
        'seatwatch_host_state{host="alpha",state="silent"} 0',
        'seatwatch_host_state{host="broken",state="error"} 1',
        'seatwatch_host_state{host="fresh",state="new"} 1',
        'seatwatch_last_beat_age_seconds{host="alpha"} 42.5',
        `seatwatch_last_beat_timestamp_seconds{host="alpha"} ${T0 / 1000}`,
        "seatwatch_alerts_undelivered 0",
        `seatwatch_build_info{version="${version}"} 1`,
        'seatwatch_beacon_error{host="broken",reason="protocol_mismatch"} 1',
        'seatwatch_hosts{state="up"} 1',
        'seatwatch_hosts{state="error"} 1',
        'seatwatch_hosts{state="new"} 1',
        'seatwatch_hosts{state="paused"} 0',
        "seatwatch_monitor_last_cron_timestamp_seconds 0",
      ]),
    );
    // One state sample per host and each of the 9 states; a host that never beat has no seats, idle or age.
    expect(lines.filter((l) => l.startsWith("seatwatch_host_state{"))).toHaveLength(3 * 9);
    expect(lines.filter((l) => l.includes('host="fresh"'))).toHaveLength(1 + 9);
    expect(lines.filter((l) => l.startsWith("seatwatch_last_beat_timestamp_seconds"))).toHaveLength(2);
    // Beats without activity (older beacons) have no seats-at-work samples rather than zeros.
    expect(lines.filter((l) => l.startsWith("seatwatch_seats_working"))).toEqual([]);
    expect(lines.filter((l) => l.startsWith("seatwatch_beacon_error"))).toHaveLength(1);
  });

  it("keeps reporting the beacon's error while its last beat is the erroring one, even once silent", async () => {
    vi.setSystemTime(T0 + 3_600_000);
    const lines = samples(await (await call("/metrics")).text());
    expect(lines).toContain('seatwatch_host_state{host="broken",state="silent"} 1');
    expect(lines).toContain('seatwatch_beacon_error{host="broken",reason="protocol_mismatch"} 1');
  });

  it("stops reporting the beacon's error once a beat observes again", async () => {
    vi.setSystemTime(T0 + 3_600_000);
    const again = await enroll("recovers");
    await sendBeat(again, { seats: 0, idle: 0, commands: {}, observed: "error", reason: "timeout" });
    expect(await (await call("/metrics")).text()).toContain(
      'seatwatch_beacon_error{host="recovers",reason="timeout"} 1',
    );
    vi.setSystemTime(T0 + 3_600_000 + 5_000);
    await sendBeat(again, { seats: 2 });
    expect(await (await call("/metrics")).text()).not.toContain('host="recovers",reason=');
  });

  it("reports the time of the dead-man's switch's last cron run from the ledger", async () => {
    const ran = T0 + 7_200_000;
    vi.setSystemTime(ran);
    await cron(ran);
    vi.setSystemTime(ran + 30_000);
    const lines = samples(await (await call("/metrics")).text());
    expect(lines).toContain(`seatwatch_monitor_last_cron_timestamp_seconds ${ran / 1000}`);
  });

  it("escapes backslash, double quote and line feed in label values", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it("needs the read token when READ_TOKEN is set", async () => {
    const vars = { ...env, READ_TOKEN: "read-secret" };
    const denied = await worker.fetch(new Request(`${BASE}/metrics`), vars, createExecutionContext());
    await expectError(denied, 401, "unauthorized");
    const allowed = await worker.fetch(
      new Request(`${BASE}/metrics`, { headers: { authorization: "Bearer read-secret" } }),
      vars,
      createExecutionContext(),
    );
    expect(allowed.status).toBe(200);
  });
});
