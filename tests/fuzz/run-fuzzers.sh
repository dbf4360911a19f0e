#!/usr/bin/env bash
# Builds the fuzz targets with clang, libFuzzer, ASan and UBSan in their own
# build directory and runs each for a while. Run it on the platform:
#   ./packaging/dev.sh exec tests/fuzz/run-fuzzers.sh [-t SECONDS] [-j JOBS] [TARGET...]
# TARGET: nixlog dap bundle nixstring runrecord vnc (default: all), SECONDS
# per target (default 300), JOBS targets at once (default 1). The seed corpus
# (tests/fuzz/corpus/TARGET) is copied into the build directory, so the
# inputs libFuzzer adds stay out of the repository; a crash is left in
# $build/crashes/TARGET/ and named at the end. To keep one, add it to
# tests/fuzz/corpus/TARGET/ once fixed: the ctest smoke pass replays it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${NIXTIDE_FUZZ_BUILD:-$here/build-fuzz}
seconds=300
jobs=1
while getopts t:j: opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(nixlog dap bundle nixstring runrecord vnc)

flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
export CCACHE_BASEDIR=$here CCACHE_NOHASHDIR=1 CCACHE_DIR=${CCACHE_DIR:-/var/cache/nixtide/ccache}
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DPython_EXECUTABLE=/usr/bin/python3 -DNIXTIDE_FUZZ=ON >/dev/null
cmake --build "$build" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export QT_QPA_PLATFORM=offscreen
run_one() {
  local t=$1 corpus=$build/corpus/$1 crashes=$build/crashes/$1
  mkdir -p "$corpus" "$crashes"
  cp -n "$here/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
  echo "run-fuzzers: $t for ${seconds}s (log: $build/fuzz-$t.log)"
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" "$corpus" >"$build/fuzz-$t.log" 2>&1 || true
  tail -n 2 "$build/fuzz-$t.log" | sed "s/^/  $t: /"
}
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
found=$(find "$build/crashes" -type f 2>/dev/null)
if [ -n "$found" ]; then
  echo "run-fuzzers: inputs that crashed:"; echo "$found"
  exit 1
fi
echo "run-fuzzers: no crash"
