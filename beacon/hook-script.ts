/**
 * The mark writer a hook runs (DESIGN §3a): a POSIX sh script doing what `seatwatch-beacon mark`
 * does — the same file, the same checks — with shell builtins and one `mv`, because a hook runs on
 * every agent event and starting Node (~40 ms) for each would tax the agent it watches
 * (bench/hook.ts measures it). Its printf is built from MARK_FIELDS, so the two writers cannot drift.
 *
 * It never fails its caller: stdout and stderr go nowhere (Claude Code feeds a UserPromptSubmit
 * hook's stdout to the model), and every path ends in `exit 0`.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { MARK_FIELDS, MARK_MAGIC } from "./marks.ts";

/** The marker uninstall recognises our hook entries by: the script's file name in their command. */
export const HOOK_SCRIPT_NAME = "seatwatch-mark.sh";

export function hookScript(): string {
  const format = [MARK_MAGIC, ...MARK_FIELDS.map((name) => `${name} %s`)].join("\\n");
  const values = MARK_FIELDS.map((name) => `"$${name}"`).join(" ");
  return `#!/bin/sh
# ${HOOK_SCRIPT_NAME}: records this tmux pane's activity for the seatwatch beacon, exactly as
# \`seatwatch-beacon mark STATE [--why WHY]\` does. Written by \`seatwatch-beacon hooks claude --install\`.
# usage: ${HOOK_SCRIPT_NAME} working|waiting|done [WHY]
exec >/dev/null 2>&1
set -f
umask 077
state=$1 why=$2
case $state in working|waiting|done) ;; *) exit 0 ;; esac
# $TMUX is "socket,server pid,session id"; outside tmux there is nothing to mark.
case $TMUX_PANE in %*) ;; *) exit 0 ;; esac
rest=\${TMUX%,*}
server=\${rest##*,}
socket=\${rest%,*}
pane=$TMUX_PANE
case $socket in /*) ;; *) exit 0 ;; esac
# The agent: the nearest process from this one up with a controlling terminal (a Claude Code hook
# has none of its own), and that terminal's foreground process group. /proc/PID/stat after the
# last ") ": state ppid pgrp session tty_nr tpgid.
pid=$$ pgid= hops=0
while [ "$hops" -lt 16 ] && [ "$pid" -gt 1 ]; do
  read -r stat < "/proc/$pid/stat" || exit 0
  set -- \${stat##*) }
  if [ "$5" != 0 ]; then pgid=$6; break; fi
  pid=$2 hops=$((hops + 1))
done
case $pgid in ''|-*|0|1) exit 0 ;; esac
uid=
while read -r key value _; do
  if [ "$key" = Uid: ]; then uid=$value; break; fi
done < /proc/$$/status
if [ -n "$XDG_RUNTIME_DIR" ] && [ -d "$XDG_RUNTIME_DIR" ] && [ ! -h "$XDG_RUNTIME_DIR" ]; then
  base=$XDG_RUNTIME_DIR/seatwatch
else
  base=/tmp/seatwatch-$uid
fi
dir=$base/marks
[ -d "$dir" ] || mkdir -p "$dir" || exit 0
# Someone else's directory (planted in /tmp before us) is refused: nobody may read or fake our marks.
for d in "$base" "$dir"; do
  if [ -h "$d" ] || [ ! -O "$d" ]; then exit 0; fi
done
name=\${server}_\${pane#%}
tmp=$dir/.$name.$$
printf '${format}\\n' ${values} > "$tmp" && mv -f "$tmp" "$dir/$name" || rm -f "$tmp"
exit 0
`;
}

/** Writes the script (mode 0755) atomically, so an agent event never runs half a script. */
export function writeHookScript(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, hookScript(), { mode: 0o755 });
  chmodSync(temp, 0o755);
  renameSync(temp, path);
}
