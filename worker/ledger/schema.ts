/**
 * The ledger's tables, as the ordered steps that make them: a fresh ledger runs every step, a
 * deployed one only those past its count (`meta.schema`), each exactly once, all in one
 * transaction. To change a table, append a step; never edit one that has shipped.
 */

export const MIGRATIONS: readonly string[] = [
  // 1. The ledger. `IF NOT EXISTS` and the closing ALTER are for ledgers made before this counter,
  //    which have every table but webhooks.routing_key (added with the PagerDuty format).
  `CREATE TABLE IF NOT EXISTS hosts (
  id TEXT PRIMARY KEY, epoch TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, since INTEGER NOT NULL,
  last_seen INTEGER, at INTEGER NOT NULL, seats INTEGER, min_seats INTEGER NOT NULL, labels TEXT NOT NULL,
  alert_after INTEGER NOT NULL, repeat_every INTEGER NOT NULL, announced TEXT, transition_id TEXT,
  hold_until INTEGER, remind_at INTEGER, reminders INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS hosts_hold ON hosts (hold_until) WHERE hold_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS hosts_remind ON hosts (remind_at) WHERE remind_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS transitions (
  id TEXT PRIMARY KEY, host TEXT NOT NULL, epoch TEXT NOT NULL, state TEXT NOT NULL, previous TEXT NOT NULL,
  reason TEXT, seats INTEGER, min_seats INTEGER NOT NULL, last_seen INTEGER, since INTEGER NOT NULL,
  at INTEGER NOT NULL, labels TEXT NOT NULL, alert INTEGER NOT NULL DEFAULT 0, queued INTEGER NOT NULL DEFAULT 0,
  run INTEGER
);
CREATE INDEX IF NOT EXISTS transitions_host ON transitions (host, since);
CREATE INDEX IF NOT EXISTS transitions_unqueued ON transitions (queued) WHERE queued = 0;
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, webhook TEXT NOT NULL, event TEXT NOT NULL,
  status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_error TEXT,
  created_at INTEGER NOT NULL, UNIQUE (message_id, webhook)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_at);
CREATE TABLE IF NOT EXISTS webhooks (
  name TEXT PRIMARY KEY, url TEXT NOT NULL, format TEXT NOT NULL, secret TEXT NOT NULL, labels TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
ALTER TABLE webhooks ADD COLUMN routing_key TEXT;`,
  // 2. Seats at work: the seats a waiting or stalled transition names, for its alert and reminders.
  "ALTER TABLE transitions ADD COLUMN attention TEXT;",
  // 3. Routing by state, receivers' credentials, flapping, and maintenance windows (issue 16).
  //    `heard` and `changes` are JSON arrays; `states` null is every state.
  `ALTER TABLE webhooks ADD COLUMN states TEXT;
ALTER TABLE webhooks ADD COLUMN credentials TEXT NOT NULL DEFAULT '{}';
ALTER TABLE hosts ADD COLUMN heard TEXT NOT NULL DEFAULT '[]';
ALTER TABLE hosts ADD COLUMN changes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE hosts ADD COLUMN flapping_since INTEGER;
ALTER TABLE transitions ADD COLUMN states TEXT NOT NULL DEFAULT '[]';
ALTER TABLE transitions ADD COLUMN announce_as TEXT NOT NULL DEFAULT 'transition';
CREATE TABLE maintenance (
  name TEXT PRIMARY KEY, spec TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);`,
  // 4. Enrollment tokens, burned here atomically (tokens.ts); they used to live in KV (enroll:<id>),
  //    where two concurrent uses could both win. Tokens issued before this step are not carried
  //    over: they expire within a day, and the admin issues a new one.
  `CREATE TABLE IF NOT EXISTS enrollment_tokens (
  host TEXT PRIMARY KEY, hash TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER
);`,
  // 5. Bounded storage (DESIGN §6): transitions are pruned by age (an index on since), and a deleted
  //    host's tombstone expires (tombstones.ts); tombstones kept in meta move there, expiring
  //    10 minutes from the migration.
  `CREATE INDEX IF NOT EXISTS transitions_since ON transitions (since);
CREATE TABLE IF NOT EXISTS tombstones (host TEXT PRIMARY KEY, epoch TEXT NOT NULL, expires_at INTEGER NOT NULL);
INSERT INTO tombstones (host, epoch, expires_at)
  SELECT substr(key, 9), value, CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 600000 FROM meta WHERE key LIKE 'deleted:%';
DELETE FROM meta WHERE key LIKE 'deleted:%';`,
  // 6. A tombstone per deleted incarnation, not per host: deleting a re-created host within the
  //    10 minutes replaced the first incarnation's tombstone, so its late beats came back.
  `CREATE TABLE tombstones_by_epoch (
  host TEXT NOT NULL, epoch TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (host, epoch)
);
INSERT INTO tombstones_by_epoch (host, epoch, expires_at) SELECT host, epoch, expires_at FROM tombstones;
DROP TABLE tombstones;
ALTER TABLE tombstones_by_epoch RENAME TO tombstones;`,
];

/** Brings the ledger's tables up to the last step. */
export function migrate(storage: DurableObjectStorage): void {
  const sql = storage.sql;
  storage.transactionSync(() => {
    const counted = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray().length > 0;
    const applied = counted
      ? Number(sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema'").toArray()[0]?.value ?? 0)
      : 0;
    for (const step of MIGRATIONS.slice(applied)) sql.exec(step);
    sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", String(MIGRATIONS.length));
  });
}
