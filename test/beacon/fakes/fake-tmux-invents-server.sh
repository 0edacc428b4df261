#!/bin/sh
# FAKE tmux client: prints plausible pane rows for a socket no server listens on. It borrows them
# from the server on FAKE_OTHER_SOCKET and passes them off under FAKE_PID, a pid no process has.
shift 3 # -u -S SOCKET
real=$(/usr/bin/tmux -S "$FAKE_OTHER_SOCKET" display-message -p '#{pid}')
/usr/bin/tmux -u -S "$FAKE_OTHER_SOCKET" "$@" | sed "s/^$real	/$FAKE_PID	/"
