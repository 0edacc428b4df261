/**
 * Issue 12 item 7: a receiver cannot hurt the Worker or the other receivers. A huge error page is
 * not read (only its first KiB, for the error text), and a receiver that hangs does not hold back
 * another receiver's new alerts.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { send } from "../../worker/alerts/delivery.ts";
import { beat, deliveries, events, hook, receiverUrl, runAlarm } from "./alerting.ts";
import { enroll, testClock } from "./helpers.ts";

const { at, freshDay } = testClock("2027-09-01T00:00:00Z");

afterEach(() => {
  vi.useRealTimers();
});

const TWENTY_MB = 20 * 1024 * 1024;

async function until(check: () => Promise<boolean>, stop: () => boolean): Promise<boolean> {
  while (!stop()) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

describe("a receiver answering 500 with a 20 MB body", () => {
  it("costs the Worker its first KiB: the stored error is bounded and the rest is never read", async () => {
    const result = await send({
      method: "POST",
      url: receiverUrl("big-500", `big=${TWENTY_MB}`),
      headers: {},
      body: "{}",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(500);
    expect(result.error.startsWith("HTTP 500: xxx")).toBe(true);
    expect(new TextEncoder().encode(result.error).length).toBeLessThanOrEqual(1024);
    // The receiver stops writing when the Worker closes the socket: most of the page never left it.
    let delivery = (await deliveries("big-500"))[0];
    await until(
      async () => {
        delivery = (await deliveries("big-500"))[0];
        return delivery?.bodyComplete === false && (delivery.bodyBytesSent ?? 0) > 0;
      },
      () => false,
    );
    expect(delivery?.bodyComplete).toBe(false);
    expect(delivery?.bodyBytesSent).toBeLessThan(TWENTY_MB / 2);
  });
});

describe("a hung receiver beside a healthy one", () => {
  it("does not hold back the healthy receiver's next alert: it arrives within the same alarm run", async () => {
    const t0 = freshDay();
    await hook("pair-hung", "pair", "hang=1");
    await hook("pair-healthy", "pair");
    const host = await enroll("pair-1", { labels: ["pair"] });
    await beat(host, { seats: 2 });
    at(t0 + 2_000);
    await beat(host, { seats: 0 });

    let alarmDone = false;
    const alarm = runAlarm().finally(() => {
      alarmDone = true;
    });
    const heard = (n: number) => async () => (await events("pair-healthy")).length >= n;
    expect(await until(heard(1), () => alarmDone)).toBe(true);
    // The hung receiver is still holding its delivery open when the host recovers.
    at(t0 + 4_000);
    await beat(host, { seats: 2 });
    const heardRecovery = await until(heard(2), () => alarmDone);
    const whileHung = !alarmDone;
    await alarm;
    expect(heardRecovery).toBe(true);
    expect(whileHung).toBe(true);
    expect((await events("pair-healthy")).map((e) => e.state)).toEqual(["blind", "up"]);
    // The hung receiver's attempt was recorded on its own, as a failure to be retried.
    expect((await deliveries("pair-hung")).length).toBeGreaterThanOrEqual(1);
  });
});

describe("a slow receiver with a backlog beside a healthy one", () => {
  it("is sent one delivery at a time, so the healthy receiver's new alert does not wait behind its backlog", async () => {
    // Given a receiver taking 2 s an answer, with more alerts queued than the alarm has connections.
    const t0 = freshDay();
    await hook("backlog-slow", "backlog-slow", "delay=2000");
    await hook("backlog-healthy", "backlog-healthy");
    const slow = [];
    for (let i = 0; i < 7; i++) slow.push(await enroll(`backlog-slow-${i}`, { labels: ["backlog-slow"] }));
    for (const host of slow) await beat(host, { seats: 2 });
    const healthy = await enroll("backlog-healthy-1", { labels: ["backlog-healthy"] });
    await beat(healthy, { seats: 2 });
    at(t0 + 2_000);
    for (const host of slow) await beat(host, { seats: 0 });

    // When the healthy receiver's host goes blind while the alarm works through that backlog.
    let alarmDone = false;
    const alarm = runAlarm().finally(() => {
      alarmDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    at(t0 + 4_000);
    await beat(healthy, { seats: 0 });
    const heard = await until(
      async () => (await events("backlog-healthy")).length >= 1,
      () => alarmDone,
    );
    const slowSoFar = await deliveries("backlog-slow");
    await alarm;

    // Then it is heard while the slow receiver's first delivery is still open, and the slow one
    // never had two deliveries open at once, yet heard all seven in that run.
    expect(heard).toBe(true);
    expect(slowSoFar.map((d) => d.answered)).toEqual([null]);
    const all = await deliveries("backlog-slow");
    expect(all.map((d) => d.concurrent)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(all.every((d) => d.answered === 200)).toBe(true);
  }, 60_000);
});
