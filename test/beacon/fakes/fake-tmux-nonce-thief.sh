#!/bin/sh
# FAKE tmux client: stands in for a process in a pane that read the query's nonce from the real
# client's /proc/PID/cmdline while the query ran, and won the race: before asking the real tmux it
# opens a pane whose argv[0] holds a line with that nonce, claiming pane %1's session. FAKE_DIR is
# where it writes the stolen name.
[ "$1" = -V ] && exec /usr/bin/tmux -V
socket=$3
for arg in "$@"; do
  case $arg in *'s#{pane_id}'*) nonce=${arg%%s#\{pane_id\}*} ;; esac
done
printf 'agent\n%ss%%1\tstolen' "$nonce" > "$FAKE_DIR/stolen"
/usr/bin/tmux -S "$socket" new-window -d "bash -c 'IFS= read -r -d \"\" name < $FAKE_DIR/stolen; exec -a \"\$name\" sleep 600'"
for _ in $(seq 100); do
  /usr/bin/tmux -S "$socket" list-panes -a -F '#{pane_current_command}' | grep -qx agent && break
  sleep 0.05
done
exec /usr/bin/tmux "$@"
