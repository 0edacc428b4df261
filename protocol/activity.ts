/**
 * Seats at work (DESIGN §3a): the activity shapes a beat may carry. Types and constants only, so the
 * beacon (which builds them) and the Worker (which validates and judges them) share one definition.
 */

/** Every seat is in exactly one of these. Order is the seat list's order: who needs a person first. */
export const SEAT_STATES = ["waiting", "quiet", "working"] as const;
export type SeatState = (typeof SEAT_STATES)[number];

/** Which evidence decided a seat's state: a mark (hook), `--waiting-pattern`, CPU, window output, or none. */
export const SEAT_VIAS = ["hook", "pattern", "cpu", "output", "none"] as const;
export type SeatVia = (typeof SEAT_VIAS)[number];

/** The seat list is a sample for the operator, not an inventory: it keeps the beat far below 16 KiB. */
export const MAX_SEAT_LIST = 32;

/** Counts and the oldest times per state; `working + waiting + quiet = seats`. */
export interface Activity {
  working: number;
  waiting: number;
  quiet: number;
  /** The oldest waiting seat's `since`, unix ms on the beacon's clock; null when none waits. */
  waitingSince: number | null;
  /** The oldest quiet seat's `since`, unix ms on the beacon's clock; null when none is quiet. */
  quietSince: number | null;
  /** True when any valid mark was seen on the host (hooks are installed and firing). */
  marks: boolean;
}

/** One seat, as the operator attaches to it: `session:window` is a tmux target. */
export interface SeatEntry {
  /** The tmux pane id, e.g. `%3`. */
  pane: string;
  session: string;
  /** The window index. */
  window: number;
  command: string;
  state: SeatState;
  /** When the seat entered its state, unix ms on the beacon's clock. */
  since: number;
  via: SeatVia;
  /** What the agent waits for, from the mark's `--why` (`permission`, `question`, or the agent's words). */
  why?: string;
}
