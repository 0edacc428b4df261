/**
 * Marks (DESIGN §3a) as written by both writers and found by a beacon whatever its own environment:
 * another user's marks read as root, marks under /run/user, /tmp and a runtime directory only the
 * tmux server knows, forged marks refused, and `mark` never breaking its caller.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HOOK_SCRIPT_NAME, writeHookScript } from "../../beacon/hook-script.ts";
import { Lab, type LabServer, TMUX } from "./lab.ts";
import { assess, BEACON, openWindow, tmux, waitFor } from "./seat-lab.ts";

let lab: Lab;
afterEach(() => lab?.cleanup());

const USER = "seatwatch-marks";
let uid: number;
let script: string;
const scriptDir = mkdtempSync(join(tmpdir(), "seatwatch-marks-script-"));

beforeAll(() => {
  // A throwaway user for the "beacon as root reads a user's marks" cases; removed with its files afterwards.
  spawnSync("userdel", ["-r", USER], { stdio: "ignore" });
  execFileSync("useradd", ["--no-create-home", "--shell", "/bin/bash", USER]);
  uid = Number(execFileSync("id", ["-u", USER]).toString().trim());
  script = join(scriptDir, HOOK_SCRIPT_NAME);
  writeHookScript(script);
  chmodSync(scriptDir, 0o755);
});

afterAll(() => {
  spawnSync("pkill", ["-KILL", "-u", USER], { stdio: "ignore" });
  spawnSync("userdel", ["-r", USER], { stdio: "ignore" });
  rmSync(`/tmp/seatwatch-${uid}`, { recursive: true, force: true });
  rmSync(`/run/user/${uid}`, { recursive: true, force: true });
  rmSync(scriptDir, { recursive: true, force: true });
});

/** A tmux server of the throwaway user, started with `env` (so its panes have it), found by the root beacon. */
function userServer(env: Record<string, string>): LabServer {
  lab = new Lab();
  chmodSync(lab.dir, 0o755);
  const home = join(lab.dir, "user");
  mkdirSync(home, { mode: 0o700 });
  chownSync(home, uid, uid);
  const socket = join(home, "sock");
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  execFileSync("su", [
    USER,
    "-c",
    `env -i PATH=/usr/bin:/bin ${assignments.join(" ")} ${TMUX} -S ${socket} -f /dev/null new-session -d -s work 'sleep 600'`,
  ]);
  const server = {
    socket,
    tmux: TMUX,
    pid: Number(execFileSync(TMUX, ["-S", socket, "display", "-p", "#{pid}"]).toString().trim()),
  };
  lab.track(server.pid);
  return server;
}

/** A pane of the user's running a non-shell agent that first runs the hook script as a child (it shares its terminal). */
function markedAgent(server: LabServer, state: string, why = ""): string {
  return openWindow(server, `sh -c '/bin/sh ${script} ${state} ${why}; exec sleep 600'`, "sleep");
}

describe("a beacon running as root finds a user's marks", () => {
  it("in /tmp/seatwatch-<uid>/marks when the user's panes have no XDG_RUNTIME_DIR", async () => {
    const server = userServer({});
    const pane = markedAgent(server, "waiting", "permission");
    const file = `/tmp/seatwatch-${uid}/marks/${server.pid}_${pane.slice(1)}`;
    waitFor(() => exists(file), "the mark is written");

    const { seat } = await assess(lab);

    expect(statSync(file).uid).toBe(uid);
    expect(statSync(`/tmp/seatwatch-${uid}`).mode & 0o777).toBe(0o700);
    expect(seat(pane)).toMatchObject({ state: "waiting", via: "hook", why: "permission" });
  });

  it("under /run/user/<uid> while the beacon's own XDG_RUNTIME_DIR is elsewhere", async () => {
    const runtime = `/run/user/${uid}`;
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    chownSync(runtime, uid, uid);
    const server = userServer({ XDG_RUNTIME_DIR: runtime });
    const pane = markedAgent(server, "waiting", "question");
    waitFor(() => exists(`${runtime}/seatwatch/marks/${server.pid}_${pane.slice(1)}`), "the mark is written");

    const { seat } = await assess(lab);

    expect(process.env.XDG_RUNTIME_DIR).not.toBe(runtime);
    expect(seat(pane)).toMatchObject({ state: "waiting", why: "question" });
  });

  it("under a runtime directory only the tmux server's environment names", async () => {
    const runtime = mkdtempSync(join(tmpdir(), "seatwatch-xdg-"));
    chownSync(runtime, uid, uid);
    const server = userServer({ XDG_RUNTIME_DIR: runtime });
    const pane = markedAgent(server, "waiting");
    waitFor(() => exists(`${runtime}/seatwatch/marks/${server.pid}_${pane.slice(1)}`), "the mark is written");

    const { seat } = await assess(lab);

    expect(seat(pane)).toMatchObject({ state: "waiting", via: "hook", why: null });
    rmSync(runtime, { recursive: true, force: true });
  });

  it("refuses a mark for the user's pane that someone else wrote", async () => {
    const server = userServer({});
    const pane = openWindow(server, "sleep 600", "sleep");
    const dir = `/tmp/seatwatch-${uid}/marks`;
    mkdirSync(dir, { recursive: true });
    const agent = tmux(server, "display", "-p", "-t", pane, "#{pane_pid}");
    // A well-formed mark naming the pane and its agent's group, but owned by root, not the pane's owner.
    const forged = join(dir, `${server.pid}_${pane.slice(1)}`);
    writeFileSync(
      forged,
      `seatwatch-mark 1\npane ${pane}\nserver ${server.pid}\nsocket ${server.socket}\nstate waiting\npgid ${agent}\nwhy forged\n`,
    );

    const { seat } = await assess(lab);

    expect(seat(pane)?.state).not.toBe("waiting");
    rmSync(forged);
  });
});

describe("the two writers", () => {
  it("`mark` and the hook script write the same file, the beacon reads both", async () => {
    lab = new Lab();
    const xdg = join(lab.dir, "xdg");
    mkdirSync(xdg, { mode: 0o700 });
    const server = lab.start(["agent"], { env: { XDG_RUNTIME_DIR: xdg } });
    const copy = (to: string) => `cp ${xdg}/seatwatch/marks/${server.pid}_* ${lab.dir}/${to}`;
    const pane = openWindow(
      server,
      `sh -c 'node ${BEACON.join(" ")} mark waiting --why permission && ${copy("node")} && /bin/sh ${script} waiting permission && ${copy("sh")}; exec sleep 600'`,
      "sleep",
    );
    waitFor(() => exists(join(lab.dir, "sh")), "both marks are written");

    const { seat } = await assess(lab);

    expect(readFileSync(join(lab.dir, "sh"), "utf8")).toBe(readFileSync(join(lab.dir, "node"), "utf8"));
    expect(readFileSync(join(lab.dir, "node"), "utf8")).toContain(`pane ${pane}\n`);
    expect(seat(pane)).toMatchObject({ state: "waiting", why: "permission" });
  });

  it("`mark` outside tmux exits 0, prints nothing and writes nothing; so does a bad state", () => {
    const runtime = mkdtempSync(join(tmpdir(), "seatwatch-xdg-"));
    const env = { ...process.env, XDG_RUNTIME_DIR: runtime, TMUX: "", TMUX_PANE: "" };

    const outside = spawnSync("node", [...BEACON, "mark", "waiting"], { env });
    const bad = spawnSync("node", [...BEACON, "mark", "sleeping"], {
      env: { ...env, TMUX: "/tmp/x,1,0", TMUX_PANE: "%1" },
    });
    const hook = spawnSync("/bin/sh", [script, "waiting"], { env });

    for (const run of [outside, bad, hook]) {
      expect(run.status).toBe(0);
      expect(run.stdout.toString()).toBe("");
    }
    expect(outside.stderr.toString()).toBe("");
    expect(exists(join(runtime, "seatwatch"))).toBe(false);
    rmSync(runtime, { recursive: true, force: true });
  });

  it("the hook script refuses a /tmp directory another user planted for it", async () => {
    const planted = `/tmp/seatwatch-${uid}`;
    rmSync(planted, { recursive: true, force: true });
    mkdirSync(`${planted}/marks`, { recursive: true, mode: 0o777 });
    chmodSync(`${planted}/marks`, 0o777);
    const server = userServer({});

    // Root planted it, world-writable; the user's hook must not write its marks where someone else chose.
    const pane = markedAgent(server, "waiting", "permission");
    const { seat } = await assess(lab);

    expect(execFileSync("ls", ["-A", `${planted}/marks`]).toString()).toBe("");
    expect(seat(pane)?.state).not.toBe("waiting");
    rmSync(planted, { recursive: true, force: true });
  });
});

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
