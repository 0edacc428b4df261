/**
 * Finds running tmux servers through /proc (DESIGN §3 auto mode): their listening socket, owner,
 * and the binary that started them. No PATH and no TMUX_TMPDIR is involved, so a server started by
 * another tmux build, or with another socket directory, is found all the same.
 */
import { existsSync, statSync } from "node:fs";
import {
  listPids,
  readComm,
  readExe,
  readNetNamespace,
  readSocketInodes,
  readStatus,
  readUnixListeners,
} from "../proc.ts";

export interface FoundServer {
  pid: number;
  /** The pid the server reports as #{pid} (its own pid namespace's). */
  nspid: number;
  uid: number;
  /** readlink of /proc/PID/exe, or null when hidden from us. */
  exe: string | null;
  /** The listening socket path as the server sees it, or null when no socket of it is visible. */
  socket: string | null;
}

/** tmux ≥ 2.2 names its server process this way (proc.c); clients are "tmux: client". */
const SERVER_COMM = "tmux: server";

export function findTmuxServers(): FoundServer[] {
  const tablesByNamespace = new Map<string, Map<number, string> | null>();
  const servers: FoundServer[] = [];
  for (const pid of listPids()) {
    const comm = readComm(pid);
    if (comm === null || !comm.startsWith("tmux")) continue;
    const status = readStatus(pid);
    if (!status || status.zombie) continue;
    const socket = listeningSocketOf(pid, tablesByNamespace);
    // A bare "tmux" process (a very old build, or a renamed one) counts only when it listens.
    if (socket === null && comm !== SERVER_COMM) continue;
    servers.push({ pid, nspid: status.nspid, uid: status.uid, exe: readExe(pid), socket });
  }
  return servers;
}

/**
 * The server listening on `socket` (a path reachable from here), found the same way as in auto mode;
 * null when no visible tmux process holds it. Pinned mode trusts an answer only from this process.
 */
export function findServerOn(socket: string): FoundServer | null {
  return (
    findTmuxServers().find(
      (server) => server.socket !== null && sameFile(reachableSocket(server, server.socket), socket),
    ) ?? null
  );
}

/**
 * Why no visible server holds `socket`: there is no such file, the file is left over from a server
 * that died (nothing listens on it), or something listens whose process we cannot see.
 */
export function socketState(socket: string): "missing" | "stale" | "listening" {
  if (!existsSync(socket)) return "missing";
  const listeners = readUnixListeners(process.pid)?.values() ?? [];
  for (const path of listeners) if (sameFile(path, socket)) return "listening";
  return "stale";
}

function listeningSocketOf(pid: number, tablesByNamespace: Map<string, Map<number, string> | null>): string | null {
  const inodes = readSocketInodes(pid);
  if (!inodes || inodes.length === 0) return null;
  const namespace = readNetNamespace(pid) ?? `pid:${pid}`;
  if (!tablesByNamespace.has(namespace)) tablesByNamespace.set(namespace, readUnixListeners(pid));
  const table = tablesByNamespace.get(namespace);
  for (const inode of inodes) {
    const path = table?.get(inode);
    if (path) return path;
  }
  return null;
}

/** The path that reaches a server's socket from our mount namespace (a container's /tmp is not ours). */
export function reachableSocket(server: { pid: number }, socket: string): string {
  return `/proc/${server.pid}/root${socket}`;
}

/** Whether two paths name the same socket file (same device and inode), whatever symlinks or namespaces lie between. */
export function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
