#!/bin/sh
# FAKE tmux client: stands in for a 3.3a client talking to a 3.1c server, which exits while
# something else still holds its stdout. With FAKE_REAL_TMUX set it first answers for real.
if [ -n "$FAKE_REAL_TMUX" ]; then "$FAKE_REAL_TMUX" "$@" || exit $?; fi
sleep 30 &
[ -n "$FAKE_PIDFILE" ] && echo $! > "$FAKE_PIDFILE"
exit 0
