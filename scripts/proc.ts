/**
 * Processes seen from outside through /proc: what a command started, and the CPU they used.
 * The dev Worker runner, the benches and the test receiver measure workerd this way.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run). */
const USER_HZ = 100;

/** Every process below `pid`, children of any of its threads included (Node spawns from several). */
export function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/);
      children = children.concat(listed.filter(Boolean).map(Number));
    }
  } catch {
    // The process exited while we looked.
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** The workerd processes below `pid`: the runtime serving the Worker. */
export function workerdDescendants(pid: number): number[] {
  return descendants(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, "utf8").trim().startsWith("workerd");
    } catch {
      return false;
    }
  });
}

/** User + system CPU of `pids`, in ms; a process that has exited counts no more. */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Exited between listing and reading.
    }
  }
  return (ticks * 1000) / USER_HZ;
}
