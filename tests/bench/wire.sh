#!/usr/bin/env bash
# The wire's benchmark (tests/bench/wire.c): forwarding rate and added latency per frame at zero
# delay, against loopback, in one run, in a private namespace (root or unprivileged).
# usage: tests/bench/wire.sh [BUILD_DIR [PACKETS [PINGS]]]   (BUILD_DIR: a Release build, default build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build}
out=$here/out
mkdir -p "$out"
if [ ! -f "$build/libsockscope_core.a" ]; then
  echo "no $build/libsockscope_core.a: cmake -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2" >&2
  exit 2
fi
cc -O2 -Wall -Wextra -I"$repo/include" -o "$out/wire" "$here/wire.c" "$build/libsockscope_core.a" \
  $(pkg-config --libs libpcap ncursesw) -pthread
exec "$out/wire" "${2:-300000}" "${3:-5000}"
