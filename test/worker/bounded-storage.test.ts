/**
 * Issue 12 item 6: the ledger's storage is bounded. Transitions are pruned past the 30 days the
 * events API shows and capped per host, a deleted host's rows go with it, tombstones expire; a
 * receiver left broken keeps only its newest failed deliveries.
 * Counted in the real ledger's SQLite.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { State } from "../../protocol/verdict.ts";
import { MAX_ATTEMPTS } from "../../worker/alerts/delivery.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import type { Observation } from "../../worker/ledger/observation.ts";
import { makeObservation } from "../support/observations.ts";
import { deliveries, receiverUrl, runAlarm } from "./alerting.ts";
import { admin, enroll } from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
});

const DAY = 86_400_000;

function obs(host: string, state: State, at: number, epoch = "e-1"): Observation {
  return makeObservation(state, at, { host, epoch, seats: 1 });
}

async function count(sql: string, ...args: SqlStorageValue[]): Promise<number> {
  return runInDurableObject(ledgerStub(env), (_ledger, state) =>
    Number(state.storage.sql.exec<{ n: number }>(sql, ...args).one().n),
  );
}

const rowsOf = (host: string) => count("SELECT count(*) AS n FROM transitions WHERE host = ?", host);

async function flap(host: string, from: number, times: number, epoch = "e-1"): Promise<number> {
  const ledger = ledgerStub(env);
  let at = from;
  for (let i = 0; i < times; i++) {
    at += 1000;
    await ledger.observe([obs(host, i % 2 === 0 ? "low" : "up", at, epoch)], null);
  }
  return at;
}

describe("the ledger's transitions", () => {
  it("are capped at 500 per host however much it flaps, newest kept, and what receivers last heard", async () => {
    const last = await flap("cap-1", Date.parse("2028-02-01T00:00:00Z"), 520);
    // The 500 newest, plus the transition the host's row still names: once the host is flapping
    // (issue 16) that is the one announced with the flapping notice, which a recovery is routed from.
    expect(await rowsOf("cap-1")).toBe(501);
    expect(
      await count(
        "SELECT count(*) AS n FROM transitions WHERE id = (SELECT transition_id FROM hosts WHERE id = ?) AND since < ?",
        "cap-1",
        last - 500_000,
      ),
    ).toBe(1);
    expect(await count("SELECT count(*) AS n FROM transitions WHERE host = ? AND since = ?", "cap-1", last)).toBe(1);
  });

  it("are pruned past 30 days, keeping each host's state in force when the window opens", async () => {
    const t0 = Date.parse("2028-03-01T00:00:00Z");
    await flap("age-1", t0, 6);
    const ledger = ledgerStub(env);
    await ledger.observe([obs("age-1", "low", t0 + 20 * DAY)], null);
    expect(await rowsOf("age-1")).toBe(7);
    const run = { at: t0 + 31 * DAY, hostsEvaluated: 0, handed: 0, carried: 0, cursor: null };
    vi.setSystemTime(run.at);
    await ledger.recordRun(run);
    // The six flaps are older than 30 days; the last of them is the state in force at the cutoff.
    expect(await rowsOf("age-1")).toBe(2);
    const history = await ledger.history("age-1", "e-1", run.at - 30 * DAY, 500);
    expect(history.changes.map((c) => c.state)).toEqual(["low", "up"]);
  });

  it("of a deleted host are deleted with it, and a re-created host starts with none", async () => {
    await enroll("gone-1");
    await flap("gone-1", Date.parse("2028-04-01T00:00:00Z"), 4, "e-old");
    expect(await rowsOf("gone-1")).toBe(4);
    expect((await admin("DELETE", "/v1/hosts/gone-1")).status).toBe(204);
    expect(await rowsOf("gone-1")).toBe(0);
    await enroll("gone-1");
    await flap("gone-1", Date.parse("2028-04-02T00:00:00Z"), 2, "e-new");
    expect(await rowsOf("gone-1")).toBe(2);
  });
});

describe("a host deleted with an alert not yet sent", () => {
  const hosts =
    (label: string) =>
    (o: Observation): Observation => ({ ...o, labels: [label] });
  const outboxOf = (host: string) =>
    count("SELECT count(*) AS n FROM outbox WHERE json_extract(event, '$.host') = ?", host);

  it("announces nothing for it after the delete, and keeps no row of it, when its cron run reports in later", async () => {
    // Given a webhook, and a host a cron run found silent, the run not yet reported in.
    const t0 = Date.parse("2028-07-01T00:00:00Z");
    vi.setSystemTime(t0);
    expect(
      (await admin("PUT", "/v1/webhooks/del-run", { url: receiverUrl("del-run"), labels: ["del-run"] })).status,
    ).toBe(201);
    const ledger = ledgerStub(env);
    const labelled = hosts("del-run");
    await ledger.observe([labelled(obs("del-run-1", "up", t0))], null);
    await ledger.observe([labelled(obs("del-run-1", "silent", t0 + 1000))], t0 + 1000);

    // When the host is deleted, then the run reports in, then 400 days of runs go by.
    await ledger.forget("del-run-1", "e-1");
    const run = { at: t0 + 2000, hostsEvaluated: 0, handed: 0, carried: 0, cursor: null };
    await ledger.recordRun(run);
    expect(await outboxOf("del-run-1")).toBe(0);
    vi.setSystemTime(t0 + 400 * DAY);
    await ledger.recordRun({ ...run, at: t0 + 400 * DAY });

    // Then nothing was queued for its webhook, and none of its transitions is left.
    expect(await outboxOf("del-run-1")).toBe(0);
    expect(await rowsOf("del-run-1")).toBe(0);
  });

  it("drops the deliveries of it still pending, so the alarm sends none after the delete", async () => {
    // Given a host whose low alert is queued for a webhook, not yet sent.
    const t0 = Date.parse("2028-07-10T00:00:00Z");
    vi.setSystemTime(t0);
    expect(
      (await admin("PUT", "/v1/webhooks/del-pending", { url: receiverUrl("del-pending"), labels: ["del-pending"] }))
        .status,
    ).toBe(201);
    const ledger = ledgerStub(env);
    const labelled = hosts("del-pending");
    await ledger.observe([labelled(obs("del-pending-1", "up", t0))], null);
    await ledger.observe([labelled(obs("del-pending-1", "low", t0 + 1000))], null);
    expect(await outboxOf("del-pending-1")).toBe(1);

    // When it is deleted.
    await ledger.forget("del-pending-1", "e-1");

    // Then its delivery is gone with it.
    expect(await outboxOf("del-pending-1")).toBe(0);
  });

  it("leaves no row behind that a ledger from before kept: neither announced nor kept past 30 days", async () => {
    // Given a webhook, and a deleted host's rows an older ledger kept: one announced and never queued, one long past.
    const t0 = Date.parse("2028-07-20T00:00:00Z");
    vi.setSystemTime(t0);
    expect(
      (await admin("PUT", "/v1/webhooks/del-left", { url: receiverUrl("del-left"), labels: ["del-left"] })).status,
    ).toBe(201);
    const ledger = ledgerStub(env);
    await ledger.forget("del-left-1", "e-1");
    await runInDurableObject(ledger, (_ledger, state) => {
      const insert = (since: number, alert: number) =>
        state.storage.sql.exec(
          `INSERT INTO transitions (id, host, epoch, state, previous, min_seats, since, at, labels, alert, queued)
           VALUES (?, 'del-left-1', 'e-1', 'silent', 'up', 1, ?, ?, '["del-left"]', ?, 0)`,
          `del-left-1.silent.${since}`,
          since,
          since,
          alert,
        );
      insert(t0 - 40 * DAY, 0);
      insert(t0 - 1000, 1);
    });

    // When a cron run reports in, and again 31 days later.
    const run = { at: t0, hostsEvaluated: 0, handed: 0, carried: 0, cursor: null };
    await ledger.recordRun(run);
    expect(await outboxOf("del-left-1")).toBe(0);
    vi.setSystemTime(t0 + 31 * DAY);
    await ledger.recordRun({ ...run, at: t0 + 31 * DAY });

    // Then neither was queued, and both are gone.
    expect(await outboxOf("del-left-1")).toBe(0);
    expect(await rowsOf("del-left-1")).toBe(0);
  });
});

describe("a deleted host's tombstone", () => {
  it("is kept per incarnation: a host re-created and deleted again within 10 minutes keeps the first one's beats out", async () => {
    const t0 = Date.parse("2028-05-10T00:00:00Z");
    vi.setSystemTime(t0);
    const ledger = ledgerStub(env);
    await ledger.forget("tomb-2", "e-first");
    await ledger.forget("tomb-2", "e-second");

    await ledger.observe([obs("tomb-2", "up", t0 + 1000, "e-first")], null);

    expect(await rowsOf("tomb-2")).toBe(0);
  });

  it("keeps its in-flight beats out for 10 minutes, then expires", async () => {
    const t0 = Date.parse("2028-05-01T00:00:00Z");
    vi.setSystemTime(t0);
    const ledger = ledgerStub(env);
    await ledger.forget("tomb-1", "e-dead");
    await ledger.observe([obs("tomb-1", "up", t0 + 1000, "e-dead")], null);
    expect(await rowsOf("tomb-1")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM tombstones WHERE host = ?", "tomb-1")).toBe(1);
    vi.setSystemTime(t0 + 600_000);
    await ledger.recordRun({ at: t0 + 600_000, hostsEvaluated: 0, handed: 0, carried: 0, cursor: null });
    expect(await count("SELECT count(*) AS n FROM tombstones WHERE host = ?", "tomb-1")).toBe(0);
  });
});

describe("a broken receiver's undelivered alerts", () => {
  it("keep the newest 100 per webhook, however long it stays broken; another webhook's are untouched", async () => {
    const t0 = Date.parse("2028-06-01T00:00:00Z");
    vi.setSystemTime(t0);
    expect((await admin("PUT", "/v1/webhooks/cap-dead", { url: receiverUrl("cap-dead", "fail=100000") })).status).toBe(
      201,
    );
    // 130 alerts on their last attempt, and 3 failures of another webhook already kept.
    await runInDurableObject(ledgerStub(env), (_ledger, state) => {
      const insert = (id: string, hook: string, status: string, attempts: number) =>
        state.storage.sql.exec(
          `INSERT INTO outbox (message_id, webhook, event, status, attempts, next_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          id,
          hook,
          JSON.stringify({ id, type: "host.down", host: "ucap" }),
          status,
          attempts,
          t0,
          t0,
        );
      for (let i = 0; i < 130; i++) insert(`ucap.low.${i}`, "cap-dead", "pending", MAX_ATTEMPTS - 1);
      for (let i = 0; i < 3; i++) insert(`uother.low.${i}`, "cap-other", "undelivered", MAX_ATTEMPTS);
      return state.storage.setAlarm(t0);
    });
    // 40 sends an alarm (MAX_SENDS_PER_ALARM): four alarms send all 130, the rest find nothing due.
    for (let run = 0; run < 8; run++) await runAlarm();
    // Only the rows made here: the ledger may queue this webhook other tests' alerts meanwhile.
    const kept = (status: string, hook: string) =>
      count(
        "SELECT count(*) AS n FROM outbox WHERE webhook = ? AND status = ? AND message_id GLOB 'u*.low.*'",
        hook,
        status,
      );
    expect(await kept("pending", "cap-dead")).toBe(0);
    expect(await kept("undelivered", "cap-dead")).toBe(100);
    expect(await kept("undelivered", "cap-other")).toBe(3);
    const newest = await runInDurableObject(ledgerStub(env), (_ledger, state) =>
      state.storage.sql
        .exec<{ id: string }>(
          "SELECT message_id AS id FROM outbox WHERE webhook = 'cap-dead' AND message_id GLOB 'ucap.*' ORDER BY seq",
        )
        .toArray()
        .map((r) => r.id),
    );
    expect(newest[0]).toBe("ucap.low.30");
    expect(newest.at(-1)).toBe("ucap.low.129");
  });
});

describe("an alert that cannot be rendered", () => {
  it("fails like any attempt, ends undelivered, and does not stop the alarm's other sends", async () => {
    const t0 = Date.parse("2028-07-01T00:00:00Z");
    vi.setSystemTime(t0);
    for (const name of ["render-bad", "render-ok"]) {
      expect((await admin("PUT", `/v1/webhooks/${name}`, { url: receiverUrl(name) })).status).toBe(201);
    }
    await runInDurableObject(ledgerStub(env), (_ledger, state) => {
      const insert = (id: string, hook: string, event: string) =>
        state.storage.sql.exec(
          `INSERT INTO outbox (message_id, webhook, event, status, attempts, next_at, created_at)
           VALUES (?, ?, ?, 'pending', ?, ?, ?)`,
          id,
          hook,
          event,
          MAX_ATTEMPTS - 1,
          t0,
          t0,
        );
      insert("render.bad.1", "render-bad", "{ not json");
      insert("render.ok.1", "render-ok", JSON.stringify({ id: "render.ok.1", type: "test", host: "render" }));
      return state.storage.setAlarm(t0);
    });
    await runAlarm();
    const rows = await runInDurableObject(ledgerStub(env), (_ledger, state) =>
      state.storage.sql
        .exec<{ id: string; status: string; error: string | null }>(
          "SELECT message_id AS id, status, last_error AS error FROM outbox WHERE message_id GLOB 'render.*'",
        )
        .toArray(),
    );
    expect(rows).toEqual([
      { id: "render.bad.1", status: "undelivered", error: expect.stringContaining("could not render") },
    ]);
    expect(await deliveries("render-ok")).toHaveLength(1);
  });
});
