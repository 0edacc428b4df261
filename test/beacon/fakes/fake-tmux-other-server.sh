#!/bin/sh
# FAKE tmux client: ignores the socket it is given and asks FAKE_OTHER_SOCKET instead, the way a
# client with another default socket answers for the wrong server.
shift 3 # -u -S SOCKET
exec /usr/bin/tmux -u -S "$FAKE_OTHER_SOCKET" "$@"
