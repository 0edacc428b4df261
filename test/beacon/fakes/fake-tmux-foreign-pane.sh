#!/bin/sh
# FAKE tmux client: answers for real, but its first pane row names FAKE_PANE_PID as the pane's
# process: a live process that is not the server's child.
/usr/bin/tmux "$@" | awk -v pid="$FAKE_PANE_PID" 'BEGIN { FS = OFS = "\t" } NR == 1 { $4 = pid } { print }'
