/**
 * Gathers each seat's evidence (DESIGN §3a) and judges it with activity.ts: the CPU its pane's
 * process tree used since the last reading, its window's output, its latest mark — valid only while
 * the mark's agent (process group) still lives in the pane — and `--waiting-pattern` over its visible
 * text. It remembers each pane between samples (keyed by server, pane id and pane_pid, so a respawned
 * pane starts afresh); a pane it has never read is measured over a short interval instead, so
 * `once` is right on its own.
 */
import type { Activity, SeatEntry } from "../protocol/activity.ts";
import {
  type ActivitySettings,
  isBusy,
  type JudgedSeat,
  type Judgement,
  judgeSeat,
  seatList,
  summarise,
} from "./activity.ts";
import { type Mark, type MarkedPane, markKey, readMarks } from "./marks.ts";
import type { Observation, Observer, Pane, ServerObservation } from "./observe.ts";
import { type ProcessStat, processTree, readEnvironment, TICKS_PER_SECOND } from "./proc.ts";

export interface ActivityOptions extends ActivitySettings {
  /** `--waiting-pattern`: a pane whose visible text matches waits for a person. */
  waitingPattern: RegExp | null;
  /** How long a pane never read before is measured for (once: its only reading). */
  freshIntervalMs: number;
  /** The beacon's environment: its own runtime directory is one more place marks may be. */
  env: NodeJS.ProcessEnv;
}

/** What doctor shows of the evidence behind a seat's state. */
export interface SeatEvidence {
  /** CPU of the pane's process tree over the last interval, % of one core; null before a second reading. */
  cpuPercent: number | null;
  intervalMs: number | null;
  processes: number;
  busyAt: number | null;
  outputAt: number | null;
  /** The pane's latest mark, valid or not. */
  mark: Mark | null;
  /** Why that mark does not count, when it does not. */
  markLapsed: string | null;
  patternMatched: boolean;
}

export interface SeatReport extends JudgedSeat {
  server: number;
  evidence: SeatEvidence;
}

export interface ActivityReport {
  seats: SeatReport[];
  activity: Activity;
  seatList: SeatEntry[];
}

interface Memory {
  panePid: number;
  ticks: Map<number, number>;
  readAt: number;
  busyAt: number | null;
  cpuPercent: number | null;
  intervalMs: number | null;
  patternSince: number | null;
  seenSince: number;
  judgement: Judgement;
}

interface Reading {
  pane: Pane;
  server: ServerObservation | undefined;
  key: string;
  tree: ProcessStat[];
  readAt: number;
  previous: Memory | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ActivityTracker {
  private memory = new Map<string, Memory>();
  /** XDG_RUNTIME_DIR of each tmux server (by pid): its panes' marks are written under it. */
  private serverRuntime = new Map<number, string | null>();

  constructor(
    private readonly options: ActivityOptions,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Judges `seats` at `now`, the sample's time (the beat's `ts`), so no `since` is later than the beat
   * that carries it; the readings themselves are timed by the clock.
   */
  async assess(observation: Observation, seats: Pane[], observer: Observer, now: number): Promise<ActivityReport> {
    const servers = new Map(observation.servers.map((server) => [server.pid, server]));
    const read = (pane: Pane): Reading => {
      const key = `${pane.server}:${pane.id}`;
      const known = this.memory.get(key);
      const previous = known?.panePid === pane.panePid ? known : undefined;
      return {
        pane,
        server: servers.get(pane.server),
        key,
        tree: processTree(pane.panePid),
        readAt: this.clock(),
        previous,
      };
    };
    let readings = seats.map(read);
    const fresh = readings.filter((reading) => reading.previous === undefined);
    // A pane with no earlier reading is read twice, `freshIntervalMs` apart, so its CPU is a measurement, not a guess.
    const baseline = new Map(fresh.map((reading) => [reading.key, reading]));
    if (fresh.length > 0 && this.options.freshIntervalMs > 0) {
      await sleep(this.options.freshIntervalMs);
      readings = readings.map((reading) => (baseline.has(reading.key) ? read(reading.pane) : reading));
    }
    const marks = this.marksFor(readings);
    const texts = await this.paneTexts(readings, observer);

    const reports = readings.map((reading): SeatReport => {
      const { pane, previous } = reading;
      let busyAt = previous?.busyAt ?? null;
      let cpuPercent = previous?.cpuPercent ?? null;
      let intervalMs = previous?.intervalMs ?? null;
      const first = baseline.get(reading.key);
      const beforeTicks = previous ? previous.ticks : first ? ticksOf(first.tree) : null;
      const beforeAt = previous?.readAt ?? first?.readAt;
      if (beforeTicks !== null && beforeAt !== undefined && reading.readAt > beforeAt) {
        intervalMs = reading.readAt - beforeAt;
        const cpuMs = grownMs(beforeTicks, reading.tree);
        cpuPercent = (cpuMs * 100) / intervalMs;
        if (isBusy(cpuMs, intervalMs, this.options.busyCpuPercent)) busyAt = reading.readAt;
      }
      const mark = marks.get(markKey(reading.server?.socket ?? "", pane.id)) ?? null;
      const markLapsed =
        mark === null
          ? null
          : reading.tree.some((stat) => stat.pgrp === mark.pgid)
            ? null
            : `its agent (process group ${mark.pgid}) no longer runs in pane ${pane.id}`;
      const matched =
        texts.has(reading.key) && (this.options.waitingPattern?.test(texts.get(reading.key) ?? "") ?? false);
      const patternSince = matched ? (previous?.patternSince ?? pane.windowActivity ?? now) : null;
      const seenSince = previous?.seenSince ?? now;
      const judgement = judgeSeat(
        {
          busyAt,
          outputAt: pane.windowActivity,
          mark: mark !== null && markLapsed === null ? mark : null,
          patternSince,
          seenSince,
        },
        previous?.judgement ?? null,
        now,
        this.options,
      );
      this.memory.set(reading.key, {
        panePid: pane.panePid,
        ticks: ticksOf(reading.tree),
        readAt: reading.readAt,
        busyAt,
        cpuPercent,
        intervalMs,
        patternSince,
        seenSince,
        judgement,
      });
      return {
        ...judgement,
        pane: pane.id,
        session: pane.session,
        // Every tmux since 1.8 has window_index; a server that did not say is listed as window 0.
        window: pane.window ?? 0,
        command: pane.command,
        server: pane.server,
        evidence: {
          cpuPercent,
          intervalMs,
          processes: reading.tree.length,
          busyAt,
          outputAt: pane.windowActivity,
          mark,
          markLapsed,
          patternMatched: matched,
        },
      };
    });
    // Panes that are gone (or no longer seats) are forgotten: a pane id that comes back is a new pane.
    const current = new Set(readings.map((reading) => reading.key));
    for (const key of this.memory.keys()) if (!current.has(key)) this.memory.delete(key);

    const validMarks = reports.some((report) => report.evidence.mark !== null && report.evidence.markLapsed === null);
    return { seats: reports, activity: summarise(reports, validMarks), seatList: seatList(reports) };
  }

  private marksFor(readings: Reading[]): Map<string, Mark> {
    const ownUid = process.getuid?.() ?? 0;
    const panes: MarkedPane[] = [];
    const runtimeDirs = new Map<number, Set<string>>();
    const own = this.options.env.XDG_RUNTIME_DIR;
    for (const { pane, server } of readings) {
      if (server === undefined || server.socket === "") continue;
      const uid = server.uid ?? ownUid;
      panes.push({ uid, socket: server.socket, pane: pane.id });
      const dirs = runtimeDirs.get(uid) ?? new Set<string>();
      runtimeDirs.set(uid, dirs);
      if (!this.serverRuntime.has(server.pid)) {
        this.serverRuntime.set(server.pid, readEnvironment(server.pid, "XDG_RUNTIME_DIR"));
      }
      for (const dir of [this.serverRuntime.get(server.pid), own]) {
        if (dir?.startsWith("/")) dirs.add(`${dir}/seatwatch/marks`);
      }
    }
    return readMarks(panes, (uid) => [...(runtimeDirs.get(uid) ?? [])]);
  }

  private async paneTexts(readings: Reading[], observer: Observer): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    if (this.options.waitingPattern === null || observer.paneText === undefined) return texts;
    const byServer = new Map<ServerObservation, Reading[]>();
    for (const reading of readings) {
      if (reading.server === undefined) continue;
      byServer.set(reading.server, [...(byServer.get(reading.server) ?? []), reading]);
    }
    await Promise.all(
      [...byServer].map(async ([server, group]) => {
        const answer =
          (await observer.paneText?.(
            server,
            group.map((reading) => reading.pane.id),
          )) ?? new Map();
        for (const reading of group) {
          const text = answer.get(reading.pane.id);
          if (text !== undefined) texts.set(reading.key, text);
        }
      }),
    );
    return texts;
  }
}

function ticksOf(tree: ProcessStat[]): Map<number, number> {
  return new Map(tree.map((stat) => [stat.pid, stat.cpuTicks]));
}

/** CPU the tree used since `before`, per process: one that started since counts whole, one that exited took its share along. */
function grownMs(before: Map<number, number>, tree: ProcessStat[]): number {
  let ticks = 0;
  for (const stat of tree) ticks += Math.max(0, stat.cpuTicks - (before.get(stat.pid) ?? 0));
  return (ticks * 1000) / TICKS_PER_SECOND;
}
