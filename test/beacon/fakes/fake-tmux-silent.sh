#!/bin/sh
# FAKE tmux client: exits 0 with no output and no message at all (a client that asked nobody).
exit 0
