/** Flapping (DESIGN §6) end to end: beats through the Worker, the ledger's alarm, a real receiver. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { beat, events, hook, runAlarm } from "./alerting.ts";
import { enroll, testClock } from "./helpers.ts";

const { at, freshDay } = testClock("2027-10-01T00:00:00Z");
afterEach(() => {
  vi.useRealTimers();
});

const MINUTE = 60_000;

/**
 * Counts the rows the ledger writes from here on: every statement goes through its storage's one
 * `sql.exec`, whose cursors report `rowsWritten`.
 */
async function countLedgerRows(): Promise<() => number> {
  const cursors: { rowsWritten: number }[] = [];
  await runInDurableObject(env.LEDGER.getByName("ledger"), (_, state) => {
    const sql = state.storage.sql;
    const exec = sql.exec.bind(sql);
    sql.exec = ((query: string, ...bindings: SqlStorageValue[]) => {
      const cursor = exec(query, ...bindings);
      cursors.push(cursor);
      return cursor;
    }) as typeof sql.exec;
  });
  return () => cursors.reduce((n, c) => n + c.rowsWritten, 0);
}

describe("a flapping host", () => {
  it("sends what it sends until it flaps, then one host.flapping notice and one event where it settled, nothing else", async () => {
    const t0 = freshDay();
    await hook("flap", "flap");
    const host = await enroll("fl-1", { repeatEvery: 300, labels: ["flap"] });
    await beat(host, { seats: 2 });
    // Eight changes in ten minutes: blind, up, blind, … ending up.
    for (let i = 1; i <= 8; i++) {
      at(t0 + i * 75_000);
      await beat(host, { seats: i % 2 ? 0 : 2 });
      await runAlarm();
    }
    const settled = t0 + 8 * 75_000 + 10 * MINUTE;
    at(settled - 1_000);
    await runAlarm();
    expect((await events("flap")).filter((e) => e.type !== "host.transition")).toEqual([
      expect.objectContaining({ type: "host.flapping", state: "blind", id: `fl-1.blind.${t0 + 7 * 75_000}.flapping` }),
    ]);

    at(settled);
    await runAlarm();
    at(settled + 3_600_000);
    await runAlarm();

    expect((await events("flap")).map((e) => `${e.type}:${e.state}`)).toEqual([
      ...["blind", "up", "blind", "up", "blind", "up"].map((s) => `host.transition:${s}`),
      "host.flapping:blind",
      "host.transition:up",
    ]);
  });

  it("costs the ledger fewer rows per change once it flaps than while each change was announced, and sends nothing", async () => {
    const t0 = freshDay();
    await hook("flap-rows", "flap-rows");
    const host = await enroll("flr-1", { labels: ["flap-rows"] });
    await beat(host, { seats: 2 });
    const change = async (i: number) => {
      at(t0 + i * MINUTE);
      await beat(host, { seats: i % 2 ? 0 : 2 });
      await runAlarm();
    };
    const announcedRows = await countLedgerRows();
    for (let i = 1; i <= 6; i++) await change(i);
    const perAnnounced = announcedRows() / 6;
    await change(7);
    const untilFlapping = announcedRows();
    const sent = (await events("flap-rows")).length;

    // The rest of an hour of flapping, a change a minute.
    const flappingRows = await countLedgerRows();
    for (let i = 8; i <= 60; i++) await change(i);
    const perFlapping = flappingRows() / 53;

    console.log(
      `ledger rows written per change: ${perAnnounced} announced (1 webhook), ${perFlapping} while flapping; ` +
        `a host-hour at a change a minute: ${60 * perAnnounced} without flapping, ${untilFlapping + flappingRows()} with`,
    );
    expect(perFlapping).toBeLessThan(perAnnounced);
    expect(await events("flap-rows")).toHaveLength(sent);
    expect(sent).toBe(7);
  });
});
