/**
 * Seats at work (DESIGN §3a), as a pure judgement: from the evidence the beacon gathered about one
 * seat — CPU of its process tree, its window's output, its latest valid mark, `--waiting-pattern` —
 * to exactly one of `waiting`, `working`, `quiet`, with `since` and `via`. Time is an argument, so
 * every rule is tested without sleeping; gathering the evidence is `seat-activity.ts`'s job.
 */
import type { Activity, SeatEntry, SeatState, SeatVia } from "../protocol/activity.ts";
import { MAX_SEAT_LIST } from "../protocol/activity.ts";
import { MAX_SEAT_TEXT } from "../protocol/limits.ts";
import type { MarkState } from "./marks.ts";

export interface ActivitySettings {
  /** `--active-window`: evidence of work younger than this makes a seat working. */
  activeWindowMs: number;
  /** `--busy-cpu`: the share of one core (in %) a pane's process tree must use between two readings to count as work. */
  busyCpuPercent: number;
}

export interface Evidence {
  /** The last reading at which the tree used at least `--busy-cpu`; null when never seen busy. */
  busyAt: number | null;
  /** When the window last showed output (tmux's window_activity); null when the server does not say. */
  outputAt: number | null;
  /** The pane's latest mark, only when valid (its agent still lives in the pane). */
  mark: { state: MarkState; at: number; why: string | null } | null;
  /** Since when `--waiting-pattern` has matched the pane's text; null when it does not (or is not asked). */
  patternSince: number | null;
  /** When the beacon first saw this pane (now, for `once`): the floor of what it can vouch for. */
  seenSince: number;
}

export interface Judgement {
  state: SeatState;
  since: number;
  via: SeatVia;
  /** What a wait is for, from its mark. */
  why: string | null;
}

/** Whether `cpuMs` of CPU over `intervalMs` is work: at least `--busy-cpu` percent of one core. */
export function isBusy(cpuMs: number, intervalMs: number, busyCpuPercent: number): boolean {
  return intervalMs > 0 && cpuMs * 100 >= busyCpuPercent * intervalMs;
}

/**
 * One seat's state. Waiting wins over every other sign (a dev server the agent started may burn CPU
 * while it waits on a prompt). A `done` mark is the agent's own word that its turn ended: the seat is
 * quiet until its next mark, whatever CPU or output follows (the end of a turn itself prints and
 * computes, and a server it left running may too). Otherwise evidence of work within
 * `--active-window` — CPU, output, a `working` mark — makes it working (`via` the mark when there is
 * one, else the latest sign).
 * `since`: for waiting, the mark or the first match; for working, when the current stretch of work
 * began; for quiet, the done mark or the last evidence of work the beacon knows (at worst tmux's
 * window_activity, at the very worst when the beacon first saw the pane).
 */
export function judgeSeat(
  evidence: Evidence,
  previous: Judgement | null,
  now: number,
  settings: ActivitySettings,
): Judgement {
  const { mark } = evidence;
  const at = (time: number) => Math.min(time, now);
  if (mark?.state === "waiting") return { state: "waiting", since: at(mark.at), via: "hook", why: mark.why };
  if (evidence.patternSince !== null) {
    return { state: "waiting", since: at(evidence.patternSince), via: "pattern", why: null };
  }
  if (mark?.state === "done") return { state: "quiet", since: at(mark.at), via: "hook", why: null };

  const work: { at: number; via: SeatVia }[] = [];
  if (evidence.busyAt !== null) work.push({ at: evidence.busyAt, via: "cpu" });
  if (evidence.outputAt !== null) work.push({ at: evidence.outputAt, via: "output" });
  if (mark?.state === "working") work.push({ at: mark.at, via: "hook" });
  const recent = work.filter((e) => now - e.at <= settings.activeWindowMs);
  if (recent.length > 0) {
    // The agent's own word names the state when it has one; else the latest sign of work does.
    const decided = recent.find((e) => e.via === "hook") ?? recent.reduce((a, b) => (b.at > a.at ? b : a));
    const began = Math.min(...recent.map((e) => e.at));
    const since = previous?.state === "working" ? previous.since : began;
    return { state: "working", since: at(since), via: decided.via, why: null };
  }
  const lastWork = work.length > 0 ? Math.max(...work.map((e) => e.at)) : evidence.seenSince;
  return { state: "quiet", since: at(lastWork), via: "none", why: null };
}

/** A judged seat with what the seat list shows of it. */
export interface JudgedSeat extends Judgement {
  pane: string;
  session: string;
  window: number;
  command: string;
}

const ORDER: Record<SeatState, number> = { waiting: 0, quiet: 1, working: 2 };

/** The beat's `activity`: counts, the oldest wait and quiet, and whether any valid mark was seen. */
export function summarise(seats: JudgedSeat[], marks: boolean): Activity {
  const oldest = (state: SeatState) => {
    const times = seats.filter((seat) => seat.state === state).map((seat) => seat.since);
    return times.length > 0 ? Math.min(...times) : null;
  };
  const count = (state: SeatState) => seats.filter((seat) => seat.state === state).length;
  return {
    working: count("working"),
    waiting: count("waiting"),
    quiet: count("quiet"),
    waitingSince: oldest("waiting"),
    quietSince: oldest("quiet"),
    marks,
  };
}

/**
 * The beat's `seatList`: who needs a person first — waiting, then quiet, then working, the longest
 * in its state first within each — at most MAX_SEAT_LIST entries, free text cut to MAX_SEAT_TEXT.
 */
export function seatList(seats: JudgedSeat[]): SeatEntry[] {
  return [...seats]
    .sort((a, b) => ORDER[a.state] - ORDER[b.state] || a.since - b.since || (a.pane < b.pane ? -1 : 1))
    .slice(0, MAX_SEAT_LIST)
    .map((seat) => {
      const entry: SeatEntry = {
        pane: seat.pane,
        session: seat.session.slice(0, MAX_SEAT_TEXT),
        window: seat.window,
        command: seat.command.slice(0, MAX_SEAT_TEXT),
        state: seat.state,
        since: seat.since,
        via: seat.via,
      };
      if (seat.why !== null) entry.why = seat.why;
      return entry;
    });
}
