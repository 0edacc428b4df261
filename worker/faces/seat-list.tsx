/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The host page's seat list (DESIGN §3a): each seat the beacon listed, with its state and how long
 * it has been in it. Session names and commands are whatever a process in the pane chose, so they
 * only ever reach the page as JSX text.
 */
import type { FC } from "hono/jsx";
import { shortDuration } from "../../protocol/time.ts";
import type { BeatRecord } from "../fleet/store.ts";
import { At } from "./local-time.tsx";

/**
 * One seat as §3a's `seatList` carries it. Stand-in until protocol/activity.ts (`SeatEntry`, branch
 * seats-worker) is on main; the beat type does not list the field yet either, hence seatListOf.
 */
export interface SeatEntry {
  pane: string;
  session: string;
  window: number;
  command: string;
  state: "waiting" | "quiet" | "working";
  /** Unix ms on the beacon's clock. */
  since: number;
  via: string;
}

/** The stored beat's seat list; null when the beacon sent none (older, or `--no-seat-list`). */
export function seatListOf(record: BeatRecord | null): SeatEntry[] | null {
  const list = (record?.beat as { seatList?: SeatEntry[] } | undefined)?.seatList;
  return Array.isArray(list) ? list : null;
}

const VIA: Record<string, string> = {
  hook: "the agent's hook said so",
  pattern: "--waiting-pattern matched the pane",
  cpu: "its processes used CPU",
  output: "its window showed output",
  none: "no sign of work",
};

export const SeatList: FC<{ record: BeatRecord | null; now: number }> = ({ record, now }) => {
  const seats = seatListOf(record);
  if (record === null) return <p class="muted">No beat yet, so no seats.</p>;
  if (seats === null) {
    return (
      <p class="muted">
        This host's beacon sends no seat list (it is older than seat lists, or runs with <code>--no-seat-list</code>
        ). It counts {record.beat.seats} seat{record.beat.seats === 1 ? "" : "s"}.
      </p>
    );
  }
  if (seats.length === 0) return <p class="muted">The beacon lists no seats.</p>;
  // The beacon's times are on its own clock; the stored offset (arrival − ts) moves them onto the Worker's.
  const offset = record.clockOffsetMs;
  return (
    <table class="seats-table">
      <thead>
        <tr>
          <th scope="col">Seat</th>
          <th scope="col">State</th>
          <th scope="col">For</th>
          <th scope="col">Command</th>
          <th scope="col">Pane</th>
          <th scope="col">Evidence</th>
        </tr>
      </thead>
      <tbody>
        {seats.map((seat) => (
          <tr class={`seat seat-${seat.state}`}>
            <th scope="row" data-label="Seat" class="mono wrap">
              {`${seat.session}:${seat.window}`}
            </th>
            <td data-label="State">
              <span class={`seat-state seat-state-${seat.state}`}>{seat.state}</span>
            </td>
            <td data-label="For" class="num">
              {shortDuration(now - (seat.since + offset))}{" "}
              <span class="muted small">
                since <At ms={seat.since + offset} />
              </span>
            </td>
            <td data-label="Command" class="mono wrap">
              {seat.command}
            </td>
            <td data-label="Pane" class="mono">
              {seat.pane}
            </td>
            <td data-label="Evidence" class="muted">
              {VIA[seat.via] ?? seat.via}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
