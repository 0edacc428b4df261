#!/bin/sh
# FAKE tmux client: answers for real, but prints its first line twice (the first pane, listed twice).
out=$(/usr/bin/tmux "$@") || exit $?
printf '%s\n' "$out" | head -n 1
printf '%s\n' "$out"
