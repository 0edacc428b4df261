import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCron } from "../../worker/cron.ts";
import type { HostConfig } from "../../worker/fleet/records.ts";
import { readHost } from "../../worker/fleet/store.ts";
import { SUMMARY_THRESHOLD } from "../../worker/ledger/announce.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import type { Observation } from "../../worker/ledger/observation.ts";
import { beat, cron, events, hook, runAlarm } from "./alerting.ts";
import { admin, enroll, testClock } from "./helpers.ts";
import { seedFleet } from "./seed.ts";

const { at, freshDay } = testClock("2027-05-01T00:00:00Z");

afterEach(() => {
  vi.useRealTimers();
});

describe("a deleted host", () => {
  it("gets no more reminders, and a beat of it still in flight cannot bring it back", async () => {
    const t0 = freshDay();
    await hook("deleted", "deleted");
    const host = await enroll("del-1", { repeatEvery: 600, labels: ["deleted"] });
    await beat(host);
    const down = at(t0 + 2_000);
    await beat(host, { seats: 0 });
    await runAlarm();
    expect((await events("deleted")).map((e) => e.type)).toEqual(["host.transition"]);

    const { epoch } = (await readHost(env.SEATWATCH_KV, "del-1")) as HostConfig;
    expect((await admin("DELETE", "/v1/hosts/del-1")).status).toBe(204);
    // A recovery accepted by an edge that still cached the host reaches the ledger with the old epoch.
    const late = at(down + 5_000);
    const stray = {
      host: "del-1",
      epoch,
      state: "up" as const,
      reason: null,
      seats: 2,
      minSeats: 1,
      labels: ["deleted"],
      attention: [],
    };
    await ledgerStub(env).observe(
      [{ ...stray, lastSeen: late, since: late, at: late, alertAfter: 0, repeatEvery: 600 }],
      null,
    );
    await runAlarm();
    at(down + 600_000);
    await runAlarm();
    at(down + 1_200_000);
    await runAlarm();
    expect((await events("deleted")).map((e) => e.type)).toEqual(["host.transition"]);
  });
});

describe("reminders", () => {
  it("repeat every repeatEvery while the host stays down, each with its own id, and stop at recovery", async () => {
    const t0 = freshDay();
    await hook("remind", "remind");
    const host = await enroll("rem-1", { repeatEvery: 600, labels: ["remind"] });
    await beat(host);
    const down = at(t0 + 2_000);
    await beat(host, { seats: 0 });
    await runAlarm();
    // Not due a millisecond early.
    at(down + 600_000 - 1);
    await runAlarm();
    expect(await events("remind")).toHaveLength(1);
    at(down + 600_000);
    await runAlarm();
    at(down + 1_200_000);
    await runAlarm();

    const transition = `rem-1.blind.${down}`;
    let got = await events("remind");
    expect(got.map((e) => [e.type, e.id, e.state])).toEqual([
      ["host.transition", transition, "blind"],
      ["host.reminder", `${transition}.r1`, "blind"],
      ["host.reminder", `${transition}.r2`, "blind"],
    ]);
    expect(new Set(got.map((e) => e.id)).size).toBe(3);

    const back = at(down + 1_300_000);
    await beat(host);
    await runAlarm();
    at(down + 1_800_000);
    await runAlarm();
    at(down + 2_400_000);
    await runAlarm();
    got = await events("remind");
    expect(got.map((e) => e.id)).toEqual([transition, `${transition}.r1`, `${transition}.r2`, `rem-1.up.${back}`]);
  });

  it("are never sent with repeatEvery 0", async () => {
    const t0 = freshDay();
    await hook("noremind", "noremind");
    const host = await enroll("rem-0", { repeatEvery: 0, labels: ["noremind"] });
    await beat(host);
    at(t0 + 2_000);
    await beat(host, { seats: 0 });
    await runAlarm();
    at(t0 + 86_400_000);
    await runAlarm();
    expect((await events("noremind")).map((e) => e.type)).toEqual(["host.transition"]);
  });
});

describe("alertAfter", () => {
  it("holds an alert back until the state has lasted alertAfter, then sends it once", async () => {
    const t0 = freshDay();
    await hook("hold", "hold");
    const host = await enroll("hold-1", { alertAfter: 300, labels: ["hold"] });
    await beat(host);
    const down = at(t0 + 2_000);
    await beat(host, { seats: 0 });
    await runAlarm();
    at(down + 300_000 - 1);
    await runAlarm();
    expect(await events("hold")).toEqual([]);

    at(down + 300_000);
    await runAlarm();
    await runAlarm();
    const got = await events("hold");
    expect(got.map((e) => [e.type, e.id, e.since])).toEqual([
      ["host.transition", `hold-1.blind.${down}`, new Date(down).toISOString()],
    ]);
  });

  it("drops a held alert when the host recovers first, and announces no recovery", async () => {
    const t0 = freshDay();
    await hook("blip", "blip");
    const host = await enroll("blip-1", { alertAfter: 300, labels: ["blip"] });
    await beat(host);
    at(t0 + 2_000);
    await beat(host, { seats: 0 });
    at(t0 + 100_000);
    await beat(host);
    at(t0 + 2_000 + 300_000);
    await runAlarm();
    at(t0 + 86_000_000);
    await runAlarm();
    expect(await events("blip")).toEqual([]);
  });

  it("holds silence found by the cron the same way", async () => {
    const t0 = freshDay();
    await hook("holdsilent", "holdsilent");
    const host = await enroll("hs-1", { graceSeconds: 60, alertAfter: 120, labels: ["holdsilent"] });
    await beat(host);
    await cron(at(t0 + 61_000));
    await runAlarm();
    await cron(at(t0 + 121_000));
    await runAlarm();
    expect(await events("holdsilent")).toEqual([]);
    // Silent since t0 + 60 s (the end of the grace), held for 120 s from then.
    at(t0 + 180_000);
    await runAlarm();
    expect((await events("holdsilent")).map((e) => e.id)).toEqual([`hs-1.silent.${t0 + 60_000}`]);
  });
});

describe("a storm", () => {
  it("of 20 hosts going silent in one cron run becomes one fleet.summary per webhook, listing them all", async () => {
    const t0 = freshDay();
    await hook("storm-a", "storm");
    await hook("storm-b", "storm");
    await hook("storm-other", "calm");
    const ids = Array.from({ length: 20 }, (_, i) => `storm-${String(i).padStart(2, "0")}`);
    await seedFleet(
      env.SEATWATCH_KV,
      ids.map((id) => ({ id, lastSeen: t0 - 600_000, policy: { labels: ["storm"] } })),
    );
    await runCron(env.SEATWATCH_KV, ledgerStub(env), t0);
    await runAlarm();

    for (const name of ["storm-a", "storm-b"]) {
      const got = await events(name);
      expect(got).toHaveLength(1);
      const [summary] = got;
      expect(summary).toMatchObject({ type: "fleet.summary", host: "fleet" });
      expect(summary?.changes?.map((c) => [c.host, c.state, c.type])).toEqual(
        ids.map((id) => [id, "silent", "host.transition"]),
      );
      expect(summary?.reason).toBe("20 hosts changed: 20 down or degraded, 0 recovered");
    }
    expect(await events("storm-other")).toEqual([]);
  });

  it(`of exactly ${SUMMARY_THRESHOLD} hosts is still sent host by host`, async () => {
    const t0 = freshDay();
    await hook("squall", "squall");
    const ids = Array.from({ length: SUMMARY_THRESHOLD }, (_, i) => `squall-${i}`);
    await seedFleet(
      env.SEATWATCH_KV,
      ids.map((id) => ({ id, lastSeen: t0 - 600_000, policy: { labels: ["squall"] } })),
    );
    await runCron(env.SEATWATCH_KV, ledgerStub(env), t0);
    await runAlarm();
    expect((await events("squall")).map((e) => [e.type, e.host]).sort()).toEqual(
      ids.map((id) => ["host.transition", id]),
    );
  });

  it("held back by alertAfter and released in one alarm is one summary too, with its own id", async () => {
    const t0 = freshDay();
    await hook("front", "front");
    const ids = Array.from({ length: 8 }, (_, i) => `front-${i}`);
    await seedFleet(
      env.SEATWATCH_KV,
      ids.map((id) => ({ id, lastSeen: t0 - 600_000, policy: { labels: ["front"], alertAfter: 600 } })),
    );
    await runCron(env.SEATWATCH_KV, ledgerStub(env), t0);
    await runAlarm();
    expect(await events("front")).toEqual([]);
    // Silent since the end of the grace (t0 - 300 s), held for 600 s from then.
    at(t0 + 300_000);
    await runAlarm();
    const got = await events("front");
    expect(got.map((e) => [e.type, e.changes?.length])).toEqual([["fleet.summary", 8]]);
  });
});

function observation(host: string, label: string, fields: Partial<Observation>): Observation {
  return {
    host,
    epoch: `epoch-${host}`,
    state: "silent",
    reason: "no_beat",
    seats: 3,
    minSeats: 1,
    lastSeen: 0,
    since: 0,
    at: 0,
    labels: [label],
    alertAfter: 0,
    repeatEvery: 0,
    attention: [],
    ...fields,
  };
}

describe("two storms released by one alarm", () => {
  it("lose no host: holds that fall due and a crashed run's transitions are summarised together", async () => {
    const t0 = freshDay();
    await hook("twostorms", "twostorms");
    const ledger = ledgerStub(env);
    // A cron run that recorded six silent hosts and crashed before reporting in…
    const orphaned = Array.from({ length: 6 }, (_, i) => `orph-${i}`);
    await ledger.observe(
      orphaned.map((id) => observation(id, "twostorms", { lastSeen: t0 - 400_000, since: t0 - 100_000, at: t0 })),
      t0,
    );
    // …and six blind hosts held by alertAfter until the moment the orphans are picked up.
    const release = t0 + 120_001;
    const held = Array.from({ length: 6 }, (_, i) => `held-${i}`);
    await ledger.observe(
      held.map((id) =>
        observation(id, "twostorms", {
          state: "blind",
          reason: "zero_seats",
          lastSeen: t0,
          since: t0,
          at: t0,
          alertAfter: 120.001,
        }),
      ),
      null,
    );
    at(release);
    await runAlarm();
    const got = await events("twostorms");
    const hosts = got.flatMap((e) => (e.changes ?? [e]).map((c) => c.host)).sort();
    expect(hosts).toEqual([...held, ...orphaned].sort());
    expect(new Set(got.map((e) => e.id)).size).toBe(got.length);
  });
});
