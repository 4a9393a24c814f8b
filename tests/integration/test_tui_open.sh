#!/usr/bin/env bash
# sockscope open in a real pseudo-terminal (tmux): step through the handshake, read the
# screen back, resize in the middle, open the help, quit with q and with Ctrl-C, and check
# that the shell gets back a sane terminal every time. usage: test_tui_open.sh SOCKSCOPE REPO
set -u
bin=$(realpath "$1") repo=$2
command -v tmux >/dev/null || { echo "skip: tmux is not installed (apt-get install tmux)"; exit 77; }
cap=$(realpath "$repo/captures/tcp-echo-ipv4.pcap")
sock=sockscope-test-$$
tmp=$(mktemp -d)
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
  tm kill-server 2>/dev/null
  rm -rf "$tmp" 2>/dev/null || { sleep 0.5; rm -rf "$tmp"; }
}
trap cleanup EXIT
fails=0 passed=0
utf8=C.UTF-8
locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' || utf8=C

pane() { tm capture-pane -p -t t; }
# wait_for PATTERN WHAT [SECONDS]: until the screen matches
wait_for() {
  local end=$((SECONDS + ${3:-5}))
  while [ $SECONDS -le $end ]; do
    pane >"$tmp/screen" 2>/dev/null
    if grep -qE -- "$1" "$tmp/screen"; then passed=$((passed+1)); return 0; fi
    sleep 0.1
  done
  echo "FAIL: $2: no /$1/ on the screen:"; sed 's/^/    | /' "$tmp/screen"; fails=$((fails+1))
  return 1
}
has() {
  if grep -qE -- "$1" "$tmp/screen"; then passed=$((passed+1)); else
    echo "FAIL: $2: no /$1/"; sed 's/^/    | /' "$tmp/screen"; fails=$((fails+1)); fi
}
# the shell is back: its prompt, the normal screen, a visible cursor, a cooked terminal
terminal_restored() {
  wait_for '^PROMPT> ?$' "$1: the shell prompt is back"
  local alt cursor
  alt=$(tm display -p -t t '#{alternate_on}') cursor=$(tm display -p -t t '#{cursor_flag}')
  if [ "$alt" = 0 ] && [ "$cursor" = 1 ]; then passed=$((passed+1)); else
    echo "FAIL: $1: alternate screen $alt, cursor $cursor"; fails=$((fails+1)); fi
  tm send-keys -t t 'clear; stty -a | tr " " "\n" | grep -xE -- "-?(icanon|echo)" | tr "\n" " "; echo' Enter
  wait_for '^icanon echo ?$' "$1: stty shows icanon echo"
  tm send-keys -t t 'clear' Enter
}

tm new-session -d -s t -x 120 -y 40 \
  "env -i PATH=$PATH TERM=xterm-256color LC_ALL=$utf8 HOME=$tmp HISTFILE=/dev/null PS1='PROMPT> ' bash --norc --noprofile -i"
wait_for '^PROMPT> ?$' "shell starts" || exit 1

tm send-keys -t t "$bin open $cap" Enter
wait_for 'Press Space' "open draws the diagram"
has '^ time +client +server' "lifeline roles in the header"
has '127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:12000' "one lifeline per ip:port"
tm send-keys -t t n
wait_for 'SYN seq=0 win=' "n shows the SYN"
tm send-keys -t t PgDn
wait_for 'SYN\+ACK seq=0 ack=1' "PgDn (presenter clicker) shows the SYN+ACK"
has '(◀|<)[─-]+ SYN\+ACK' "the SYN+ACK points back to the client"
has 'SYN\+ACK: the server accepts; its ack 1 = the client.s initial sequence number \+ 1' \
  "explanation of the selected event"
has 'SYN-SENT' "state change on the client's lifeline"

tm resize-window -t t -x 80 -y 24
wait_for 'event 2 of 2 shown' "status bar after resizing to 80x24"
has 'SYN\+ACK seq=0' "arrows after resizing to 80x24"
tm resize-window -t t -x 60 -y 15
wait_for '(─|-)+(▶|>)' "arrows at 60x15"
tm resize-window -t t -x 30 -y 6
wait_for 'Terminal too small' "message below the minimum size"
tm resize-window -t t -x 120 -y 40
wait_for 'SYN\+ACK seq=0 ack=1 win=' "full labels back at 120x40"

tm send-keys -t t '?'
wait_for 'Keys on the diagram' "? opens the help"
tm send-keys -t t q
wait_for 'Press|SYN\+ACK:' "q closes the help"
tm send-keys -t t G
wait_for 'event [0-9]+ of [0-9]+ shown' "G shows every event"
has 'FIN\+ACK' "the close is drawn"
tm send-keys -t t q
terminal_restored "quit with q"

tm send-keys -t t "$bin open $cap; echo EXIT=\$?" Enter
wait_for 'Press Space' "open again"
tm send-keys -t t Space
wait_for 'REPLAY x1' "Space plays"
tm send-keys -t t C-c
wait_for '^EXIT=0' "Ctrl-C leaves"
terminal_restored "Ctrl-C"

echo "$passed checks passed, $fails failed"
[ $fails = 0 ]
