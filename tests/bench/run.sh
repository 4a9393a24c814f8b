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
ROOT=$(cd "$HERE/../.." && pwd)
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
OUT="$HERE/out"
CAP="$OUT/bench.pcap"
PYTHON=${PYTHON:-python3}
PROBE="$ROOT/captures/peers/probe.py"

SHORT=${BENCH_SHORT:-40000}
BULK=${BENCH_BULK:-6}
BULK_MB=${BENCH_BULK_MB:-50}
RATE=${BENCH_RATE:-60}
UDP=${BENCH_UDP:-180000}
RUNS=${BENCH_RUNS:-5}

# ------------------------------------------------------------------ capture (in a namespace)
capture_in_namespace() {
  local out=$1
  work=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-bench.XXXXXX")
  cleanup() {
    local pids
    pids=$(jobs -pr) || true
    [ -n "$pids" ] && kill $pids 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
  }
  trap cleanup EXIT

  ip link set lo up
  ip link set lo mtu 1500
  ip link set lo gso_max_segs 1 # real 1448-byte segments, not 64 KB GSO super-packets
  # tens of thousands of short connections: widen the ephemeral range, reuse TIME_WAIT ports
  echo "1024 65000" >/proc/sys/net/ipv4/ip_local_port_range
  echo 1 >/proc/sys/net/ipv4/tcp_tw_reuse
  # deterministic loss on the bulk transfers: every 1000th data segment, dropped at the
  # receiver after the tap (so the capture shows original and retransmission)
  nft -f - <<'EOF'
table inet sockscope_bench {
  chain input {
    type filter hook input priority filter; policy accept;
    tcp dport 12001 ip length > 1000 numgen inc mod 1000 0 drop
  }
}
EOF

  local -a asroot=()
  [ "$(id -u)" -ne 0 ] || asroot=(-Z root)
  # -B 262144: 256 MB kernel buffer; -U: each packet written at once (so the probes below
  # can see the file); no --immediate-mode: TPACKET_V3 blocks are cheaper at this rate.
  tcpdump -i lo -n -s 0 -B 262144 -U --time-stamp-precision=nano "${asroot[@]}" \
    -w "$work/raw.pcap" 2>"$work/tcpdump.err" &
  local tcpdump_pid=$!
  "$PYTHON" "$PROBE" "$work/raw.pcap" start || { cat "$work/tcpdump.err" >&2; return 1; }

  "$OUT/traffic" serve >"$work/serve.out" &
  local i
  for i in $(seq 100); do grep -q ready "$work/serve.out" && break; sleep 0.05; done
  "$OUT/traffic" run "$SHORT" "$BULK" "$BULK_MB" "$UDP" "$RATE"

  "$PYTHON" "$PROBE" "$work/raw.pcap" end
  kill -INT "$tcpdump_pid"
  wait "$tcpdump_pid" || true
  sed 's/^/  tcpdump: /' "$work/tcpdump.err" | grep -v listening >&2
  grep -q '^0 packets dropped by kernel' "$work/tcpdump.err" ||
    echo "  warning: tcpdump dropped packets: the capture has holes (lower BENCH_RATE?)" >&2
  tcpdump "${asroot[@]}" --time-stamp-precision=nano -r "$work/raw.pcap" -w "$out.tmp" \
    'not udp port 9' 2>/dev/null
  mv "$out.tmp" "$out"
}

if [ "${1:-}" = __capture ]; then
  capture_in_namespace "$2"
  exit
fi

# ------------------------------------------------------------------ main
case ${1:-} in
  -h|--help) sed -n '2,26p' "$SELF"; exit 0 ;;
  -*) echo "usage: tests/bench/run.sh [SOCKSCOPE_BIN]  (unknown option $1)" >&2; exit 2 ;;
esac
BIN=${1:-$ROOT/build/sockscope}
mkdir -p "$OUT"

echo "== tools"
cc -O2 -Wall -Wextra -o "$OUT/traffic" "$HERE/traffic.c" -pthread
cc -O2 -Wall -Wextra -o "$OUT/pcap_read_loop" "$HERE/pcap_read_loop.c" -lpcap
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time missing: apt-get install -y time" >&2; exit 1; }

if [ ! -s "$CAP" ] || [ -n "${BENCH_REGEN:-}" ]; then
  echo "== making $CAP ($SHORT short TCP, $BULK x $BULK_MB MB bulk at $RATE MB/s, $UDP UDP)"
  ns=(unshare -n)
  [ "$(id -u)" -eq 0 ] || ns=(unshare --user --map-current-user --keep-caps -n)
  start=$(date +%s)
  "${ns[@]}" -- bash "$SELF" __capture "$CAP"
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
declare -A SECS=() RSS=()
if [ "${BENCH_HYPERFINE:-1}" = 1 ] && command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$OUT/hyperfine.json" \
    $(for i in "${!NAMES[@]}"; do printf -- "-n %s " "${NAMES[$i]}"; done) "${CMDS[@]}" >"$OUT/hyperfine.txt"
  while read -r name median; do SECS[$name]=$median; done < <("$PYTHON" -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], r["median"])' "$OUT/hyperfine.json")
else
  for i in "${!NAMES[@]}"; do
    times=()
    for _ in $(seq "$RUNS"); do
      t0=$(date +%s%N)
      ${CMDS[$i]} >/dev/null 2>&1
      times+=($(($(date +%s%N) - t0)))
    done
    SECS[${NAMES[$i]}]=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p" |
      awk '{printf "%.6f", $1 / 1e9}')
  done
fi
for i in "${!NAMES[@]}"; do
  $TIME -f %M -o "$OUT/rss.txt" ${CMDS[$i]} >/dev/null 2>&1
  RSS[${NAMES[$i]}]=$(tail -n1 "$OUT/rss.txt")
done

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
