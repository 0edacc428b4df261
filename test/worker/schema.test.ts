import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MIGRATIONS, migrate } from "../../worker/ledger/schema.ts";

function columns(storage: DurableObjectStorage, table: string): string[] {
  return storage.sql
    .exec<{ name: string }>("SELECT name FROM pragma_table_info(?)", table)
    .toArray()
    .map((c) => c.name);
}

function counter(storage: DurableObjectStorage): string | undefined {
  return storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema'").toArray()[0]?.value;
}

/** Takes a ledger back to before step 3 (routing, flapping, maintenance windows). */
function undoRoutingStep(sql: SqlStorage): void {
  for (const [table, column] of [
    ["webhooks", "states"],
    ["webhooks", "credentials"],
    ["hosts", "heard"],
    ["hosts", "changes"],
    ["hosts", "flapping_since"],
    ["transitions", "states"],
    ["transitions", "announce_as"],
  ]) {
    sql.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
  }
  sql.exec("DROP TABLE maintenance");
}

describe("the ledger's schema", () => {
  it("is every step on a fresh ledger, counted, and running it again changes nothing", async () => {
    await runInDurableObject(env.LEDGER.getByName("schema-fresh"), (_, state) => {
      expect(counter(state.storage)).toBe(String(MIGRATIONS.length));
      expect(columns(state.storage, "webhooks")).toContain("routing_key");

      migrate(state.storage);

      expect(counter(state.storage)).toBe(String(MIGRATIONS.length));
    });
  });

  it("brings a ledger made before the step counter up to date without touching its rows", async () => {
    await runInDurableObject(env.LEDGER.getByName("schema-old"), (_, state) => {
      const sql = state.storage.sql;
      // As it was before the counter: without routing_key and without everything the later steps add.
      sql.exec("ALTER TABLE webhooks DROP COLUMN routing_key");
      sql.exec("ALTER TABLE transitions DROP COLUMN attention");
      undoRoutingStep(sql);
      sql.exec("DELETE FROM meta WHERE key = 'schema'");
      sql.exec("INSERT INTO meta (key, value) VALUES ('origin', 'https://old.test')");

      migrate(state.storage);

      expect(columns(state.storage, "webhooks")).toContain("routing_key");
      expect(columns(state.storage, "transitions")).toContain("attention");
      expect(counter(state.storage)).toBe(String(MIGRATIONS.length));
      expect(sql.exec("SELECT value FROM meta WHERE key = 'origin'").one().value).toBe("https://old.test");
    });
  });

  it("gives a ledger at step 1 the seats transitions name, keeping its transitions", async () => {
    await runInDurableObject(env.LEDGER.getByName("schema-step-1"), (_, state) => {
      const sql = state.storage.sql;
      sql.exec("ALTER TABLE transitions DROP COLUMN attention");
      undoRoutingStep(sql);
      sql.exec("UPDATE meta SET value = '1' WHERE key = 'schema'");
      sql.exec(
        `INSERT INTO transitions (id, host, epoch, state, previous, reason, seats, min_seats, last_seen, since, at, labels)
         VALUES ('h.low.1', 'h', 'e', 'low', 'up', 'below_min_seats', 1, 2, 1, 1, 1, '[]')`,
      );

      migrate(state.storage);

      expect(columns(state.storage, "transitions")).toContain("attention");
      expect(sql.exec("SELECT id, attention FROM transitions").toArray()).toEqual([{ id: "h.low.1", attention: null }]);
    });
  });

  it("gives a ledger at step 5 a tombstone per incarnation, keeping the tombstones it has", async () => {
    await runInDurableObject(env.LEDGER.getByName("schema-step-5"), (_, state) => {
      const sql = state.storage.sql;
      // As step 5 made it: one tombstone per host.
      sql.exec("DROP TABLE tombstones");
      sql.exec("CREATE TABLE tombstones (host TEXT PRIMARY KEY, epoch TEXT NOT NULL, expires_at INTEGER NOT NULL)");
      sql.exec("INSERT INTO tombstones (host, epoch, expires_at) VALUES ('h', 'e-1', 5)");
      sql.exec("UPDATE meta SET value = '5' WHERE key = 'schema'");

      migrate(state.storage);

      const key = sql
        .exec<{ name: string }>("SELECT name FROM pragma_table_info('tombstones') WHERE pk > 0 ORDER BY pk")
        .toArray()
        .map((c) => c.name);
      expect(key).toEqual(["host", "epoch"]);
      expect(sql.exec("SELECT host, epoch, expires_at FROM tombstones").toArray()).toEqual([
        { host: "h", epoch: "e-1", expires_at: 5 },
      ]);
    });
  });
});
