import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DoctorReport } from "../../beacon/doctor.ts";
import { createKeyFile } from "../../beacon/keyfile.ts";
import { validateBeat } from "../../protocol/beat.ts";
import { freePort } from "../../scripts/dev-worker.ts";
import { Lab, TMUX } from "./lab.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** Runs the beacon as a user would (`npm run beacon` is tsx too), with exactly the env given. */
function beacon(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "beacon/cli.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, SEATWATCH_HOST: "lab-box", ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let lab: Lab | undefined;
afterEach(() => lab?.cleanup());

describe("once --dry-run", () => {
  it("prints a valid beat as JSON on stdout only and exits 0 when observed ok", () => {
    lab = new Lab();
    const server = lab.start(["agent", "agent", "shell"]);

    const run = beacon(["once", "--dry-run", "--json", "--tmux", TMUX, "--socket", server.socket]);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const beat = JSON.parse(run.stdout);
    expect(validateBeat(beat).ok).toBe(true);
    expect(beat).toMatchObject({ host: "lab-box", observed: "ok", seats: 2, idle: 1, seq: 0 });
  });

  it("prints the beat and exits 1 when it cannot observe, naming the binary", () => {
    const run = beacon(["once", "--dry-run", "--json", "--tmux", "/nonexistent/tmux", "--socket", "/nonexistent/sock"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ observed: "error", reason: "not_found", seats: 0 });
  });

  it("refuses an invalid SEATWATCH_HOST instead of rewriting it", () => {
    const run = beacon(["once", "--dry-run", "--json"], { SEATWATCH_HOST: "Box_1" });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("SEATWATCH_HOST");
    expect(run.stderr).toContain('"Box_1"');
  });

  it("refuses to push without a Worker URL, naming the flag and the env var", () => {
    const run = beacon(["once"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--url");
    expect(run.stderr).toContain("SEATWATCH_URL");
  });

  it("exits 3 and says so when the Worker cannot be reached", async () => {
    lab = new Lab();
    const key = join(lab.dir, "key.pem");
    await createKeyFile(key);

    const run = beacon(["once", "--json", "--url", `http://127.0.0.1:${await freePort()}`, "--key", key]);

    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ accepted: false, error: { code: "unreachable" } });
  });

  it("rejects -L together with --socket, naming both", () => {
    const run = beacon(["once", "--dry-run", "--tmux", TMUX, "--socket", "/x", "-L", "y"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--socket and -L");
  });
});

describe("--help", () => {
  it.each([["once"], ["doctor"], ["run"], ["keygen"], ["enroll"], ["unit"]])(
    "%s --help lists its exit codes",
    (command) => {
      const run = beacon([command, "--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("Exit codes");
      expect(run.stdout).toMatch(/^\s+2\s+usage/m);
    },
  );
});

describe("doctor", () => {
  it("marks a PATH whose first tmux is not the binary that started a server as ✗, with the drop-in fix", () => {
    lab = new Lab();
    const brew = lab.copyTmux("linuxbrew/bin");
    const server = lab.start(["agent"], { tmux: brew });

    const run = beacon(["doctor", "--json"], { PATH: "/usr/bin:/bin" });
    const report: DoctorReport = JSON.parse(run.stdout);

    const pathChecks = report.checks.filter((check) => check.server === server.pid && check.title.includes("PATH"));
    expect(pathChecks).toHaveLength(2);
    for (const check of pathChecks) {
      expect(check.ok).toBe(false);
      expect(check.title).toContain("/usr/bin/tmux");
      expect(check.title).toContain(brew);
      expect(check.fix).toContain(`--tmux ${brew} --socket ${server.socket}`);
      expect(check.fix).toContain(
        `[Service]\nEnvironment=PATH=${dirname(brew)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      );
    }
    expect(report.paths).toContainEqual({ name: "beacon", path: "/usr/bin:/bin", tmux: "/usr/bin/tmux" });
    expect(report.servers).toContainEqual(expect.objectContaining({ pid: server.pid, exe: brew, version: "3.3a" }));
    expect(report.binaries).toContainEqual({ path: "/usr/bin/tmux", realpath: "/usr/bin/tmux", version: "3.3a" });
    expect(run.code).not.toBe(0);
  });

  it("passes the PATH check when the PATH reaches the server's own binary", () => {
    lab = new Lab();
    const brew = lab.copyTmux("linuxbrew/bin");
    const server = lab.start(["agent"], { tmux: brew });

    const run = beacon(["doctor", "--json"], { PATH: `${dirname(brew)}:/usr/bin` });
    const report: DoctorReport = JSON.parse(run.stdout);

    const beaconPath = report.checks.find((c) => c.server === server.pid && c.title.startsWith("the beacon's PATH"));
    expect(beaconPath?.ok).toBe(true);
  });

  it("exits 1 and says blind when the pinned socket has no server", () => {
    lab = new Lab();
    const run = beacon(["doctor", "--json", "--tmux", TMUX, "--socket", join(lab.dir, "nothing-here")]);
    const report: DoctorReport = JSON.parse(run.stdout);
    expect(run.code).toBe(1);
    expect(report).toMatchObject({ blind: true, observed: "error", reason: "no_server" });
  });

  it("lists an idle shell pane as ✗ with the respawn and --seat-command fixes", () => {
    lab = new Lab();
    const server = lab.start(["agent", "shell"]);

    const run = beacon(["doctor", "--json", "--tmux", TMUX, "--socket", server.socket]);
    const report: DoctorReport = JSON.parse(run.stdout);

    expect(report.idlePanes).toEqual([
      { server: server.pid, pane: expect.stringMatching(/^%\d+$/), session: "work", command: "bash" },
    ]);
    const idle = report.checks.find((c) => c.title.includes("its agent has exited"));
    expect(idle).toMatchObject({ ok: false, server: server.pid });
    expect(idle?.fix).toContain(`tmux -S ${server.socket} respawn-pane -k`);
    expect(idle?.fix).toContain("--seat-command");
    expect(report.blind).toBe(false);
  });
});
