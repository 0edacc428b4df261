import { describe, expect, it } from "vitest";
import { monitorView } from "../../worker/ledger/monitor.ts";

const T0 = Date.parse("2027-03-01T00:00:00Z");

describe("the monitor", () => {
  const run = { lastCronAt: T0, hostsEvaluated: 3, handed: 1, carried: 0, alertsQueued: 0, cursor: null };

  it("is stale before the first cron run", () => {
    expect(monitorView(null, 0, T0)).toEqual({ lastCronAt: null, hostsEvaluated: 0, stale: true, undelivered: 0 });
  });

  it("is fresh for 3 minutes after a run and stale one millisecond later", () => {
    expect(monitorView(run, 2, T0 + 180_000)).toEqual({
      lastCronAt: new Date(T0).toISOString(),
      hostsEvaluated: 3,
      stale: false,
      undelivered: 2,
    });
    expect(monitorView(run, 0, T0 + 180_001).stale).toBe(true);
  });
});
