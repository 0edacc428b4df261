/**
 * The ledger's maintenance windows (DESIGN §6): the single writer of the set, kept here in SQLite
 * and mirrored whole to KV (fleet/maintenance-store.ts), where the beat path and the cron read it.
 */
import type { MaintenanceWindow, NamedWindow } from "../fleet/maintenance.ts";

interface WindowRow extends Record<string, SqlStorageValue> {
  name: string;
  spec: string;
  created_at: number;
  updated_at: number;
}

export class MaintenanceWindows {
  constructor(private readonly sql: SqlStorage) {}

  all(): NamedWindow[] {
    return this.sql
      .exec<WindowRow>("SELECT * FROM maintenance ORDER BY name")
      .toArray()
      .map((row) => ({ name: row.name, ...(JSON.parse(row.spec) as MaintenanceWindow) }));
  }

  /** Creates or replaces a window; says whether it was new. */
  put(name: string, window: MaintenanceWindow, now: number): boolean {
    const existing = this.sql
      .exec<{ created_at: number }>("SELECT created_at FROM maintenance WHERE name = ?", name)
      .toArray()[0];
    this.sql.exec(
      "INSERT OR REPLACE INTO maintenance (name, spec, created_at, updated_at) VALUES (?, ?, ?, ?)",
      name,
      JSON.stringify(window),
      existing?.created_at ?? now,
      now,
    );
    return existing === undefined;
  }

  delete(name: string): boolean {
    return this.sql.exec("DELETE FROM maintenance WHERE name = ?", name).rowsWritten > 0;
  }
}
