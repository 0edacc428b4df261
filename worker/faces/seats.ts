/**
 * Seats at work on the read faces (DESIGN §5): how many seats work, wait or sit quiet, which wait
 * for a person and for how long. Times are the Worker's (the ingest moved the beacon's onto it).
 */
import type { SeatEntry } from "../../protocol/activity.ts";
import { shortDuration } from "../../protocol/time.ts";
import { forSeconds, seatsAt, seatTarget } from "../fleet/activity.ts";
import type { BeatRecord } from "../fleet/store.ts";
import type { HostView } from "../fleet/view.ts";

/** A host's activity in the status document; null while its last beat did not report any (an older beacon). */
export function activitySummary(h: HostView, now: number) {
  const a = h.activity;
  if (a === null) return null;
  return {
    working: a.working,
    waiting: a.waiting,
    quiet: a.quiet,
    oldestWaitSeconds: a.waitingSince === null ? null : forSeconds(a.waitingSince, now),
    oldestQuietSeconds: a.quietSince === null ? null : forSeconds(a.quietSince, now),
    /** False: no mark was seen on the host, so no agent there reports waits (`hooks claude --install`). */
    marks: h.marks,
    attention: seatsAt(h.attention, now),
  };
}

/** `2 working, 1 waiting 16m, 3 quiet` for the text table; `-` from an older beacon. */
export function activityText(h: HostView, now: number): string {
  const a = h.activity;
  if (a === null) return "-";
  const parts = [`${a.working} working`];
  if (a.waiting > 0) {
    parts.push(`${a.waiting} waiting${a.waitingSince === null ? "" : ` ${shortDuration(now - a.waitingSince)}`}`);
  }
  if (a.quiet > 0) parts.push(`${a.quiet} quiet`);
  return parts.join(", ");
}

/** The last beat's seat list for host detail: each seat's `since` on the Worker's clock, and how long. */
export function seatListView(record: BeatRecord | null, now: number) {
  if (!record?.beat.seatList) return null;
  return record.beat.seatList.map((s: SeatEntry) => {
    const since = s.since + record.clockOffsetMs;
    return {
      pane: s.pane,
      target: seatTarget(s.session, s.window),
      session: s.session,
      window: s.window,
      command: s.command,
      state: s.state,
      since: new Date(since).toISOString(),
      forSeconds: forSeconds(since, now),
      via: s.via,
      why: s.why ?? null,
    };
  });
}
