#!/usr/bin/env bash
# Every demo scenario, as root and as an unprivileged user, checked on the order of its
# socket API calls and packets (check_demo.py). usage: test_demo.sh SOCKSCOPE REPO
set -u
bin=$1 repo=$2
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "skipped: needs python3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

run_as() { # who scenario
  local who=$1 sc=$2
  if [ "$who" = root ]; then
    timeout 30 "$bin" demo "$sc" --format json >"$tmp/out" 2>"$tmp/err"
  else
    timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" demo "$sc" --format json \
      >"$tmp/out" 2>"$tmp/err"
  fi
}

users=()
if [ "$(id -u)" = 0 ]; then
  users+=(root)
  if command -v setpriv >/dev/null &&
     setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$bin" 2>/dev/null; then
    users+=(nobody)
  else
    echo "note: the unprivileged runs are skipped: uid 65534 cannot execute $bin here"
  fi
else
  users+=(self)
fi

# where the kernel forbids namespaces, say why and skip
run_as "${users[0]}" handshake
if grep -q "no private network namespace" "$tmp/err"; then
  echo "skipped: $(head -3 "$tmp/err")"
  exit 77
fi

scenarios=$("$bin" demo --list | awk '{print $1}')
[ -n "$scenarios" ] || { echo "FAIL: demo --list is empty"; exit 1; }
for who in "${users[@]}"; do
  for sc in $scenarios; do
    run_as "$who" "$sc"; rc=$?
    if [ $rc != 0 ]; then
      echo "FAIL: demo $sc as $who: exit $rc: $(head -c 400 "$tmp/err")"; failed=$((failed+1)); continue
    fi
    if grep -q "no private network namespace" "$tmp/err"; then
      echo "FAIL: demo $sc as $who fell back to the host network: $(head -2 "$tmp/err")"
      failed=$((failed+1)); continue
    fi
    if msg=$(python3 "$here/check_demo.py" "$sc" <"$tmp/out"); then
      passed=$((passed+1))
    else
      echo "FAIL as $who: $msg"; failed=$((failed+1))
      cp "$tmp/out" "/tmp/sockscope-demo-$sc-$who.jsonl" 2>/dev/null
    fi
  done
done

# the text diagram of the default scenario draws both lifelines and the handshake
timeout 30 "$bin" demo --text --ascii --width 100 >"$tmp/text" 2>"$tmp/err"
if grep -q 'client' "$tmp/text" && grep -q 'server' "$tmp/text" && grep -q 'SYN+ACK' "$tmp/text" \
   && grep -q 'accept() = ' "$tmp/text" && grep -q -- '-- SYN seq=0' "$tmp/text"; then
  passed=$((passed+1))
else
  echo "FAIL: text diagram of the demo:"; head -20 "$tmp/text"; failed=$((failed+1))
fi

# clients stand left of the server, as textbooks draw them (threaded: three of them)
timeout 30 "$bin" demo threaded --text --ascii --width 120 >"$tmp/text3" 2>/dev/null
if python3 - "$tmp/text3" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
server = [l.index("server") for l in lines if "server" in l and "client" not in l]
clients = [l.index("client") for l in lines if "client" in l and "server" not in l]
ok = server and len(clients) >= 3 and max(clients) < min(server)
sys.exit(0 if ok else 1)
PY
then passed=$((passed+1)); else
  echo "FAIL: threaded demo: clients are not all left of the server:"; head -30 "$tmp/text3"
  failed=$((failed+1))
fi

# -w saves a capture that trace reads back with the same frames
timeout 30 "$bin" demo tcp --format json -w "$tmp/demo.pcap" >"$tmp/live.jsonl" 2>/dev/null
"$bin" trace "$tmp/demo.pcap" --format json >"$tmp/file.jsonl" 2>/dev/null
if [ -s "$tmp/file.jsonl" ] && diff <(grep '"kind":"packet"' "$tmp/live.jsonl" | cut -d, -f1-3) \
                                   <(cut -d, -f1-3 "$tmp/file.jsonl") >/dev/null; then
  passed=$((passed+1))
else
  echo "FAIL: demo -w capture differs from what the demo drew"; failed=$((failed+1))
fi

# usage errors
"$bin" demo nosuch >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 2 ] && grep -q "no scenario named 'nosuch'" "$tmp/err"; then passed=$((passed+1)); else
  echo "FAIL: unknown scenario: exit $rc"; failed=$((failed+1)); fi

echo "demo: $passed passed, $failed failed"
[ $failed = 0 ]
