import { describe, expect, it } from "vitest";
import {
  type Decision,
  type Outcome,
  Pacer,
  type PacerSettings,
  type Reading,
  stateClass,
} from "../../beacon/pacer.ts";

const S = 15_000;
const ok = (seats: number): Reading => ({ observed: "ok", seats });
const err = (reason: string): Reading => ({ observed: "error", reason, seats: 0 });

/**
 * Drives a pacer one sample every 15 s through `readings`, answering every push with `answer`
 * (default: accepted, minSeats 1); returns the sample indexes that pushed and their causes.
 */
function drive(
  readings: Reading[],
  settings: Partial<PacerSettings> = {},
  answer: (i: number) => Outcome = () => ({
    accepted: true,
    minSeats: 1,
  }),
) {
  const pacer = new Pacer({ confirm: 2, keepaliveMs: 120_000, ...settings }, 0, () => 0.5);
  const pushes: { i: number; cause: string }[] = [];
  readings.forEach((reading, i) => {
    const now = (i + 1) * S;
    const decision: Decision = pacer.sampled(now, reading);
    if (decision.push) {
      pushes.push({ i, cause: decision.cause });
      pacer.pushed(now, reading, answer(i));
    }
  });
  return { pacer, pushes };
}

const repeat = (reading: Reading, n: number) => Array.from({ length: n }, () => reading);

describe("the pacer", () => {
  it("pushes the first state once it has been seen in confirm consecutive samples", () => {
    expect(drive([ok(3), ok(3)]).pushes).toEqual([{ i: 1, cause: "start" }]);
    expect(drive([ok(3)], { confirm: 1 }).pushes).toEqual([{ i: 0, cause: "start" }]);
    expect(drive([ok(3), ok(3), ok(3), ok(3)], { confirm: 4 }).pushes).toEqual([{ i: 3, cause: "start" }]);
  });

  it("pushes a state change at exactly the confirm-th sample that shows it", () => {
    const readings = [ok(3), ok(3), err("no_server"), err("no_server"), err("no_server")];
    expect(drive(readings).pushes).toEqual([
      { i: 1, cause: "start" },
      { i: 3, cause: "change" },
    ]);
    const three = [ok(3), ok(3), ok(3), err("timeout"), err("timeout"), err("timeout"), err("timeout")];
    expect(drive(three, { confirm: 3 }).pushes).toEqual([
      { i: 2, cause: "start" },
      { i: 5, cause: "change" },
    ]);
  });

  it("does not push a one-sample blip", () => {
    const readings = [ok(3), ok(3), err("timeout"), ok(3), ok(3), ok(0), ok(3), ok(3)];
    expect(drive(readings).pushes).toEqual([{ i: 1, cause: "start" }]);
  });

  it("restarts the count when the candidate state changes before it is confirmed", () => {
    const readings = [ok(3), ok(3), err("timeout"), err("server_lost"), err("server_lost")];
    expect(drive(readings).pushes).toEqual([
      { i: 1, cause: "start" },
      { i: 4, cause: "change" },
    ]);
  });

  it("treats a changed reason, seats reaching zero and crossing minSeats as state changes", () => {
    const base = [ok(3), ok(3)];
    expect(drive([...base, ok(0), ok(0)]).pushes.at(-1)).toEqual({ i: 3, cause: "change" });
    expect(drive([err("timeout"), err("timeout"), err("no_server"), err("no_server")]).pushes.at(-1)).toEqual({
      i: 3,
      cause: "change",
    });
    // minSeats 3 from the Worker: 3 → 2 crosses it (up → low), 2 → 1 does not.
    const low = drive([ok(3), ok(3), ok(2), ok(2), ok(1), ok(1)], {}, () => ({ accepted: true, minSeats: 3 }));
    expect(low.pushes).toEqual([
      { i: 1, cause: "start" },
      { i: 3, cause: "change" },
    ]);
  });

  it("coalesces other seat-count changes to at most one push a minute after the last push", () => {
    // Pushed at 30 s (sample 1); seats change at 45 s, 60 s, 75 s …: first eligible at ≥ 90 s (sample 5).
    const readings = [ok(3), ok(3), ok(4), ok(5), ok(6), ok(7), ok(8), ok(9), ok(9), ok(10), ok(11)];
    expect(drive(readings).pushes).toEqual([
      { i: 1, cause: "start" },
      { i: 5, cause: "seats" },
      { i: 9, cause: "seats" },
    ]);
  });

  it("does not push an unchanged seat count between keep-alives", () => {
    expect(drive(repeat(ok(3), 9)).pushes).toEqual([{ i: 1, cause: "start" }]);
  });

  it("sends a keep-alive once keepalive has passed since the last accepted push", () => {
    // Start push at 30 s; keep-alive at 150 s (i = 9) and 270 s (i = 17).
    expect(drive(repeat(ok(3), 20)).pushes).toEqual([
      { i: 1, cause: "start" },
      { i: 9, cause: "keepalive" },
      { i: 17, cause: "keepalive" },
    ]);
  });

  it("holds a keep-alive back while a blip settles, then sends the settled state", () => {
    const readings = [...repeat(ok(3), 9), err("timeout"), ok(3), ok(3)];
    expect(drive(readings).pushes).toEqual([
      { i: 1, cause: "start" },
      { i: 10, cause: "keepalive" },
    ]);
  });

  it("never holds a keep-alive back for longer than confirm samples of flapping", () => {
    const flap = [err("timeout"), err("server_lost")];
    const readings = [...repeat(ok(3), 9), ...flap, ...flap, ...flap];
    const { pushes } = drive(readings);
    expect(pushes).toEqual([
      { i: 1, cause: "start" },
      { i: 11, cause: "keepalive" },
    ]);
  });

  it("retries a failed push with exponential backoff and jitter, honouring Retry-After", () => {
    const pacer = new Pacer({ confirm: 1, keepaliveMs: 120_000 }, 0, () => 0);
    expect(pacer.sampled(0, ok(1))).toEqual({ push: true, cause: "start", attempt: 1 });
    const delays: number[] = [];
    let now = 0;
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      pacer.pushed(now, ok(1), { accepted: false });
      const due = pacer.retryDueAt() as number;
      delays.push(due - now);
      expect(pacer.sampled(due - 1, ok(1))).toEqual({ push: false });
      expect(pacer.sampled(due, ok(1))).toEqual({ push: true, cause: "start", attempt: attempt + 1 });
      now = due;
    }
    // random() = 0 takes the low end of ±25 %: 0.75 s, 1.5 s, 3 s … capped at 60 s × 0.75.
    expect(delays).toEqual([750, 1500, 3000, 6000, 12_000, 24_000, 45_000, 45_000]);

    pacer.pushed(now, ok(1), { accepted: false, retryAfterMs: 50_000 });
    expect(pacer.retryDueAt()).toBe(now + 50_000);
    pacer.pushed(now, ok(1), { accepted: true, minSeats: 1 });
    expect(pacer.retryDueAt()).toBeNull();
  });

  it("spreads retries with jitter", () => {
    const at = (random: number) => {
      const pacer = new Pacer({ confirm: 1, keepaliveMs: 120_000 }, 0, () => random);
      pacer.sampled(0, ok(1));
      pacer.pushed(0, ok(1), { accepted: false });
      return pacer.retryDueAt();
    };
    expect([at(0), at(0.5), at(0.999999)].map((t) => Math.round(t as number))).toEqual([750, 1000, 1250]);
  });

  it("keeps a failed push owed through later samples until one is accepted, then is quiet again", () => {
    const readings = repeat(ok(3), 8);
    const { pushes } = drive(readings, {}, (i) => (i < 4 ? { accepted: false } : { accepted: true, minSeats: 1 }));
    // Backoff (≤ 1.25 s here) is far below the 15 s sample: each sample after a failure retries.
    expect(pushes).toEqual([1, 2, 3, 4].map((i) => ({ i, cause: "start" })));
  });

  it("names state classes from observed, reason, zero and minSeats", () => {
    expect(stateClass(ok(0), null)).toBe("ok/zero");
    expect(stateClass(ok(2), null)).toBe("ok/some");
    expect(stateClass(ok(2), 3)).toBe("ok/below");
    expect(stateClass(ok(3), 3)).toBe("ok/enough");
    expect(stateClass(err("timeout"), 1)).toBe("error/timeout/zero");
  });
});

describe("the pacer predicting the verdict with activity (DESIGN §3a)", () => {
  const POLICY = { minSeats: 1, maxWaitSeconds: 900, minWorking: 0, maxQuietSeconds: 0 };
  const withPolicy =
    (policy = POLICY) =>
    () => ({ accepted: true as const, minSeats: policy.minSeats, policy });
  /** Two seats; `waitingSince` set means one of them waits since then. */
  const seats = (working: number, waitingSince: number | null = null): Reading => {
    const waiting = waitingSince === null ? 0 : 1;
    return {
      observed: "ok",
      seats: 2,
      activity: { working, waiting, quiet: 2 - working - waiting, waitingSince, quietSince: working === 2 ? null : 0 },
    };
  };
  const at = (i: number) => (i + 1) * S;
  const HOUR = 3_600_000;

  it("does not push seats flipping between working and quiet: they wait for the keep-alive", () => {
    const flipping = Array.from({ length: 40 }, (_, i) => seats(i % 2 === 0 ? 2 : 0));
    const steady = Array.from({ length: 40 }, () => seats(2));

    expect(drive(flipping, {}, withPolicy()).pushes).toEqual(drive(steady, {}, withPolicy()).pushes);
  });

  it("does not push a new wait, nor when that wait passes maxWaitSeconds after a keep-alive carried it", () => {
    // The wait begins at sample 4; keep-alives every 120 s tell the Worker, whose cron then judges it.
    const readings = Array.from({ length: 80 }, (_, i) => (i < 4 ? seats(1) : seats(1, at(4))));
    const pushes = drive(readings, {}, withPolicy()).pushes;

    expect(pushes.every((push) => push.cause === "start" || push.cause === "keepalive")).toBe(true);
  });

  it("pushes after confirm when a wait the Worker never heard of passes maxWaitSeconds", () => {
    // No keep-alive for an hour, so the Worker holds the beat from before the wait.
    // 900 s is 60 samples; the limit is passed strictly after, at sample 4 + 61; confirm 2 pushes the next.
    const passed = 4 + 61;
    const readings = Array.from({ length: 70 }, (_, i) => (i < 4 ? seats(1) : seats(1, at(4))));
    const pushes = drive(readings, { keepaliveMs: HOUR }, withPolicy()).pushes;

    expect(pushes).toEqual([
      { i: 1, cause: "start" },
      { i: passed + 1, cause: "change" },
    ]);
  });

  it("pushes after confirm when a wait the Worker holds as waiting ends, so it recovers", () => {
    const readings = [...repeat(seats(1, -HOUR), 3), ...repeat(seats(2), 3)];
    expect(drive(readings, { keepaliveMs: HOUR }, withPolicy()).pushes).toEqual([
      { i: 1, cause: "start" },
      { i: 4, cause: "change" },
    ]);
  });

  it("pushes stalled when fewer than minWorking work, after confirm", () => {
    const readings = [...repeat(seats(2), 3), ...repeat(seats(0), 3)];
    const policy = { ...POLICY, minWorking: 1 };
    expect(drive(readings, { keepaliveMs: HOUR }, withPolicy(policy)).pushes).toEqual([
      { i: 1, cause: "start" },
      { i: 4, cause: "change" },
    ]);
  });

  it("predicts nothing from activity without a policy from the Worker (an older Worker)", () => {
    const readings = [...repeat(seats(1, -HOUR), 3), ...repeat(seats(2), 3)];
    expect(drive(readings, { keepaliveMs: HOUR }).pushes).toEqual([{ i: 1, cause: "start" }]);
  });
});
