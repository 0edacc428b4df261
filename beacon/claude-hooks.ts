/**
 * Claude Code's hook settings for marks (DESIGN §3a), from its hooks reference: `UserPromptSubmit`
 * and `PostToolUse` mean the agent works; a `Notification` whose `notification_type` is
 * `permission_prompt` or `elicitation_dialog` means it waits for a person's decision; `Stop` (the
 * turn ended) and the `idle_prompt` notification mean it is done and sits at its prompt — quiet,
 * not waiting, so a person's own idle sessions never page anyone.
 *
 * Installing merges our matcher groups into `settings.json` beside whatever is there; our entries
 * are recognised by the hook script's name in their command, so uninstalling removes exactly them.
 */
import { copyFileSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { HOOK_SCRIPT_NAME } from "./hook-script.ts";
import type { MarkState } from "./marks.ts";

/** Each hook is a few ms (bench/hook.ts); the timeout only bounds a wedged filesystem. */
const HOOK_TIMEOUT_SECONDS = 5;

/** Event → matcher groups: `matcher` null for events that take none (UserPromptSubmit, Stop). */
const EVENTS: { event: string; matcher: string | null; state: MarkState; why?: string }[] = [
  { event: "UserPromptSubmit", matcher: null, state: "working" },
  { event: "PostToolUse", matcher: "*", state: "working" },
  { event: "Notification", matcher: "permission_prompt", state: "waiting", why: "permission" },
  { event: "Notification", matcher: "elicitation_dialog", state: "waiting", why: "question" },
  { event: "Notification", matcher: "idle_prompt", state: "done" },
  { event: "Stop", matcher: null, state: "done" },
];

type Json = Record<string, unknown>;

interface HookHandler {
  type: "command";
  command: string;
  timeout: number;
}

interface MatcherGroup {
  matcher?: string;
  hooks: HookHandler[];
}

/** Claude Code's settings file: `$CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function defaultSettingsPath(env: NodeJS.ProcessEnv): string {
  return join(env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), ".claude"), "settings.json");
}

/** The script sits next to the settings it is installed into, in Claude Code's usual hooks folder. */
export function scriptPathFor(settingsPath: string): string {
  return join(settingsPath, "..", "hooks", HOOK_SCRIPT_NAME);
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Our `hooks` object. Commands name /bin/sh and the script by absolute path: a hook runs with the
 * agent's PATH, which need not reach the beacon.
 */
export function claudeHooks(scriptPath: string): Record<string, MatcherGroup[]> {
  const hooks: Record<string, MatcherGroup[]> = {};
  for (const { event, matcher, state, why } of EVENTS) {
    const command = ["/bin/sh", shellQuote(scriptPath), state, ...(why ? [why] : [])].join(" ");
    const handlers: HookHandler[] = [{ type: "command", command, timeout: HOOK_TIMEOUT_SECONDS }];
    const group: MatcherGroup = matcher === null ? { hooks: handlers } : { matcher, hooks: handlers };
    hooks[event] = [...(hooks[event] ?? []), group];
  }
  return hooks;
}

function isOurs(handler: unknown): boolean {
  const command = (handler as { command?: unknown } | null)?.command;
  return typeof command === "string" && command.includes(HOOK_SCRIPT_NAME);
}

/** Whether `settings` holds any of our hook entries (doctor asks). */
export function hasOurHooks(settings: Json): boolean {
  const hooks = settings.hooks;
  if (typeof hooks !== "object" || hooks === null) return false;
  return Object.values(hooks).some(
    (groups) =>
      Array.isArray(groups) &&
      groups.some((group) => Array.isArray(group?.hooks) && (group.hooks as unknown[]).some(isOurs)),
  );
}

/** `settings` without our entries; groups and events left empty by that are dropped, nothing else is touched. */
export function withoutOurHooks(settings: Json): Json {
  const hooks = settings.hooks;
  if (typeof hooks !== "object" || hooks === null || Array.isArray(hooks)) return settings;
  const kept: Json = {};
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) {
      kept[event] = groups;
      continue;
    }
    const remaining = groups.flatMap((group) => {
      if (!Array.isArray(group?.hooks) || !(group.hooks as unknown[]).some(isOurs)) return [group];
      const others = (group.hooks as unknown[]).filter((handler) => !isOurs(handler));
      return others.length > 0 ? [{ ...group, hooks: others }] : [];
    });
    if (remaining.length > 0 || groups.length === 0) kept[event] = remaining;
  }
  const { hooks: _, ...rest } = settings;
  return Object.keys(kept).length > 0 || Object.keys(hooks).length === 0 ? { ...rest, hooks: kept } : rest;
}

/** `settings` with exactly one copy of our entries (installing twice changes nothing the second time). */
export function withOurHooks(settings: Json, scriptPath: string): Json {
  const base = withoutOurHooks(settings);
  const hooks: Json = { ...((base.hooks as Json | undefined) ?? {}) };
  for (const [event, groups] of Object.entries(claudeHooks(scriptPath))) {
    const existing = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
    hooks[event] = [...existing, ...groups];
  }
  return { ...base, hooks };
}

export class SettingsError extends Error {}

/** The settings file's JSON object ({} when there is no file); an unreadable or non-object file is refused. */
export function readSettings(path: string): Json {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SettingsError(
      `${path}: ${(error as Error).message}; fix the file (it must be JSON) and run again — nothing was changed`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SettingsError(`${path}: expected a JSON object of settings; nothing was changed`);
  }
  return parsed as Json;
}

/**
 * Writes `settings` when they differ from the file: a backup of the old file first
 * (`settings.json.bak-<unix ms>`), then temp file + rename, keeping the file's mode.
 * Returns the backup's path, or null when nothing needed writing.
 */
export function writeSettings(path: string, before: Json, after: Json, now: number): { backup: string | null } | null {
  if (JSON.stringify(before) === JSON.stringify(after)) return null;
  let backup: string | null = null;
  let mode = 0o600;
  if (existsSync(path)) {
    backup = `${path}.bak-${now}`;
    copyFileSync(path, backup);
    mode = statSync(path).mode & 0o777;
  }
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(after, null, 2)}\n`, { mode });
  renameSync(temp, path);
  return { backup };
}
