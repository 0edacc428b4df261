/**
 * Issue 12 item 4: a clock step must not lock a host out. Replays are judged by the beacon's own
 * (instance, seq); the ±300 s window stays on the signed timestamp; lastSeen is the Worker's clock.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../worker/index.ts";
import { call, enroll, expectError, kvSnapshot, sendBeat, signedBeat } from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
});

async function state(id: string): Promise<string> {
  return ((await (await call(`/v1/hosts/${id}`)).json()) as { state: string }).state;
}

describe("a beat dated ahead by a clock step", () => {
  it("does not refuse the correct beats after it: all are accepted and the host is never silent", async () => {
    let t = Date.parse("2027-11-01T00:00:00Z");
    vi.setSystemTime(t);
    const host = await enroll("step-1", { graceSeconds: 30 });
    // An NTP step or a VM resume: one beat signed 250 s ahead, then the clock is right again.
    const ahead = t + 250_000;
    expect((await sendBeat(host, { instance: "run-1", seq: 1, ts: ahead }, { timestamp: ahead / 1000 })).status).toBe(
      202,
    );
    const states: string[] = [];
    for (let seq = 2; seq <= 16; seq++) {
      t += 20_000;
      vi.setSystemTime(t);
      const res = await sendBeat(host, { instance: "run-1", seq, ts: t });
      expect(res.status, await res.clone().text()).toBe(202);
      states.push(await state("step-1"));
    }
    expect(new Set(states)).toEqual(new Set(["up"]));
  });
});

describe("a replay", () => {
  it("of an (instance, seq) not newer than the last accepted from that instance is 409 replayed, and changes nothing", async () => {
    const host = await enroll("replay-seq");
    expect((await sendBeat(host, { instance: "run-a", seq: 5 })).status).toBe(202);
    vi.setSystemTime(Date.now() + 2_000);
    const before = await kvSnapshot();
    // Freshly signed and timestamped, but not newer in the beacon's own sequence.
    await expectError(await sendBeat(host, { instance: "run-a", seq: 5 }), 409, "replayed");
    await expectError(await sendBeat(host, { instance: "run-a", seq: 4 }), 409, "replayed");
    expect(await kvSnapshot()).toEqual(before);
    expect((await sendBeat(host, { instance: "run-a", seq: 6 })).status).toBe(202);
  });

  it("of an earlier instance's beat after a restart is 409 replayed", async () => {
    const host = await enroll("replay-restart");
    const captured = await signedBeat(host, { instance: "before-restart", seq: 3 });
    expect((await worker.fetch(captured.clone(), env, createExecutionContext())).status).toBe(202);
    vi.setSystemTime(Date.now() + 2_000);
    // The beacon restarts: a new instance, seq from 1 again.
    expect((await sendBeat(host, { instance: "after-restart", seq: 1 })).status).toBe(202);
    vi.setSystemTime(Date.now() + 2_000);
    await expectError(await worker.fetch(captured, env, createExecutionContext()), 409, "replayed");
    await expectError(await sendBeat(host, { instance: "before-restart", seq: 2 }), 409, "replayed");
  });
});
