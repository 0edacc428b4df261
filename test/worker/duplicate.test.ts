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

describe("duplicate_beacon on every read face", () => {
  it("is in /v1/status (per host warnings, and its text table), /metrics (seatwatch_host_warning) and the dashboard", async () => {
    const clone = await enroll("clone-faces");
    const single = await enroll("single-faces");
    await beatsFrom(clone, ["face-a", "face-b", "face-a"]);
    await beatsFrom(single, ["face-c"]);

    const status = (await (await call("/v1/status")).json()) as { hosts: { id: string; warnings: string[] }[] };
    expect(status.hosts.find((h) => h.id === "clone-faces")?.warnings).toEqual(["duplicate_beacon"]);
    expect(status.hosts.find((h) => h.id === "single-faces")?.warnings).toEqual([]);
    const text = (await (await call("/v1/status?format=text")).text()).split("\n");
    expect(text.find((l) => l.startsWith("clone-faces "))).toMatch(/\sduplicate_beacon$/);
    expect(text.find((l) => l.startsWith("single-faces "))).toMatch(/\s-$/);

    const metrics = (await (await call("/metrics")).text()).split("\n");
    expect(metrics).toContain('seatwatch_host_warning{host="clone-faces",warning="duplicate_beacon"} 1');
    expect(metrics.filter((l) => l.startsWith('seatwatch_host_warning{host="single-faces"'))).toEqual([]);

    const html = await (await call("/")).text();
    const row = (id: string) =>
      html.slice(html.indexOf(`id="host-${id}"`), html.indexOf("</tr>", html.indexOf(`id="host-${id}"`)));
    expect(row("clone-faces")).toContain("duplicate_beacon");
    expect(row("single-faces")).not.toContain("duplicate_beacon");
  });
});
