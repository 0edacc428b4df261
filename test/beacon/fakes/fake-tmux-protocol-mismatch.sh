#!/bin/sh
# FAKE tmux client: stands in for a client whose protocol differs from the server's.
echo "protocol version mismatch (client 8, server 7)" >&2
exit 1
