import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, unlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { QUERY_TIMEOUT_MS } from "../../beacon/limits.ts";
import type { Observation } from "../../beacon/observe.ts";
import { newIdentity, takeSample } from "../../beacon/sample.ts";
import { countSeats, type SeatRule } from "../../beacon/seats.ts";
import { createTmuxObserver, type PinnedMode } from "../../beacon/tmux/observer.ts";
import { validateBeat } from "../../protocol/beat.ts";
import { Lab, type PaneKind, TMUX } from "./lab.ts";

const FAKES = resolve(import.meta.dirname, "fakes");
const DEFAULT_RULE: SeatRule = { countShells: false };

let lab: Lab;
afterEach(() => lab?.cleanup());
function newLab(): Lab {
  lab = new Lab();
  return lab;
}

function pinned(tmux: string, socket: string, env: NodeJS.ProcessEnv = process.env): PinnedMode {
  return { kind: "pinned", tmux, socket, env };
}

const observe = (mode: Parameters<typeof createTmuxObserver>[0]): Promise<Observation> =>
  createTmuxObserver(mode).observe();

describe("counting seats on real tmux servers", () => {
  it("counts 3 agent panes as seats, an idle shell as idle and a dead pane as dead", async () => {
    const server = newLab().start(["agent", "agent", "cat", "shell", "dead"]);

    const sample = await takeSample(createTmuxObserver(lab.auto()), DEFAULT_RULE, newIdentity("lab-box"), 0);

    expect(sample.beat).toMatchObject({ observed: "ok", seats: 3, idle: 1, commands: { sleep: 2, cat: 1, bash: 1 } });
    expect(sample.beat.reason).toBeUndefined();
    expect(sample.beat.servers).toEqual([
      { pid: server.pid, exe: TMUX, version: "3.3a", socket: server.socket, panes: 5, dead: 1 },
    ]);
    // tmux 3.3a sometimes marks a pane dead without ever recording its exit status (seen in about half of runs).
    expect([[3], [null]]).toContainEqual(sample.count.deadPanes.map((pane) => pane.deadStatus));
    expect(validateBeat(sample.beat).ok).toBe(true);
  });

  it("sums seats over every server in scope", async () => {
    newLab().start(["agent", "shell"]);
    lab.start(["agent", "agent", "dead"]);

    const observation = await observe(lab.auto());
    const count = countSeats(observation, DEFAULT_RULE);

    expect(observation.error).toBeUndefined();
    expect(observation.servers).toHaveLength(2);
    expect([count.seats, count.idle, count.dead]).toEqual([3, 1, 1]);
  });

  it("counts only panes whose command matches --seat-command", async () => {
    newLab().start(["agent", "agent", "cat", "shell"]);
    const count = countSeats(await observe(lab.auto()), { countShells: false, command: /^cat$/ });
    expect([count.seats, count.idle]).toEqual([1, 1]);
  });

  it("considers only sessions matching --seat-session", async () => {
    newLab().start(["agent", "agent", "shell"], { session: "agents" });
    lab.start(["agent", "cat"], { session: "scratch" });
    const count = countSeats(await observe(lab.auto()), { countShells: false, session: /^agents$/ });
    expect([count.seats, count.idle]).toEqual([2, 1]);
    expect(count.commands).toEqual({ sleep: 2, bash: 1 });
  });

  it("counts every live pane with --count-shells, leaving nothing idle and dead panes uncounted", async () => {
    newLab().start(["agent", "shell", "shell", "dead"]);
    const count = countSeats(await observe(lab.auto()), { countShells: true });
    expect([count.seats, count.idle, count.dead]).toEqual([3, 0, 1]);
  });

  it("reports a live server with no session as observed ok with zero seats", async () => {
    const server = newLab().startEmpty();

    const auto = await observe(lab.auto());
    const pin = await observe(pinned(TMUX, server.socket));

    for (const observation of [auto, pin]) {
      expect(observation.error).toBeUndefined();
      expect(observation.servers).toMatchObject([{ pid: server.pid, panes: [] }]);
      expect(countSeats(observation, DEFAULT_RULE).seats).toBe(0);
    }
  });
});

describe("the linuxbrew night: a server started by another tmux with another TMUX_TMPDIR", () => {
  it("auto mode finds it through /proc and asks it with the binary that started it", async () => {
    const brew = newLab().copyTmux("linuxbrew/bin");
    mkdirSync(join(lab.dir, "brew-tmp"));
    const server = lab.start(["agent", "agent", "shell"], {
      tmux: brew,
      socket: null,
      env: { TMUX_TMPDIR: join(lab.dir, "brew-tmp") },
    });

    const observation = await observe(lab.auto());

    expect(observation.error).toBeUndefined();
    expect(observation.servers).toMatchObject([
      { pid: server.pid, exe: brew, socket: join(lab.dir, "brew-tmp/tmux-0/default") },
    ]);
    expect(countSeats(observation, DEFAULT_RULE).seats).toBe(2);
  });

  it("pinned mode aimed at the default socket reports no_server, never a healthy zero", async () => {
    const brew = newLab().copyTmux("linuxbrew/bin");
    mkdirSync(join(lab.dir, "brew-tmp"));
    lab.start(["agent", "agent"], { tmux: brew, socket: null, env: { TMUX_TMPDIR: join(lab.dir, "brew-tmp") } });
    // The systemd unit's view: no TMUX_TMPDIR, so its default socket is somewhere no server listens.
    const unitEnv = { ...process.env, TMUX_TMPDIR: join(lab.dir, "unit-tmp") };

    const observation = await observe(pinned(TMUX, join(lab.dir, "unit-tmp/tmux-0/default"), unitEnv));

    expect(observation.error?.reason).toBe("no_server");
    expect(observation.error?.message).toContain(join(lab.dir, "unit-tmp/tmux-0/default"));
    expect(countSeats(observation, DEFAULT_RULE).seats).toBe(0);
  });
});

describe("never blind silently", () => {
  it("reports no_server when no tmux server is in scope at all", async () => {
    newLab();
    const observation = await observe(lab.auto());
    expect(observation).toMatchObject({ servers: [], error: { reason: "no_server" } });
  });

  it("lists another user's server as skipped and, with nothing else in scope, reports no_server", async () => {
    const server = newLab().start(["agent"]);
    const observation = await observe(lab.auto({ uid: 65534, scopeLabel: "user nobody (uid 65534)" }));
    expect(observation.servers).toMatchObject([{ pid: server.pid, skipped: true, panes: [] }]);
    expect(observation.error?.reason).toBe("no_server");
    expect(observation.error?.message).toContain("user nobody");
  });

  it("reports a stale socket left by a killed server as stale_socket", async () => {
    const server = newLab().start(["agent"]);
    process.kill(server.pid, "SIGKILL");
    await waitUntilExited(server.pid);

    const pin = await observe(pinned(TMUX, server.socket));
    const auto = await observe(lab.auto());

    expect(pin.error?.reason).toBe("stale_socket");
    expect(pin.error?.message).toContain(server.socket);
    expect(auto.error?.reason).toBe("no_server");
  });

  it("reports a SIGSTOPped server as timeout within the bound", async () => {
    const server = newLab().start(["agent"]);
    process.kill(server.pid, "SIGSTOP");

    const started = Date.now();
    const observation = await observe(lab.auto());

    expect(observation.error?.reason).toBe("timeout");
    expect(observation.servers[0]?.error?.reason).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(QUERY_TIMEOUT_MS + 3_000);
  });

  it("reports a missing tmux binary as not_found, naming it", async () => {
    const server = newLab().start(["agent"]);
    const observation = await observe(pinned(join(lab.dir, "no-such/tmux"), server.socket));
    expect(observation.error?.reason).toBe("not_found");
    expect(observation.error?.message).toContain(join(lab.dir, "no-such/tmux"));
  });

  it.each([
    ["fake-tmux-too-old.sh", "version_too_old"],
    ["fake-tmux-protocol-mismatch.sh", "protocol_mismatch"],
    ["fake-tmux-silent.sh", "empty_answer"],
    ["fake-tmux-garbage.sh", "parse_error"],
  ])("reports the client %s as %s", async (fake, reason) => {
    const server = newLab().start(["agent", "agent"]);
    const observation = await observe(pinned(join(FAKES, fake), server.socket));
    expect(observation.error?.reason).toBe(reason);
    expect(observation.servers).toMatchObject([{ pid: server.pid, error: { reason } }]);
    expect(countSeats(observation, DEFAULT_RULE).seats).toBe(0);
  });

  it("reports rows from another server as pid_mismatch", async () => {
    const asked = newLab().start(["agent"]);
    const other = lab.start(["agent", "agent"]);
    const env = { ...process.env, FAKE_OTHER_SOCKET: other.socket };

    const observation = await observe(pinned(join(FAKES, "fake-tmux-other-server.sh"), asked.socket, env));

    expect(observation.error?.reason).toBe("pid_mismatch");
    expect(observation.error?.message).toContain(String(other.pid));
  });

  it("does not stall on a client that exits 0 with nothing while a child holds its stdout", async () => {
    const server = newLab().start(["agent"]);
    const pidfile = join(lab.dir, "holder.pid");
    const env = { ...process.env, FAKE_PIDFILE: pidfile };

    const started = Date.now();
    const observation = await observe(pinned(join(FAKES, "fake-tmux-holds-pipe.sh"), server.socket, env));
    lab.track(Number(readFileSync(pidfile, "utf8")));

    expect(observation.error?.reason).toBe("empty_answer");
    expect(Date.now() - started).toBeLessThan(QUERY_TIMEOUT_MS);
  });

  it("takes a full answer from a client that exits while a child holds its stdout, without waiting for the child", async () => {
    const server = newLab().start(["agent", "agent", "shell"]);
    const pidfile = join(lab.dir, "holder.pid");
    const env = { ...process.env, FAKE_PIDFILE: pidfile, FAKE_REAL_TMUX: TMUX };

    const started = Date.now();
    const observation = await observe(pinned(join(FAKES, "fake-tmux-holds-pipe.sh"), server.socket, env));
    lab.track(Number(readFileSync(pidfile, "utf8")));

    expect(observation.error).toBeUndefined();
    expect(countSeats(observation, DEFAULT_RULE)).toMatchObject({ seats: 2, idle: 1 });
    expect(Date.now() - started).toBeLessThan(QUERY_TIMEOUT_MS);
  });

  it("reports a tmux server process with no visible socket as socket_hidden", async () => {
    newLab();
    // FAKE server: a copy of sleep named so its comm reads "tmux: server", with no socket at all.
    const fake = join(lab.dir, "tmux: server");
    copyFileSync("/bin/sleep", fake);
    execFileSync("chmod", ["755", fake]);
    const child = spawn(fake, ["30"], { stdio: "ignore" });
    const pid = child.pid ?? 0;
    lab.track(pid);
    await waitForComm(pid, "tmux: server");

    const observation = await observe(lab.auto());

    expect(observation.error?.reason).toBe("socket_hidden");
    expect(observation.servers).toMatchObject([{ pid, socket: "", error: { reason: "socket_hidden" } }]);
    unlinkSync(fake);
  });
});

/**
 * argv[0]s a process in pane %0 may choose, each aimed at the parser: rows and markers of the panes
 * after it (%1 …), claiming to be claude seats. `@PID@` is the server's pid.
 */
const FORGERIES: [string, string][] = [
  ["a whole pane row claiming a claude seat", "x\n@PID@\t0\t\t1\t3.3a\t%900\tmain\tclaude"],
  ["a row of tmux-only fields for a pane that does not exist", "x\n@PID@\t0\t\t1\t3.3a\t%901\t0\t0"],
  ["the next pane's session and command lines", "x\ns%1\tmain\nc%1\tclaude"],
  ["a bare newline", "x\ny"],
  ["tabs around a newline", "a\tb\n\tc"],
];

describe("a process in a pane cannot forge pane rows or blind the host", () => {
  it.each(FORGERIES)("with %s in argv[0], the other panes count as before, pinned and auto", async (_, argv0) => {
    const server = newLab().start([{ argv0 }, "agent", "agent", "cat", "shell"]);

    const observations = [await observe(pinned(TMUX, server.socket)), await observe(lab.auto())];

    for (const observation of observations) {
      expect(observation.error).toBeUndefined();
      const [renamed, ...others] = observation.servers[0]?.panes ?? [];
      expect([renamed, ...others].map((pane) => pane?.id)).toEqual(["%0", "%1", "%2", "%3", "%4"]);
      expect(renamed?.command).toBe(argv0.replaceAll("@PID@", String(server.pid)));
      expect(others.map((pane) => [pane.session, pane.command])).toEqual([
        ["work", "sleep"],
        ["work", "sleep"],
        ["work", "cat"],
        ["work", "bash"],
      ]);
      const otherServers = observation.servers.map((seen) => ({ ...seen, panes: others }));
      expect(countSeats({ servers: otherServers }, DEFAULT_RULE)).toMatchObject({ seats: 3, idle: 1 });
      expect(countSeats(observation, { countShells: false, command: /^claude$/ }).seats).toBe(0);
    }
  });

  it.each([16, 17, 32, 40])(
    "counts %i agent panes beside a pane whose argv[0] holds every session and command line it can know before the query",
    async (count) => {
      const lines = ["s", "c"].flatMap((marker) => Array.from({ length: count + 1 }, (_, k) => `${marker}%${k}\tx`));
      const server = newLab().start([
        ...Array<PaneKind>(count).fill("agent"),
        { argv0: ["agent", ...lines].join("\n") },
      ]);

      const observation = await observe(pinned(TMUX, server.socket));

      expect(observation.error).toBeUndefined();
      const others = (observation.servers[0]?.panes ?? []).slice(0, count);
      expect(others.map((pane) => [pane.session, pane.command])).toEqual(Array(count).fill(["work", "sleep"]));
      expect(countSeats(observation, DEFAULT_RULE)).toMatchObject({ seats: count + 1, idle: 0 });
    },
  );

  it("refuses an answer that lists a pane twice", async () => {
    const server = newLab().start(["agent", "agent"]);

    const observation = await observe(pinned(join(FAKES, "fake-tmux-repeats-a-row.sh"), server.socket));

    expect(observation.error?.reason).toBe("parse_error");
    expect(observation.error?.message).toContain("%0 is listed twice");
    expect(countSeats(observation, DEFAULT_RULE).seats).toBe(0);
  });

  it("does not count a pane whose process is not a child of the server", async () => {
    const server = newLab().start(["agent", "agent", "cat"]);
    const env = { ...process.env, FAKE_PANE_PID: String(process.pid) };

    const observation = await observe(pinned(join(FAKES, "fake-tmux-foreign-pane.sh"), server.socket, env));

    expect(observation.error).toBeUndefined();
    expect(observation.servers[0]?.panes.map((pane) => pane.id)).toEqual(["%1", "%2"]);
    expect(countSeats(observation, DEFAULT_RULE).seats).toBe(2);
  });
});

describe("a process that reads the query's nonce while the query runs", () => {
  it("makes the whole answer a parse_error naming the nonce, never a wrong count", async () => {
    const server = newLab().start(["agent", "agent"]);
    const env = { ...process.env, FAKE_DIR: lab.dir };

    const observation = await observe(pinned(join(FAKES, "fake-tmux-nonce-thief.sh"), server.socket, env));

    expect(observation.error?.reason).toBe("parse_error");
    expect(observation.error?.message).toContain("nonce");
    expect(countSeats(observation, DEFAULT_RULE).seats).toBe(0);
  });
});

describe("pinned mode believes only a server it finds listening on the socket", () => {
  it.each([
    ["there is no socket", "no_server"],
    ["a dead server left its socket", "stale_socket"],
  ])("reports plausible rows from a client when %s as %s", async (situation, reason) => {
    const other = newLab().start(["agent", "agent"]);
    let asked = join(lab.dir, "nobody-here");
    if (situation.startsWith("a dead")) {
      const dead = lab.start(["agent"]);
      process.kill(dead.pid, "SIGKILL");
      await waitUntilExited(dead.pid);
      asked = dead.socket;
    }
    const env = { ...process.env, FAKE_OTHER_SOCKET: other.socket, FAKE_PID: String(unusedPid()) };

    const observation = await observe(pinned(join(FAKES, "fake-tmux-invents-server.sh"), asked, env));

    expect(observation.error?.reason).toBe(reason);
    expect(observation.error?.message).toContain(asked);
    expect(observation.servers).toEqual([]);
    expect(countSeats(observation, DEFAULT_RULE).seats).toBe(0);
  });
});

describe("servers too old to report #{pid} (tmux 1.8 and 2.0)", () => {
  it("counts their panes, proven by each pane's process being the server's child", async () => {
    const server = newLab().start(["agent", "agent", "shell"]);

    const observation = await observe(pinned(join(FAKES, "fake-tmux-like-1.8.sh"), server.socket));

    expect(observation.error).toBeUndefined();
    expect(observation.servers).toMatchObject([{ pid: server.pid, version: "1.8" }]);
    expect(countSeats(observation, DEFAULT_RULE)).toMatchObject({ seats: 2, idle: 1 });
    expect(observation.servers[0]?.panes.map((pane) => pane.windowActivity)).toEqual([null, null, null]);
  });

  it("reports 1.8's bare 'failed to connect to server' on a socket a dead server left as stale_socket", async () => {
    const server = newLab().start(["agent"]);
    process.kill(server.pid, "SIGKILL");
    await waitUntilExited(server.pid);

    const observation = await observe(pinned(join(FAKES, "fake-tmux-1.8-cannot-connect.sh"), server.socket));

    expect(observation.error?.reason).toBe("stale_socket");
  });

  it("reports a pid-less answer whose panes belong to another server as pid_mismatch", async () => {
    const asked = newLab().start(["agent"]);
    const other = lab.start(["agent", "agent"]);
    const env = { ...process.env, FAKE_OTHER_SOCKET: other.socket };

    const observation = await observe(pinned(join(FAKES, "fake-tmux-like-1.8.sh"), asked.socket, env));

    expect(observation.error?.reason).toBe("pid_mismatch");
    expect(observation.error?.message).toContain(String(asked.pid));
    expect(countSeats(observation, DEFAULT_RULE).seats).toBe(0);
  });
});

describe("what each pane carries for seats at work (§3a)", () => {
  it("gives each pane its window index and when its window last showed output", async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    newLab().start(["agent", "agent", "shell"]);

    const panes = (await observe(lab.auto())).servers[0]?.panes ?? [];

    expect(panes.map((pane) => pane.window)).toEqual([0, 1, 2]);
    for (const pane of panes) {
      expect(pane.windowActivity).toBeGreaterThanOrEqual(before);
      expect(pane.windowActivity).toBeLessThanOrEqual(Date.now());
    }
  });
});

/** A pid no process has right now (counting down from the default pid_max). */
function unusedPid(): number {
  let pid = 4_194_303;
  while (existsSync(`/proc/${pid}`)) pid -= 1;
  return pid;
}

/** Until the process has exited: a zombie (init has not reaped it yet) counts as exited. */
async function waitUntilExited(pid: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    let state: string | undefined;
    try {
      state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    } catch {
      return;
    }
    if (state === "Z") return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`pid ${pid} did not exit`);
}

async function waitForComm(pid: number, comm: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === comm) return;
    } catch {
      // Not started yet.
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`pid ${pid} never showed comm ${comm}`);
}
