/**
 * Where the beat path, the cron and the read faces find maintenance windows: one KV key,
 * `maintenance`, holding the whole set. The ledger is its only writer (it keeps the windows in its
 * SQLite and mirrors them here after every change), so KV's missing compare-and-set cannot lose a
 * window to a race, and a cron run costs one read, not a list (the Free plan allows 1,000 lists a day).
 */
import type { NamedWindow } from "./maintenance.ts";

export const MAINTENANCE_KEY = "maintenance";
/** Like host config: an admin change reaches every edge within a minute. */
const CACHE_TTL_SECONDS = 60;
const MEMO_TTL_MS = 60_000;

let memo: { windows: NamedWindow[]; expires: number } | null = null;

/** Every window; `edgeCached` for the hot paths (beats, badges), fresh for the cron and admin. */
export async function readWindows(kv: KVNamespace, edgeCached = false): Promise<NamedWindow[]> {
  const options: KVNamespaceGetOptions<"json"> = { type: "json" };
  if (edgeCached) options.cacheTtl = CACHE_TTL_SECONDS;
  return (await kv.get<NamedWindow[]>(MAINTENANCE_KEY, options)) ?? [];
}

/** The beat path's windows, kept in isolate memory for a minute so a beat costs no extra KV read. */
export async function cachedWindows(kv: KVNamespace, now: number): Promise<NamedWindow[]> {
  if (memo && memo.expires > now) return memo.windows;
  const windows = await readWindows(kv, true);
  memo = { windows, expires: now + MEMO_TTL_MS };
  return windows;
}

/** An admin change in this isolate is seen here at once. */
export function forgetWindows(): void {
  memo = null;
}

export function writeWindows(kv: KVNamespace, windows: readonly NamedWindow[]): Promise<void> {
  return kv.put(MAINTENANCE_KEY, JSON.stringify(windows));
}
