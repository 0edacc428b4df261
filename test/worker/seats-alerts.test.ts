/** Seats at work in the dead-man's switch (DESIGN §6): waits judged by the cron, announced once, and where to attach. */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Beat } from "../../protocol/beat.ts";
import { type AlertEvent, transitionEvent } from "../../worker/alerts/event.ts";
import { discordBody } from "../../worker/alerts/formats/discord.ts";
import { ntfyRequest } from "../../worker/alerts/formats/ntfy.ts";
import { pagerdutyBody } from "../../worker/alerts/formats/pagerduty.ts";
import { slackBody } from "../../worker/alerts/formats/slack.ts";
import { makeActivityBeat, makeSeat } from "../support/beats.ts";
import { beat, cron, events, hook, runAlarm } from "./alerting.ts";
import { call, enroll, testClock } from "./helpers.ts";

const { at, freshDay } = testClock("2027-09-01T00:00:00Z");

afterEach(() => {
  vi.useRealTimers();
});

/** Seat fields of a beat: one seat waiting since `waitingSince` (if given), one working. */
function seats(now: number, waitingSince: number | null): Partial<Beat> {
  const working = makeSeat({ pane: "%4", session: "build", window: 1, state: "working", since: now - 1_000 });
  const list =
    waitingSince === null
      ? [working, makeSeat({ pane: "%3", session: "main", window: 2, state: "working", since: now - 500 })]
      : [
          makeSeat({
            pane: "%3",
            session: "main",
            window: 2,
            state: "waiting",
            since: waitingSince,
            via: "hook",
            why: "permission",
          }),
          working,
        ];
  const { seats, commands, activity, seatList } = makeActivityBeat(list);
  return { ts: now, seats, commands, activity, seatList };
}

function summary(e: AlertEvent) {
  return [e.type, e.state, e.previous, e.reason];
}

describe("a seat that waits for a person", () => {
  it("turns its host waiting at the next cron run after maxWaitSeconds with no new beat, announced once, naming the seat", async () => {
    const t0 = freshDay();
    await hook("waits", "waits");
    const host = await enroll("wait-1", { maxWaitSeconds: 600, labels: ["waits"], graceSeconds: 3_600 });
    await beat(host, seats(t0, t0 - 60_000));

    // 540 s after the beat the seat has waited exactly 600 s: not yet.
    await cron(at(t0 + 540_000));
    await runAlarm();
    expect(await events("waits")).toEqual([]);

    await cron(at(t0 + 600_000));
    await runAlarm();
    await cron(at(t0 + 660_000));
    await runAlarm();
    const got = await events("waits");
    expect(got.map(summary)).toEqual([["host.transition", "waiting", "up", "seat_waiting"]]);
    // The wait passed its limit at t0 + 540 s: that is when the state began, whichever path saw it.
    expect(got[0]?.since).toBe(new Date(t0 + 540_000).toISOString());
    expect(got[0]?.id).toBe(`wait-1.waiting.${t0 + 540_000}`);
    expect(got[0]?.attention).toEqual([{ target: "main:2", state: "waiting", forSeconds: 660, why: "permission" }]);
  });

  it("recovers on the next beat that carries no wait, announced once", async () => {
    const t0 = freshDay();
    await hook("waits-back", "waits-back");
    const host = await enroll("wait-2", { maxWaitSeconds: 600, labels: ["waits-back"], graceSeconds: 3_600 });
    await beat(host, seats(t0, t0 - 60_000));
    await cron(at(t0 + 600_000));
    await runAlarm();

    at(t0 + 700_000);
    await beat(host, seats(t0 + 700_000, null));
    await runAlarm();
    await cron(at(t0 + 760_000));
    await runAlarm();
    const got = await events("waits-back");
    expect(got.map(summary)).toEqual([
      ["host.transition", "waiting", "up", "seat_waiting"],
      ["host.transition", "up", "waiting", null],
    ]);
    expect(got[1]?.attention).toBeUndefined();
  });

  it("is reminded every repeatEvery while it still waits, each reminder saying how long by then", async () => {
    const t0 = freshDay();
    await hook("waits-remind", "waits-remind");
    const host = await enroll("wait-3", {
      maxWaitSeconds: 600,
      repeatEvery: 600,
      labels: ["waits-remind"],
      graceSeconds: 86_400,
    });
    await beat(host, seats(t0, t0 - 60_000));
    await cron(at(t0 + 600_000));
    await runAlarm();
    at(t0 + 1_200_000);
    await runAlarm();
    const got = await events("waits-remind");
    expect(got.map((e) => [e.type, e.state])).toEqual([
      ["host.transition", "waiting"],
      ["host.reminder", "waiting"],
    ]);
    expect(got.map((e) => e.attention?.[0]?.forSeconds)).toEqual([660, 1_260]);
  });

  it("is held back by alertAfter like low, and dropped when the wait ends first", async () => {
    const t0 = freshDay();
    await hook("waits-hold", "waits-hold");
    const host = await enroll("wait-4", {
      maxWaitSeconds: 600,
      alertAfter: 300,
      labels: ["waits-hold"],
      graceSeconds: 3_600,
    });
    await beat(host, seats(t0, t0 - 60_000));
    await cron(at(t0 + 600_000));
    await runAlarm();
    expect(await events("waits-hold")).toEqual([]);
    at(t0 + 700_000);
    await beat(host, seats(t0 + 700_000, null));
    at(t0 + 900_000);
    await runAlarm();
    expect(await events("waits-hold")).toEqual([]);
  });

  it("makes /v1/check and the host's check answer 503 while the host is waiting", async () => {
    const t0 = freshDay();
    const host = await enroll("wait-5", { maxWaitSeconds: 600, graceSeconds: 3_600 });
    await beat(host, seats(t0, t0 - 601_000));
    const res = await call(`/v1/hosts/${host.id}/check`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("wait-5: waiting (seat_waiting)");
    expect((await call("/v1/check")).status).toBe(503);
  });
});

describe("too few seats working", () => {
  it("announces stalled from the beat path and the recovery once enough work again", async () => {
    const t0 = freshDay();
    await hook("stalls", "stalls");
    const host = await enroll("stall-1", { minWorking: 2, labels: ["stalls"] });
    await beat(host, seats(t0, null));
    at(t0 + 5_000);
    const quiet = makeActivityBeat([
      makeSeat({ pane: "%3", session: "main", window: 2, state: "quiet", since: t0 - 3_600_000, via: "hook" }),
      makeSeat({ pane: "%4", session: "build", window: 1, state: "working", since: t0 }),
    ]);
    await beat(host, { ts: t0 + 5_000, activity: quiet.activity, seatList: quiet.seatList, seats: 2 });
    await runAlarm();
    at(t0 + 10_000);
    await beat(host, seats(t0 + 10_000, null));
    await runAlarm();
    const got = await events("stalls");
    expect(got.map(summary)).toEqual([
      ["host.transition", "stalled", "up", "too_few_working"],
      ["host.transition", "up", "stalled", null],
    ]);
    expect(got[0]?.attention).toEqual([
      { target: "main:2", state: "quiet", forSeconds: 3_605, why: "finished its turn" },
    ]);
  });
});

describe("every alert format", () => {
  const event = transitionEvent(
    {
      id: "gpu-7.waiting.1800000000000",
      host: "gpu-7",
      state: "waiting",
      previous: "up",
      reason: "seat_waiting",
      seats: 3,
      minSeats: 1,
      lastSeen: 1_800_000_000_000,
      since: 1_800_000_000_000,
      at: 1_800_000_060_000,
      attention: [{ target: "main:2", state: "waiting", since: 1_800_000_000_000 - 900_000, why: "permission" }],
    },
    "https://seatwatch.example.com",
  );

  it("says where to attach, for how long and why", () => {
    const line = "main:2 waiting 16m (permission)";
    expect(event.attention).toEqual([{ target: "main:2", state: "waiting", forSeconds: 960, why: "permission" }]);
    expect(JSON.stringify(slackBody(event))).toContain(line);
    expect(JSON.stringify(discordBody(event))).toContain(line);
    expect(ntfyRequest(event).body).toContain(`attach: ${line}`);
    const pd = pagerdutyBody(event, "R0123456789abcdef0123456789abcde") as { payload: { summary: string } };
    expect(pd.payload.summary).toBe(`gpu-7 is waiting: a seat has waited 16m for a person; attach ${line}`);
  });

  it("keeps the headline free of seat names, which are free text and ntfy sends the title as a header", () => {
    const odd = transitionEvent(
      { ...eventRecord(), attention: [{ target: "Ünï\tcødé:0", state: "waiting", since: 0, why: "question" }] },
      "https://seatwatch.example.com",
    );
    expect(ntfyRequest(odd).headers.title).toMatch(/^[\x20-\x7e]+$/);
    expect(ntfyRequest(odd).body).toContain("Ünï\tcødé:0");
  });
});

function eventRecord() {
  return {
    id: "h.waiting.1",
    host: "h",
    state: "waiting" as const,
    previous: "up" as const,
    reason: "seat_waiting",
    seats: 1,
    minSeats: 1,
    lastSeen: 1,
    since: 1,
    at: 1_000_000,
  };
}
