/**
 * Doctor's seats-at-work checks (DESIGN §3a "Doctor"): every seat with its state and the evidence
 * behind it, and — when Claude Code seats run without marks — the one command that installs the hooks.
 */
import { join } from "node:path";
import { ago, shortDuration, utcText } from "../protocol/time.ts";
import { defaultSettingsPath, hasOurHooks, readSettings } from "./claude-hooks.ts";
import type { DoctorCheck } from "./doctor-check.ts";
import type { ServerObservation } from "./observe.ts";
import { readPasswd } from "./proc.ts";
import type { ActivityReport, SeatReport } from "./seat-activity.ts";

/** Claude Code names its process `claude`; a seat running it is one whose waits only hooks can tell. */
const CLAUDE = /claude/i;

export function seatChecks(
  report: ActivityReport,
  servers: ServerObservation[],
  env: NodeJS.ProcessEnv,
): DoctorCheck[] {
  const now = Date.now();
  const checks = report.seats.map((seat) => seatCheck(seat, now));
  const unmarked = report.seats.filter((seat) => CLAUDE.test(seat.command) && seat.evidence.mark === null);
  const byOwner = new Map<number | null, SeatReport[]>();
  for (const seat of unmarked) {
    const uid = servers.find((server) => server.pid === seat.server)?.uid ?? null;
    byOwner.set(uid, [...(byOwner.get(uid) ?? []), seat]);
  }
  for (const [uid, seats] of byOwner) checks.push(hooksCheck(uid, seats, env));
  return checks;
}

function seatCheck(seat: SeatReport, now: number): DoctorCheck {
  const { evidence } = seat;
  const when = (at: number | null) => ago(at, now);
  const cpu =
    evidence.cpuPercent === null
      ? "CPU not measured yet"
      : `CPU ${evidence.cpuPercent.toFixed(1)} % of a core over ${((evidence.intervalMs ?? 0) / 1000).toFixed(1)} s (${evidence.processes} processes)`;
  const mark =
    evidence.mark === null
      ? "no mark"
      : `mark ${evidence.mark.state}${evidence.mark.why ? ` (${evidence.mark.why})` : ""} ${when(evidence.mark.at)}${evidence.markLapsed ? `, lapsed: ${evidence.markLapsed}` : ""}`;
  const parts = [cpu, `last busy ${when(evidence.busyAt)}`, `window output ${when(evidence.outputAt)}`, mark];
  if (evidence.patternMatched) parts.push("--waiting-pattern matches its text");
  return {
    ok: true,
    server: seat.server,
    title: `seat ${seat.pane} (${seat.session}:${seat.window}, ${seat.command}): ${seat.state} for ${shortDuration(now - seat.since)} (since ${utcText(seat.since)}) via ${seat.via}${seat.why ? ` (${seat.why})` : ""}`,
    detail: parts.join("; "),
  };
}

function hooksCheck(uid: number | null, seats: SeatReport[], env: NodeJS.ProcessEnv): DoctorCheck {
  const ownUid = process.getuid?.() ?? 0;
  const user = uid === null ? undefined : readPasswd().find((entry) => entry.uid === uid);
  const settings =
    uid === null || uid === ownUid || user === undefined
      ? defaultSettingsPath(env)
      : join(user.home, ".claude", "settings.json");
  let installed = false;
  try {
    installed = hasOurHooks(readSettings(settings));
  } catch {
    // An unreadable settings file has no hooks of ours that Claude Code would run either.
  }
  const panes = seats.map((seat) => `${seat.pane} (${seat.session}:${seat.window})`).join(", ");
  const as = user && uid !== ownUid ? ` as ${user.name}` : "";
  if (installed) {
    return {
      ok: false,
      title: `Claude Code seats ${panes} have written no mark, though ${settings} has seatwatch's hooks`,
      detail:
        "a Claude Code session loads its hooks when it starts, so sessions older than the install run without them",
      fix: "restart those Claude Code sessions (or open /hooks in them once)",
    };
  }
  return {
    ok: false,
    title: `Claude Code seats ${panes} run without seatwatch's hooks: a permission prompt or a question there is invisible`,
    detail: `${settings} has no seatwatch hooks, so these seats are judged by CPU and output alone and never show as waiting`,
    fix: `seatwatch-beacon hooks claude --install${as}, then restart those sessions`,
  };
}
