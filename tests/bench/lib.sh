# tests/bench/lib.sh — shell shared by run.sh and open.sh. Sourced, never run by hand; it
# runs itself as `bash lib.sh __capture ...` inside the private network namespace.
#
#   bench_tools                      builds out/traffic, out/pcap_read_loop, out/pcap_flows
#   bench_make_capture FILE SNAPLEN SHORT BULK BULK_MB UDP RATE [UDP_PER_FLOW]
#                                    real loopback traffic (traffic.c) captured by tcpdump
#                                    in a private network namespace, written to FILE
#   bench_time RUNS TAG NAME CMD [NAME CMD]...
#                                    median wall time of each CMD (hyperfine -N if present,
#                                    after one warm-up; else bash timing) into the caller's
#                                    associative arrays SECS[NAME] and SDEV[NAME] (seconds)
#   bench_time_rounds RUNS TAG NAME CMD [NAME CMD]...
#                                    the same, interleaved: RUNS rounds after a warm-up round,
#                                    each running every CMD once (hyperfine -N --runs 1), so
#                                    a machine that slows down for a while slows all of them;
#                                    also TIMES[NAME] (the times, one a round)
#   bench_diff A B [N]               median over the rounds of (TIMES[A] - TIMES[B]) / N and
#                                    the standard deviation of those differences, in seconds
#   bench_rss NAME CMD               peak RSS in KiB of one run of CMD into RSS[NAME]
# CMDs are single strings split like a shell would (quotes allowed, no pipes or
# redirections); output goes to /dev/null. Paths must not contain spaces.
BENCH_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_ROOT=$(cd "$BENCH_HERE/../.." && pwd)
BENCH_LIB="$BENCH_HERE/lib.sh"
BENCH_OUT="$BENCH_HERE/out"
BENCH_PYTHON=${PYTHON:-python3}
BENCH_PROBE="$BENCH_ROOT/captures/peers/probe.py"
BENCH_TIME=/usr/bin/time

bench_tools() {
  mkdir -p "$BENCH_OUT"
  cc -O2 -Wall -Wextra -o "$BENCH_OUT/traffic" "$BENCH_HERE/traffic.c" -pthread
  cc -O2 -Wall -Wextra -o "$BENCH_OUT/pcap_read_loop" "$BENCH_HERE/pcap_read_loop.c" -lpcap
  cc -O2 -Wall -Wextra -o "$BENCH_OUT/pcap_flows" "$BENCH_HERE/pcap_flows.c" -lpcap
  [ -x "$BENCH_TIME" ] || { echo "GNU time missing: apt-get install -y time" >&2; return 1; }
}

# ------------------------------------------------------------------ capture (in a namespace)
# Runs inside `unshare -n`: its own loopback, nothing touches the host's network.
bench_capture_in_namespace() {
  local out=$1 snaplen=$2 short=$3 bulk=$4 bulk_mb=$5 udp=$6 rate=$7 udp_per_flow=${8:-0}
  work=$(mktemp -d "$(dirname "$out")/.capture.XXXXXX") # next to FILE: raw captures are big
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
  tcpdump -i lo -n -s "$snaplen" -B 262144 -U --time-stamp-precision=nano "${asroot[@]}" \
    -w "$work/raw.pcap" 2>"$work/tcpdump.err" &
  local tcpdump_pid=$!
  "$BENCH_PYTHON" "$BENCH_PROBE" "$work/raw.pcap" start || { cat "$work/tcpdump.err" >&2; return 1; }

  "$BENCH_OUT/traffic" serve >"$work/serve.out" &
  local i
  for i in $(seq 100); do grep -q ready "$work/serve.out" && break; sleep 0.05; done
  "$BENCH_OUT/traffic" run "$short" "$bulk" "$bulk_mb" "$udp" "$rate" "$udp_per_flow"

  "$BENCH_PYTHON" "$BENCH_PROBE" "$work/raw.pcap" end
  kill -INT "$tcpdump_pid"
  wait "$tcpdump_pid" || true
  sed 's/^/  tcpdump: /' "$work/tcpdump.err" | grep -v listening >&2
  grep -q '^0 packets dropped by kernel' "$work/tcpdump.err" ||
    echo "  warning: tcpdump dropped packets: the capture has holes (lower the rate?)" >&2
  tcpdump "${asroot[@]}" --time-stamp-precision=nano -r "$work/raw.pcap" -w "$out.tmp" \
    'not udp port 9' 2>/dev/null
  mv "$out.tmp" "$out"
}

bench_make_capture() {
  local -a ns=(unshare -n)
  [ "$(id -u)" -eq 0 ] || ns=(unshare --user --map-current-user --keep-caps -n)
  "${ns[@]}" -- bash "$BENCH_LIB" __capture "$@"
}

# ------------------------------------------------------------------ timing
bench_time() { # RUNS TAG NAME CMD [NAME CMD]...
  local runs=$1 tag=$2
  shift 2
  local -a names=() cmds=()
  while [ $# -ge 2 ]; do names+=("$1"); cmds+=("$2"); shift 2; done
  local i
  if [ "${BENCH_HYPERFINE:-1}" = 1 ] && command -v hyperfine >/dev/null; then
    local -a named=()
    for i in "${!names[@]}"; do named+=(-n "${names[$i]}"); done
    # its warnings (outliers, a slow first run) go with its report into out/TAG.txt
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$BENCH_OUT/$tag.json" \
      "${named[@]}" "${cmds[@]}" >"$BENCH_OUT/$tag.txt" 2>&1 || { cat "$BENCH_OUT/$tag.txt" >&2; return 1; }
    local name median sdev
    while read -r name median sdev; do
      SECS[$name]=$median
      SDEV[$name]=$sdev
    done < <("$BENCH_PYTHON" -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], r["median"], r.get("stddev") or 0)' "$BENCH_OUT/$tag.json")
  else
    local t0 _
    for i in "${!names[@]}"; do
      local -a times=()
      for _ in $(seq "$runs"); do
        t0=$(date +%s%N)
        eval "${cmds[$i]}" >/dev/null 2>&1
        times+=($(($(date +%s%N) - t0)))
      done
      SECS[${names[$i]}]=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p" |
        awk '{printf "%.6f", $1 / 1e9}')
      SDEV[${names[$i]}]=$(printf '%s\n' "${times[@]}" | awk '{ s += $1; q += $1 * $1; n++ }
        END { m = s / n; v = q / n - m * m; printf "%.6f", (v > 0 ? sqrt(v) : 0) / 1e9 }')
    done
  fi
}

bench_time_rounds() { # RUNS TAG NAME CMD [NAME CMD]...
  local runs=$1 tag=$2
  shift 2
  local -a names=() cmds=()
  while [ $# -ge 2 ]; do names+=("$1"); cmds+=("$2"); shift 2; done
  local i round t0 name t
  for i in "${!names[@]}"; do TIMES[${names[$i]}]=; done
  for round in $(seq 0 "$runs"); do # round 0: the warm-up
    if [ "${BENCH_HYPERFINE:-1}" = 1 ] && command -v hyperfine >/dev/null; then
      local -a named=()
      for i in "${!names[@]}"; do named+=(-n "${names[$i]}"); done
      hyperfine -N --runs 1 --export-json "$BENCH_OUT/$tag.json" "${named[@]}" "${cmds[@]}" \
        >"$BENCH_OUT/$tag.txt" 2>&1 || { cat "$BENCH_OUT/$tag.txt" >&2; return 1; }
      [ "$round" -eq 0 ] && continue
      while read -r name t; do TIMES[$name]+=" $t"; done < <("$BENCH_PYTHON" -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], r["times"][0])' "$BENCH_OUT/$tag.json")
    else
      for i in "${!names[@]}"; do
        t0=$(date +%s%N)
        eval "${cmds[$i]}" >/dev/null 2>&1
        t=$(($(date +%s%N) - t0))
        [ "$round" -eq 0 ] || TIMES[${names[$i]}]+=" $(awk -v t="$t" 'BEGIN { printf "%.6f", t / 1e9 }')"
      done
    fi
  done
  for i in "${!names[@]}"; do
    read -r SECS[${names[$i]}] SDEV[${names[$i]}] < <(bench_stats ${TIMES[${names[$i]}]})
  done
}

bench_stats() { # VALUES...: their median and standard deviation
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1; s += $1; q += $1 * $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    d = q / NR - (s / NR) ^ 2
    printf "%.6f %.6f\n", m, (d > 0 ? sqrt(d) : 0) }'
}

bench_diff() { # A B [N]
  local -a a=(${TIMES[$1]}) b=(${TIMES[$2]}) d=()
  local i
  for i in "${!a[@]}"; do d+=("$(awk -v x="${a[$i]}" -v y="${b[$i]}" -v n="${3:-1}" 'BEGIN { printf "%.6f", (x - y) / n }')"); done
  bench_stats "${d[@]}"
}

bench_rss() { # NAME CMD
  eval "$BENCH_TIME -f %M -o $BENCH_OUT/rss.txt $2" >/dev/null 2>&1 || true
  RSS[$1]=$(tail -n1 "$BENCH_OUT/rss.txt")
}

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = __capture ]; then
  set -euo pipefail
  shift
  bench_capture_in_namespace "$@"
fi
