#!/bin/sh
# Makes docs/screenshot.png: the window on a 1400x900 Xvfb screen, the demo's
# single.nix stopped at a breakpoint with its docks populated. It runs the
# end-to-end window test (tests/ui/tst_debugwindow.cpp), which boots the real
# demo guest, and asks it to capture the screen while stopped.
#   docs/make-screenshot.sh [build-dir]   (default: ./build)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
cmake --build "$build" --target test_ui_debugwindow nixtide demo-guest >/dev/null
out="$here/docs/screenshot.png"
NIXTIDE_SOURCE_DIR="$here" NIXTIDE_BUILD_DIR="$build" \
NIXTIDE_DEMO_GUEST="$build/demo-guest" NIXTIDE_BINARY="$build/app/nixtide" \
NIXTIDE_SCREENSHOT="$out" PYTHONDONTWRITEBYTECODE=1 \
    "$here/tests/run-under-xvfb.sh" "$build/tests/test_ui_debugwindow"
echo "wrote $out"
