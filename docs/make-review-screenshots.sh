#!/bin/sh
# Makes docs/review-timeline.png and docs/review-diff.png: the run history
# window on a 1400x900 Xvfb screen, on two real runs of a demo-library test
# (the second typing other text). It runs the review window test
# (tests/ui/tst_reviewwindow.cpp) and asks it to capture the screen.
#   docs/make-review-screenshots.sh [build-dir]   (default: ./build)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
cmake --build "$build" --target test_ui_review nixtide demo-guest >/dev/null
NIXTIDE_SOURCE_DIR="$here" NIXTIDE_BUILD_DIR="$build" \
NIXTIDE_DEMO_GUEST="$build/demo-guest" NIXTIDE_BINARY="$build/app/nixtide" \
NIXTIDE_SCREENSHOT_DIR="$here/docs" PYTHONDONTWRITEBYTECODE=1 \
    "$here/tests/run-under-xvfb.sh" "$build/tests/test_ui_review"
echo "wrote $here/docs/review-timeline.png $here/docs/review-diff.png"
