/**
 * Seats at work end to end (DESIGN §3a, §6), real parts only but one: a tmux server with two agents,
 * each a FAKE Claude Code (test/beacon/fakes/fake-claude.mjs: Claude Code needs an account) that
 * runs the hooks `hooks claude --install` wrote, as Claude Code runs them; the beacon in `run` mode;
 * the Worker under `wrangler dev`; a receiver verifying signatures; cron runs as the real trigger
 * would make them. One agent is asked for permission: once its wait passes maxWaitSeconds the
 * receiver hears, once, which seat waits; answered, the host recovers.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab, type LabServer, TMUX } from "../beacon/lab.ts";
import { FAKE_CLAUDE, waitFor } from "../beacon/seat-lab.ts";
import { BeaconProcess, beaconCli, Rig, until } from "./harness.ts";

const rig = new Rig();
const lab = new Lab();
let beacon: BeaconProcess | null = null;
const HOST = "e2e-seats";
const SESSION = `seats${process.pid}`;
/** The shortest limit the policy allows; the test waits it out for real. */
const MAX_WAIT_SECONDS = 60;

interface Agent {
  window: number;
  fire: (event: string) => void;
}

/** A fake Claude Code in window `window` of `server`, with the installed hooks; `fire` runs an event's hooks. */
function agent(server: LabServer, settings: string, window: number): Agent {
  const control = join(lab.dir, `control-${window}`);
  writeFileSync(control, "");
  execFileSync(TMUX, [
    "-S",
    server.socket,
    "new-window",
    "-d",
    "-t",
    `${SESSION}:${window}`,
    `node ${FAKE_CLAUDE} ${settings} ${control}`,
  ]);
  waitFor(
    () =>
      execFileSync(TMUX, [
        "-S",
        server.socket,
        "display",
        "-p",
        "-t",
        `${SESSION}:${window}`,
        "#{pane_current_command}",
      ])
        .toString()
        .trim() === "claude",
    `window ${window} runs claude`,
  );
  return { window, fire: (event) => appendFileSync(control, `${event}\n`) };
}

interface Detail {
  state: string;
  activity: { working: number; waiting: number; quiet: number; attention: { target: string }[] } | null;
}

async function detail(): Promise<Detail> {
  return (await (await fetch(`${rig.url}/v1/hosts/${HOST}`)).json()) as Detail;
}

function transitions(state: string) {
  return rig.sink.transitions(HOST).filter((a) => a.state === state);
}

let waiting: Agent;

beforeAll(async () => {
  await rig.start();
  const key = await rig.enroll(HOST, { minSeats: 2, maxWaitSeconds: MAX_WAIT_SECONDS, graceSeconds: 600 });
  const settings = join(lab.dir, "settings.json");
  const installed = beaconCli(["hooks", "claude", "--install", "--settings", settings]);
  if (installed.code !== 0) throw new Error(`hooks claude --install: ${installed.stderr}`);
  const server = lab.start(["agent"], { session: SESSION });
  waiting = agent(server, settings, 1);
  const other = agent(server, settings, 2);
  execFileSync(TMUX, ["-S", server.socket, "kill-window", "-t", `${SESSION}:0`]);
  other.fire("UserPromptSubmit");
  // Pinned to the lab's server: the beacon counts these two agents and nothing else on the machine.
  // Keep-alive 10 s: the Worker hears of the wait well within its limit, and of its end soon after.
  const args = ["--url", rig.url, "--key", key, "--host", HOST, "--tmux", TMUX, "--socket", server.socket];
  beacon = new BeaconProcess([...args, "--sample", "1", "--confirm", "2", "--keepalive", "10"]);
  await until(
    "the host up with both agents",
    async () => {
      const d = await detail();
      return d.state === "up" && d.activity?.waiting === 0 && d.activity.working + d.activity.quiet === 2
        ? d
        : undefined;
    },
    60_000,
  );
}, 150_000);

afterAll(async () => {
  await beacon?.stop("SIGKILL");
  lab.cleanup();
  await rig.close();
});

describe.sequential("a seat waiting for a person", () => {
  let askedAt = 0;

  it("is seen by the Worker as a wait, with the seat it is, before any alert", async () => {
    waiting.fire("Notification:permission_prompt");
    askedAt = Date.now();
    const seen = await until("the wait on the Worker", async () => {
      const d = await detail();
      return d.activity?.waiting === 1 ? d : undefined;
    });
    expect(seen.state).toBe("up");
    expect(seen.activity?.attention.map((s) => s.target)).toContain(`${SESSION}:${waiting.window}`);
    expect(transitions("waiting")).toEqual([]);
  });

  it("alerts once its wait passes maxWaitSeconds, within one cron run, naming the session:window", async () => {
    const cron = setInterval(() => void rig.cron().catch(() => undefined), 60_000);
    try {
      await new Promise((r) => setTimeout(r, Math.max(0, askedAt + MAX_WAIT_SECONDS * 1000 - Date.now())));
      await rig.cron();
      const alert = await until("the waiting alert", () => transitions("waiting")[0], 60_000);
      const heardAfter = Date.now() - askedAt;
      expect(heardAfter).toBeLessThan((MAX_WAIT_SECONDS + 60) * 1000);
      expect(alert).toMatchObject({ previous: "up", reason: "seat_waiting" });
      const seats = (alert as unknown as { attention: { target: string; state: string; why: string }[] }).attention;
      expect(seats[0]).toMatchObject({ target: `${SESSION}:${waiting.window}`, state: "waiting", why: "permission" });
      await rig.cron();
      await new Promise((r) => setTimeout(r, 3_000));
      expect(transitions("waiting")).toHaveLength(1);
    } finally {
      clearInterval(cron);
    }
  }, 170_000);

  it("recovers once the agent has its answer and works again", async () => {
    waiting.fire("UserPromptSubmit");
    const back = await until("the recovery alert", () => transitions("up")[0], 60_000);
    expect(back).toMatchObject({ previous: "waiting" });
    expect((await detail()).activity?.waiting).toBe(0);
    expect(rig.sink.forged).toEqual([]);
  });
});
