import { describe, expect, it } from "vitest";
import type { State } from "../../protocol/verdict.ts";
import type { AlertEvent } from "../../worker/alerts/event.ts";
import { applyObservation, type Decision, type HostRecord, releaseHold, remind } from "../../worker/ledger/announce.ts";
import type { Observation } from "../../worker/ledger/observation.ts";
import { type Announced, messagesFor, SUMMARY_THRESHOLD } from "../../worker/ledger/routing.ts";
import { makeObservation } from "../support/observations.ts";

const T0 = Date.parse("2027-03-01T00:00:00Z");
const MINUTE = 60_000;

function obs(fields: Partial<Observation> = {}): Observation {
  return makeObservation("up", T0, fields);
}

/** The decision for `o`, which must change something. */
function heard(stored: HostRecord | null, o: Observation): Decision {
  const decision = applyObservation(stored, o);
  if (decision === null) throw new Error(`observation changed nothing: ${JSON.stringify(o)}`);
  return decision;
}

/** A host the ledger has seen beat up, as receivers know it. */
function upHost(fields: Partial<Observation> = {}): HostRecord {
  return heard(null, obs(fields)).host;
}

/** A host whose move into `state` at `at` was announced (beating until then, unless `fields` say otherwise). */
function announcedDown(state: Observation["state"], at: number, fields: Partial<Observation> = {}): HostRecord {
  const decision = heard(upHost(fields), obs({ lastSeen: at, ...fields, state, since: at, at }));
  expect(decision.announce).not.toBeNull();
  return decision.host;
}

describe("an observation", () => {
  it("of a move into an alerting state is announced at once, with the transition recorded from the state before", () => {
    const host = upHost();

    const { transition, announce } = heard(
      host,
      obs({ state: "blind", reason: "zero_seats", lastSeen: T0 + 5_000, since: T0 + 5_000, at: T0 + 5_000 }),
    );

    expect(transition).toMatchObject({
      id: `h-1.blind.${T0 + 5_000}`,
      state: "blind",
      previous: "up",
      reason: "zero_seats",
    });
    expect(announce).toEqual({ id: `h-1.blind.${T0 + 5_000}`, at: T0 + 5_000, states: ["blind"], as: "transition" });
  });

  it("of the state the ledger already knows changes nothing, so a second cron run announces nothing twice", () => {
    const down = announcedDown("silent", T0 + MINUTE);

    expect(applyObservation(down, obs({ state: "silent", since: T0 + MINUTE, at: T0 + 2 * MINUTE }))).toBeNull();
  });

  it("older than what the ledger heard (a cron run's stale view) never wins", () => {
    const recovered = upHost({ lastSeen: T0 + MINUTE, since: T0 + MINUTE, at: T0 + MINUTE });

    const stale = obs({ state: "silent", lastSeen: T0, since: T0 + 30_000, at: T0 + 2 * MINUTE });

    expect(applyObservation(recovered, stale)).toBeNull();
  });

  it("on the same beat as the ledger's record but judged earlier is ignored", () => {
    const judgedLater = upHost({ at: T0 + 2 * MINUTE });

    expect(applyObservation(judgedLater, obs({ state: "low", at: T0 + MINUTE }))).toBeNull();
  });

  it("of a re-created host ignores the record of its deleted incarnation", () => {
    const deleted = announcedDown("blind", T0 + MINUTE, { epoch: "e-old" });

    const { transition, announce } = heard(deleted, obs({ epoch: "e-new", at: T0 + 2 * MINUTE }));

    expect(transition?.previous).toBe("new");
    expect(announce).toBeNull();
  });
});

describe("new → up", () => {
  it("is recorded but announced to no one, and receivers are taken to know the host is up", () => {
    const { host, transition, announce } = heard(null, obs());

    expect(transition).toMatchObject({ id: `h-1.up.${T0}`, previous: "new", state: "up" });
    expect(announce).toBeNull();
    expect(host.announced).toBe("up");
  });
});

describe("a recovery", () => {
  it("to up from an announced alerting state is announced, with no reminder after it", () => {
    const down = announcedDown("error", T0 + MINUTE, { repeatEvery: 600 });

    const back = T0 + 5 * MINUTE;
    const { host, transition, announce } = heard(
      down,
      obs({ repeatEvery: 600, lastSeen: back, since: back, at: back }),
    );

    expect(transition?.previous).toBe("error");
    expect(announce?.id).toBe(`h-1.up.${back}`);
    expect(host).toMatchObject({ announced: "up", remindAt: null });
  });
});

describe("pausing and resuming", () => {
  it("announce nothing and keep what receivers last heard", () => {
    const down = announcedDown("silent", T0 + MINUTE, { lastSeen: T0 });

    const paused = heard(down, obs({ state: "paused", since: T0 + 2 * MINUTE, at: T0 + 2 * MINUTE }));
    const resumed = heard(paused.host, obs({ state: "silent", since: T0 + MINUTE, at: T0 + 3 * MINUTE }));

    expect([paused.announce, resumed.announce]).toEqual([null, null]);
    expect(paused.host.announced).toBe("silent");
    expect(resumed.host.transitionId).toBe(down.transitionId);
  });

  it("resume reminders when the host is still in the state receivers heard of", () => {
    const down = announcedDown("silent", T0 + MINUTE, { lastSeen: T0, repeatEvery: 600 });

    const paused = heard(down, obs({ state: "paused", repeatEvery: 600, since: T0 + 2 * MINUTE, at: T0 + 2 * MINUTE }));
    const resumed = heard(
      paused.host,
      obs({ state: "silent", repeatEvery: 600, since: T0 + MINUTE, at: T0 + 3 * MINUTE }),
    );

    expect(paused.host.remindAt).toBeNull();
    expect(resumed.host.remindAt).toBe(T0 + 3 * MINUTE + 600_000);
  });

  it("of an up host announce nothing on the way back up", () => {
    const paused = heard(upHost(), obs({ state: "paused", at: T0 + MINUTE }));

    const resumed = heard(paused.host, obs({ lastSeen: T0 + 2 * MINUTE, since: T0 + 2 * MINUTE, at: T0 + 2 * MINUTE }));

    expect([paused.announce, resumed.announce]).toEqual([null, null]);
  });
});

describe("alertAfter", () => {
  const down = T0 + MINUTE;
  const held = () =>
    heard(upHost({ alertAfter: 300 }), obs({ state: "blind", alertAfter: 300, lastSeen: down, since: down, at: down }));

  it("holds a move into an alerting state until the state has lasted alertAfter", () => {
    const { host, transition, announce } = held();

    expect(transition?.id).toBe(`h-1.blind.${down}`);
    expect(announce).toBeNull();
    expect(host.holdUntil).toBe(down + 300_000);
  });

  it("announces the held state when the hold falls due, dated then, and not a millisecond early", () => {
    const { host } = held();

    const early = releaseHold(host, down + 300_000 - 1);
    const due = releaseHold(host, down + 300_000);

    expect(early.announce).toBeNull();
    expect(early.host.holdUntil).toBe(down + 300_000);
    expect(due.announce).toEqual({ id: `h-1.blind.${down}`, at: down + 300_000, states: ["blind"], as: "transition" });
    expect(due.host).toMatchObject({ announced: "blind", holdUntil: null });
  });

  it("drops the held alert when the host recovers first, and announces no recovery", () => {
    const { host } = held();

    const back = down + 100_000;
    const recovered = heard(host, obs({ alertAfter: 300, lastSeen: back, since: back, at: back }));

    expect(recovered.announce).toBeNull();
    expect(recovered.host).toMatchObject({ announced: "up", holdUntil: null });
  });

  it("announces at once a state that has already lasted alertAfter when the ledger first hears of it", () => {
    const silentSince = T0 + 30_000;

    const { announce } = heard(
      upHost({ alertAfter: 120 }),
      obs({ state: "silent", alertAfter: 120, since: silentSince, at: silentSince + 120_000 }),
    );

    expect(announce?.id).toBe(`h-1.silent.${silentSince}`);
  });
});

describe("reminders", () => {
  it("fall due every repeatEvery after the announcement while the host stays down, and not a millisecond early", () => {
    const down = announcedDown("blind", T0 + MINUTE, { repeatEvery: 600 });
    expect(down.remindAt).toBe(T0 + MINUTE + 600_000);

    expect(remind(down, T0 + MINUTE + 600_000 - 1).reminder).toBeNull();
    const first = remind(down, T0 + MINUTE + 600_000);
    const second = remind(first.host, T0 + MINUTE + 1_200_000);

    expect([first.reminder, second.reminder]).toEqual([1, 2]);
    expect(second.host.remindAt).toBe(T0 + MINUTE + 1_800_000);
  });

  it("start a new count at the next announcement", () => {
    const down = announcedDown("blind", T0 + MINUTE, { repeatEvery: 600 });
    const reminded = remind(down, T0 + MINUTE + 600_000).host;

    const worse = T0 + 20 * MINUTE;
    const { host } = heard(
      reminded,
      obs({ state: "error", repeatEvery: 600, lastSeen: worse, since: worse, at: worse }),
    );

    expect(host).toMatchObject({ reminders: 0, transitionId: `h-1.error.${worse}`, remindAt: worse + 600_000 });
  });

  it("are never due when repeatEvery is 0", () => {
    const down = announcedDown("blind", T0 + MINUTE, { repeatEvery: 0 });

    expect(down.remindAt).toBeNull();
    expect(remind(down, T0 + 86_400_000).reminder).toBeNull();
  });
});

function announced(host: string, labels: string[], state: State = "silent"): Announced {
  const event: AlertEvent = {
    type: "host.transition",
    id: `${host}.${state}.${T0}`,
    host,
    state,
    previous: "up",
    reason: null,
    seats: 2,
    minSeats: 1,
    lastSeen: null,
    since: new Date(T0).toISOString(),
    at: new Date(T0).toISOString(),
    links: { host: "", badge: "" },
  };
  return { event, route: { labels, states: [state] } };
}

describe("the messages a webhook is sent", () => {
  const storm = (n: number) => Array.from({ length: n }, (_, i) => announced(`s-${i}`, ["storm"]));

  it(`are the transitions one by one up to ${SUMMARY_THRESHOLD} at once`, () => {
    const sent = messagesFor(
      { format: "json", labels: [], states: null },
      storm(SUMMARY_THRESHOLD),
      T0,
      "https://sw.test",
    );

    expect(sent.map((e) => e.type)).toEqual(Array(SUMMARY_THRESHOLD).fill("host.transition"));
  });

  it(`are one fleet.summary listing them all beyond ${SUMMARY_THRESHOLD}`, () => {
    const sent = messagesFor(
      { format: "slack", labels: [], states: null },
      storm(SUMMARY_THRESHOLD + 1),
      T0,
      "https://sw.test",
    );

    expect(sent.map((e) => [e.type, e.changes?.length])).toEqual([["fleet.summary", SUMMARY_THRESHOLD + 1]]);
  });

  it("are never summarised for PagerDuty, which keeps one incident per host", () => {
    const sent = messagesFor(
      { format: "pagerduty", labels: [], states: null },
      storm(SUMMARY_THRESHOLD + 1),
      T0,
      "https://sw.test",
    );

    expect(sent).toHaveLength(SUMMARY_THRESHOLD + 1);
  });

  it("hold only the hosts carrying one of the webhook's labels, and count only those towards a storm", () => {
    const mixed = [...storm(SUMMARY_THRESHOLD), announced("gpu-1", ["gpu"]), announced("gpu-2", ["gpu", "rack"])];

    const sent = messagesFor({ format: "json", labels: ["gpu"], states: null }, mixed, T0, "https://sw.test");

    expect(sent.map((e) => e.host)).toEqual(["gpu-1", "gpu-2"]);
  });
});
