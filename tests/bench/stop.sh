#!/usr/bin/env bash
# tests/bench/stop.sh — how long stopping an idle live capture takes (stop.c), a figure, not a
# test. usage: tests/bench/stop.sh [BUILD_DIR (default build)] [RUNS (default 50)]
# Links stop.c against the build's static libraries; runs it in a private network namespace
# (root: unshare -n; otherwise unshare -rn, unprivileged user namespaces).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${1:-$ROOT/build}
RUNS=${2:-50}
OUT=$HERE/out
mkdir -p "$OUT"
cc -O2 -I"$ROOT/include" "$HERE/stop.c" "$BUILD/libsockscope_capture.a" \
  "$BUILD/libsockscope_model.a" -lpcap -lpthread -o "$OUT/stop"
if [ "$(id -u)" = 0 ]; then unshare -n "$OUT/stop" "$RUNS"; else unshare -rn "$OUT/stop" "$RUNS"; fi
