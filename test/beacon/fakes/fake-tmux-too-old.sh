#!/bin/sh
# FAKE tmux client: stands in for a 3.3a client asking a 3.0a server, which we cannot install.
# It complains on stderr and still exits 0 with empty stdout: the night seatwatch exists for.
echo "server version is too old for client" >&2
exit 0
