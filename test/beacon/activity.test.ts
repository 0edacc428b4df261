/**
 * Seats at work on real tmux servers with real processes (DESIGN §3a): CPU, output, marks and
 * --waiting-pattern, judged the way `once` and `run` judge them.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeHooks, scriptPathFor } from "../../beacon/claude-hooks.ts";
import { runDoctor } from "../../beacon/doctor.ts";
import { writeHookScript } from "../../beacon/hook-script.ts";
import { ActivityTracker } from "../../beacon/seat-activity.ts";
import { Lab, type LabServer } from "./lab.ts";
import { assess, BEACON, JUDGE, openWindow, startFakeClaude, tmux, waitFor } from "./seat-lab.ts";

let lab: Lab;
afterEach(() => lab?.cleanup());

/** A lab server whose panes write their marks under a runtime directory of their own, not the beacon's. */
function labServer(): { server: LabServer; xdg: string } {
  lab = new Lab();
  const xdg = join(lab.dir, "xdg");
  mkdirSync(xdg, { mode: 0o700 });
  return { server: lab.start(["agent"], { env: { XDG_RUNTIME_DIR: xdg } }), xdg };
}

/** Installs the Claude Code hooks into a settings file of the lab's; returns its path. */
function installHooks(): string {
  const settings = join(lab.dir, "claude", "settings.json");
  const script = scriptPathFor(settings);
  writeHookScript(script);
  mkdirSync(join(lab.dir, "claude"), { recursive: true });
  lab.file("claude/settings.json", JSON.stringify({ hooks: claudeHooks(script) }));
  return settings;
}

const markFile = (xdg: string, server: LabServer, pane: string) =>
  join(xdg, "seatwatch", "marks", `${server.pid}_${pane.slice(1)}`);

describe("CPU and output", () => {
  it("judges a busy process working via cpu and a sleep quiet since its window last printed", async () => {
    const { server } = labServer();
    const busy = openWindow(server, "perl -e '1 while 1'", "perl");
    const sleeping = openWindow(server, "sleep 600", "sleep");
    // Both windows printed when they opened; let that fall out of a 1 s active window (tmux keeps seconds).
    execFileSync("sleep", ["2.2"]);
    const tracker = new ActivityTracker({ ...JUDGE, activeWindowMs: 1_000, env: process.env });

    const { seat } = await assess(lab, tracker);

    expect(seat(busy)).toMatchObject({ state: "working", via: "cpu" });
    expect(seat(busy)?.evidence.cpuPercent).toBeGreaterThanOrEqual(JUDGE.busyCpuPercent);
    expect(seat(sleeping)).toMatchObject({ state: "quiet", via: "none" });
    expect(seat(sleeping)?.evidence.cpuPercent).toBe(0);
    const opened = Number(tmux(server, "display", "-p", "-t", sleeping, "#{window_activity}")) * 1000;
    expect(seat(sleeping)?.since).toBe(opened);
  });

  it("judges a pane that prints (a spinner) working via output although its CPU is below --busy-cpu", async () => {
    const { server } = labServer();
    const spinner = openWindow(
      server,
      `perl -e '$|=1; while (1) { print "."; select(undef, undef, undef, 0.1) }'`,
      "perl",
    );
    execFileSync("sleep", ["2.2"]);
    const tracker = new ActivityTracker({ ...JUDGE, activeWindowMs: 1_500, env: process.env });

    const { seat } = await assess(lab, tracker);

    expect(seat(spinner)).toMatchObject({ state: "working", via: "output" });
    expect(seat(spinner)?.evidence.cpuPercent).toBeLessThan(JUDGE.busyCpuPercent);
  });

  it("keeps a working seat's since across samples and measures CPU between them", async () => {
    const { server } = labServer();
    const busy = openWindow(server, "perl -e '1 while 1'", "perl");
    const tracker = new ActivityTracker({ ...JUDGE, env: process.env });

    const first = (await assess(lab, tracker)).seat(busy);
    execFileSync("sleep", ["0.5"]);
    const second = (await assess(lab, tracker)).seat(busy);

    expect(first?.state).toBe("working");
    expect(second).toMatchObject({ state: "working", since: first?.since });
    expect(second?.evidence.intervalMs).toBeLessThan(JUDGE.freshIntervalMs);
  });
});

describe("marks from Claude Code's hooks", () => {
  it("a permission prompt marks the seat waiting (why permission); Stop then makes it quiet via hook", async () => {
    const { server, xdg } = labServer();
    const claude = startFakeClaude(lab, server, installHooks());
    const file = markFile(xdg, server, claude.pane);

    claude.fire("Notification:permission_prompt", () => fileText(file).includes("state waiting"));
    const waiting = (await assess(lab)).seat(claude.pane);
    claude.fire("Stop", () => fileText(file).includes("state done"));
    const { seat, report } = await assess(lab);

    expect(waiting).toMatchObject({ state: "waiting", via: "hook", why: "permission", command: "claude" });
    expect(seat(claude.pane)).toMatchObject({ state: "quiet", via: "hook" });
    expect(report.activity.marks).toBe(true);
  });

  it("a finished tool after a question, and a prompt submitted after Stop, mark the seat working via hook", async () => {
    const { server, xdg } = labServer();
    const claude = startFakeClaude(lab, server, installHooks());
    const file = markFile(xdg, server, claude.pane);
    // Both windows printed when they opened; a 2 s active window leaves only the marks as evidence.
    const tracker = new ActivityTracker({ ...JUDGE, activeWindowMs: 2_000, env: process.env });
    execFileSync("sleep", ["2.2"]);
    claude.fire("Notification:elicitation_dialog", () => fileText(file).includes("why question"));

    claude.fire("PostToolUse:Bash", () => fileText(file).includes("state working"));
    const afterTool = (await assess(lab, tracker)).seat(claude.pane);
    claude.fire("Stop", () => fileText(file).includes("state done"));
    const afterStop = (await assess(lab, tracker)).seat(claude.pane);
    claude.fire("UserPromptSubmit", () => fileText(file).includes("state working"));
    const afterPrompt = (await assess(lab, tracker)).seat(claude.pane);

    expect(afterTool).toMatchObject({ state: "working", via: "hook" });
    expect(afterStop).toMatchObject({ state: "quiet", via: "hook" });
    expect(afterPrompt).toMatchObject({ state: "working", via: "hook" });
  });

  it("an idle_prompt notification is done, not waiting: a person's idle session pages no one", async () => {
    const { server, xdg } = labServer();
    const claude = startFakeClaude(lab, server, installHooks());

    claude.fire("Notification:idle_prompt", () => fileText(markFile(xdg, server, claude.pane)).includes("state done"));
    const { seat, report } = await assess(lab);

    expect(seat(claude.pane)).toMatchObject({ state: "quiet", via: "hook" });
    expect(report.activity.waiting).toBe(0);
  });

  it("a wait lapses when its agent exits: the agent started next in that pane is not waiting", async () => {
    const { server, xdg } = labServer();
    const settings = installHooks();
    const shell = openWindow(server, "bash --norc --noprofile", "bash");
    const control = lab.file("control", "");
    tmux(
      server,
      "send-keys",
      "-t",
      shell,
      `node ${join(import.meta.dirname, "fakes/fake-claude.mjs")} ${settings} ${control}`,
      "Enter",
    );
    waitFor(() => tmux(server, "display", "-p", "-t", shell, "#{pane_current_command}") === "claude", "claude runs");
    execFileSync("sh", ["-c", `echo Notification:permission_prompt >> ${control}`]);
    waitFor(() => fileText(markFile(xdg, server, shell)).includes("state waiting"), "the mark is written");
    expect((await assess(lab)).seat(shell)?.state).toBe("waiting");

    tmux(server, "send-keys", "-t", shell, "C-c", "");
    waitFor(() => tmux(server, "display", "-p", "-t", shell, "#{pane_current_command}") === "bash", "claude exited");
    tmux(server, "send-keys", "-t", shell, "exec sleep 600", "Enter");
    waitFor(() => tmux(server, "display", "-p", "-t", shell, "#{pane_current_command}") === "sleep", "sleep runs");
    const { seat } = await assess(lab);

    expect(seat(shell)?.state).not.toBe("waiting");
    expect(seat(shell)?.evidence.markLapsed).toMatch(/no longer runs in pane/);
  });

  it("a respawned pane inherits no wait", async () => {
    const { server, xdg } = labServer();
    const claude = startFakeClaude(lab, server, installHooks());
    claude.fire("Notification:permission_prompt", () =>
      fileText(markFile(xdg, server, claude.pane)).includes("waiting"),
    );

    tmux(server, "respawn-pane", "-k", "-t", claude.pane, "sleep 600");
    waitFor(() => tmux(server, "display", "-p", "-t", claude.pane, "#{pane_current_command}") === "sleep", "respawned");
    const { seat, report } = await assess(lab);

    expect(seat(claude.pane)?.state).not.toBe("waiting");
    expect(report.activity).toMatchObject({ waiting: 0, marks: false });
  });

  it("ignores a mark written at a shell prompt, in the shell pane and in the program started there next", async () => {
    const { server, xdg } = labServer();
    const shell = openWindow(server, "bash --norc --noprofile", "bash");

    tmux(server, "send-keys", "-t", shell, `node ${BEACON.join(" ")} mark waiting --why question`, "Enter");
    waitFor(() => fileText(markFile(xdg, server, shell)).includes("state waiting"), "the mark is written");
    waitFor(() => tmux(server, "display", "-p", "-t", shell, "#{pane_current_command}") === "bash", "mark exited");
    const atPrompt = await assess(lab);
    tmux(server, "send-keys", "-t", shell, "exec sleep 600", "Enter");
    waitFor(() => tmux(server, "display", "-p", "-t", shell, "#{pane_current_command}") === "sleep", "sleep runs");
    const { seat, report } = await assess(lab);

    expect(atPrompt.seat(shell)).toBeUndefined();
    expect(atPrompt.report.activity.waiting).toBe(0);
    expect(seat(shell)?.state).not.toBe("waiting");
    expect(report.activity.marks).toBe(false);
  });
});

describe("--waiting-pattern", () => {
  it("judges a pane whose visible text matches waiting via pattern, and no other", async () => {
    const { server } = labServer();
    const asking = openWindow(server, `perl -e '$|=1; print "Do you want to proceed? (y/n) "; sleep 600'`, "perl");
    const other = openWindow(server, `perl -e '$|=1; print "compiling..."; sleep 600'`, "perl");
    waitFor(() => tmux(server, "capture-pane", "-p", "-t", asking).includes("proceed"), "the question shows");
    const tracker = new ActivityTracker({ ...JUDGE, waitingPattern: /Do you want to proceed\?/, env: process.env });

    const { seat } = await assess(lab, tracker);

    expect(seat(asking)).toMatchObject({ state: "waiting", via: "pattern" });
    expect(seat(other)?.state).not.toBe("waiting");
  });
});

function fileText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

describe("doctor", () => {
  const doctor = (env: NodeJS.ProcessEnv) =>
    runDoctor({
      mode: lab.auto(),
      rule: { countShells: false },
      activity: { activeWindowMs: 60_000, busyCpuPercent: 5, waitingPattern: null, seatList: true },
      env,
    });

  it("lists each seat with its state and evidence, and names the fix for Claude Code without hooks", async () => {
    const { server } = labServer();
    const claudeDir = join(lab.dir, "no-hooks");
    const claude = startFakeClaude(lab, server, lab.file("empty-settings.json", "{}"));

    const report = await doctor({ ...process.env, CLAUDE_CONFIG_DIR: claudeDir });

    const seat = report.checks.find((check) => check.title.startsWith(`seat ${claude.pane} `));
    expect(seat?.title).toMatch(/\(work:\d+, claude\): working for \d+s .* via output/);
    expect(seat?.detail).toMatch(/CPU \d+\.\d % of a core over 1\.\d s .*; no mark/);
    const hooks = report.checks.find((check) => check.title.includes("run without seatwatch's hooks"));
    expect(hooks).toMatchObject({
      ok: false,
      fix: "seatwatch-beacon hooks claude --install, then restart those sessions",
    });
    expect(hooks?.title).toContain(claude.pane);
    expect(report.seatActivity.map((s) => s.pane)).toContain(claude.pane);
  });

  it("says nothing about hooks once Claude Code's seats write marks", async () => {
    const { server, xdg } = labServer();
    const settings = installHooks();
    const claude = startFakeClaude(lab, server, settings);
    claude.fire("UserPromptSubmit", () => fileText(markFile(xdg, server, claude.pane)).includes("working"));

    const report = await doctor({ ...process.env, CLAUDE_CONFIG_DIR: join(lab.dir, "claude") });

    expect(report.checks.filter((check) => check.title.includes("Claude Code"))).toEqual([]);
    expect(report.checks.find((check) => check.title.startsWith(`seat ${claude.pane} `))?.detail).toMatch(
      /mark working \d+s ago/,
    );
  });
});
