#!/usr/bin/env bash
# `sockscope live` as a user meets it: usage errors, the fix printed when capture rights are
# missing, and real captures of loopback inside a private network namespace (no host traffic):
# -c COUNT, JSON and text, Ctrl-C/SIGTERM with the stats line, and -w read back by trace.
# usage: test_live_cli.sh SOCKSCOPE REPO   (exit 77: skipped, with the reason printed)
set -u
if [ "${1:-}" = --inside ]; then
  bin=$2 tmp=$3        # re-run by ourselves under unshare -n; the outer run owns $tmp
else
  bin=$1
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fi
fails=0 passed=0

ok() { passed=$((passed+1)); }
bad() { echo "FAIL: $*"; fails=$((fails+1)); }

# expect RC PATTERN -- ARGS...: exit code, and PATTERN in stderr (stdout for rc 0).
expect() {
  local want=$1 pattern=$2; shift 3
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local rc=$?
  local where="$tmp/err"; [ "$want" = 0 ] && where="$tmp/out"
  if [ "$rc" != "$want" ] || ! grep -qE -- "$pattern" "$where"; then
    bad "sockscope $* -> exit $rc (want $want), looked for /$pattern/ in:"; sed 's/^/    /' "$where" | head -5
  else
    ok
  fi
}

# ---- inside the namespace: real captures of lo ----
if [ "${1:-}" = --inside ]; then
  ip link set lo up || { echo "cannot bring lo up"; exit 1; }

  # The textbook exchange on a fresh port: connect, hello, HELLO, close.
  traffic() {
    python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
c.sendall(b"hello"); a.sendall(a.recv(100).upper()); c.recv(100)
c.close(); a.recv(100); a.close(); s.close()
PY
  }
  # start NAME ARGS...: sockscope live in the background; returns once it says it captures.
  start() {
    local name=$1; shift
    "$bin" live "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
    pid=$!
    for _ in $(seq 200); do
      grep -q 'capturing on' "$tmp/$name.err" && return 0
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.02
    done
    bad "live $*: never said 'capturing on':"; sed 's/^/    /' "$tmp/$name.err" | head -5
    return 1
  }
  # shown TEST FILE: until TEST FILE holds (20 ms apart, 5 s at most); false if it never does
  shown() {
    for _ in $(seq 250); do "$1" "$2" && return 0; sleep 0.02; done
    "$1" "$2"
  }
  # the exchange's last frame is out: an ACK after both FINs (JSON), the server CLOSED (text)
  json_ends() { awk '/"flags":"FIN/ {fins++} fins >= 2 && /"flags":"ACK"/ {ok = 1} END {exit !ok}' "$1"; }
  text_ends() { grep -q 'CLOSED' "$1"; }
  # finish SIGNAL: stops the background live (or waits for it with SIGNAL "-"), bounded.
  finish() {
    [ "$1" != - ] && kill "-$1" "$pid" 2>/dev/null
    for _ in $(seq 250); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; bad "live did not stop"; fi
    wait "$pid"
  }

  # -c 5: exactly five JSON lines, the first the SYN (capture was live before traffic).
  if start count -i lo -c 5 --format json; then
    traffic; finish -; rc=$?
    [ "$rc" = 0 ] && ok || bad "live -c 5 exit $rc"
    [ "$(wc -l <"$tmp/count.out")" = 5 ] && ok || bad "live -c 5 printed $(wc -l <"$tmp/count.out") lines"
    head -1 "$tmp/count.out" | grep -q '"flags":"SYN"' && ok || bad "first frame is not the SYN: $(head -1 "$tmp/count.out" | cut -c1-200)"
  fi

  # Ctrl-C: clean stop, stats line, -w read back by trace gives the same JSON.
  if start json -i lo --format json -w "$tmp/live.pcap"; then
    traffic
    shown json_ends "$tmp/json.out" || bad "live never showed the exchange's last ACK"
    finish INT; rc=$?
    [ "$rc" = 0 ] && ok || bad "live after SIGINT exit $rc"
    grep -qE '^sockscope: [0-9]+ frames captured, 0 dropped by the kernel, 0 dropped by sockscope' "$tmp/json.err" && ok || bad "no stats line: $(cat "$tmp/json.err")"
    n=$(wc -l <"$tmp/json.out")
    [ "$n" -ge 8 ] && ok || bad "only $n frames of a TCP exchange"
    grep -q '"proto":"udp"' "$tmp/json.out" && bad "a probe datagram was delivered" || ok
    "$bin" trace "$tmp/live.pcap" --format json >"$tmp/trace.out" 2>"$tmp/trace.err" || bad "trace of -w file: $(cat "$tmp/trace.err")"
    cmp -s "$tmp/json.out" "$tmp/trace.out" && ok || { bad "-w file traced differs from live output:"; diff "$tmp/json.out" "$tmp/trace.out" | head -5; }
    if command -v tshark >/dev/null; then
      [ "$(tshark -r "$tmp/live.pcap" 2>/dev/null | wc -l)" = "$n" ] && ok || bad "tshark reads a different number of frames from -w"
    fi
  fi

  # Text (the default) with a filter; SIGTERM stops it cleanly too.
  if start text -i lo --no-color tcp; then
    traffic
    shown text_ends "$tmp/text.out" || bad "live never showed the server's end CLOSED"
    finish TERM; rc=$?
    [ "$rc" = 0 ] && ok || bad "live after SIGTERM exit $rc"
    grep -q 'SYN' "$tmp/text.out" && ok || { bad "text diagram has no SYN:"; head -5 "$tmp/text.out"; }
    grep -q 'frames captured' "$tmp/text.err" && ok || bad "no stats line after SIGTERM"
  fi

  expect 2 "no such interface 'nosuch0'.*lo" -- live -i nosuch0
  expect 2 "invalid filter expression 'tcp port banana'" -- live -i lo tcp port banana
  expect 2 "cannot create the capture file" -- live -i lo -w "$tmp/no/such/dir.pcap"
  echo "inside: $passed passed, $fails failed"
  exit $(( fails > 0 ))
fi

# ---- usage: no capture rights needed ----
expect 0 'usage: sockscope live' -- live --help
expect 2 "unknown --format 'xml'" -- live --format xml
expect 2 -- "-c wants" -- live -c 0
expect 2 -- "-B wants" -- live -B lots
expect 2 -- "-i needs a value" -- live -i
expect 2 "unknown option '--bogus'" -- live --bogus

# ---- missing capture rights: exit 1 and the exact fix ----
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" live -i lo >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  if [ "$rc" = 1 ] && grep -q 'setcap cap_net_raw,cap_net_admin+eip' "$tmp/err" && grep -q 'sockscope demo' "$tmp/err"; then
    ok
  else
    bad "unprivileged live -> exit $rc:"; sed 's/^/    /' "$tmp/err" | head -5
  fi
  [ "$(wc -l <"$tmp/err")" -le 3 ] && ok || bad "permission message longer than 3 lines"
fi

skip=""
if [ "$(id -u)" != 0 ]; then skip="not root: live captures need CAP_NET_RAW and a network namespace"
elif ! command -v python3 >/dev/null; then skip="python3 not found (it makes the traffic)"
elif ! command -v ip >/dev/null; then skip="ip (iproute2) not found"
elif ! unshare -n true 2>/dev/null; then skip="unshare -n is not permitted here"
fi
if [ -n "$skip" ]; then
  echo "live cli: $passed passed, $fails failed; captures skipped: $skip"
  [ "$fails" -gt 0 ] && exit 1
  exit 77
fi

timeout 60 unshare -n bash "$0" --inside "$bin" "$tmp"; inside=$?
[ "$inside" = 0 ] || fails=$((fails+1))
echo "live cli: $passed passed here, $fails failed"
[ "$fails" = 0 ]
