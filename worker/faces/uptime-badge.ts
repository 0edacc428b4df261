/**
 * The uptime badge (DESIGN §5, `/badge/:id/uptime.svg|json`): one host's uptime over a period, from
 * the ledger's transitions, as a badge face. One edge-cached KV read and one ledger request.
 */
import { hostIdProblem } from "../../protocol/host.ts";
import type { Bindings } from "../env.ts";
import { readHost } from "../fleet/store.ts";
import { ledgerStub } from "../ledger/ledger.ts";
import type { BadgeFace } from "./badge.ts";
import { UPTIME_WINDOWS, uptime } from "./uptime.ts";
import { type UptimePeriod, uptimeFace } from "./uptime-face.ts";

/** The face, or null for an unknown host (unenrolled, or not even a valid id). */
export async function uptimeBadgeFace(
  env: Bindings,
  id: string,
  period: UptimePeriod,
  now: number,
): Promise<BadgeFace | null> {
  if (hostIdProblem(id) !== null) return null;
  const host = await readHost(env.SEATWATCH_KV, id, true);
  if (!host) return null;
  const from = now - UPTIME_WINDOWS[period];
  // Only the state changes are needed, not the transitions listed.
  const { changes } = await ledgerStub(env).history(id, host.epoch, from, 0);
  return uptimeFace(uptime(changes, from, now).uptime);
}
