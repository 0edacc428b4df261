/**
 * Marks (DESIGN §3a): what an agent says about its own pane — working, waiting for a person, or done
 * with its turn — in one small file per pane, under the pane owner's runtime directory, where a
 * beacon finds it whatever its own environment (a systemd unit, root). This file is the one
 * definition of the format: `seatwatch-beacon mark` writes it with renderMark, the hook script
 * (hook-script.ts) prints the same lines from MARK_FIELDS, and the beacon reads both with parseMark.
 *
 * A mark is bound to its pane (tmux server socket + pane id: pane ids are per server) and to its
 * agent: the foreground process group of the pane's terminal when it was written. It lapses when
 * that group no longer lives in the pane, so a respawned or restarted agent never inherits an old
 * wait, and a mark typed at a shell prompt (its group is the `mark` command's own) never counts.
 * Its time is the file's mtime, set by the write itself, so the hook needs no clock call.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_SEAT_TEXT } from "../protocol/limits.ts";
import { readProcessStat } from "./proc.ts";

export const MARK_STATES = ["working", "waiting", "done"] as const;
export type MarkState = (typeof MARK_STATES)[number];

/** The first line of every mark file: a version, so a later format can be told apart. */
export const MARK_MAGIC = "seatwatch-mark 1";

/** The lines after MARK_MAGIC, in order, each `name value`. `why` is last: free text cannot shadow a field. */
export const MARK_FIELDS = ["pane", "server", "socket", "state", "pgid", "why"] as const;
export type MarkFields = Record<(typeof MARK_FIELDS)[number], string>;

/** A mark file is a few lines; anything larger is not one. */
const MAX_MARK_BYTES = 1_024;

/** How far up from the writer the agent is looked for (hook → shell → agent, with room for wrappers). */
const MAX_ANCESTORS = 16;

export interface Mark {
  /** The tmux pane id, e.g. `%3`. */
  pane: string;
  /** The tmux server's socket path, as `$TMUX` names it. */
  socket: string;
  state: MarkState;
  /** The agent's process group. */
  pgid: number;
  why: string | null;
  /** When it was written: the file's mtime, unix ms. */
  at: number;
}

export function renderMark(fields: MarkFields): string {
  return `${[MARK_MAGIC, ...MARK_FIELDS.map((name) => `${name} ${fields[name]}`)].join("\n")}\n`;
}

/** Parses a mark file's text; null when it is not a well-formed mark (never trusted half-way). */
export function parseMark(text: string, at: number): Mark | null {
  const lines = text.split("\n");
  if (lines[0] !== MARK_MAGIC) return null;
  const values = new Map<string, string>();
  for (const line of lines.slice(1, MARK_FIELDS.length + 1)) {
    const space = line.indexOf(" ");
    if (space > 0 && !values.has(line.slice(0, space))) values.set(line.slice(0, space), line.slice(space + 1));
  }
  const pane = values.get("pane") ?? "";
  const state = values.get("state") as MarkState;
  const pgid = Number(values.get("pgid"));
  const socket = values.get("socket") ?? "";
  if (!/^%\d{1,10}$/.test(pane) || !MARK_STATES.includes(state) || !Number.isSafeInteger(pgid) || pgid <= 1)
    return null;
  if (!socket.startsWith("/")) return null;
  // Printable text only, bounded: it may reach an alert as the reason a seat waits.
  const why = (values.get("why") ?? "").replace(/[^\x20-\x7e]/g, "").slice(0, MAX_SEAT_TEXT);
  return { pane, socket, state, pgid, why: why === "" ? null : why, at };
}

/** `$TMUX` is "socket,server pid,session id" (tmux's environ_update); the socket may itself hold commas. */
export function paneOf(env: NodeJS.ProcessEnv): { socket: string; server: string; pane: string } | null {
  const tmux = env.TMUX ?? "";
  const pane = env.TMUX_PANE ?? "";
  const match = /^(\/.*),(\d+),\$?\d+$/.exec(tmux);
  if (!match || !/^%\d+$/.test(pane)) return null;
  return { socket: match[1] as string, server: match[2] as string, pane };
}

/** One file per pane: the server pid keeps two servers' `%3` apart; the socket inside says which server exactly. */
export function markFileName(server: string, pane: string): string {
  return `${server}_${pane.slice(1)}`;
}

/**
 * The writer's agent: the nearest process, from `pid` up, that has a controlling terminal, and
 * that terminal's foreground process group. A hook Claude Code runs has no terminal of its own (it
 * is started detached), so its agent is the ancestor that has one; `mark` run at a prompt has its
 * own terminal, and its group is its own (so the mark lapses as soon as it exits).
 */
export function agentGroup(pid: number): number | null {
  let current = pid;
  for (let hop = 0; hop < MAX_ANCESTORS && current > 1; hop += 1) {
    const stat = readProcessStat(current);
    if (stat === null) return null;
    if (stat.ttyNr !== 0) return stat.tpgid > 1 ? stat.tpgid : null;
    current = stat.ppid;
  }
  return null;
}

/** Where a user's marks go: their runtime directory, else a private directory in /tmp. */
export function markDirectory(env: NodeJS.ProcessEnv, uid: number): { base: string; dir: string } {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime?.startsWith("/") && isDirectory(runtime)) {
    const base = join(runtime, "seatwatch");
    return { base, dir: join(base, "marks") };
  }
  const base = `/tmp/seatwatch-${uid}`;
  return { base, dir: join(base, "marks") };
}

/**
 * Writes this pane's mark atomically (temp file + rename, so a beacon never reads half a mark).
 * Returns why nothing was written, or null when it was; it never throws.
 */
export function writeMark(env: NodeJS.ProcessEnv, state: MarkState, why: string | null): string | null {
  const where = paneOf(env);
  if (where === null) return "not inside a tmux pane ($TMUX and $TMUX_PANE unset)";
  const pgid = agentGroup(process.pid);
  if (pgid === null) return "no process above this one has a terminal, so there is no agent to bind the mark to";
  const uid = process.getuid?.() ?? 0;
  const { base, dir } = markDirectory(env, uid);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const path of [base, dir]) {
      if (!isPrivate(path, uid))
        return `${path} is not a directory owned by uid ${uid} and closed to others; refusing it`;
    }
    const file = join(dir, markFileName(where.server, where.pane));
    const temp = join(dir, `.${markFileName(where.server, where.pane)}.${process.pid}`);
    const text = renderMark({
      pane: where.pane,
      server: where.server,
      socket: where.socket,
      state,
      pgid: String(pgid),
      why: (why ?? "").replace(/[^\x20-\x7e]/g, "").slice(0, MAX_SEAT_TEXT),
    });
    writeFileSync(temp, text, { mode: 0o600 });
    try {
      renameSync(temp, file);
    } catch (error) {
      unlinkSync(temp);
      throw error;
    }
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A real directory (not a symlink), owned by `uid`, writable by no one else: nobody can plant marks in it. */
function isPrivate(path: string, uid: number): boolean {
  try {
    const stat = lstatSync(path);
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** A pane whose marks the beacon wants: the server's owner (marks are trusted only from them) and its socket. */
export interface MarkedPane {
  uid: number;
  socket: string;
  pane: string;
}

/** The key marks are matched by: pane ids are per server, so the server's socket goes with the pane id. */
export function markKey(socket: string, pane: string): string {
  return `${socket}\n${pane}`;
}

/**
 * Every valid mark for `panes`, by markKey. Each owner's directories are searched — their
 * /run/user runtime directory, their /tmp one, and `extraDirs` (the beacon's own runtime directory,
 * each tmux server's) — so a beacon under systemd, or as root, finds marks written in a login
 * session. A mark counts only from a directory and a file owned by the pane's owner, so no other
 * user can make someone's seat look waiting. The newest mark of a pane wins.
 */
export function readMarks(panes: MarkedPane[], extraDirs: (uid: number) => string[]): Map<string, Mark> {
  const marks = new Map<string, Mark>();
  const wanted = new Map<number, Map<string, Set<string>>>();
  for (const { uid, socket, pane } of panes) {
    const byNumber = wanted.get(uid) ?? new Map<string, Set<string>>();
    wanted.set(uid, byNumber);
    const sockets = byNumber.get(pane.slice(1)) ?? new Set<string>();
    byNumber.set(pane.slice(1), sockets.add(socket));
  }
  for (const [uid, byNumber] of wanted) {
    const dirs = new Set([`/run/user/${uid}/seatwatch/marks`, `/tmp/seatwatch-${uid}/marks`, ...extraDirs(uid)]);
    for (const dir of dirs) {
      if (!isPrivate(dir, uid)) continue;
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        const number = /^\d+_(\d+)$/.exec(name)?.[1];
        if (number === undefined || !byNumber.has(number)) continue;
        const mark = readMarkFile(join(dir, name), uid);
        if (mark === null || !byNumber.get(number)?.has(mark.socket)) continue;
        const key = markKey(mark.socket, mark.pane);
        const known = marks.get(key);
        if (known === undefined || mark.at > known.at) marks.set(key, mark);
      }
    }
  }
  return marks;
}

function readMarkFile(path: string, uid: number): Mark | null {
  try {
    const stat = lstatSync(path);
    if (!stat.isFile() || stat.uid !== uid || stat.size > MAX_MARK_BYTES) return null;
    return parseMark(readFileSync(path, "utf8"), Math.floor(stat.mtimeMs));
  } catch {
    return null;
  }
}
