#!/bin/sh
# FAKE tmux client: stands in for tmux 1.8 (RHEL 7, Amazon Linux 2), which CI cannot install. A 1.8
# server expands #{pid}, #{version}, #{pane_dead_status} and #{window_activity} to nothing, so the
# client asks the real tmux with those variables removed. With FAKE_OTHER_SOCKET set it asks that
# server instead of the one it was given.
[ "$1" = -V ] && echo "tmux 1.8" && exit 0
socket=$3
shift 3 # -u -S SOCKET
[ -n "$FAKE_OTHER_SOCKET" ] && socket=$FAKE_OTHER_SOCKET
for arg in "$@"; do
  set -- "$@" "$(printf '%s' "$arg" | sed -e 's/#{pid}//g' -e 's/#{version}//g' -e 's/#{pane_dead_status}//g' -e 's/#{window_activity}//g')"
  shift
done
exec /usr/bin/tmux -u -S "$socket" "$@"
