#!/usr/bin/env bash
# sockscope open in a real pseudo-terminal (tmux): step through the handshake, read the
# screen back, resize in the middle, open the help, quit with q and with Ctrl-C, and check
# that the shell gets back a sane terminal every time. Then a capture with three streams:
# the flow list, one flow drawn alone, the packet detail of its SYN, search, display filter,
# a mouse click. usage: test_tui_open.sh SOCKSCOPE REPO
set -u
bin=$(realpath "$1") repo=$2
command -v tmux >/dev/null || { echo "skip: tmux is not installed (apt-get install tmux)"; exit 77; }
cap=$(realpath "$repo/captures/tcp-echo-ipv4.pcap")
threaded=$(realpath "$repo/captures/tcp-threaded.pcap")
sock=sockscope-test-$$
tmp=$(mktemp -d)
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
  tm kill-server 2>/dev/null
  rm -rf "$tmp" 2>/dev/null || { sleep 0.5; rm -rf "$tmp"; }
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/screen_checks.sh"
utf8=C.UTF-8
locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' || utf8=C

pane() { tm capture-pane -p -t t; }

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
# the old screen's text survives a resize until the redraw arrives: wait for the redraw
wait_for 'SYN\+ACK seq=0' "arrows after resizing to 80x24"
has 'event 2 of 2 shown' "status bar after resizing to 80x24"
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
wait_for 'event 10 of 10 shown' "G shows every event"
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

# three streams: flow list, one flow alone, packet detail, search, filter, mouse
tm send-keys -t t "$bin open $threaded" Enter
wait_for 'Press Space' "open the threaded capture"
tm send-keys -t t f
wait_for 'Flows: 3 conversations \(3 TCP, 0 UDP\)' "f opens the flow list"
n=$(grep -cE '\[ \] +[0-2] TCP +127\.0\.0\.1:5[0-9]+ +127\.0\.0\.1:12000 +10 ' "$tmp/screen")
if [ "$n" = 3 ]; then passed=$((passed+1)); else
  echo "FAIL: the flow list shows $n TCP streams, want 3"; fails=$((fails+1)); fi
tm send-keys -t t Down Space Enter
wait_for '^ +127\.0\.0\.1:51592 +127\.0\.0\.1:12000 *$' "Enter draws the chosen stream"
if grep -qE '51582|51608' "$tmp/screen"; then
  echo "FAIL: other streams' lifelines are drawn"; fails=$((fails+1)); else passed=$((passed+1)); fi
tm send-keys -t t n
wait_for 'SYN seq=0 win=64240' "n shows the stream's SYN"
tm send-keys -t t Enter
wait_for 'Packet detail: frame 4' "Enter opens the packet detail"
has '^ TCP +Source port +51592 +34 2 bytes' "Source port with offset and size"
has '^ TCP +Flags +0x002 SYN +46 12 bits' "Flags with offset and size"
has '^ 0000  00 00 00 00 00 00 00 00  00 00 00 00 08 00 45 00' "the hex dump"
tm send-keys -t t -N 21 j
wait_for 'TCP Flags: 12 bits at offset 46' "j moves to the Flags field"
tm send-keys -t t Escape
wait_for 'event 1 of 1 shown' "Esc: back to the diagram"
tm send-keys -t t f c Escape
wait_for '127\.0\.0\.1:51608' "c chooses none: every stream again"
tm send-keys -t t /
wait_for '^/_' "/ starts a search"
tm send-keys -t t -l HELLO
tm send-keys -t t Enter
wait_for '"HELLO": 3 matches' "search HELLO"
has 'event 12 of 12 shown, frame 12' "the first reply is selected"
has 'the server sends 19 bytes' "and explained"
tm send-keys -t t :
tm send-keys -t t -l 'stream 1'
tm send-keys -t t Enter G
wait_for '│ :stream 1' "the filter in the status bar"
wait_for 'event 10 of 10 shown, frame 27' ":stream 1 keeps its 10 events"
has '^ +127\.0\.0\.1:51592 +127\.0\.0\.1:12000 *$' ":stream 1: two lifelines"
# a mouse click (SGR 1006 report, as xterm sends it) on the SYN+ACK's row: column 60, row 6
tm send-keys -t t -l $'\e[<0;60;6M\e[<0;60;6m'
if wait_for 'event 2 of 10 shown, frame 5' "a click selects the SYN+ACK" 3; then :; fi
tm resize-window -t t -x 60 -y 15
wait_for 'event [0-9]+ of 10' "the diagram at 60x15"
tm send-keys -t t f
wait_for 'Flows: 3' "the flow list at 60x15"
tm resize-window -t t -x 30 -y 6
wait_for 'Terminal too small' "the flow list below the minimum"
tm resize-window -t t -x 120 -y 40
tm send-keys -t t q
terminal_restored "quit from the flow list"

# classroom: --present --theme projector at 80x24, pan with Shift-Right, fit, legend, theme
tm resize-window -t t -x 80 -y 24
tm send-keys -t t "$bin open --present --theme projector $threaded" Enter
wait_for 'projector │ pan 0/2' "--present pans four lifelines at 80x24"
tm send-keys -t t n n
wait_for 'SYN\+A' "--present steps the handshake"
tm send-keys -t t S-Right
wait_for '^ time +client +client +server *$' "Shift-Right pans the header"
tm send-keys -t t z
wait_for '^ time +client +client +client +server *$' "z fits every lifeline"
tm send-keys -t t l
wait_for 'Legend \(l closes\)' "l shows the legend"
has 'RST +aborts' "the legend names each kind"
tm send-keys -t t l t
wait_for 'theme: mono' "t cycles projector -> mono"
tm send-keys -t t v
wait_for 'labels: normal' "v: normal labels"
tm send-keys -t t q
terminal_restored "quit from --present"

finish
