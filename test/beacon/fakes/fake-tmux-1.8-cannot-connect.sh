#!/bin/sh
# FAKE tmux client: stands in for a tmux 1.8 client on a socket nobody listens on; 1.8 names no
# errno, and exits 1.
echo "failed to connect to server" >&2
exit 1
