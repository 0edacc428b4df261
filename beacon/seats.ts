/**
 * The seat rule (DESIGN §3): a seat is a live pane running an agent, not merely a live pane.
 * An agent that crashed usually leaves its pane alive with the shell that launched it in the
 * foreground; that pane is `idle`, never a seat.
 */
import { MAX_COMMANDS } from "../protocol/limits.ts";
import { SHELLS } from "./limits.ts";
import type { Observation, Pane } from "./observe.ts";

export interface SeatRule {
  /** `--seat-command`: a seat is a live pane whose foreground command matches. Default: any command but a shell. */
  command?: RegExp;
  /** `--seat-session`: only panes in matching sessions are considered at all. */
  session?: RegExp;
  /** `--count-shells`: every live pane is a seat (then nothing is idle). */
  countShells: boolean;
}

export interface SeatCount {
  seats: number;
  /** Live panes with a shell in the foreground. */
  idle: number;
  /** Dead panes (remain-on-exit): reported, never counted. */
  dead: number;
  /** Live panes per foreground command, shells included, largest first, at most MAX_COMMANDS. */
  commands: Record<string, number>;
  /** The panes counted as seats: the ones whose activity is judged (DESIGN §3a). */
  seatPanes: Pane[];
  idlePanes: Pane[];
  deadPanes: Pane[];
}

/** Login shells show as "-bash"; a path as "/bin/sh". */
export function isShell(command: string): boolean {
  const name = command.replace(/^-/, "").split("/").at(-1) ?? "";
  return SHELLS.has(name);
}

export function isSeat(pane: Pane, rule: SeatRule): boolean {
  if (pane.dead) return false;
  if (rule.countShells) return true;
  if (rule.command) return rule.command.test(pane.command);
  // An empty command means tmux could not tell what runs there: not evidence of an agent.
  return pane.command !== "" && !isShell(pane.command);
}

export function countSeats(observation: Observation, rule: SeatRule): SeatCount {
  const count: SeatCount = {
    seats: 0,
    idle: 0,
    dead: 0,
    commands: {},
    seatPanes: [],
    idlePanes: [],
    deadPanes: [],
  };
  const perCommand = new Map<string, number>();
  for (const server of observation.servers) {
    for (const pane of server.panes) {
      if (rule.session && !rule.session.test(pane.session)) continue;
      if (pane.dead) {
        count.dead += 1;
        count.deadPanes.push(pane);
        continue;
      }
      const name = (pane.command || "(unknown)").slice(0, 64);
      perCommand.set(name, (perCommand.get(name) ?? 0) + 1);
      if (isSeat(pane, rule)) {
        count.seats += 1;
        count.seatPanes.push(pane);
      } else if (!rule.countShells && isShell(pane.command)) {
        count.idle += 1;
        count.idlePanes.push(pane);
      }
    }
  }
  const top = [...perCommand].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).slice(0, MAX_COMMANDS);
  count.commands = Object.fromEntries(top);
  return count;
}
