/** Seats at work on every read face (DESIGN §5): status, text table, host detail, badges, metrics, dashboard. */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SeatEntry } from "../../protocol/activity.ts";
import type { Beat } from "../../protocol/beat.ts";
import { DEFAULT_POLICY } from "../../protocol/policy.ts";
import { fleetFace } from "../../worker/faces/badge.ts";
import { type HostView, hostView } from "../../worker/fleet/view.ts";
import { makeActivityBeat, makeSeat } from "../support/beats.ts";
import { call, type Enrolled, enroll, sendBeat } from "./helpers.ts";

const T0 = Date.parse("2027-10-01T12:00:00Z");
/** Every test reads the fleet `beforeAll` builds, 60 s after its beats. */
const NOW = T0 + 60_000;

afterEach(() => {
  vi.setSystemTime(NOW);
});

function fields(list: SeatEntry[], ts: number): Partial<Beat> {
  const { seats, commands, activity, seatList } = makeActivityBeat(list, { ts });
  return { ts, seats, commands, activity, seatList };
}

let waiting: Enrolled;

beforeAll(async () => {
  vi.setSystemTime(T0);
  // Its beacon's clock runs 30 s slow; the faces show the Worker's times.
  waiting = await enroll("face-waiting", { maxWaitSeconds: 600 });
  const slow = T0 - 30_000;
  await sendBeat(
    waiting,
    fields(
      [
        makeSeat({
          pane: "%3",
          session: "main",
          window: 2,
          state: "waiting",
          since: slow - 900_000,
          via: "hook",
          why: "permission",
        }),
        makeSeat({ pane: "%5", session: "main", window: 4, state: "waiting", since: slow - 60_000, via: "pattern" }),
        makeSeat({ pane: "%4", session: "build", window: 1, state: "working", since: slow - 5_000 }),
      ],
      slow,
    ),
    { timestamp: Math.floor(slow / 1000) },
  );
  const stalled = await enroll("face-stalled", { minWorking: 4 });
  const eight = Array.from({ length: 8 }, (_, i) =>
    makeSeat({ pane: `%${i}`, session: "farm", window: i, state: i < 3 ? "working" : "quiet", since: T0 - 120_000 }),
  );
  await sendBeat(stalled, fields(eight, T0));
  const old = await enroll("face-old");
  await sendBeat(old, { seats: 2 });
  vi.setSystemTime(NOW);
});

describe("GET /v1/status", () => {
  interface Host {
    id: string;
    state: string;
    activity: Record<string, unknown> | null;
  }

  it("counts waiting and stalled hosts and gives each host its seats at work, the Worker's clock throughout", async () => {
    const doc = (await (await call("/v1/status")).json()) as { counts: Record<string, number>; hosts: Host[] };
    expect(doc.counts).toMatchObject({ up: 1, waiting: 1, stalled: 1 });
    const host = doc.hosts.find((h) => h.id === "face-waiting");
    expect(host?.state).toBe("waiting");
    expect(host?.activity).toEqual({
      working: 1,
      waiting: 2,
      quiet: 0,
      // 900 s before the (slow) beacon's sample, 60 s before now.
      oldestWaitSeconds: 960,
      oldestQuietSeconds: null,
      marks: true,
      attention: [
        { target: "main:2", state: "waiting", forSeconds: 960, why: "permission" },
        { target: "main:4", state: "waiting", forSeconds: 120, why: "matched --waiting-pattern" },
      ],
    });
    expect(doc.hosts.find((h) => h.id === "face-old")?.activity).toBeNull();
  });

  it("shows seats at work in the text table", async () => {
    const text = await (await call("/v1/status?format=text")).text();
    const line = (id: string) => text.split("\n").find((l) => l.startsWith(`${id} `)) ?? "";
    expect(line("face-waiting")).toMatch(/\bwaiting\s+3\s+1\s+1 working, 2 waiting 16m\s+1m ago\s+seat_waiting\s+-$/);
    expect(line("face-stalled")).toMatch(/\bstalled\s+8\s+1\s+3 working, 5 quiet\s+1m ago\s+too_few_working\s+-$/);
    expect(line("face-old")).toMatch(/\bup\s+2\s+1\s+-\s+1m ago\s+-\s+-$/);
  });
});

describe("GET /v1/hosts/:id", () => {
  it("lists the last beat's seats, waiting first, each dated on the Worker's clock with how long", async () => {
    const detail = (await (await call("/v1/hosts/face-waiting")).json()) as {
      seatList: Record<string, unknown>[];
      lastBeat: { activity: Record<string, unknown> };
    };
    expect(detail.seatList[0]).toEqual({
      pane: "%3",
      target: "main:2",
      session: "main",
      window: 2,
      command: "claude",
      state: "waiting",
      since: new Date(T0 - 900_000).toISOString(),
      forSeconds: 960,
      via: "hook",
      why: "permission",
    });
    expect(detail.seatList.map((s) => s.target)).toEqual(["main:2", "main:4", "build:1"]);
    // The beat as the beacon sent it: its own clock.
    expect(detail.lastBeat.activity).toMatchObject({ waiting: 2, waitingSince: T0 - 30_000 - 900_000 });
  });

  it("has no seat list for a beat from an older beacon", async () => {
    expect(((await (await call("/v1/hosts/face-old")).json()) as { seatList: unknown }).seatList).toBeNull();
  });
});

describe("badges", () => {
  it("a waiting host reads `<n> waiting` in orange", async () => {
    expect(await (await call("/badge/face-waiting.json")).json()).toEqual({
      schemaVersion: 1,
      label: "seats",
      message: "2 waiting",
      color: "orange",
    });
  });

  it("a stalled host reads `<working>/<seats> working` in orange", async () => {
    expect(await (await call("/badge/face-stalled.json")).json()).toMatchObject({
      message: "3/8 working",
      color: "orange",
    });
  });

  it("the fleet reads its worst degraded state, low before waiting before stalled", () => {
    const meta = (policy = {}) => ({
      epoch: "e",
      createdAt: new Date(T0).toISOString(),
      hasKey: true,
      policy: { ...DEFAULT_POLICY, ...policy },
    });
    const beat = (state: HostView["state"], activity: NonNullable<HostView["activity"]> | null = null) => ({
      epoch: "e",
      lastSeen: NOW,
      ts: NOW,
      seats: 2,
      idle: 0,
      observed: "ok" as const,
      reason: null,
      state,
      since: NOW,
      offset: 0,
      activity,
    });
    const stuck = { working: 1, waiting: 1, quiet: 0, waitingSince: NOW - 3_600_000, quietSince: null };
    const views = {
      up: hostView("a", meta(), beat("up"), NOW),
      waiting: hostView("b", meta(), beat("waiting", stuck), NOW),
      stalled: hostView("c", meta({ minWorking: 2, maxWaitSeconds: 0 }), beat("stalled", stuck), NOW),
      low: hostView("d", meta({ minSeats: 3 }), beat("low"), NOW),
    };
    expect([views.up.state, views.waiting.state, views.stalled.state, views.low.state]).toEqual([
      "up",
      "waiting",
      "stalled",
      "low",
    ]);
    expect(fleetFace([views.up, views.stalled])).toEqual({ message: "1/2 stalled", color: "orange" });
    expect(fleetFace([views.up, views.stalled, views.waiting])).toEqual({ message: "1/3 waiting", color: "orange" });
    expect(fleetFace([views.up, views.stalled, views.waiting, views.low])).toEqual({
      message: "1/4 low",
      color: "orange",
    });
  });
});

describe("GET /metrics", () => {
  it("reports seats working, waiting and quiet and the oldest wait, only for hosts whose beacon says", async () => {
    const lines = (await (await call("/metrics")).text()).split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        'seatwatch_seats_working{host="face-waiting"} 1',
        'seatwatch_seats_waiting{host="face-waiting"} 2',
        'seatwatch_seats_quiet{host="face-waiting"} 0',
        'seatwatch_oldest_wait_seconds{host="face-waiting"} 960',
        'seatwatch_seats_working{host="face-stalled"} 3',
        'seatwatch_seats_quiet{host="face-stalled"} 5',
        'seatwatch_oldest_wait_seconds{host="face-stalled"} 0',
        'seatwatch_host_state{host="face-waiting",state="waiting"} 1',
        'seatwatch_hosts{state="stalled"} 1',
      ]),
    );
    expect(lines.filter((l) => l.includes('host="face-old"') && l.startsWith("seatwatch_seats_"))).toEqual([]);
  });
});

describe("GET /", () => {
  function rowOf(html: string, id: string): string {
    return new RegExp(`<tr class="host[^"]*" id="host-${id}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? "";
  }

  it("shows working · waiting · quiet in the seats cell and the waiting seats with how long", async () => {
    const html = await (await call("/")).text();
    const row = rowOf(html, "face-waiting");
    expect(row).toContain(
      '<span class="work"><span class="working">1 working</span> · <span class="waiting">2 waiting</span> · <span class="muted">0 quiet</span></span>',
    );
    expect(row).toContain('<li title="permission"><code>main:2</code> waiting 16m</li>');
    expect(row).toContain("<code>main:4</code> waiting 2m</li>");
    expect(rowOf(html, "face-stalled")).not.toContain('class="waits"');
    expect(rowOf(html, "face-old")).not.toContain('class="work"');
  });
});

describe("GET /hosts/:id", () => {
  it("lists the seats, waiting first, each with its target, how long on the Worker's clock, and its evidence", async () => {
    const html = await (await call("/hosts/face-waiting")).text();
    const rows = [...html.matchAll(/<tr class="seat seat-(\w+)">[\s\S]*?<\/tr>/g)];
    expect(rows.map((r) => r[1])).toEqual(["waiting", "waiting", "working"]);
    expect(rows[0]?.[0]).toContain("main:2");
    expect(rows[0]?.[0]).toContain(">16m ");
    expect(rows[0]?.[0]).toContain("the agent&#39;s hook said so");
    expect(rows[1]?.[0]).toContain(">2m ");
  });
});
