/**
 * `doctor` (DESIGN §3): a checklist of everything that decides whether the beacon sees work —
 * every tmux binary, every server and the binary that started it, what a PATH would reach, idle
 * panes — and for each problem the exact fix. It observes exactly as `once` does.
 */
import { accessSync, constants, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import type { ActivityConfig } from "./config.ts";
import type { DoctorCheck } from "./doctor-check.ts";
import { seatChecks } from "./doctor-seats.ts";
import { FRESH_CPU_INTERVAL_MS, KNOWN_TMUX_DIRS, SYSTEMD_DEFAULT_PATH } from "./limits.ts";
import type { Observation, ObserveError, ServerObservation } from "./observe.ts";
import { readPasswd } from "./proc.ts";
import { ActivityTracker, type SeatReport } from "./seat-activity.ts";
import { countSeats, type SeatRule } from "./seats.ts";
import { createTmuxObserver, type TmuxMode } from "./tmux/observer.ts";
import { tmuxVersion } from "./tmux/version.ts";
import { DROP_IN_PATH, UNIT_NAME } from "./unit.ts";

export type { DoctorCheck } from "./doctor-check.ts";

export interface DoctorReport {
  /** The beacon would report zero seats or an error: the Worker shows `blind` or `error`. */
  blind: boolean;
  mode: TmuxMode["kind"];
  observed: "ok" | "error";
  reason?: string;
  seats: number;
  idle: number;
  dead: number;
  binaries: { path: string; realpath: string; version: string | null }[];
  servers: {
    pid: number;
    user: string | null;
    exe: string;
    version: string;
    socket: string;
    panes: number;
    dead: number;
    skipped: boolean;
    error?: ObserveError;
  }[];
  paths: { name: "beacon" | "systemd"; path: string; tmux: string | null }[];
  idlePanes: { server: number; pane: string; session: string; command: string }[];
  /** Every seat's activity and the evidence behind it (DESIGN §3a). */
  seatActivity: SeatReport[];
  checks: DoctorCheck[];
}

export interface DoctorInput {
  mode: TmuxMode;
  rule: SeatRule;
  activity: ActivityConfig;
  /** The host id problem, if --host / SEATWATCH_HOST / the hostname is not a valid id. */
  hostProblem?: string;
  env: NodeJS.ProcessEnv;
}

export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const observer = createTmuxObserver(input.mode);
  const observation = await observer.observe();
  // Pinned mode decides the verdict, but the listing shows every server the box runs.
  const listing =
    input.mode.kind === "auto"
      ? observation
      : await createTmuxObserver({ kind: "auto", uid: null, scopeLabel: "any user" }).observe();
  const count = countSeats(observation, input.rule);
  const tracker = new ActivityTracker({ ...input.activity, freshIntervalMs: FRESH_CPU_INTERVAL_MS, env: input.env });
  const activity = await tracker.assess(observation, count.seatPanes, observer, Date.now());
  const beaconPath = input.env.PATH ?? "";
  const paths = [
    { name: "beacon" as const, path: beaconPath, tmux: firstOnPath("tmux", beaconPath) },
    { name: "systemd" as const, path: SYSTEMD_DEFAULT_PATH, tmux: firstOnPath("tmux", SYSTEMD_DEFAULT_PATH) },
  ];
  const candidates = [
    ...beaconPath.split(delimiter),
    ...SYSTEMD_DEFAULT_PATH.split(delimiter),
    ...KNOWN_TMUX_DIRS.map((dir) => dir.replace(/^~/, homedir())),
  ].map((dir) => join(dir, "tmux"));
  const users = new Map(readPasswd().map((entry) => [entry.uid, entry.name]));

  const checks: DoctorCheck[] = [];
  if (input.hostProblem) {
    checks.push({ ok: false, title: "host id", detail: input.hostProblem, fix: "set --host ID or SEATWATCH_HOST=ID" });
  }
  checks.push(...observationChecks(observation, input.mode));
  checks.push(seatCheck(count.seats, count.idle, observation));
  checks.push(...seatChecks(activity, observation.servers, input.env));
  for (const server of listing.servers.filter((s) => !s.skipped && s.exe)) {
    for (const p of paths) checks.push(pathCheck(p, server));
  }
  for (const pane of count.idlePanes) {
    const server = observation.servers.find((s) => s.pid === pane.server);
    checks.push({
      ok: false,
      server: pane.server,
      title: `pane ${pane.id} (session ${pane.session}) has ${pane.command} in the foreground: its agent has exited`,
      fix: `restart the agent there (tmux -S ${server?.socket ?? "SOCKET"} respawn-pane -k -t ${pane.id} 'AGENT'), or if ${pane.command} is your agent, name it with --seat-command '^(${pane.command})$'`,
    });
  }

  const report: DoctorReport = {
    blind: observation.error !== undefined || count.seats === 0,
    mode: input.mode.kind,
    observed: observation.error ? "error" : "ok",
    seats: count.seats,
    idle: count.idle,
    dead: count.dead,
    binaries: await binaries(candidates),
    servers: listing.servers.map((s) => ({
      pid: s.pid,
      user: s.uid === null ? null : (users.get(s.uid) ?? String(s.uid)),
      exe: s.exe,
      version: s.version,
      socket: s.socket,
      panes: s.panes.length,
      dead: s.panes.filter((pane) => pane.dead).length,
      skipped: s.skipped,
      ...(s.error ? { error: s.error } : {}),
    })),
    paths,
    idlePanes: count.idlePanes.map((p) => ({ server: p.server, pane: p.id, session: p.session, command: p.command })),
    seatActivity: activity.seats,
    checks,
  };
  if (observation.error) report.reason = observation.error.reason;
  return report;
}

function observationChecks(observation: Observation, mode: TmuxMode): DoctorCheck[] {
  const checks: DoctorCheck[] = observation.servers
    .filter((server) => !server.skipped)
    .map((server) =>
      server.error
        ? {
            ok: false,
            server: server.pid,
            title: `server pid ${server.pid} on ${server.socket}: ${server.error.reason}`,
            detail: server.error.message,
          }
        : {
            ok: true,
            server: server.pid,
            title: `server pid ${server.pid} on ${server.socket} (${server.exe}, tmux ${server.version || "?"}) answered: ${server.panes.length} panes`,
          },
    );
  if (observation.error && !observation.servers.some((server) => server.error)) {
    checks.push({
      ok: false,
      title: `${mode.kind} mode: ${observation.error.reason}`,
      detail: observation.error.message,
      fix:
        mode.kind === "pinned" ? "drop --tmux/--socket/-L to let auto mode find every server through /proc" : undefined,
    });
  }
  return checks;
}

function seatCheck(seats: number, idle: number, observation: Observation): DoctorCheck {
  if (seats > 0) return { ok: true, title: `${seats} seats seen` };
  const panes = observation.servers.reduce((sum, server) => sum + server.panes.length, 0);
  const why =
    observation.error !== undefined
      ? "the observation failed (above), so nothing seen counts"
      : idle > 0
        ? `every live pane is an idle shell (${idle})`
        : panes > 0
          ? "no live pane runs an agent"
          : "no pane at all";
  return {
    ok: false,
    title: "0 seats: the beacon would report blind",
    detail: why,
    fix:
      idle > 0
        ? "restart the agents in their panes; if your agent runs as a shell script, name it with --seat-command REGEX"
        : "start the agent sessions, or fix the observation error above",
  };
}

function pathCheck(
  p: { name: "beacon" | "systemd"; path: string; tmux: string | null },
  server: ServerObservation,
): DoctorCheck {
  const where = p.name === "beacon" ? "the beacon's PATH" : "a systemd unit's default PATH";
  const reached = p.tmux === null ? null : realpathOrSelf(p.tmux);
  if (reached === server.exe) {
    return {
      ok: true,
      server: server.pid,
      title: `${where} reaches ${p.tmux}, the binary of server pid ${server.pid}`,
    };
  }
  const binDir = dirname(server.exe.replace(/ \(deleted\)$/, ""));
  return {
    ok: false,
    server: server.pid,
    title: `${where} reaches ${p.tmux ?? "no tmux at all"}, but server pid ${server.pid} on ${server.socket} was started by ${server.exe}`,
    detail:
      "a plain `tmux` run with that PATH asks with another client, which can answer exit 0 with nothing (the night seatwatch exists for); auto mode is immune, pinned mode and other tools are not",
    fix: [
      `pin the binary: --tmux ${server.exe} --socket ${server.socket}`,
      `or give the unit that PATH (systemctl edit ${UNIT_NAME}, or write ${DROP_IN_PATH}, then systemctl daemon-reload && systemctl restart ${UNIT_NAME}):`,
      "[Service]",
      `Environment=PATH=${binDir}:${SYSTEMD_DEFAULT_PATH}`,
    ].join("\n"),
  };
}

/** The first executable `name` on a PATH string, as a shell would find it. */
export function firstOnPath(name: string, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

async function binaries(candidates: string[]): Promise<DoctorReport["binaries"]> {
  const seen = new Set<string>();
  const found = candidates.filter((path) => {
    if (seen.has(path) || !isExecutableFile(path)) return false;
    seen.add(path);
    return true;
  });
  return Promise.all(
    found.map(async (path) => ({ path, realpath: realpathOrSelf(path), version: await tmuxVersion(path) })),
  );
}
