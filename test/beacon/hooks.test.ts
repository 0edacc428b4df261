/** `seatwatch-beacon hooks claude` (DESIGN §3a): printing, installing into and uninstalling from Claude Code's settings. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BEACON } from "./seat-lab.ts";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function hooks(...args: string[]) {
  const run = spawnSync("node", [...BEACON, "hooks", "claude", "--settings", join(dir, "settings.json"), ...args]);
  return { status: run.status, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

const settings = () => JSON.parse(readFileSync(join(dir, "settings.json"), "utf8"));
const ours = (value: unknown) => JSON.stringify(value).split("seatwatch-mark.sh").length - 1;

/** Someone's settings before seatwatch: other keys, and a Stop hook of their own. */
const THEIRS = {
  model: "opus",
  permissions: { allow: ["Bash(npm test)"] },
  hooks: { Stop: [{ hooks: [{ type: "command", command: "notify-send done" }] }] },
};

describe("hooks claude", () => {
  it("prints the hooks for each event without touching the settings file", () => {
    dir = mkdtempSync(join(tmpdir(), "seatwatch-hooks-"));

    const printed = hooks();

    expect(printed.status).toBe(0);
    const { hooks: events } = JSON.parse(printed.stdout);
    expect(Object.keys(events)).toEqual(["UserPromptSubmit", "PostToolUse", "Notification", "Stop"]);
    expect(events.Notification.map((group: { matcher: string }) => group.matcher)).toEqual([
      "permission_prompt",
      "elicitation_dialog",
      "idle_prompt",
    ]);
    expect(events.Notification[0].hooks[0].command).toBe(
      `/bin/sh '${join(dir, "hooks", "seatwatch-mark.sh")}' waiting permission`,
    );
    expect(existsSync(join(dir, "settings.json"))).toBe(false);
  });

  it("installing twice leaves one copy, keeps every other setting and hook, and backs up the old file once", () => {
    dir = mkdtempSync(join(tmpdir(), "seatwatch-hooks-"));
    writeFileSync(join(dir, "settings.json"), JSON.stringify(THEIRS));

    const first = hooks("--install");
    const second = hooks("--install", "--json");

    expect([first.status, second.status]).toEqual([0, 0]);
    expect(JSON.parse(second.stdout)).toMatchObject({ changed: false, backup: null });
    const installed = settings();
    expect(ours(installed)).toBe(6);
    expect(installed.model).toBe("opus");
    expect(installed.permissions).toEqual(THEIRS.permissions);
    expect(installed.hooks.Stop[0]).toEqual(THEIRS.hooks.Stop[0]);
    const backups = readdirSync(dir).filter((name) => name.startsWith("settings.json.bak-"));
    expect(backups).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir, backups[0] as string), "utf8"))).toEqual(THEIRS);
    expect(statSync(join(dir, "hooks", "seatwatch-mark.sh")).mode & 0o777).toBe(0o755);
  });

  it("uninstalling removes only seatwatch's entries and its script", () => {
    dir = mkdtempSync(join(tmpdir(), "seatwatch-hooks-"));
    writeFileSync(join(dir, "settings.json"), JSON.stringify(THEIRS));
    hooks("--install");

    const removed = hooks("--uninstall");

    expect(removed.status).toBe(0);
    expect(settings()).toEqual(THEIRS);
    expect(existsSync(join(dir, "hooks", "seatwatch-mark.sh"))).toBe(false);
  });

  it("refuses a settings file that is not JSON and changes nothing", () => {
    dir = mkdtempSync(join(tmpdir(), "seatwatch-hooks-"));
    writeFileSync(join(dir, "settings.json"), '{"model": "opus",');

    const refused = hooks("--install");

    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/settings\.json: .*nothing was changed/);
    expect(readFileSync(join(dir, "settings.json"), "utf8")).toBe('{"model": "opus",');
    expect(readdirSync(dir)).toEqual(["settings.json"]);
  });
});
