#!/usr/bin/env bash
# Runs a test program on a private Xvfb server (the xcb platform, as a user's
# desktop would), choosing a free display with -displayfd so parallel tests
# and other X servers cannot collide. Usage: run-under-xvfb.sh PROGRAM [ARGS]
set -euo pipefail
command -v Xvfb >/dev/null || { echo "run-under-xvfb: Xvfb is not installed (packaging/dev.sh installs xvfb)" >&2; exit 1; }
fifo_dir=$(mktemp -d)
mkfifo "$fifo_dir/display"
Xvfb -displayfd 3 -noreset -screen 0 1400x900x24 -nolisten tcp 3>"$fifo_dir/display" 2>/dev/null &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null; wait "$xvfb" 2>/dev/null; rm -rf "$fifo_dir"' EXIT
read -r -t 20 number <"$fifo_dir/display" || { echo "run-under-xvfb: Xvfb did not start" >&2; exit 1; }
export DISPLAY=":$number" QT_QPA_PLATFORM=xcb
"$@"
