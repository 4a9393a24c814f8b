#!/usr/bin/env bash
# make-captures.sh — regenerate the real captures in captures/ from real kernel traffic.
#
#   captures/make-captures.sh [-b SOCKSCOPE] [-o DIR] [CAPTURE...]  (default: all, into captures/)
#   captures/make-captures.sh --list
#
# Two kinds of capture:
#
# * DEMO captures (most of them): `sockscope demo SCENARIO -w FILE`, the built-in client and
#   server modules. The demo makes its own private namespace (as root a network namespace,
#   otherwise user + network), sets its loopback like Ethernet (MTU 1500, gso_max_segs 1),
#   verifies its capture is live before the scenario starts, and writes only the scenario's
#   frames. The socket API events it prints are not in the pcap. The binary: -b BIN, or
#   $SOCKSCOPE, default build/sockscope (relative to the repository). A demo that reports
#   lost frames is refused.
#
# * PEER captures (what no demo scenario makes: IPv6, UDP to a closed port, loss): the python
#   peers in peers/, in a fresh network namespace per capture (unshare -n as root; otherwise
#   a user + network namespace, unshare --user --map-current-user --keep-caps -n, no root
#   needed), so the only traffic is ours, on a private loopback. Nothing leaves the namespace.
#
# Needs: bash; the sockscope binary for the demo captures;
#        for the peer captures iproute2 (ip), util-linux (unshare), tcpdump, python3, and
#        nftables for tcp-loss (apt-get install -y nftables);
#        tshark only to look at the results (not used here).
#
# How one peer capture is recorded (see record_peers):
#   1. fresh namespace; lo up with MTU 1500 (MSS 1460, like Ethernet) and gso_max_segs 1, so
#      the kernel hands the tap real wire-sized segments instead of 64 KB GSO super-packets
#      (what the demo's sandbox does itself);
#   2. tcpdump -i lo -s 0 -U --immediate-mode --time-stamp-precision=nano -w RAW (pcap, not
#      pcapng);
#   3. LIVENESS: peers/probe.py sends UDP 127.0.0.1:9 -> :9 datagrams until their bytes are
#      in RAW. tcpdump says "listening" before it really records (the first packets after that
#      message can be missing), so no scenario traffic is sent before the probe is seen;
#   4. the peers run (the PEERS section below);
#   5. an "end" probe is sent until it is in RAW: the file is written in order, so every
#      scenario packet is then on disk; tcpdump is stopped with SIGINT and waited for;
#   6. the probes are dropped: tcpdump -r RAW -w FILE 'not udp port 9' (nanosecond stamps kept).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
ROOT=$(cd "$HERE/.." && pwd)
PYTHON=${PYTHON:-python3}
SOCKSCOPE=${SOCKSCOPE:-$ROOT/build/sockscope}
PORT=12000

# ============================================================================================
# DEMO captures: file name -> `sockscope demo` scenario
declare -A DEMO=(
  [tcp-echo-ipv4]=tcp
  [udp-echo]=udp
  [tcp-handshake]=handshake
  [tcp-threaded]=threaded
  [tcp-refused]=refused
  [tcp-abort]=abort
  [tcp-half-close]=half-close
  [tcp-bytestream]=bytestream
  [tcp-vs-udp]=tcp-vs-udp
)

# record_demo NAME OUTFILE — runs on the host: the demo enters its own namespace.
record_demo() {
  local name=$1 out=$2 scenario=${DEMO[$1]} work rc=0
  work=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-cap.XXXXXX")
  if ! "$SOCKSCOPE" demo "$scenario" -w "$out.tmp" --format json >"$work/demo.jsonl" \
    2>"$work/demo.err"; then
    echo "$name: sockscope demo $scenario failed:" >&2
    rc=1
  elif grep -q 'demo: lost ' "$work/demo.err"; then
    # the demo reports, but does not fail on, frames it could not keep: a capture with holes
    # is no use here
    echo "$name: the demo lost frames:" >&2
    rc=1
  fi
  if [ $rc = 0 ]; then
    echo "   sockscope demo $scenario: $(grep -c '"kind":"api"' "$work/demo.jsonl") API events (not in the pcap)"
    mv "$out.tmp" "$out"
  else
    cat "$work/demo.err" >&2
    rm -f "$out.tmp"
  fi
  rm -rf "$work"
  return $rc
}

# ============================================================================================
# PEERS — the programs making the traffic of the captures no demo scenario makes.
server() { "$PYTHON" "$HERE/peers/echo.py" server "$@"; }
client() { "$PYTHON" "$HERE/peers/echo.py" client "$@"; }
probe() { "$PYTHON" "$HERE/peers/probe.py" "$@"; }

# start_server ARGS...: run `server ARGS` in the background and wait for its "ready" line.
start_server() {
  server "$@" >"$WORK/server.out" 2>>"$WORK/peers.log" &
  SERVER_PID=$!
  local i
  for i in $(seq 200); do
    grep -q ready "$WORK/server.out" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "server $* did not become ready" >&2
  return 1
}
wait_server() { wait "$SERVER_PID"; }

# --- the peer captures: one function each, named scenario_<file name with _ for ->
scenario_tcp_echo_ipv6() {
  start_server tcp --host ::1 --port $PORT
  client tcp ::1 "hello tcp world" --port $PORT
  wait_server
}
scenario_udp_unreachable() {
  # nothing listens on the port: the kernel answers ICMP port unreachable
  client udp 127.0.0.1 "hello udp world" --port $PORT
}
scenario_tcp_loss() {
  # Deterministic loss: nftables drops chosen client->server data segments at the
  # receiver's INPUT hook. On loopback the tap sees a packet when it is transmitted, before
  # input, so each dropped segment is in the capture once and then again as retransmitted.
  # numgen inc counts the data segments (IP length > 100, retransmissions included) that
  # reach the rule, from 0:
  #   #5        one loss inside the first window: duplicate ACKs, fast retransmission
  #   #30, #31  two consecutive losses: SACK recovery
  # and the first rule drops the first short (final) data segment: a tail loss, recovered
  # by the tail loss probe / retransmission timer.
  nft -f - <<'EOF'
table inet sockscope_loss {
  chain input {
    type filter hook input priority filter; policy accept;
    ip daddr 127.0.0.1 tcp dport 12000 ip length > 100 ip length < 1500 numgen inc mod 1000000 0 drop
    ip daddr 127.0.0.1 tcp dport 12000 ip length > 100 numgen inc mod 1000000 { 5, 30, 31 } drop
  }
}
EOF
  start_server tcp --host 127.0.0.1 --port $PORT
  client tcp 127.0.0.1 "hello tcp world" --port $PORT --size 100000
  wait_server
  nft list table inet sockscope_loss >>"$WORK/peers.log"
}
# ============================================================================================

CAPTURES=(tcp-echo-ipv4 tcp-echo-ipv6 udp-echo udp-unreachable tcp-handshake tcp-threaded
  tcp-refused tcp-abort tcp-half-close tcp-bytestream tcp-vs-udp tcp-loss)

# record_peers NAME OUTFILE — runs INSIDE the fresh namespace (see main).
record_peers() {
  local name=$1 out=$2
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-cap.XXXXXX")
  local raw="$WORK/raw.pcap" tcpdump_pid=""
  cleanup() {
    local pids
    pids=$(jobs -pr) || true
    [ -n "$pids" ] && kill $pids 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
  }
  trap cleanup EXIT

  ip link set lo up
  ip link set lo mtu 1500
  ip link set lo gso_max_segs 1

  # As root, -Z root keeps tcpdump from switching to the tcpdump user (who could not write
  # into $WORK). -B 32768: 32 MB of kernel buffer, a loopback burst outruns the default 2 MB.
  local -a asroot=()
  [ "$(id -u)" -ne 0 ] || asroot=(-Z root)
  tcpdump -i lo -n -s 0 -B 32768 -U --immediate-mode --time-stamp-precision=nano "${asroot[@]}" \
    -w "$raw" 2>"$WORK/tcpdump.err" &
  tcpdump_pid=$!
  if ! probe "$raw" start; then
    cat "$WORK/tcpdump.err" >&2
    return 1
  fi

  "scenario_${name//-/_}"

  sleep 0.2 # let the last ACKs/ICMP leave before the end marker (ordering is still checked)
  probe "$raw" end
  kill -INT "$tcpdump_pid"
  wait "$tcpdump_pid" || true
  # a burst on loopback can outrun tcpdump: refuse a capture with holes
  if ! grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.err"; then
    echo "$name: tcpdump lost packets:" >&2
    cat "$WORK/tcpdump.err" >&2
    return 1
  fi
  sed 's/^/  /' "$WORK/peers.log" 2>/dev/null || true
  tcpdump "${asroot[@]}" --time-stamp-precision=nano -r "$raw" -w "$out.tmp" 'not udp port 9' 2>/dev/null
  mv "$out.tmp" "$out"
}

main() {
  local outdir="$HERE"
  local -a names=()
  while [ $# -gt 0 ]; do
    case $1 in
      -o) outdir=$2; shift 2 ;;
      -b) SOCKSCOPE=$2; shift 2 ;;
      --list)
        local c
        for c in "${CAPTURES[@]}"; do
          if [ -n "${DEMO[$c]:-}" ]; then printf '%-16s sockscope demo %s\n' "$c" "${DEMO[$c]}"
          else printf '%-16s python peers\n' "$c"; fi
        done
        return 0 ;;
      -h|--help) sed -n '2,4p' "$SELF"; return 0 ;;
      -*) echo "unknown option $1 (see --help)" >&2; return 2 ;;
      *) names+=("${1%.pcap}"); shift ;;
    esac
  done
  [ ${#names[@]} -gt 0 ] || names=("${CAPTURES[@]}")
  local n
  for n in "${names[@]}"; do
    if [ -z "${DEMO[$n]:-}" ] && ! declare -F "scenario_${n//-/_}" >/dev/null; then
      echo "unknown capture '$n' (see --list)" >&2
      return 2
    fi
    if [ -n "${DEMO[$n]:-}" ] && [ ! -x "$SOCKSCOPE" ]; then
      echo "$n is made by sockscope demo, but $SOCKSCOPE is not an executable;" \
        "build it (cmake -B build && cmake --build build) or name it: -b BIN or SOCKSCOPE=BIN" >&2
      return 2
    fi
  done
  mkdir -p "$outdir"
  outdir=$(cd "$outdir" && pwd)

  # Not root: a user + network namespace. --map-current-user --keep-caps rather than -r: as
  # "root" of a user namespace tcpdump would try to switch user and fail (setgroups denied);
  # as ourselves with ambient capabilities, ip, nft, tcpdump and port 9 all work.
  local -a ns=(unshare -n)
  [ "$(id -u)" -eq 0 ] || ns=(unshare --user --map-current-user --keep-caps -n)
  for n in "${names[@]}"; do
    echo "== $n"
    if [ -n "${DEMO[$n]:-}" ]; then
      record_demo "$n" "$outdir/$n.pcap"
    else
      "${ns[@]}" -- bash "$SELF" __record "$n" "$outdir/$n.pcap"
    fi
    echo "   $outdir/$n.pcap: $(tcpdump -r "$outdir/$n.pcap" 2>/dev/null | wc -l) packets"
  done
}

if [ "${1:-}" = __record ]; then
  record_peers "$2" "$3"
else
  main "$@"
fi
