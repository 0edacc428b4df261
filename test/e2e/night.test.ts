/**
 * End to end, with real parts only: tmux servers, the Worker under `wrangler dev`, beacons in
 * `run` mode as their own processes, a webhook receiver verifying signatures, and cron runs at a
 * chosen scheduledTime. The scenarios run in order on one rig; each leaves the fleet as the next
 * one expects.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab, TMUX } from "../beacon/lab.ts";
import { BeaconProcess, type HostStatus, Rig, until } from "./harness.ts";

const rig = new Rig();
const lab = new Lab();
const beacons: BeaconProcess[] = [];
/** Sessions of this run only: the beacons count nothing else, whatever else runs on the machine. */
const P = `e2e${process.pid}`;
/** Fast daemon settings: sample twice a second, confirm over 2 samples, keep alive every 3 s. */
const FAST = ["--sample", "0.5", "--confirm", "2", "--keepalive", "3"];
const keys: Record<string, string> = {};

function beacon(host: string, session: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): BeaconProcess {
  const args = [
    "--url",
    rig.url,
    "--key",
    keys[host] as string,
    "--host",
    host,
    "--seat-session",
    `^${session}$`,
    ...FAST,
  ];
  const process = new BeaconProcess([...args, ...extra], env);
  beacons.push(process);
  return process;
}

function hostIs(id: string, want: Partial<HostStatus>) {
  return async () => {
    const h = await rig.host(id);
    return h && Object.entries(want).every(([k, v]) => h[k as keyof HostStatus] === v) ? h : undefined;
  };
}

function alertFor(host: string, state: string) {
  return () => rig.sink.transitions(host).find((a) => a.state === state);
}

/** Panes that start as idle shells and get an agent typed into them, so the agent can exit and leave its shell. */
function startAgentsInShells(session: string, agents: number): { pid: number; socket: string } {
  const server = lab.start(Array(agents).fill("shell"), { session });
  for (let w = 0; w < agents; w++) {
    execFileSync(TMUX, ["-S", server.socket, "send-keys", "-t", `${session}:${w}`, "sleep 900", "Enter"]);
  }
  return server;
}

function agentExits(socket: string, session: string, window: number): void {
  execFileSync(TMUX, ["-S", socket, "send-keys", "-t", `${session}:${window}`, "C-c"]);
}

beforeAll(async () => {
  await rig.start();
  keys["e2e-a"] = await rig.enroll("e2e-a", { minSeats: 2, graceSeconds: 30 });
  keys["e2e-b"] = await rig.enroll("e2e-b", { minSeats: 3, graceSeconds: 30 });
  keys["e2e-night"] = await rig.enroll("e2e-night", { minSeats: 2, graceSeconds: 30 });
}, 120_000);

afterAll(async () => {
  await Promise.all(beacons.map((b) => b.stop("SIGKILL")));
  lab.cleanup();
  await rig.close();
});

describe.sequential("the whole system", () => {
  let a: { pid: number; socket: string };
  let b: { pid: number; socket: string };

  it("shows a healthy fleet of two hosts as up in status, badges and the check", async () => {
    a = startAgentsInShells(`${P}a`, 3);
    b = lab.start(["agent", "agent", "agent"], { session: `${P}b` });
    beacon("e2e-a", `${P}a`);
    beacon("e2e-b", `${P}b`);

    await until(
      "both hosts up",
      async () => (await hostIs("e2e-a", { state: "up", seats: 3 })()) && hostIs("e2e-b", { state: "up", seats: 3 })(),
    );
    await rig.cron();
    const check = await fetch(`${rig.url}/v1/check`);
    expect([check.status, await check.text()]).toEqual([200, "ok: 2 up\n"]);
    const badge = await (await fetch(`${rig.url}/badge/e2e-a.svg`)).text();
    expect(badge).toContain("3 up");
    expect(await (await fetch(`${rig.url}/badge/e2e-b.json`)).json()).toMatchObject({
      message: "3 up",
      color: "brightgreen",
    });
    // new → up is not news: no alert.
    expect(rig.sink.alerts.filter((x) => x.host === "e2e-a" || x.host === "e2e-b")).toEqual([]);
  });

  it("replays the linuxbrew night: a naively pinned beacon reports error and alerts; auto mode sees the seats", async () => {
    const brew = lab.copyTmux("linuxbrew");
    const brewTmpdir = mkdtempSync(join(tmpdir(), "brew-tmux-"));
    lab.start(["agent", "agent"], { session: `${P}n`, tmux: brew, env: { TMUX_TMPDIR: brewTmpdir }, socket: null });
    // Under systemd the environment differs: /usr/bin/tmux on its default socket asks the wrong server.
    const systemdTmpdir = mkdtempSync(join(tmpdir(), "systemd-tmux-"));
    const naive = beacon("e2e-night", `${P}n`, ["--tmux", "/usr/bin/tmux"], { TMUX_TMPDIR: systemdTmpdir });

    const error = await until("the naive beacon's error", hostIs("e2e-night", { state: "error" }));
    expect(error).toMatchObject({ reason: "no_server", seats: 0 });
    const alert = await until("an error alert", alertFor("e2e-night", "error"));
    expect(alert).toMatchObject({ previous: "new", reason: "no_server" });

    await naive.stop();
    beacon("e2e-night", `${P}n`);
    await until("auto mode up with both seats", hostIs("e2e-night", { state: "up", seats: 2 }));
    await until("the recovery alert", alertFor("e2e-night", "up"));
  });

  it("alerts when the tmux server dies and when it comes back, and counts an exited agent out", async () => {
    process.kill(a.pid, "SIGKILL");
    const blind = await until("blind or error after the server died", async () => {
      const h = await rig.host("e2e-a");
      return h && (h.state === "blind" || h.state === "error") ? h : undefined;
    });
    await until("its alert", alertFor("e2e-a", blind.state));

    a = startAgentsInShells(`${P}a`, 3);
    await until("up again", hostIs("e2e-a", { state: "up", seats: 3 }));
    await until("the recovery alert", () =>
      rig.sink.transitions("e2e-a").find((x) => x.state === "up" && x.previous === blind.state),
    );

    agentExits(a.socket, `${P}a`, 0);
    await until("one seat fewer, still up", hostIs("e2e-a", { state: "up", seats: 2 }));
    agentExits(a.socket, `${P}a`, 1);
    await until("low", hostIs("e2e-a", { state: "low", seats: 1 }));
    await until("the low alert", alertFor("e2e-a", "low"));
    const detail = (await (await fetch(`${rig.url}/v1/hosts/e2e-a`)).json()) as { idle: number };
    expect(detail.idle).toBe(2);
  });

  it("keeps every host and beat across a Worker restart, and sends no duplicate alerts", async () => {
    const before = rig.sink.alerts.length;
    const seen = (await rig.host("e2e-b")) as HostStatus & { lastSeen: string };
    await rig.restartWorker();
    expect(await rig.host("e2e-b")).toMatchObject({ state: "up", seats: 3 });
    await until(
      "the beacon pushing again",
      async () => {
        const h = (await rig.host("e2e-b")) as HostStatus & { lastSeen: string };
        return h.lastSeen > seen.lastSeen ? h : undefined;
      },
      90_000,
    );
    await rig.cron();
    expect(rig.sink.alerts.length).toBe(before);
    const ids = rig.sink.alerts.map((x) => x.webhookId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("delivers an alert once the receiver is back after being down", async () => {
    rig.sink.up = false;
    const attempts = rig.sink.attempts;
    process.kill(b.pid, "SIGKILL");
    await until("blind or error", async () => {
      const h = await rig.host("e2e-b");
      return h && (h.state === "blind" || h.state === "error") ? h : undefined;
    });
    await until("a failed delivery attempt", () => rig.sink.attempts > attempts);
    expect(rig.sink.transitions("e2e-b")).toEqual([]);
    rig.sink.up = true;
    // The ledger retries from its alarm (first retry after 30 s).
    const alert = await until(
      "the alert after the receiver came back",
      () => rig.sink.transitions("e2e-b")[0],
      120_000,
    );
    expect(["blind", "error"]).toContain(alert.state);
  });

  it("announces silence exactly once per host when the beacons are killed", async () => {
    await Promise.all(beacons.map((x) => x.stop("SIGKILL")));
    const killedAt = Date.now();
    await rig.cron(killedAt + 45_000);
    for (const host of ["e2e-a", "e2e-b", "e2e-night"]) {
      await until(`${host} silent alert`, alertFor(host, "silent"));
    }
    await rig.cron(killedAt + 105_000);
    await rig.cron(killedAt + 165_000);
    await new Promise((r) => setTimeout(r, 2000));
    for (const host of ["e2e-a", "e2e-b", "e2e-night"]) {
      expect(
        rig.sink.transitions(host).filter((x) => x.state === "silent"),
        host,
      ).toHaveLength(1);
    }
    expect(rig.sink.forged).toEqual([]);
  });
});
