#!/bin/sh
# FAKE tmux client: exits 0 with output that is not list-panes rows.
echo "hello from something that is not tmux"
exit 0
