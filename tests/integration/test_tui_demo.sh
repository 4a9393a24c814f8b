#!/usr/bin/env bash
# sockscope demo in the TUI. First without a keyboard (--headless-frames, so the sanitizer
# build covers it): the handshake, the socket calls on their lifelines, the request and its
# uppercase reply, the status bar; r runs the scenario again, the menu (m) switches to udp.
# Then in a real 120x40 pseudo-terminal (tmux), as root and as an unprivileged user: LIVE
# while it runs, Home and -> step through it once it is over, r, m + udp + Enter, q, and the
# shell gets back a sane terminal with no capture file left behind.
# usage: test_tui_demo.sh SOCKSCOPE REPO
set -u
bin=$(realpath "$1")
tmp=$(mktemp -d)
# the demo's temporary captures go to $tmp/t, the unprivileged run's too
chmod 755 "$tmp" && mkdir -m 1777 "$tmp/t"
sock=sockscope-demo-test-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
  command -v tmux >/dev/null && tm kill-server 2>/dev/null
  rm -rf "$tmp" 2>/dev/null || { sleep 0.5; rm -rf "$tmp"; }
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/screen_checks.sh"
wait_default=10 # a demo run starts a namespace and a capture first
utf8=C.UTF-8
locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' || utf8=C
export LC_ALL=$utf8


# ---- headless ----
# headless FRAMES KEYS [SCENARIO...]: the screen at 120x40 after FRAMES frames, in $tmp/screen
headless() {
  local frames=$1 keys=$2; shift 2
  TMPDIR=$tmp/t COLUMNS=120 LINES=40 timeout 60 "$bin" demo "$@" --headless-frames "$frames" \
    --headless-keys "$keys" >"$tmp/screen" 2>"$tmp/err" </dev/null
  local rc=$?
  if [ $rc != 0 ]; then
    echo "FAIL: demo --headless-keys '$keys' exited $rc:"; sed 's/^/    /' "$tmp/err" | head -20
    fails=$((fails+1))
  fi
}

headless 2 "wait:done"
# where the kernel forbids namespaces, the demo would share this machine's loopback: skip
if grep -q "no private network namespace" "$tmp/err"; then
  echo "skipped: $(head -3 "$tmp/err")"; exit 77
fi
has '^ time +client +server *$' "lifelines: client left, server right"
has '^ +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:12000 *$' "one lifeline per ip:port"
has '├── SYN seq=0 win=' "the SYN from the client"
has '◀─+ SYN\+ACK seq=0 ack=1' "the SYN+ACK back to the client"
has '├── ACK seq=1 ack=1 win=' "the ACK that completes the handshake"
has '● connect\(127\.0\.0\.1:12000\)' "connect() on the client's lifeline"
has 'accept\(\) = [0-9]+ from 127\.0\.0\.1:[0-9]+  ●' "accept() on the server's lifeline"
has '"hello tcp world"' "the request"
has '"HELLO TCP WORLD"' "the uppercase reply"
has 'FIN\+ACK' "the close"
has '^ demo tcp │ 10 packets, [0-9]+ calls │ drops 0 kernel' "status bar: source, counts, drops"
has 'demo over: Home' "the status bar says the run is over"
has 'r Again +m Scenarios .*\? Help +q Quit' "footer: r and m, help and quit"
hasnt 'LIVE' "no LIVE once the run is over"

# search in a session that holds socket calls: the match is the event that holds the text,
# not the one whose index equals a frame counter (it chose connect() for HELLO)
headless 12 "wait:done G / type:HELLO Enter"
has 'event [0-9]+ of [0-9]+ shown, frame 6 .*"HELLO": 1 match' "/HELLO selects the reply, frame 6"
has 'Data: the server sends 15 bytes' "and the reply is what is explained"
headless 14 "wait:done G / type:accept Enter"
has '"accept": 2 matches' "/accept finds accept()'s call and its return"
has '^ accept\(\) (waits|= [0-9]+ from)' "and explains accept()"

headless 4 "wait:done Home n"
has 'event 2 of 2 shown' "Home then n: step through the run from its start"
has 'PAUSED x1' "paused, like a replay"

headless 2 "r"
has '^ demo tcp │ .*LIVE' "r: a new run, followed live"
has 'demo tcp: running' "r says so"
headless 4 "r wait:done G"
has '"HELLO TCP WORLD"' "r: the second run draws the whole exchange"
has 'demo over' "r: the second run ends too"

headless 2 "m"
has 'Scenarios: Enter runs' "m opens the scenario menu"
has '^ > tcp +the textbook TCP exchange.*\(on screen\)' "the menu starts on the scenario on screen"
has '^   udp +the textbook UDP exchange' "every scenario with its summary"
has 'Enter Run +Esc Back' "menu footer"
headless 5 "m Down Enter wait:done"
has '^ demo udp │ 2 packets' "Enter runs udp"
has '● sendto\(15 bytes to 127\.0\.0\.1:12000\)' "sendto() on the client's lifeline"
has 'recvfrom\(\) = 15 bytes from 127\.0\.0\.1:[0-9]+  ●' "recvfrom() on the server's lifeline"
has '◀─+ UDP len=15 "HELLO UDP WORLD"' "the UDP reply"
headless 3 "m Esc"
has '^ demo tcp │ 10 packets' "Esc leaves the menu, nothing run"

headless 2 "?"
has 'sockscope demo: a scenario' "help names the demo"
has 'Live \(demo, live\): the diagram follows new events' "help explains LIVE and PAUSED"
headless 8 "m ? k k k k"
has "A demo.s scenarios" "help lists r and m"
has '^  r +run the scenario again' "help line of r"
has '^  Enter +run the scenario chosen' "help opened from the menu: the menu's keys"

# streaming stays streaming: stdout not a terminal, and --text
timeout 30 "$bin" demo handshake >"$tmp/screen" 2>"$tmp/err" </dev/null
has 'SYN seq=0 win=' "stdout not a terminal: the text diagram streams"
"$bin" demo --headless-keys n >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 2 ] && grep -q 'needs --headless-frames' "$tmp/err"; then passed=$((passed+1)); else
  echo "FAIL: --headless-keys alone: exit $rc"; fails=$((fails+1)); fi
if ls "$tmp"/t/sockscope-* >/dev/null 2>&1; then
  echo "FAIL: temporary captures left behind: $(ls "$tmp/t")"; fails=$((fails+1))
else passed=$((passed+1)); fi

# sockscope live draws in the same TUI (root only: capture rights): -c 3 ends the capture
if [ "$(id -u)" = 0 ]; then
  port=$((20000 + $$ % 20000))
  TMPDIR=$tmp/t COLUMNS=120 LINES=40 timeout 30 "$bin" live -i lo -c 3 --headless-frames 2 \
    --headless-keys wait:done udp port $port >"$tmp/screen" 2>"$tmp/err" </dev/null &
  pid=$!
  # the datagrams go once it says it captures (its probe came back: nothing sent after is lost)
  for _ in $(seq 250); do
    grep -q 'capturing on lo' "$tmp/err" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  grep -q 'capturing on lo' "$tmp/err" || { echo "FAIL: live never said 'capturing on lo'"; fails=$((fails+1)); }
  for i in 1 2 3 4; do echo "hi $i" >/dev/udp/127.0.0.1/$port; done
  wait $pid; rc=$?
  if [ $rc = 0 ]; then passed=$((passed+1)); else
    echo "FAIL: live -c 3 in the TUI exited $rc: $(head -c 300 "$tmp/err")"; fails=$((fails+1)); fi
  has "^ live lo: udp port $port │ 3 packets │ drops 0 kernel, 0 ring" "live: status bar"
  has 'capture ended: Home' "live: the end is said"
  has '├── UDP len=5 "hi 3\\n" ─+▶' "live: the third datagram"
  hasnt 'hi 4' "live: -c 3 stores three frames"
fi

# ---- tmux ----
if ! command -v tmux >/dev/null; then
  echo "note: tmux is not installed: the pseudo-terminal checks are skipped"
  finish; exit
fi
pane() { tm capture-pane -p -t t; }
# saw PATTERN WHAT: the terminal was sent PATTERN at some point (LIVE lasts a fraction of a
# second: too short to catch by looking at the screen)
saw() {
  local end=$((SECONDS + 10))
  while [ $SECONDS -le $end ]; do
    if grep -aqE -- "$1" "$tmp/raw" 2>/dev/null; then passed=$((passed+1)); return 0; fi
    sleep 0.1
  done
  echo "FAIL: $2: /$1/ was never drawn"; fails=$((fails+1))
}
# quit_checked WHAT: sockscope exited 0, the terminal is restored, no temporary capture left
quit_checked() {
  wait_for '^EXIT=0$' "$1: sockscope exits 0"
  terminal_restored "$1"
  if ls "$tmp"/t/sockscope-* >/dev/null 2>&1; then
    echo "FAIL: $1: temporary captures left behind: $(ls "$tmp/t")"; fails=$((fails+1))
  else passed=$((passed+1)); fi
}

# the pane's own terminal type, so Home and End arrive as the application expects them
term=tmux-256color
infocmp "$term" >/dev/null 2>&1 || term=screen-256color
tm new-session -d -s t -x 120 -y 40 \
  "env -i PATH=$PATH TERM=$term LC_ALL=$utf8 HOME=$tmp TMPDIR=$tmp/t HISTFILE=/dev/null PS1='PROMPT> ' bash --norc --noprofile -i"
wait_for '^PROMPT> ?$' "shell starts" || exit 1
tm pipe-pane -t t -o "cat >>'$tmp/raw'"

tm send-keys -t t "$bin demo; echo EXIT=\$?" Enter
saw 'LIVE' "the demo starts following (LIVE)"
wait_for 'demo over' "the run ends"
has '◀─+ SYN\+ACK seq=0 ack=1' "the handshake is drawn"
has '"HELLO TCP WORLD"' "the reply is drawn"
has 'accept\(\) = [0-9]+ from' "accept() is drawn"
tm send-keys -t t Home
wait_for 'event 1 of 1 shown' "Home: the first event alone"
has 'socket\(TCP\) = [0-9]+  ●' "the server's socket() first"
tm send-keys -t t Right
wait_for 'event 2 of 2 shown' "-> shows the next event"
has 'setsockopt\(fd [0-9]+, SO_REUSEADDR = 1\)' "the server's setsockopt(SO_REUSEADDR) next"
has 'SO_REUSEADDR lets a restarted server bind its port' "setsockopt() is explained"
tm send-keys -t t Right
wait_for 'event 3 of 3 shown' "-> shows the next event"
has 'bind\(127\.0\.0\.1:12000\)' "bind() next"
: >"$tmp/raw"
tm send-keys -t t r
saw 'LIVE' "r: the new run is followed live"
wait_for 'demo over' "r: the new run ends"
has '"HELLO TCP WORLD"' "r: the new run's reply"
tm send-keys -t t m
wait_for 'Scenarios: Enter runs' "m opens the menu"
tm send-keys -t t Down Enter
wait_for '^ demo udp │ 2 packets' "Enter runs udp"
has '"HELLO UDP WORLD"' "the udp reply"
has 'recvfrom\(\) = 15 bytes' "recvfrom() is drawn"
tm send-keys -t t q
quit_checked "quit with q"

tm send-keys -t t "$bin demo threaded; echo EXIT=\$?" Enter
wait_for '^ demo threaded' "demo threaded starts"
tm send-keys -t t C-c
quit_checked "Ctrl-C"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
   setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$bin" 2>/dev/null; then
  tm send-keys -t t "setpriv --reuid=65534 --regid=65534 --clear-groups $bin demo udp; echo EXIT=\$?" Enter
  wait_for '"HELLO UDP WORLD"' "unprivileged: the udp demo runs"
  wait_for 'demo over' "unprivileged: the run ends"
  tm send-keys -t t r
  wait_for 'demo udp: running|LIVE' "unprivileged: r runs it again"
  wait_for 'demo over' "unprivileged: the second run ends"
  tm send-keys -t t q
  quit_checked "unprivileged quit"
else
  echo "note: the unprivileged run is skipped (not root, no setpriv, or uid 65534 cannot run $bin)"
fi

finish
