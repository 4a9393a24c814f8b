#!/usr/bin/env bash
# Interoperability with the course's own programs: the textbook Python TCPClient/UDPClient
# talk to our servers (IPv4 and, through the dual-stack socket, IPv6), and our clients talk to
# the textbook TCPServer/UDPServer. Loopback only. usage: test_net_textbook.sh SOCKSCOPE REPO
set -u
bin=$1 repo=$2
tb=$repo/tests/integration/textbook
if ! command -v python3 >/dev/null; then
  echo "skipped: python3 is not installed (the textbook programs are Python)"; exit 77
fi
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0 passed=0
ok() { passed=$((passed+1)); }
bad() { echo "FAIL: $*"; fails=$((fails+1)); }
have_ipv6=0
python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null && have_ipv6=1

# start NAME PATTERN CMD...: runs CMD in the background, waits (5 s at most) for PATTERN in
# its output; the pid goes to $last
start() {
  local name=$1 pattern=$2; shift 2
  "$@" >"$tmp/$name.out" 2>&1 &
  last=$!; pids+=("$last")
  for _ in $(seq 100); do
    grep -q "$pattern" "$tmp/$name.out" 2>/dev/null && return 0
    kill -0 "$last" 2>/dev/null || break
    sleep 0.05
  done
  bad "$name did not start:"; sed 's/^/    /' "$tmp/$name.out"; return 1
}
# stop PID: SIGINT, and it must exit 0 within 3 s
stop() {
  kill -INT "$1" 2>/dev/null
  for _ in $(seq 60); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$1" 2>/dev/null; then bad "server $1 ignored SIGINT"; kill -KILL "$1"; fi
  wait "$1"; local rc=$?
  [ $rc = 0 ] || bad "server $1 exited $rc after SIGINT"
}
# expect_out WANT CMD...: runs CMD (10 s at most), its stdout must be exactly WANT
expect_out() {
  local want=$1; shift
  local got; got=$(timeout 10 "$@" 2>"$tmp/err"); local rc=$?
  if [ $rc = 0 ] && [ "$got" = "$want" ]; then ok
  else bad "$* -> exit $rc, got '$got', want '$want'"; sed 's/^/    /' "$tmp/err"; fi
}

# --- textbook clients against our servers
port=$(python3 "$tb/freeport.py")
if start tcpserver listening "$bin" server tcp -p "$port"; then
  expect_out "From Server: HELLO TCP WORLD" python3 "$tb/TCPClient.py" 127.0.0.1 "$port" "hello tcp world"
  [ $have_ipv6 = 1 ] && expect_out "From Server: HELLO OVER IPV6" python3 "$tb/TCPClient.py" ::1 "$port" "hello over ipv6"
  stop "$last"
  grep -q '127.0.0.1:[0-9]*: 15 bytes "hello tcp world"' "$tmp/tcpserver.out" && ok || { bad "server log:"; cat "$tmp/tcpserver.out"; }
fi

port=$(python3 "$tb/freeport.py")
if start threaded listening "$bin" server tcp --threaded -p "$port"; then
  clients=()
  for i in 1 2 3 4 5; do
    timeout 10 python3 "$tb/TCPClient.py" 127.0.0.1 "$port" "client number $i" >"$tmp/c$i.out" 2>&1 &
    clients+=($!)
  done
  wait_ok=1
  for i in 1 2 3 4 5; do
    wait "${clients[$((i-1))]}" # each ends with its reply, or its 10 s timeout
    grep -qx "From Server: CLIENT NUMBER $i" "$tmp/c$i.out" || { wait_ok=0; bad "threaded client $i: $(cat "$tmp/c$i.out")"; }
  done
  [ $wait_ok = 1 ] && ok
  stop "$last"
fi

port=$(python3 "$tb/freeport.py")
if start udpserver listening "$bin" server udp -p "$port"; then
  expect_out "From Server: HELLO UDP WORLD" python3 "$tb/UDPClient.py" 127.0.0.1 "$port" "hello udp world"
  [ $have_ipv6 = 1 ] && expect_out "From Server: HELLO UDP SIX" python3 "$tb/UDPClient.py" ::1 "$port" "hello udp six"
  stop "$last"
fi

# --- our clients against textbook servers
port=$(python3 "$tb/freeport.py")
if start pytcp ready python3 "$tb/TCPServer.py" "$port" 2 127.0.0.1; then
  expect_out "HELLO TCP WORLD" "$bin" client tcp 127.0.0.1 -p "$port" "hello tcp world"
  expect_out "SPACES AND  WORDS" "$bin" client tcp 127.0.0.1 -p "$port" spaces and " words"
  wait "$last" || bad "TCPServer.py failed: $(cat "$tmp/pytcp.out")"
fi
if [ $have_ipv6 = 1 ]; then
  port=$(python3 "$tb/freeport.py")
  if start pytcp6 ready python3 "$tb/TCPServer.py" "$port" 1 ::1; then
    expect_out "HELLO SIX" "$bin" client tcp ::1 -p "$port" "hello six"
    wait "$last" || bad "TCPServer.py on ::1 failed: $(cat "$tmp/pytcp6.out")"
  fi
fi
port=$(python3 "$tb/freeport.py")
if start pyudp ready python3 "$tb/UDPServer.py" "$port" 3 127.0.0.1; then
  expect_out "HELLO UDP WORLD" "$bin" client udp 127.0.0.1 -p "$port" "hello udp world"
  expect_out "$(printf 'LINE ONE\nLINE TWO')" sh -c "printf 'line one\nline two\n' | '$bin' client udp 127.0.0.1 -p $port"
  wait "$last" || bad "UDPServer.py failed: $(cat "$tmp/pyudp.out")"
fi

echo "textbook interoperability: $passed passed, $fails failed"
[ $fails = 0 ]
