#!/usr/bin/env bash
# Runs a command while every core is kept busy, to check that tests wait for
# the conditions they check rather than for a time.
#   tests/load/with-cpu-hog.sh [-n HOGS] CMD [ARGS]...
# HOGS defaults to the number of cores. The hogs run at normal priority and
# are stopped when the command ends (also on Ctrl+C); the command's exit
# status is returned.
set -euo pipefail
hogs=$(nproc)
if [ "${1:-}" = -n ]; then hogs=$2; shift 2; fi
[ $# -ge 1 ] || { echo "usage: $0 [-n HOGS] CMD [ARGS]..." >&2; exit 2; }
pids=()
stop() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; }
trap stop EXIT
for ((i = 0; i < hogs; i++)); do
  # A shell loop: pure CPU, no memory or I/O, nothing to install.
  bash -c 'while :; do :; done' &
  pids+=($!)
done
echo "with-cpu-hog: $hogs busy loop(s) running" >&2
status=0
"$@" || status=$?
exit "$status"
