import { afterEach, describe, expect, it, vi } from "vitest";
import { DUPLICATE_WARNING_MS } from "../../worker/fleet/duplicate.ts";
import { call, type Enrolled, enroll, sendBeat } from "./helpers.ts";

let clock = Date.parse("2027-10-01T00:00:00Z");
afterEach(() => {
  vi.useRealTimers();
});

/** Beats from the given beacon instances, in order, two minutes apart (the default keep-alive). */
async function beatsFrom(host: Enrolled, instances: string[]): Promise<void> {
  for (const instance of instances) {
    clock += 120_000;
    vi.setSystemTime(clock);
    expect((await sendBeat(host, { instance })).status).toBe(202);
  }
}

interface Detail {
  warnings: string[];
  duplicateBeacon: { instances: string[]; lastSwitchAt: string; message: string } | null;
}

async function detail(id: string): Promise<Detail> {
  return (await (await call(`/v1/hosts/${id}`)).json()) as Detail;
}

describe("duplicate_beacon", () => {
  it("is raised when two beacon instances alternate on one host id, naming both and the fix", async () => {
    const host = await enroll("clone-1");
    await beatsFrom(host, ["inst-a", "inst-a", "inst-b"]);
    expect((await detail("clone-1")).warnings).toEqual([]);
    await beatsFrom(host, ["inst-a"]);
    const d = await detail("clone-1");
    expect(d.warnings).toEqual(["duplicate_beacon"]);
    expect(d.duplicateBeacon).toMatchObject({
      instances: ["inst-a", "inst-b"],
      lastSwitchAt: new Date(clock).toISOString(),
    });
    expect(d.duplicateBeacon?.message).toContain("SEATWATCH_HOST");
  });

  it("is not raised by restarts, which never return to an earlier instance", async () => {
    const host = await enroll("restarts-1");
    await beatsFrom(host, ["run-1", "run-1", "run-2", "run-2", "run-3", "run-4", "run-5"]);
    expect(await detail("restarts-1")).toMatchObject({ warnings: [], duplicateBeacon: null });
  });

  it("clears an hour after the last switch back, once the copy is gone", async () => {
    const host = await enroll("clone-2");
    await beatsFrom(host, ["x", "y", "x", "y"]);
    const lastSwitch = clock;
    await beatsFrom(host, ["y"]);
    vi.setSystemTime(lastSwitch + DUPLICATE_WARNING_MS);
    expect((await detail("clone-2")).warnings).toEqual(["duplicate_beacon"]);
    vi.setSystemTime(lastSwitch + DUPLICATE_WARNING_MS + 1);
    expect(await detail("clone-2")).toMatchObject({ warnings: [], duplicateBeacon: null });
  });
});
