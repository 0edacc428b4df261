/**
 * A FAKE of Claude Code, for what cannot run here (Claude Code needs an account): it sits in a tmux
 * pane as `claude` and runs the hooks of a settings.json the way Claude Code does — each matching
 * command through a shell, detached from the terminal (no controlling tty, as Claude Code's hooks
 * have), the event's JSON on stdin — whenever a line `Event[:matcher-value]` is appended to its
 * control file. Usage: node fake-claude.mjs SETTINGS CONTROL
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";

process.title = "claude";
const [settingsPath, controlPath] = process.argv.slice(2);
let done = 0;

function matches(matcher, value) {
  if (matcher === undefined || matcher === "" || matcher === "*") return true;
  return value !== undefined && new RegExp(`^(?:${matcher})$`).test(value);
}

async function fire(line) {
  const [event, value] = line.split(":");
  const settings = JSON.parse(readFileSync(settingsPath, "utf8"));
  const input = { session_id: "fake", transcript_path: "/dev/null", cwd: process.cwd(), hook_event_name: event };
  if (event === "Notification")
    Object.assign(input, { notification_type: value, message: "Claude needs your permission" });
  if (event === "PostToolUse") Object.assign(input, { tool_name: value ?? "Bash", tool_input: {}, tool_response: {} });
  for (const group of settings.hooks?.[event] ?? []) {
    if (!matches(group.matcher, value ?? input.tool_name)) continue;
    for (const hook of group.hooks) {
      await new Promise((resolve) => {
        const child = spawn(hook.command, { shell: true, detached: true, stdio: ["pipe", "ignore", "ignore"] });
        child.stdin.end(JSON.stringify(input));
        child.on("exit", resolve);
        child.on("error", resolve);
      });
    }
  }
}

setInterval(async () => {
  let text;
  try {
    if (statSync(controlPath).size === done) return;
    text = readFileSync(controlPath, "utf8");
  } catch {
    return;
  }
  const lines = text.slice(done).split("\n").filter(Boolean);
  done = text.length;
  for (const line of lines) await fire(line);
}, 200);
