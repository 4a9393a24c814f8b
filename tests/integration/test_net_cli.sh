#!/usr/bin/env bash
# `sockscope server` and `sockscope client` as a user meets them: help, exit codes, one clear
# line for each kind of bad input, the refused and lost-reply messages, messages from the
# argument or from each line of stdin, IPv4 and IPv6, and SIGINT/SIGTERM ending a server
# cleanly (exit 0). Loopback only, free ports. usage: test_net_cli.sh SOCKSCOPE REPO
set -u
bin=$1 repo=$2
tb=$repo/tests/integration/textbook
if ! command -v python3 >/dev/null; then
  echo "skipped: python3 is needed to find free ports"; exit 77
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

# expect RC PATTERN -- ARGS...: sockscope ARGS (stdin empty, 10 s at most); exit code RC and
# PATTERN in stderr (stdout for RC 0); usage errors are one short line
expect() {
  local want=$1 pattern=$2; shift 3
  timeout 10 "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local rc=$?
  local where="$tmp/err"; [ "$want" = 0 ] && where="$tmp/out"
  if [ "$rc" != "$want" ] || ! grep -qE -- "$pattern" "$where"; then
    bad "sockscope $* -> exit $rc (want $want), looked for /$pattern/ in:"; sed 's/^/    /' "$where" | head -5
  else
    ok
  fi
  if [ "$want" = 2 ] && [ "$(wc -l <"$tmp/err")" -gt 1 ]; then
    bad "sockscope $* printed more than one line:"; head -5 "$tmp/err"
  fi
}

start_server() { # NAME ARGS...: background server, waits for its "listening" line
  local name=$1; shift
  "$bin" server "$@" >"$tmp/$name.out" 2>&1 &
  last=$!; pids+=("$last")
  for _ in $(seq 100); do
    grep -q listening "$tmp/$name.out" 2>/dev/null && return 0
    kill -0 "$last" 2>/dev/null || break
    sleep 0.05
  done
  bad "server $* did not start:"; cat "$tmp/$name.out"; return 1
}
stop_server() { # PID SIGNAL: it must exit 0 within 2 s
  local t0=$SECONDS
  kill "-$2" "$1"
  for _ in $(seq 40); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$1" 2>/dev/null; then bad "server ignored SIG$2"; kill -KILL "$1"; fi
  wait "$1"; local rc=$?
  [ $rc = 0 ] && ok || bad "server exited $rc after SIG$2"
}

# --- help and usage
expect 0 'usage: sockscope server tcp\|udp' -- server --help
expect 0 'usage: sockscope client tcp\|udp' -- client --help
expect 0 '--threaded' -- server -h
expect 0 '--timeout MS' -- client -h
expect 2 'server: tcp or udp\?' -- server
expect 2 'client: tcp or udp\?' -- client
expect 2 "unknown protocol 'sctp'" -- server sctp
expect 2 "unknown protocol 'icmp'" -- client icmp
expect 2 "-p wants a port number 0-65535 \(got 'http'\)" -- server tcp -p http
expect 2 "-p wants a port number 0-65535 \(got '70000'\)" -- server tcp -p 70000
expect 2 "-p wants a port number" -- server tcp -p
expect 2 "--port wants a port number 1-65535 \(got '0'\)" -- client tcp --port 0
expect 2 "--timeout wants milliseconds" -- client udp --timeout soon
expect 2 "unknown option '--bogus'" -- server tcp --bogus
expect 2 "unknown option '-x'" -- client tcp -x
expect 2 "unexpected argument 'extra'" -- server udp extra
expect 2 "--threaded is for tcp" -- server udp --threaded
expect 2 "-b wants an address" -- server tcp -b
expect 2 "unknown host 'no-such-host.invalid'" -- client tcp no-such-host.invalid hi
expect 2 "does not fit in one UDP datagram" -- client udp 127.0.0.1 "$(head -c 70000 /dev/zero | tr '\0' x)"

# --- runtime errors
port=$(python3 "$tb/freeport.py")
expect 1 "^sockscope: client: connection refused by 127.0.0.1:$port: is the server running\?$" -- client tcp 127.0.0.1 -p "$port" hello
expect 1 "no reply from 127.0.0.1:$port within 300 ms" -- client udp 127.0.0.1 -p "$port" --timeout 300 hello
expect 1 "cannot bind 192.0.2.1:$port: not an address of this machine" -- server tcp -b 192.0.2.1 -p "$port"

# --- TCP: argument, stdin lines, IPv4 and IPv6 on the default dual-stack socket
port=$(python3 "$tb/freeport.py")
if start_server tcp tcp -p "$port"; then
  grep -q "TCP server listening on \[::\]:$port (IPv6 and IPv4)\|TCP server listening on 0.0.0.0:$port" "$tmp/tcp.out" && ok || bad "listening line: $(head -1 "$tmp/tcp.out")"
  expect 0 '^HELLO TCP WORLD$' -- client tcp 127.0.0.1 -p "$port" hello tcp world
  [ $have_ipv6 = 1 ] && expect 0 '^OVER IPV6$' -- client tcp ::1 -p "$port" "over ipv6"
  expect 1 "port $port is already in use" -- server tcp -p "$port"
  got=$(printf 'first line\nsecond\n' | timeout 10 "$bin" client tcp 127.0.0.1 -p "$port")
  [ "$got" = "$(printf 'FIRST LINE\nSECOND')" ] && ok || bad "stdin lines: got '$got'"
  # a client that stays connected does not keep SIGTERM from ending the server
  served=$(grep -c ' connected$' "$tmp/tcp.out")
  python3 -c "import socket,time; s=socket.create_connection(('127.0.0.1',$port)); time.sleep(5)" &
  idle=$!; pids+=("$idle")
  # stopped once its log says it accepted the idle client (20 ms apart, 5 s at most)
  for _ in $(seq 250); do
    [ "$(grep -c ' connected$' "$tmp/tcp.out")" -gt "$served" ] && break
    sleep 0.02
  done
  [ "$(grep -c ' connected$' "$tmp/tcp.out")" -gt "$served" ] || bad "the idle client was never accepted"
  stop_server "$last" TERM
  kill "$idle" 2>/dev/null
  grep -q "connected" "$tmp/tcp.out" && grep -q '16 bytes echoed\|"first line"' "$tmp/tcp.out" && ok || { bad "server log:"; cat "$tmp/tcp.out"; }
fi

# --- threaded TCP, bound to one address
port=$(python3 "$tb/freeport.py")
if start_server threaded tcp --threaded -b 127.0.0.1 -p "$port"; then
  grep -q "thread per client" "$tmp/threaded.out" && ok || bad "threaded listening line"
  clients=()
  for i in 1 2 3; do
    timeout 10 "$bin" client tcp 127.0.0.1 -p "$port" "client $i" >"$tmp/t$i" 2>&1 &
    clients+=($!)
  done
  wait_ok=1
  for i in 1 2 3; do
    wait "${clients[$((i-1))]}" # each ends with its reply, or its 10 s timeout
    [ "$(cat "$tmp/t$i")" = "CLIENT $i" ] || { wait_ok=0; bad "threaded client $i: $(cat "$tmp/t$i")"; }
  done
  [ $wait_ok = 1 ] && ok
  stop_server "$last" INT
fi

# --- UDP
port=$(python3 "$tb/freeport.py")
if start_server udp udp -p "$port"; then
  expect 0 '^HELLO UDP WORLD$' -- client udp 127.0.0.1 -p "$port" hello udp world
  [ $have_ipv6 = 1 ] && expect 0 '^UDP SIX$' -- client udp ::1 -p "$port" "udp six"
  got=$(printf 'a\nb c\n' | timeout 10 "$bin" client udp -p "$port")
  [ "$got" = "$(printf 'A\nB C')" ] && ok || bad "udp stdin lines: got '$got'"
  grep -q '127.0.0.1:[0-9]*: 15 bytes "hello udp world"' "$tmp/udp.out" && ok || { bad "udp log:"; cat "$tmp/udp.out"; }
  stop_server "$last" INT
fi

echo "server/client commands: $passed passed, $fails failed"
[ $fails = 0 ]
