import { describe, expect, it } from "vitest";
import type { State } from "../../protocol/verdict.ts";
import {
  applyObservation,
  type Decision,
  type HostRecord,
  releaseHold,
  remind,
  reminderRoute,
  withLabels,
} from "../../worker/ledger/announce.ts";
import type { Observation } from "../../worker/ledger/observation.ts";
import { hears, type Listener } from "../../worker/ledger/routing.ts";
import { makeObservation } from "../support/observations.ts";

const T0 = Date.parse("2027-04-01T00:00:00Z");
const MINUTE = 60_000;

function obs(state: State, at: number, fields: Partial<Observation> = {}): Observation {
  return makeObservation(state, at, { repeatEvery: 3600, ...fields });
}

const pager: Listener = { format: "json", labels: [], states: ["silent", "error", "blind"] };
const chat: Listener = { format: "json", labels: [], states: ["low"] };
const all: Listener = { format: "json", labels: [], states: null };

/** Applies a sequence of states, one a minute from T0; returns every decision. */
function run(states: State[], fields: Partial<Observation> = {}): { host: HostRecord; decisions: Decision[] } {
  let host: HostRecord | null = null;
  const decisions: Decision[] = [];
  states.forEach((state, i) => {
    const d = applyObservation(host, obs(state, T0 + i * MINUTE, fields));
    if (d === null) throw new Error(`${state} changed nothing`);
    decisions.push(d);
    host = d.host;
  });
  return { host: host as unknown as HostRecord, decisions };
}

/** Which listeners hear each announcement, as names. */
function heardBy(decisions: Decision[], labels: string[] = []): string[][] {
  const hooks = { pager, chat, all };
  return decisions
    .filter((d) => d.announce !== null)
    .map((d) =>
      Object.entries(hooks)
        .filter(([, h]) => hears(h, { labels, states: d.announce?.states ?? [] }))
        .map(([name]) => name),
    );
}

describe("routing by state", () => {
  it("sends a move into a state only to the webhooks that hear it", () => {
    const { decisions } = run(["up", "low"]);

    expect(heardBy(decisions)).toEqual([["chat", "all"]]);
  });

  it("sends a recovery to every webhook that heard a state of the episode, and to no other", () => {
    const { decisions } = run(["up", "low", "blind", "up"]);

    expect(heardBy(decisions)).toEqual([
      ["chat", "all"],
      ["pager", "all"],
      ["pager", "chat", "all"],
    ]);
  });

  it("starts the next episode afresh: a later recovery from low does not reach the pager", () => {
    const { decisions } = run(["up", "silent", "up", "low", "up"]);

    expect(heardBy(decisions).slice(2)).toEqual([
      ["chat", "all"],
      ["chat", "all"],
    ]);
  });

  it("sends a reminder to the webhooks that hear the state it repeats", () => {
    const { host } = run(["up", "low", "blind"]);

    expect(reminderRoute(host).states).toEqual(["blind"]);
    expect(hears(chat, reminderRoute(host))).toBe(false);
    expect(hears(pager, reminderRoute(host))).toBe(true);
  });
});

describe("reminders follow the present", () => {
  it("use the labels the cron read from the host's config now, not those of its last change", () => {
    const { host } = run(["up", "silent"], { labels: ["old"] });
    const gpuPager: Listener = { ...pager, labels: ["gpu"] };
    expect(hears(gpuPager, reminderRoute(host))).toBe(false);

    const relabelled = withLabels(host, ["gpu"]);

    expect(relabelled).not.toBeNull();
    expect(hears(gpuPager, reminderRoute(relabelled as HostRecord))).toBe(true);
    expect(withLabels(relabelled as HostRecord, ["gpu"])).toBeNull();
  });
});

describe("flapping", () => {
  // Eight changes, one a minute: up → blind → up → … and it ends blind.
  const flap: State[] = ["up", "blind", "up", "blind", "up", "blind", "up", "blind", "up"];

  it("announces the first six changes, then one host.flapping notice, then nothing while it flaps", () => {
    const { decisions } = run([...flap, "blind"]);
    const announced = decisions.filter((d) => d.announce).map((d) => d.announce?.as);

    expect(announced).toEqual([...Array(6).fill("transition"), "flapping"]);
    // Every change is still recorded, for the host's history.
    expect(decisions.filter((d) => d.transition).length).toBe(10);
  });

  it("sends the notice to everyone who hears a state it flapped through", () => {
    const { decisions } = run(["up", "low", "up", "blind", "up", "low", "up", "blind"]);
    const notice = decisions.find((d) => d.announce?.as === "flapping");

    expect(notice?.announce?.states.sort()).toEqual(["blind", "low"]);
  });

  it("stays quiet until one state has held ten minutes, then announces where it settled, once", () => {
    const { host } = run(flap);
    const settleAt = host.since + 10 * MINUTE;
    expect(host.holdUntil).toBe(settleAt);

    expect(releaseHold(host, settleAt - 1).announce).toBeNull();
    const settled = releaseHold(host, settleAt);

    expect(settled.announce).toMatchObject({ id: `h-1.up.${host.since}`, as: "transition" });
    expect(settled.host).toMatchObject({ flappingSince: null, changes: [], announced: "up", heard: [] });
    expect(releaseHold(settled.host, settleAt + MINUTE).announce).toBeNull();
  });

  it("pauses reminders meanwhile and resumes them once it settles down", () => {
    const { host } = run([...flap, "blind"]);
    expect(host.remindAt).toBeNull();
    expect(remind({ ...host, remindAt: T0 }, T0 + 1).reminder).toBeNull();

    const settled = releaseHold(host, host.since + 10 * MINUTE);

    expect(settled.announce?.states).toContain("blind");
    expect(settled.host.remindAt).toBe(host.since + 10 * MINUTE + 3600_000);
  });

  it("does not count pauses and resumes as changes", () => {
    const { host, decisions } = run(["up", "paused", "up", "paused", "up", "paused", "up", "paused", "up"]);

    expect(host.flappingSince).toBeNull();
    expect(decisions.some((d) => d.announce?.as === "flapping")).toBe(false);
  });
});
