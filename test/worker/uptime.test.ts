import { afterEach, describe, expect, it, vi } from "vitest";
import { type StateChange, UPTIME_NOTE, uptime, uptimeWindows } from "../../worker/faces/uptime.ts";
import { beat, cron } from "./alerting.ts";
import { admin, call, enroll, expectError } from "./helpers.ts";

const H = 3_600_000;
const T = Date.parse("2027-09-01T00:00:00Z");

describe("uptime arithmetic", () => {
  // 00:00 up, 02:00 blind, 03:00 up, 10:00 paused, 14:00 up, 20:00 low, 22:00 up; judged at 24:00.
  const day: StateChange[] = [
    { state: "up", since: T },
    { state: "blind", since: T + 2 * H },
    { state: "up", since: T + 3 * H },
    { state: "paused", since: T + 10 * H },
    { state: "up", since: T + 14 * H },
    { state: "low", since: T + 20 * H },
    { state: "up", since: T + 22 * H },
  ];

  it("counts up, low and down time and leaves paused time out of the ratio", () => {
    expect(uptime(day, T, T + 24 * H)).toEqual({
      from: new Date(T).toISOString(),
      to: new Date(T + 24 * H).toISOString(),
      uptime: 17 / 20,
      upSeconds: 17 * 3600,
      lowSeconds: 2 * 3600,
      downSeconds: 3600,
      pausedSeconds: 4 * 3600,
      unknownSeconds: 0,
    });
  });

  it("starts a window in the state in force at its start, whatever order the changes come in", () => {
    const result = uptime([...day].reverse(), T + 2.5 * H, T + 12 * H);
    expect(result).toMatchObject({ upSeconds: 7 * 3600, downSeconds: 1800, pausedSeconds: 2 * 3600 });
    expect(result.uptime).toBeCloseTo(7 / 7.5, 12);
  });

  it("leaves time before the first transition out as unknown, and has no ratio without monitored time", () => {
    expect(uptime(day, T - 24 * H, T + 24 * H)).toMatchObject({ unknownSeconds: 24 * 3600, uptime: 17 / 20 });
    expect(uptime([{ state: "paused", since: T }], T, T + H)).toMatchObject({ uptime: null, pausedSeconds: 3600 });
    expect(uptime([], T, T + H)).toMatchObject({ uptime: null, unknownSeconds: 3600 });
  });

  it("gives the 24 h, 7 d and 30 d windows ending now", () => {
    const now = T + 24 * H;
    const windows = uptimeWindows(day, now);
    expect(windows["24h"].uptime).toBe(17 / 20);
    expect(windows["7d"]).toMatchObject({ from: new Date(now - 7 * 24 * H).toISOString(), unknownSeconds: 6 * 86_400 });
    expect(windows["30d"].unknownSeconds).toBe(29 * 86_400);
  });
});

describe("GET /v1/hosts/:id/events", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lists the host's transitions from the ledger, newest first, with uptime computed from them", async () => {
    vi.setSystemTime(T);
    const host = await enroll("ev-1", { graceSeconds: 60 });
    await beat(host);
    vi.setSystemTime(T + H);
    await beat(host, { seats: 0 });
    vi.setSystemTime(T + 2 * H);
    await beat(host);
    // Silent from 60 s after the last beat, found by the cron.
    await cron(T + 3 * H);
    vi.setSystemTime(T + 4 * H);

    const res = await call("/v1/hosts/ev-1/events");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      events: { id: string; state: string; previous: string; announced: boolean }[];
      uptime: Record<string, { uptime: number; upSeconds: number; downSeconds: number; unknownSeconds: number }>;
      uptimeNote: string;
    };
    expect(body.events.map((e) => [e.id, e.previous, e.state, e.announced])).toEqual([
      [`ev-1.silent.${T + 2 * H + 60_000}`, "up", "silent", true],
      [`ev-1.up.${T + 2 * H}`, "blind", "up", true],
      [`ev-1.blind.${T + H}`, "up", "blind", true],
      [`ev-1.up.${T}`, "new", "up", false],
    ]);
    const downSeconds = 3600 + (2 * H - 60_000) / 1000;
    expect(body.uptime["24h"]).toMatchObject({ upSeconds: 3600 + 60, downSeconds, unknownSeconds: 20 * 3600 });
    expect(body.uptime["24h"]?.uptime).toBeCloseTo(3660 / (3660 + downSeconds), 12);
    expect(body.uptimeNote).toBe(UPTIME_NOTE);
  });

  it("starts a fresh history when a host is deleted and enrolled again", async () => {
    vi.setSystemTime(T + 5 * H);
    expect((await admin("DELETE", "/v1/hosts/ev-1")).status).toBe(204);
    await enroll("ev-1");
    const body = (await (await call("/v1/hosts/ev-1/events")).json()) as { events: unknown[] };
    expect(body.events).toEqual([]);
  });

  it("answers 404 for an unknown host", async () => {
    await expectError(await call("/v1/hosts/nobody/events"), 404, "unknown_host");
  });
});
