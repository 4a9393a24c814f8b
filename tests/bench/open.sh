#!/usr/bin/env bash
# tests/bench/open.sh — `sockscope open` on a capture of about ten million packets: time to
# the first screen, background index, jumps to any depth, resident memory per packet.
# A benchmark, not a test: never registered in CTest, never fails on a slow figure.
#
#   tests/bench/open.sh [SOCKSCOPE_BIN]   (default: build-bench/sockscope, else build/sockscope)
#
# Time a Release build: cmake -B build-bench -DCMAKE_BUILD_TYPE=Release &&
# cmake --build build-bench -j2 (paths must not contain spaces: hyperfine -N splits commands).
#
# 1. Once (cached as tests/bench/out/open-10m.pcap, git-ignored; OPEN_REGEN=1 to redo; about
#    1.1 GB, about 4 minutes on 2 cores) captures real loopback traffic in a private network
#    namespace with tcpdump -s 128 (headers only, as big captures usually are), the traffic
#    of tests/bench/traffic.c as run.sh does: paced bulk TCP transfers with a 1-in-1000 segment
#    drop (the bulk of the packets), many short TCP echo connections, UDP request/reply in
#    short flows, IPv4 and IPv6. Then counts it once (capinfos, the bare loop and
#    tests/bench/pcap_flows.c: packets, connections, flows), kept in out/open-10m.txt.
# 2. Times, output to /dev/null, LINES=40 COLUMNS=120, page cache warm. Every open has
#    --headless-no-wait (when --help lists it: the first frame as soon as it can, not after
#    the whole index) and --headless-frames one more than its key words. Quick commands:
#    hyperfine -N, median of OPEN_RUNS after a warm-up; full-index ones: OPEN_LONG_RUNS
#    interleaved rounds after a warm-up round (hyperfine -N --runs 1 on each in turn), so
#    their differences are taken within a round. Bash timing without hyperfine.
#      bare         tests/bench/pcap_read_loop.c over the whole big capture (the reference)
#      first-small  sockscope open SMALL --headless-frames 1   (SMALL: a 10-packet capture)
#      first        sockscope open BIG --headless-frames 1     time to the first screen
#      step         ... BIG --headless-keys 'n'                 + the first event: an arrow
#      index-small  ... SMALL --headless-keys 'wait:index'      the memory reference
#      index        ... BIG --headless-keys 'wait:index'        the whole background index
#      jumps        ... 'wait:index G g G g ...'                + OPEN_JUMPS x (G g): the last
#                                                                 event, the first, the last...
#      flow         ... 'wait:index f G Enter G'                + the last flow drawn, at its end
#      flow-jumps   ... 'wait:index f G Enter G g G g G ...'    + OPEN_FLOW_JUMPS x (g G) in it
#      scroll       ... 'wait:index f G Enter G PgUp ... k ...' + OPEN_SCROLL keys at depth
#    and peak RSS (/usr/bin/time -f %M, one run each). 'wait:index G' runs once, for its screen.
# 3. Reports: first < 0.5 s, first/first-small, first/bare; index/bare; the cost of depth,
#    median over the rounds of: (jumps - index) per jump, flow - index, (flow-jumps - flow)
#    per jump, (scroll - flow) per key; bytes per packet = (peak RSS on BIG - peak RSS of
#    index-small) / packets for index and for the full-index run that peaked highest,
#    target < 32. Checks the screens (out/open-*.screen): the first has the indexing
#    progress, step an arrow, index the full packet count, end ('wait:index G') and flow the
#    last event selected, flow arrows; a WARNING line otherwise (the figures would come from a
#    broken run).
#
# Needs: cc, libpcap-dev, tcpdump, python3, iproute2, util-linux (unshare), nftables,
#        GNU time, hyperfine (optional), capinfos (optional, wireshark-common). Root, or
#        unprivileged user namespaces.
# Knobs (environment): OPEN_SHORT (short TCP connections, 250000), OPEN_BULK (bulk
# transfers, 26) x OPEN_BULK_MB (MB each, 250) at OPEN_RATE MB/s (100), OPEN_UDP (UDP
# exchanges, 1000000) in flows of OPEN_UDP_PER_FLOW (20), OPEN_SNAPLEN (128), OPEN_REGEN=1,
# OPEN_SMALL (captures/tcp-echo-ipv4.pcap), OPEN_RUNS (5, quick commands), OPEN_LONG_RUNS
# (3, the full-index rounds), OPEN_JUMPS (25), OPEN_FLOW (keys to the last flow drawn at its
# end, "f G Enter G"), OPEN_FLOW_JUMPS (10), OPEN_SCROLL (keys at depth: "PgUp" x40 then "k"
# x40), LINES/COLUMNS (40/120),
# BENCH_HYPERFINE=0 (bash timing even if hyperfine is there).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh" # the capture in a namespace, the timing (shared with run.sh)
ROOT=$BENCH_ROOT
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
OUT=$BENCH_OUT
CAP="$OUT/open-10m.pcap"
INFO="$OUT/open-10m.txt"

SHORT=${OPEN_SHORT:-250000}
BULK=${OPEN_BULK:-26}
BULK_MB=${OPEN_BULK_MB:-250}
RATE=${OPEN_RATE:-100}
UDP=${OPEN_UDP:-1000000}
UDP_PER_FLOW=${OPEN_UDP_PER_FLOW:-20}
SNAPLEN=${OPEN_SNAPLEN:-128}
SMALL=${OPEN_SMALL:-$ROOT/captures/tcp-echo-ipv4.pcap}
RUNS=${OPEN_RUNS:-5}
LONG_RUNS=${OPEN_LONG_RUNS:-3}
JUMPS=${OPEN_JUMPS:-25}
FLOW=${OPEN_FLOW:-"f G Enter G"}
FLOW_JUMPS=${OPEN_FLOW_JUMPS:-10}
rep() { local i; for ((i = 0; i < $2; i++)); do [ $i -eq 0 ] || printf ' '; printf '%s' "$1"; done; } # WORDS N
SCROLL=${OPEN_SCROLL:-"$(rep PgUp 40) $(rep k 40)"}
export LINES=${LINES:-40} COLUMNS=${COLUMNS:-120}

case ${1:-} in
  -h|--help) sed -n '2,55p' "$SELF"; exit 0 ;;
  -*) echo "usage: tests/bench/open.sh [SOCKSCOPE_BIN]  (unknown option $1)" >&2; exit 2 ;;
esac
if [ -n "${1:-}" ]; then BIN=$1
elif [ -x "$ROOT/build-bench/sockscope" ]; then BIN=$ROOT/build-bench/sockscope
else BIN=$ROOT/build/sockscope; fi
mkdir -p "$OUT"

echo "== tools"
bench_tools

MIX="snaplen $SNAPLEN: $SHORT short TCP, $BULK x $BULK_MB MB bulk at $RATE MB/s, $UDP UDP exchanges in flows of $UDP_PER_FLOW"
if [ ! -s "$CAP" ] || [ ! -s "$INFO" ] || [ -n "${OPEN_REGEN:-}" ]; then
  echo "== making $CAP ($MIX)"
  rm -f "$INFO"
  start=$(date +%s)
  bench_make_capture "$CAP" "$SNAPLEN" "$SHORT" "$BULK" "$BULK_MB" "$UDP" "$RATE" "$UDP_PER_FLOW"
  made=$(($(date +%s) - start))
  echo "   made in $made s; counting it once"
  flows=$("$OUT/pcap_flows" "$CAP")
  bare=$("$OUT/pcap_read_loop" "$CAP")
  capinfos_count=
  if command -v capinfos >/dev/null; then
    capinfos_count=$(capinfos -c -M "$CAP" | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')
  fi
  {
    echo "mix: $MIX"
    echo "made in: $made s"
    echo "flows: $flows"
    echo "bare loop: $bare"
    echo "capinfos: ${capinfos_count:-(not installed)}"
  } >"$INFO"
fi
grep -qxF "mix: $MIX" "$INFO" ||
  echo "   note: $CAP was made with other knobs ($(sed -n 's/^mix: //p' "$INFO")); OPEN_REGEN=1 remakes it"
PACKETS=$(sed -n 's/^bare loop: \([0-9]*\) packets.*/\1/p' "$INFO")
FLOWS=$(sed -n 's/^flows: //p' "$INFO")
# conversations as sockscope (and tshark) number streams: a TCP connection, a UDP flow
TCP_CONNS=$(sed -n 's/.*TCP: \([0-9]*\) connections.*/\1/p' <<<"$FLOWS")
UDP_FLOWS=$(sed -n 's/.*UDP: \([0-9]*\) flows.*/\1/p' <<<"$FLOWS")
STREAMS=$((TCP_CONNS + UDP_FLOWS))
CAPINFOS=$(sed -n 's/^capinfos: //p' "$INFO")
echo "== $CAP: $(du -h "$CAP" | cut -f1) on disk, made in $(sed -n 's/^made in: //p' "$INFO")"
echo "   $FLOWS"
echo "   $STREAMS conversations (TCP connections + UDP flows), $((PACKETS / STREAMS)) packets each on average"
case $CAPINFOS in
  [0-9]*) [ "$CAPINFOS" = "$PACKETS" ] ||
    echo "WARNING: capinfos counts $CAPINFOS packets, the libpcap loop $PACKETS" ;;
esac
small_packets=$("$OUT/pcap_read_loop" "$SMALL")
small_packets=${small_packets%% *}

# Which commands can run: the background index may not exist yet.
if [ ! -x "$BIN" ]; then
  echo "no $BIN: build it first (see --help)" >&2
  exit 1
fi
HELP=$("$BIN" open --help)
WAIT=$(grep -o 'wait:[a-z]*' <<<"$HELP" | head -n1 || true)
# headless runs may wait for the whole index before their first frame unless told not to
NOWAIT=
grep -q -- --headless-no-wait <<<"$HELP" && NOWAIT=" --headless-no-wait"
if [ -z "$WAIT" ]; then
  echo "   note: '$BIN open --help' names no wait: key word (no background index yet):"
  echo "         timing the first screen and the bare loop only"
fi
words() { set -- $1; echo $#; }
squeeze() { # WORDS: repeats counted ("PgUp PgUp PgUp k" -> "PgUp x3 k")
  awk '{ for (i = 1; i <= NF; i++) {
      if (i > 1 && $i == $(i - 1)) { n++; continue }
      if (n > 1) printf " x%d", n
      printf "%s%s", (i > 1 ? " " : ""), $i; n = 1 }
    if (n > 1) printf " x%d", n
    print "" }' <<<"$1"
}
declare -A CMD=() SHOW=()
cmd() { # NAME FILE [KEYS [SHOWN]]: CMD[NAME], the command line (a string: hyperfine splits it
  # like a shell); SHOW[NAME], what the report shows of it
  local file=$2 keys=${3:-} name=SMALL
  [ "$file" = "$CAP" ] && name=BIG
  if [ -n "$keys" ]; then
    CMD[$1]="$BIN open $file$NOWAIT --headless-frames $(($(words "$keys") + 1)) --headless-keys '$keys'"
    SHOW[$1]="open $name '${4:-$keys}'"
  else
    CMD[$1]="$BIN open $file$NOWAIT --headless-frames 1"
    SHOW[$1]="open $name"
  fi
}
CMD[bare]="$OUT/pcap_read_loop $CAP"
SHOW[bare]="pcap_read_loop BIG"
cmd first-small "$SMALL"
cmd first "$CAP"
cmd step "$CAP" n
QUICK=(bare first-small first step)
LONG=()
if [ -n "$WAIT" ]; then
  cmd index-small "$SMALL" "$WAIT"
  cmd index "$CAP" "$WAIT"
  cmd end "$CAP" "$WAIT G" # its screen only
  cmd jumps "$CAP" "$WAIT $(rep 'G g' "$JUMPS")" "$WAIT (G g)x$JUMPS"
  cmd flow "$CAP" "$WAIT $FLOW"
  cmd flow-jumps "$CAP" "$WAIT $FLOW $(rep 'g G' "$FLOW_JUMPS")" "$WAIT $FLOW (g G)x$FLOW_JUMPS"
  cmd scroll "$CAP" "$WAIT $FLOW $SCROLL" "$WAIT $FLOW $(squeeze "$SCROLL")"
  QUICK+=(index-small)
  LONG=(index jumps flow flow-jumps scroll)
fi
# ------------------------------------------------------------------ the screens, once
echo "== screens (LINES=$LINES COLUMNS=$COLUMNS), out/open-*.screen"
cat "$CAP" >/dev/null # warm the page cache once for everybody
declare -a WARN=()
warn() { WARN+=("$*"); echo "WARNING: $*"; }
screen() { # NAME: run CMD[NAME] once, its screen into out/open-NAME.screen
  eval "${CMD[$1]}" >"$OUT/open-$1.screen" 2>"$OUT/open-$1.err" ||
    warn "$1: exit status $? ($(head -c 200 "$OUT/open-$1.err"))"
}
# an arrow as drawn, its start or its head, UTF-8 or --ascii (not the "a -> b" of a text row)
ARROW='├─|─┤|─▶|◀─|\|--|--\||-->|<--'
# the packet count as a status bar may spell it: 1234567, 1,234,567, 1 234 567, 1'234'567
spelled() {
  local n=$1 sep
  echo -n "$n"
  for sep in , ' ' "'" ' ' '.'; do
    echo -n "|$(echo "$n" | sed ":a;s/\B[0-9]\{3\}\>/$sep&/;ta")"
  done
}
status() { tail -n 2 "$OUT/open-$1.screen" | head -n 1; } # the line above the key footer
last_selected() { # NAME: the status bar says 'event N of N'
  status "$1" | grep -Eq 'event ([0-9,. '"'"']+) of \1( |$|,)' ||
    warn "$1: the last event is not the one selected: '$(status "$1")'"
}
screen first
status first | grep -Eq 'indexing|[0-9]%' ||
  warn "first: no indexing progress in the status bar: '$(status first)'"
screen step
grep -Eq "$ARROW" "$OUT/open-step.screen" || warn "step: no arrow after the first step (n)"
echo "   first:  $(status first)"
echo "   step:   $(status step)"
if [ -n "$WAIT" ]; then
  for n in index end flow; do screen $n; done
  status index | grep -Eq "(^|[^0-9])($(spelled "$PACKETS"))([^0-9]|$)" ||
    warn "index: the status bar does not say $PACKETS packets: '$(status index)'"
  status index | grep -q indexing && warn "index: still indexing after $WAIT: '$(status index)'"
  last_selected end
  last_selected flow
  grep -Eq "$ARROW" "$OUT/open-flow.screen" || warn "flow: no arrow in the last flow"
  echo "   index:  $(status index)"
  echo "   end:    $(status end)"
  nolane=$(grep -c 'no lane free' "$OUT/open-end.screen" || true)
  [ "$nolane" -eq 0 ] ||
    echo "           ($nolane rows 'no lane free': the endpoints at the end came after the lanes were taken)"
  echo "   flow:   $(status flow)"
fi

# ------------------------------------------------------------------ timing
declare -A SECS=() SDEV=() TIMES=() RSS=()
echo "== timing: median of $RUNS (quick), of $LONG_RUNS interleaved rounds (full index), output to /dev/null"
args=()
for n in "${QUICK[@]}"; do args+=("$n" "${CMD[$n]}"); done
bench_time "$RUNS" open-quick "${args[@]}"
if [ ${#LONG[@]} -gt 0 ]; then
  args=()
  for n in "${LONG[@]}"; do args+=("$n" "${CMD[$n]}"); done
  bench_time_rounds "$LONG_RUNS" open-long "${args[@]}"
fi
NAMES=("${QUICK[@]}" "${LONG[@]}")
echo "== peak RSS, one run each"
for n in "${NAMES[@]}"; do bench_rss "$n" "${CMD[$n]}"; done

# ------------------------------------------------------------------ report
echo
printf '%-12s %9s %7s %9s   %s\n' what "median s" "± s" "peak MB" "command (BIG: $(basename "$CAP"), SMALL: $(basename "$SMALL"))"
for n in "${NAMES[@]}"; do
  awk -v n="$n" -v s="${SECS[$n]}" -v d="${SDEV[$n]}" -v k="${RSS[$n]}" -v c="${SHOW[$n]}" \
    'BEGIN { printf "%-12s %9.3f %7.3f %9.1f   %s\n", n, s, d, k / 1024, c }'
done
echo "(open: $BIN open FILE$NOWAIT --headless-frames K+1 --headless-keys 'K words'; LINES=$LINES COLUMNS=$COLUMNS)"
echo
echo "capture: $PACKETS packets, $(du -h "$CAP" | cut -f1), $STREAMS conversations ($TCP_CONNS TCP, $UDP_FLOWS UDP)"
awk -v f="${SECS[first]}" -v fs="${SECS[first-small]}" -v b="${SECS[bare]}" -v st="${SECS[step]}" 'BEGIN {
  printf "time to first screen    %8.3f s   target < 0.5 s   %s\n", f, (f < 0.5 ? "ok" : "MISSED")
  printf "  first / first-small   %8.2f\n", f / fs
  printf "  first / bare          %8.3f     (bare: the libpcap loop over the whole file, %.3f s)\n", f / b, b
  printf "  first arrow (n)       %8.3f s\n", st }'
if [ -n "$WAIT" ]; then
  awk -v i="${SECS[index]}" -v b="${SECS[bare]}" -v p="$PACKETS" 'BEGIN {
    printf "full index              %8.3f s   %.2f M packets/s\n", i, p / i / 1e6
    printf "  index / bare          %8.2f\n", i / b }'
  depth() { # LABEL A B N EXPLANATION: the median per-round (A - B) / N in ms
    local med sd
    read -r med sd < <(bench_diff "$2" "$3" "$4")
    awk -v l="$1" -v m="$med" -v d="$sd" -v e="$5" 'BEGIN { printf "%-23s %8.1f ms  ± %-5.1f %s\n", l, m * 1000, d * 1000, e }'
  }
  echo "depth (per round, the difference of two runs; median over the rounds):"
  depth "  a jump, end or start" jumps index $((2 * JUMPS)) "(jumps - index) / $((2 * JUMPS)): G g G g ... over every event"
  depth "  the last flow drawn" flow index 1 "flow - index: the flow list, the last flow, its end"
  depth "  a jump in that flow" flow-jumps flow $((2 * FLOW_JUMPS)) "(flow-jumps - flow) / $((2 * FLOW_JUMPS)): its start, its end, ..."
  depth "  a key at depth" scroll flow "$(words "$SCROLL")" "(scroll - flow) / $(words "$SCROLL"): $(squeeze "$SCROLL")"
  worst=index
  for n in "${LONG[@]}"; do [ "${RSS[$n]}" -le "${RSS[$worst]}" ] || worst=$n; done
  echo "memory (peak RSS on BIG - peak RSS on SMALL, the same keys) / packets:"
  for n in index $worst; do
    awk -v n="$n" -v r="${RSS[$n]}" -v rs="${RSS[index-small]}" -v p="$PACKETS" -v sp="$small_packets" 'BEGIN {
      bpp = (r - rs) * 1024 / (p - sp)
      printf "  %-21s %8.1f B/packet  target < 32   %s   ((%.1f MB - %.1f MB) / packets)\n",
        n, bpp, (bpp < 32 ? "ok" : "MISSED"), r / 1024, rs / 1024 }'
    [ "$worst" != index ] || break
  done
  awk -v p="$PACKETS" -v st="$STREAMS" 'BEGIN {
    printf "  (the flow table at about 80 B a conversation: %.1f B/packet of it)\n", 80 * st / p }'
fi
awk -v r="${RSS[first]}" -v rs="${RSS[first-small]}" 'BEGIN {
  printf "memory, first screen    %8.1f MB  (first-small %.1f MB)\n", r / 1024, rs / 1024 }'
if [ ${#WARN[@]} -gt 0 ]; then
  echo
  for w in "${WARN[@]}"; do echo "WARNING: $w"; done
fi
