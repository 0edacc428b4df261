/**
 * Issue 12 item 5: every transition has its own id (receivers dedupe on `webhook-id`), stable
 * across retries. The case that broke it: the cron sees a silence the beat path never saw, and the
 * recovery after it was recorded with the first recovery's `since`, hence its id.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { beat, cron, deliveries, events, hook, runAlarm } from "./alerting.ts";
import { enroll, testClock } from "./helpers.ts";

const { at, freshDay } = testClock("2028-01-01T00:00:00Z");

afterEach(() => {
  vi.useRealTimers();
});

describe("transition ids", () => {
  it("differ for every announced transition of a silent-recovery sequence the beat path only half saw", async () => {
    const t0 = freshDay();
    await hook("ids", "ids");
    const host = await enroll("ids-1", { graceSeconds: 30, labels: ["ids"] });
    await beat(host);
    await cron(at(t0 + 31_000)); // silent
    await runAlarm();
    at(t0 + 35_000);
    await beat(host); // the beat path sees the silence: recovery, since t0+35 s
    await runAlarm();
    await cron(at(t0 + 66_000)); // silent again (grace ran out at t0+65 s)
    await runAlarm();
    // A beat that arrives on an isolate whose clock is behind the cron's scheduledTime: to the
    // beat path the host was never silent, so its record keeps "up since t0+35 s".
    at(t0 + 64_000);
    await beat(host);
    await cron(at(t0 + 90_000)); // hands the recovery over
    await runAlarm();

    const heard = await events("ids");
    expect(heard.map((e) => [e.state, e.previous])).toEqual([
      ["silent", "up"],
      ["up", "silent"],
      ["silent", "up"],
      ["up", "silent"],
    ]);
    expect(new Set(heard.map((e) => e.id)).size).toBe(4);
    // A recovery cannot begin before the silence it ends.
    expect(Date.parse(heard[3]?.since ?? "")).toBeGreaterThan(Date.parse(heard[2]?.since ?? ""));
    expect(new Set((await deliveries("ids")).map((d) => d.headers["webhook-id"])).size).toBe(4);
  });
});
