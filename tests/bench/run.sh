#!/usr/bin/env bash
# tests/bench/run.sh — how fast is `sockscope trace` on a big real capture?
# A benchmark, not a test: never registered in CTest, never fails on a slow figure.
#
#   tests/bench/run.sh [SOCKSCOPE_BIN]        (default: build/sockscope)
#
# Time a Release build: cmake -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2
# (paths must not contain spaces: hyperfine -N splits commands on whitespace).
#
# 1. Once (cached as tests/bench/out/bench.pcap, git-ignored; BENCH_REGEN=1 to redo) makes a
#    capture of about a million packets of real loopback traffic in a private network
#    namespace: short TCP uppercase-echo connections, paced bulk transfers with a
#    deterministic 1-in-1000 segment drop (nftables), UDP request/reply, IPv4 and IPv6.
#    Traffic comes from tests/bench/traffic.c (cc -O2). Capture liveness is proved with
#    captures/peers/probe.py as in captures/make-captures.sh (start and end probes, then
#    removed with 'not udp port 9').
# 2. Builds tests/bench/pcap_read_loop.c, the floor: libpcap read loop doing nothing else.
# 3. Times (hyperfine, median of 5 after a warm-up; bash timing if hyperfine is missing),
#    output to /dev/null:
#      sockscope trace FILE --format json | sockscope trace FILE | tcpdump -nr FILE | bare loop
#    and their peak RSS (/usr/bin/time -f %M); prints ratios against the targets.
#
# Needs: cc, libpcap-dev, tcpdump, python3, iproute2, util-linux (unshare), nftables,
#        GNU time (apt-get install -y time), hyperfine (optional: apt-get install -y hyperfine).
#        Root, or unprivileged user namespaces.
# Knobs (environment): BENCH_SHORT (short TCP connections, 40000), BENCH_BULK (bulk
# transfers, 6) x BENCH_BULK_MB (MB each, 50) at BENCH_RATE MB/s (60), BENCH_UDP (UDP
# exchanges, 180000), BENCH_RUNS (5), BENCH_HYPERFINE=0 (bash timing even if hyperfine is there).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh" # the capture in a namespace, the timing (shared with open.sh)
ROOT=$BENCH_ROOT
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
OUT=$BENCH_OUT
CAP="$OUT/bench.pcap"

SHORT=${BENCH_SHORT:-40000}
BULK=${BENCH_BULK:-6}
BULK_MB=${BENCH_BULK_MB:-50}
RATE=${BENCH_RATE:-60}
UDP=${BENCH_UDP:-180000}
RUNS=${BENCH_RUNS:-5}

# ------------------------------------------------------------------ main
case ${1:-} in
  -h|--help) sed -n '2,26p' "$SELF"; exit 0 ;;
  -*) echo "usage: tests/bench/run.sh [SOCKSCOPE_BIN]  (unknown option $1)" >&2; exit 2 ;;
esac
BIN=${1:-$ROOT/build/sockscope}
mkdir -p "$OUT"

echo "== tools"
bench_tools

if [ ! -s "$CAP" ] || [ -n "${BENCH_REGEN:-}" ]; then
  echo "== making $CAP ($SHORT short TCP, $BULK x $BULK_MB MB bulk at $RATE MB/s, $UDP UDP)"
  start=$(date +%s)
  bench_make_capture "$CAP" 0 "$SHORT" "$BULK" "$BULK_MB" "$UDP" "$RATE"
  echo "   made in $(($(date +%s) - start)) s"
fi
COUNT=$("$OUT/pcap_read_loop" "$CAP")
echo "== $CAP: $COUNT, $(du -h "$CAP" | cut -f1) on disk"

# Which commands can run: the trace command may not exist yet.
declare -a NAMES=() CMDS=()
if [ -x "$BIN" ] && "$BIN" trace "$ROOT/captures/tcp-echo-ipv4.pcap" --format json >/dev/null 2>&1; then
  NAMES+=(json text)
  CMDS+=("$BIN trace $CAP --format json" "$BIN trace $CAP")
else
  echo "   note: '$BIN trace FILE --format json' does not work yet: timing tcpdump and the bare loop only"
fi
NAMES+=(tcpdump bare)
CMDS+=("tcpdump -nr $CAP" "$OUT/pcap_read_loop $CAP")

echo "== timing (median of $RUNS, output to /dev/null)"
cat "$CAP" >/dev/null # warm the page cache once for everybody
declare -A SECS=() SDEV=() RSS=()
args=()
for i in "${!NAMES[@]}"; do args+=("${NAMES[$i]}" "${CMDS[$i]}"); done
bench_time "$RUNS" hyperfine "${args[@]}"
for i in "${!NAMES[@]}"; do bench_rss "${NAMES[$i]}" "${CMDS[$i]}"; done

packets=${COUNT%% *}
printf '\n%-8s %10s %12s %10s   %s\n' what "median s" "packets/s" "peak MB" command
for i in "${!NAMES[@]}"; do
  n=${NAMES[$i]}
  awk -v n="$n" -v s="${SECS[$n]}" -v k="${RSS[$n]}" -v p="$packets" -v c="${CMDS[$i]}" \
    'BEGIN { printf "%-8s %10.3f %12.0f %10.1f   %s\n", n, s, p / s, k / 1024, c }'
done

ratio() { # ratio NAME_A NAME_B [TARGET_MAX]
  [ -n "${SECS[$1]:-}" ] && [ -n "${SECS[$2]:-}" ] || return 0
  awk -v a="${SECS[$1]}" -v b="${SECS[$2]}" -v m="${3:-}" -v l="$1/$2" 'BEGIN {
    r = a / b; printf "  %-14s %6.2f", l, r
    if (m != "") printf "   target < %-4s %s", m, (r < m ? "ok" : "MISSED")
    printf "\n" }'
}
echo
echo "ratios (time):"
ratio json bare 1.5
ratio text bare
ratio json tcpdump 1
ratio text tcpdump 1
echo "peak RSS (target < 64 MB):"
for n in json text; do
  [ -n "${RSS[$n]:-}" ] || continue
  awk -v n="$n" -v k="${RSS[$n]}" 'BEGIN { printf "  %-14s %6.1f MB  %s\n", n, k / 1024, (k < 65536 ? "ok" : "MISSED") }'
done
