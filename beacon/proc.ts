/**
 * Readers for Linux /proc, the only place that tells which process listens on which socket and
 * which binary started it. Each returns null (or nothing) when the kernel will not tell us, so
 * callers decide what "cannot see" means instead of guessing.
 */
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from "node:fs";

/** __SO_ACCEPTCON in /proc/net/unix's Flags column: the socket is listening. */
const SO_ACCEPTCON = 0x10000;

/** Num RefCount Protocol Flags Type St Inode [Path]; the path is everything after the inode (it may hold spaces). */
const UNIX_LINE = /^\s*[0-9a-f]+: [0-9a-f]+ [0-9a-f]+ ([0-9a-f]+) [0-9a-f]+ [0-9a-f]+ +(\d+)(?: (.*))?$/i;

/** Listening pathname sockets in a /proc/…/net/unix table: inode → path. Abstract (`@…`) sockets are left out. */
export function parseUnixListeners(table: string): Map<number, string> {
  const listeners = new Map<number, string>();
  for (const line of table.split("\n")) {
    const match = UNIX_LINE.exec(line);
    if (!match) continue;
    const [, flags = "0", inode = "0", path] = match;
    if ((Number.parseInt(flags, 16) & SO_ACCEPTCON) === 0 || !path || path.startsWith("@")) continue;
    listeners.set(Number(inode), path);
  }
  return listeners;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

export function listPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

export function readComm(pid: number): string | null {
  return readText(`/proc/${pid}/comm`)?.trimEnd() ?? null;
}

/** The binary that started the process; readable only for our own processes unless we are root. */
export function readExe(pid: number): string | null {
  return readLink(`/proc/${pid}/exe`);
}

/** Inodes of the process's sockets, or null when its fds are hidden from us (another user, hidepid). */
export function readSocketInodes(pid: number): number[] | null {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  const inodes: number[] = [];
  for (const fd of fds) {
    const match = /^socket:\[(\d+)\]$/.exec(readLink(`/proc/${pid}/fd/${fd}`) ?? "");
    if (match) inodes.push(Number(match[1]));
  }
  return inodes;
}

/** Listening sockets in the process's own network namespace (a container's sockets are not in ours). */
export function readUnixListeners(pid: number): Map<number, string> | null {
  const table = readText(`/proc/${pid}/net/unix`);
  return table === null ? null : parseUnixListeners(table);
}

/** The network namespace id, so the socket table is read once per namespace. */
export function readNetNamespace(pid: number): string | null {
  return readLink(`/proc/${pid}/ns/net`);
}

export interface ProcessStatus {
  /** Real uid. */
  uid: number;
  /** The pid as the process sees itself: the last NSpid entry (its own pid namespace), which is what tmux reports as #{pid}. */
  nspid: number;
  /** Exited but not yet reaped: keeps its comm, has no fds, listens on nothing. */
  zombie: boolean;
}

export function parseStatus(text: string, pid: number): ProcessStatus | null {
  const uid = /^Uid:\s+(\d+)/m.exec(text);
  if (!uid) return null;
  const nspids = /^NSpid:\s+([\d\s]+)$/m.exec(text)?.[1]?.trim().split(/\s+/);
  const nspid = Number(nspids?.at(-1) ?? pid);
  return { uid: Number(uid[1]), nspid, zombie: /^State:\s+Z/m.test(text) };
}

export function readStatus(pid: number): ProcessStatus | null {
  const text = readText(`/proc/${pid}/status`);
  return text === null ? null : parseStatus(text, pid);
}

/** State and parent from /proc/PID/stat; the comm (field 2) may hold spaces and ")", so fields are read after the last ")". */
export function parseStat(text: string): { ppid: number; zombie: boolean } | null {
  const [state, ppid] = text.slice(text.lastIndexOf(")") + 2).split(" ");
  if (!state || !ppid || !/^\d+$/.test(ppid)) return null;
  return { ppid: Number(ppid), zombie: state === "Z" || state === "X" };
}

/**
 * The live children of `parent`, keyed by each one's pid in its own pid namespace (what the parent's
 * fork() returned when both share one, as a tmux server and its panes always do: `pane_pid`), each
 * mapped to its pid as the beacon sees it.
 */
export function readChildren(parent: number): Map<number, number> {
  // nspid → pid as the beacon sees it: `pane_pid` is the former, /proc (activity's process tree) wants the latter.
  const children = new Map<number, number>();
  for (const pid of listPids()) {
    const text = readText(`/proc/${pid}/stat`);
    const stat = text === null ? null : parseStat(text);
    if (!stat || stat.ppid !== parent || stat.zombie) continue;
    children.set(readStatus(pid)?.nspid ?? pid, pid);
  }
  return children;
}

export interface PasswdEntry {
  name: string;
  uid: number;
  home: string;
  /** The login shell ("" when the entry names none). */
  shell: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const [name, , uid, , , home, shell] = line.split(":");
    if (name && uid && /^\d+$/.test(uid)) {
      entries.push({ name, uid: Number(uid), home: home ?? "", shell: shell?.trim() ?? "" });
    }
  }
  return entries;
}

/** Users from /etc/passwd; NSS sources (LDAP) are out of reach without a native module, so numeric uids are accepted too. */
export function readPasswd(): PasswdEntry[] {
  return parsePasswd(readText("/etc/passwd") ?? "");
}

/** Clock ticks per second in /proc/PID/stat times: USER_HZ, fixed at 100 by the kernel ABI on every arch we run. */
export const TICKS_PER_SECOND = 100;

/** The fields of /proc/PID/stat that activity and marks need (proc(5)). */
export interface ProcessStat {
  pid: number;
  ppid: number;
  /** Process group. */
  pgrp: number;
  /** The controlling terminal's device number; 0 when the process has none (Claude Code's hooks run so). */
  ttyNr: number;
  /** The foreground process group of the controlling terminal; -1 without one. */
  tpgid: number;
  /** User + system CPU, its own and its reaped children's (a tool that ran and exited between samples counts), in ticks. */
  cpuTicks: number;
  threads: number;
  zombie: boolean;
}

/** Parses /proc/PID/stat; the comm (field 2) may hold spaces and ")", so fields are read after the last ")". */
export function parseProcessStat(pid: number, text: string): ProcessStat | null {
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): ppid 4, pgrp 5, tty_nr 7, tpgid 8, utime 14 … cstime 17, num_threads 20.
  const number = (field: number) => Number(fields[field - 3]);
  const values = [4, 5, 7, 8, 14, 15, 16, 17, 20].map(number);
  if (fields.length < 18 || values.some((value) => !Number.isSafeInteger(value))) return null;
  const [ppid = 0, pgrp = 0, ttyNr = 0, tpgid = 0, utime = 0, stime = 0, cutime = 0, cstime = 0, threads = 1] = values;
  return {
    pid,
    ppid,
    pgrp,
    ttyNr,
    tpgid,
    cpuTicks: utime + stime + cutime + cstime,
    threads,
    zombie: fields[0] === "Z" || fields[0] === "X",
  };
}

export function readProcessStat(pid: number): ProcessStat | null {
  const text = readProcFile(`/proc/${pid}/stat`);
  return text === null ? null : parseProcessStat(pid, text);
}

/**
 * A small /proc file read with one open, reads into a shared buffer, and close: a sample reads a few
 * per seat, and readFileSync's fstat and allocation doubled that cost (bench/observe.ts).
 */
const procBuffer = Buffer.alloc(64 * 1024);
function readProcFile(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    let length = 0;
    for (let n = 1; n > 0 && length < procBuffer.length; length += n) {
      n = readSync(fd, procBuffer, length, procBuffer.length - length, null);
    }
    return procBuffer.toString("latin1", 0, length);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Children of every thread of `pid` (an agent may spawn from any of them); empty once it has exited. */
function childPids(pid: number, threads: number): number[] {
  let tasks: string[];
  try {
    // A single-threaded process's only task is itself: no directory to list.
    tasks = threads === 1 ? [String(pid)] : readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const task of tasks) {
    const listed = readProcFile(`/proc/${pid}/task/${task}/children`);
    if (listed === null) continue;
    for (const child of listed.split(" ")) if (child !== "" && child !== "\n") children.push(Number(child));
  }
  return children;
}

/**
 * `pid` and every process below it, each stat read once: a pane's process tree (DESIGN §3a reads its
 * CPU, marks check its process groups). Bounded, so a fork bomb in a pane cannot stall a sample.
 */
export function processTree(pid: number, limit = 4_096): ProcessStat[] {
  const tree: ProcessStat[] = [];
  const queue = [pid];
  while (queue.length > 0 && tree.length < limit) {
    const next = queue.shift() as number;
    const stat = readProcessStat(next);
    if (stat === null) continue;
    tree.push(stat);
    queue.push(...childPids(next, stat.threads));
  }
  return tree;
}

/** One variable of a process's starting environment (readable for our own processes, or as root); null when absent or hidden. */
export function readEnvironment(pid: number, name: string): string | null {
  const text = readText(`/proc/${pid}/environ`);
  const entry = text?.split("\0").find((item) => item.startsWith(`${name}=`));
  return entry === undefined ? null : entry.slice(name.length + 1);
}
