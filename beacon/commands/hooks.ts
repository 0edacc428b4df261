/**
 * `hooks claude [--install|--uninstall]` (DESIGN §3a): Claude Code's hook settings that mark each
 * seat working, waiting or done. Printing changes nothing; --install writes the hook script and
 * merges the settings (backup kept); --uninstall removes exactly our entries and the script.
 */
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import {
  claudeHooks,
  defaultSettingsPath,
  readSettings,
  SettingsError,
  scriptPathFor,
  withOurHooks,
  withoutOurHooks,
  writeSettings,
} from "../claude-hooks.ts";
import { EXIT, UsageError } from "../exit.ts";
import { writeHookScript } from "../hook-script.ts";
import { command } from "./command.ts";

export const hooks = command({
  name: "hooks",
  help: `usage: seatwatch-beacon hooks claude [--install | --uninstall] [--settings FILE] [--json]

Claude Code hooks that mark each seat's activity (see \`seatwatch-beacon mark --help\`):
UserPromptSubmit and PostToolUse → working; Notification permission_prompt → waiting (permission),
elicitation_dialog → waiting (question); Stop and Notification idle_prompt → done (quiet, not waiting).
Each hook runs a small POSIX sh script (a few ms, no Node start-up) by absolute path, so it works
whatever PATH the agent has. Without --install it prints the settings and changes nothing.

  --install             write the script to <settings dir>/hooks/seatwatch-mark.sh and merge the hooks
                        into the settings file (a backup settings.json.bak-<unix ms> is kept; installing
                        again changes nothing; other settings and hooks are kept as they are)
  --uninstall           remove only seatwatch's hooks (recognised by the script's name) and the script
  --settings FILE       the settings file (default $CLAUDE_CONFIG_DIR/settings.json, else ~/.claude/settings.json)
  --json                print {"settings", "script", "hooks", "changed", "backup"}
  -h, --help            this help

Exit codes:
  0  printed, installed or uninstalled (also when nothing needed changing)
  1  the settings file is not valid JSON or could not be written; nothing was changed
  2  usage error
`,
  options: {
    install: { type: "boolean" },
    uninstall: { type: "boolean" },
    settings: { type: "string" },
  },
  operands: 1,
  async run({ flags: values, json, env, operands }) {
    if (operands[0] !== "claude") {
      throw new UsageError(
        `hooks: name the agent: \`seatwatch-beacon hooks claude\` (Claude Code is the one supported)`,
      );
    }
    if (values.install && values.uninstall) throw new UsageError("hooks: give --install or --uninstall, not both");
    const settings = resolve(values.settings ?? defaultSettingsPath(env));
    const script = scriptPathFor(settings);
    const report = (changed: boolean, backup: string | null, message: string) => {
      process.stdout.write(
        json
          ? `${JSON.stringify({ settings, script, hooks: claudeHooks(script), changed, backup })}\n`
          : `${message}\n`,
      );
    };
    if (!values.install && !values.uninstall) {
      if (json) report(false, null, "");
      else {
        process.stdout.write(`${JSON.stringify({ hooks: claudeHooks(script) }, null, 2)}\n`);
        process.stderr.write(
          `seatwatch-beacon: these go into ${settings}; \`seatwatch-beacon hooks claude --install\` merges them and writes ${script}\n`,
        );
      }
      return EXIT.ok;
    }
    try {
      const before = readSettings(settings);
      if (values.install) {
        writeHookScript(script);
        const written = writeSettings(settings, before, withOurHooks(before, script), Date.now());
        report(
          written !== null,
          written?.backup ?? null,
          written === null
            ? `seatwatch hooks already installed in ${settings}; nothing changed (script ${script} refreshed)`
            : `installed seatwatch hooks in ${settings}${written.backup ? ` (backup: ${written.backup})` : ""}; script ${script}\nClaude Code sessions started from now on mark their seats; restart running ones (or open /hooks in them) to pick the hooks up.`,
        );
        return EXIT.ok;
      }
      const written = writeSettings(settings, before, withoutOurHooks(before), Date.now());
      rmSync(script, { force: true });
      report(
        written !== null,
        written?.backup ?? null,
        written === null
          ? `no seatwatch hooks in ${settings}; nothing changed`
          : `removed seatwatch hooks from ${settings}${written.backup ? ` (backup: ${written.backup})` : ""}`,
      );
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof SettingsError) && !(error as NodeJS.ErrnoException).code) throw error;
      process.stderr.write(`seatwatch-beacon: hooks: ${(error as Error).message}\n`);
      return EXIT.failed;
    }
  },
});
