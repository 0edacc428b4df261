/**
 * Readers for Linux /proc, the only place that tells which process listens on which socket and
 * which binary started it. Each returns null (or nothing) when the kernel will not tell us, so
 * callers decide what "cannot see" means instead of guessing.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

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
 * The live children of `parent`, each by its pid in its own pid namespace: what the parent's fork()
 * returned when both share one, as a tmux server and its panes always do (`pane_pid`).
 */
export function readChildren(parent: number): Set<number> {
  const children = new Set<number>();
  for (const pid of listPids()) {
    const text = readText(`/proc/${pid}/stat`);
    const stat = text === null ? null : parseStat(text);
    if (!stat || stat.ppid !== parent || stat.zombie) continue;
    children.add(readStatus(pid)?.nspid ?? pid);
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
