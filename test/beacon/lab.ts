/**
 * Private tmux servers for beacon tests: each on a socket under its own temp dir, every one
 * killed by pid when the test ends, pass or fail (stopped ones are continued first).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FoundServer } from "../../beacon/tmux/discover.ts";
import type { AutoMode } from "../../beacon/tmux/observer.ts";

export const TMUX = "/usr/bin/tmux";

export interface LabServer {
  pid: number;
  socket: string;
  tmux: string;
}

/**
 * A window per entry: `agent` panes run a non-shell, `shell` an idle bash, `dead` a command that exits 3,
 * `{ argv0 }` a sleep renamed to that argv[0] (newlines and tabs kept; `@PID@` becomes the server's pid).
 */
export type PaneKind = CommandKind | { argv0: string };
type CommandKind = "agent" | "cat" | "shell" | "dead";

const COMMANDS: Record<CommandKind, string> = {
  agent: "sleep 600",
  cat: "cat",
  shell: "bash --norc --noprofile",
  dead: "sh -c 'exit 3'",
};

export class Lab {
  readonly dir = mkdtempSync(join(tmpdir(), "seatwatch-lab-"));
  readonly pids = new Set<number>();
  private count = 0;

  /** Starts a server with one session of the given panes; returns once every pane is in its expected state. */
  start(
    panes: PaneKind[],
    options: { session?: string; tmux?: string; env?: NodeJS.ProcessEnv; socket?: string | null } = {},
  ): LabServer {
    const tmux = options.tmux ?? TMUX;
    const session = options.session ?? "work";
    this.count += 1;
    const socket = options.socket === undefined ? join(this.dir, `sock-${this.count}`) : options.socket;
    const target = socket === null ? [] : ["-S", socket];
    const [first = "agent", ...rest] = panes;
    const command = (kind: PaneKind) => (typeof kind === "string" ? COMMANDS[kind] : this.renamed(kind.argv0));
    const args = [
      ...target,
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      "120",
      "-y",
      "40",
      command(first),
    ];
    args.push(";", "set", "-g", "remain-on-exit", "on");
    for (const kind of rest) args.push(";", "new-window", "-d", "-t", session, command(kind));
    const env = { ...process.env, ...options.env };
    delete env.TMUX;
    execFileSync(tmux, args, { env });
    const pid = Number(
      execFileSync(tmux, [...target, "display", "-p", "-t", session, "#{pid}"], { env })
        .toString()
        .trim(),
    );
    this.pids.add(pid);
    this.waitForPanes(tmux, target, env, panes);
    return { pid, socket: socket ?? "", tmux };
  }

  /** A live server with no session at all (exit-empty off keeps it running). */
  startEmpty(): LabServer {
    const server = this.start(["agent"], { session: "gone" });
    execFileSync(TMUX, ["-S", server.socket, "set", "-g", "exit-empty", "off", ";", "kill-session", "-t", "gone"]);
    return server;
  }

  /** A copy of tmux at `<dir>/<name>/tmux`, standing in for a second build (linuxbrew's). */
  copyTmux(name: string): string {
    const path = join(this.dir, name, "tmux");
    execFileSync("mkdir", ["-p", join(this.dir, name)]);
    copyFileSync(TMUX, path);
    execFileSync("chmod", ["755", path]);
    return path;
  }

  /** Auto mode restricted to this lab's servers, so tmux servers of other tests or people on the box cannot interfere. */
  auto(overrides: Partial<AutoMode> = {}): AutoMode {
    return {
      kind: "auto",
      uid: null,
      scopeLabel: "the lab",
      only: (s: FoundServer) => this.pids.has(s.pid),
      ...overrides,
    };
  }

  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** A shell command that execs sleep under `argv0`; bash's $PPID in a pane is the server. */
  private renamed(argv0: string): string {
    this.count += 1;
    const file = this.file(`argv0-${this.count}`, argv0);
    return `bash -c 'IFS= read -r -d "" name < ${file}; exec -a "\${name//@PID@/$PPID}" sleep 600'`;
  }

  track(pid: number): void {
    this.pids.add(pid);
  }

  cleanup(): void {
    for (const pid of this.pids) {
      try {
        process.kill(pid, "SIGCONT");
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone: the test killed it on purpose.
      }
    }
    this.pids.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private waitForPanes(tmux: string, target: string[], env: NodeJS.ProcessEnv, panes: PaneKind[]): void {
    const wantDead = panes.filter((kind) => kind === "dead").length;
    const wantShells = panes.filter((kind) => kind === "shell").length;
    let rows: string[] = [];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      rows = execFileSync(tmux, [...target, "list-panes", "-a", "-F", "#{pane_dead}:#{pane_current_command}"], { env })
        .toString()
        .trim()
        .split("\n");
      const dead = rows.filter((row) => row.startsWith("1:")).length;
      const shells = rows.filter((row) => row === "0:bash").length;
      // A pane still being started shows tmux (forked, not yet exec'd) or the sh that runs its command.
      const starting = rows.some((row) => row === "0:tmux" || row === "0:sh");
      if (dead === wantDead && shells === wantShells && !starting) return;
      execFileSync("sleep", ["0.05"]);
    }
    throw new Error(
      `lab panes did not settle: wanted ${wantDead} dead and ${wantShells} shells, have ${rows.join(" ")}`,
    );
  }
}
