/**
 * Seats at work on real tmux servers: windows with chosen commands in a Lab server, the fake
 * Claude Code driven through its control file, and an ActivityTracker judging what the beacon sees.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ActivityOptions, type ActivityReport, ActivityTracker } from "../../beacon/seat-activity.ts";
import { countSeats } from "../../beacon/seats.ts";
import { createTmuxObserver } from "../../beacon/tmux/observer.ts";
import type { Lab, LabServer } from "./lab.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const FAKE_CLAUDE = resolve(import.meta.dirname, "fakes/fake-claude.mjs");
/** The beacon's CLI from source, as `npm run beacon` runs it. */
export const BEACON = ["--import", "tsx", join(ROOT, "beacon/cli.ts")];

export function tmux(server: LabServer, ...args: string[]): string {
  return execFileSync(server.tmux, ["-S", server.socket, ...args], { env: { ...process.env, TMUX: "" } })
    .toString()
    .trim();
}

/** A new window running `command`; returns its pane id once `command` (by name) is in its foreground. */
export function openWindow(server: LabServer, command: string, foreground: string): string {
  const pane = tmux(server, "new-window", "-d", "-P", "-F", "#{pane_id}", "-t", "work", command);
  waitFor(
    () => tmux(server, "display", "-p", "-t", pane, "#{pane_current_command}") === foreground,
    `${pane} runs ${foreground}`,
  );
  return pane;
}

export function waitFor(condition: () => boolean, what: string, ms = 30_000): void {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    execFileSync("sleep", ["0.05"]);
  }
}

/** A fake Claude Code in a new window, with hooks from `settings`; `fire("Stop")` runs that event's hooks. */
export function startFakeClaude(
  lab: Lab,
  server: LabServer,
  settings: string,
): { pane: string; fire: (event: string, until: () => boolean) => void } {
  const control = join(lab.dir, `control-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(control, "");
  const pane = openWindow(server, `node ${FAKE_CLAUDE} ${settings} ${control}`, "claude");
  return {
    pane,
    fire: (event, until) => {
      appendFileSync(control, `${event}\n`);
      waitFor(until, `the hooks of ${event} ran`);
    },
  };
}

export const JUDGE: Omit<ActivityOptions, "env"> = {
  activeWindowMs: 60_000,
  busyCpuPercent: 5,
  waitingPattern: null,
  freshIntervalMs: 1_000,
};

/** One sample's activity of the lab's servers, by pane id. */
export async function assess(
  lab: Lab,
  tracker = new ActivityTracker({ ...JUDGE, env: process.env }),
): Promise<{ report: ActivityReport; seat: (pane: string) => ActivityReport["seats"][number] | undefined }> {
  const observer = createTmuxObserver(lab.auto());
  const observation = await observer.observe();
  if (observation.error) throw new Error(`lab observation failed: ${observation.error.message}`);
  const count = countSeats(observation, { countShells: false });
  const report = await tracker.assess(observation, count.seatPanes, observer, Date.now());
  return { report, seat: (pane) => report.seats.find((seat) => seat.pane === pane) };
}

export function fileExists(path: string): boolean {
  return existsSync(path);
}
