#!/usr/bin/env bash
# sockscope open without a keyboard (--headless-frames): the screen at 120x40, 80x24, 60x15
# and too small, keys and resizes from a script, every capture to its end, and the command's
# errors. Runs anywhere (no tmux, no terminal), so the sanitizer build covers the TUI.
# usage: test_tui_headless.sh SOCKSCOPE REPO
set -u
bin=$1 repo=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/screen_checks.sh"
cap=$repo/captures/tcp-echo-ipv4.pcap
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then export LC_ALL=C.UTF-8; fi

# screen COLS ROWS FRAMES [KEYS]: the screen after FRAMES frames, in $tmp/screen
screen() {
  local cols=$1 rows=$2 frames=$3 keys=${4:-}
  local args=(open "$cap" --headless-frames "$frames")
  [ -n "$keys" ] && args+=(--headless-keys "$keys")
  COLUMNS=$cols LINES=$rows "$bin" "${args[@]}" >"$tmp/screen" 2>"$tmp/err" </dev/null
  local rc=$?
  if [ $rc != 0 ]; then
    echo "FAIL: open at ${cols}x${rows} exited $rc:"; sed 's/^/    /' "$tmp/err" | head -20
    fails=$((fails+1))
  fi
}
lines() {
  local n; n=$(wc -l <"$tmp/screen")
  if [ "$n" = "$1" ]; then passed=$((passed+1)); else
    echo "FAIL: $2: $n lines, want $1"; fails=$((fails+1)); fi
}

# 120x40: three steps show the handshake, each with its explanation
screen 120 40 3
lines 40 "120x40 screen"
has '^ time +client +server' "header roles"
has '127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:12000' "lifelines named ip:port"
has 'SYN seq=0 win=[0-9]+ MSS=1460' "SYN arrow with its label"
has '(◀|<).*SYN\+ACK seq=0 ack=1' "SYN+ACK arrow back to the client"
has 'SYN-SENT' "state change beside the client's lifeline"
has 'SYN\+ACK: the server accepts; its ack 1 = the client.s initial sequence' "explanation"
has 'PAUSED x1 .* event 2 of 2 shown' "status bar"
has 'Space Play .*q Quit' "footer from the action table"
hasnt 'ACK seq=1 ack=1 win' "the third packet is not shown yet"

# 80x24 and 60x15: still arrows
screen 80 24 4
lines 24 "80x24 screen"
has 'ACK seq=1 ack=1' "third packet at 80x24"
has 'handshake is complete' "explanation at 80x24"
has 'ESTABLISHED' "states at 80x24"
screen 60 15 3
lines 15 "60x15 screen"
has 'SYN\+ACK' "arrows at 60x15"
has 'PAUSED' "status bar at 60x15"

# too small: a message, never a crash
screen 30 6 2
has 'Terminal too small' "message below the minimum"
screen 10 2 2
has 'Termin' "message clipped on a tiny terminal"

# keys and resizes from a script: step, back, select, help, show all
screen 120 40 6 "n n n p k"
has 'event 1 of 2 shown' "back hides the newest, k selects the one before"
screen 120 40 3 "G ?"
has 'Keys on the diagram' "help screen"
has 'step forward: show the next event' "help lines from the action table"
has '→ n PgDn|Right n PgDn' "help lists every key of an action"
total=$("$bin" trace --format json "$cap" | wc -l)
screen 120 40 4 "G ? q"
has "event $total of $total shown" "G shows everything; q closes the help"
has 'ACK: the client acknowledges the server.s FIN' "the last ACK explained"
screen 120 40 8 "n n resize:60x15 n resize:30x6 resize:80x24 n"
lines 24 "resized to 80x24"
has 'event 4 of 4 shown' "steps between resizes"
# a terminal that reports more than ncurses can hold (stty rows 40000): clamped, said, alive
screen 120 40 3 "resize:40000x40000 n"
lines 1000 "a 40000-row terminal is drawn 1000 rows high"
has 'event 1 of 1 shown' "and still steps"
screen 120 40 2 "resize:40000x40000"
has 'the terminal says 40000x40000, more than can be drawn: drawing 1024x1000' "the clamp is said"
screen 120 40 4 "resize:40000x40000 n resize:80x24"
lines 24 "back to 80x24 after the huge size"
hasnt 'more than can be drawn' "an ordinary size says nothing of it"
screen 120 40 4 "+ + Space"
has 'REPLAY x4' "Space plays, + speeds up"
screen 80 24 2 "x"
has 'key x does nothing here' "unknown keys are answered"

# ---- flows, packet detail, search, display filter, mouse: a capture with three streams ----
threaded=$repo/captures/tcp-threaded.pcap
# frames KEYS: one frame per key (a type:TEXT word types TEXT), plus the first drawing
frames() {
  local n=1 w
  for w in $1; do case $w in type:*) n=$((n + ${#w} - 5));; *) n=$((n + 1));; esac; done
  echo $n
}
# tscreen COLS ROWS KEYS: the threaded capture after exactly KEYS
tscreen() { cap=$threaded screen "$1" "$2" "$(frames "$3")" "$3"; }
count() {
  local n; n=$(grep -cE -- "$1" "$tmp/screen")
  if [ "$n" = "$2" ]; then passed=$((passed+1)); else
    echo "FAIL: $3: $n lines match /$1/, want $2:"; sed 's/^/    | /' "$tmp/screen"
    fails=$((fails+1)); fi
}

tscreen 120 40 "f"
has 'Flows: 3 conversations \(3 TCP, 0 UDP\)' "flow list title"
count '^.\[ \] +[0-2] TCP +127\.0\.0\.1:5[0-9]+ +127\.0\.0\.1:12000 +10 +714 TIME-WAIT/CLOSED +0\.12' 3 \
  "one row per TCP stream: endpoints, packets, bytes, state, duration"
has '^ +.Stream +Proto +Client +Server +Packets +Bytes +State +Duration' "column titles"
has '^>\[ \] +0 TCP' "the cursor on the first flow"
has 'Space Choose .*Enter Draw' "the flow list's footer"
tscreen 120 40 "f s s S"
if sed -n 3p "$tmp/screen" | grep -qE '^ \[ \] +2 TCP +127\.0\.0\.1:51608'; then
  passed=$((passed+1)); else echo "FAIL: s s S: sorted by client, reversed"; fails=$((fails+1)); fi
has 'vClient' "the sort column and its direction in the titles"
has '^>\[ \] +0 TCP' "the cursor stays on its flow"
tscreen 120 40 "f / type:51592 Enter"
count 'TCP +127\.0\.0\.1:5' 1 "typing narrows the list"
has '3 conversations .*1 shown' "the title counts what is shown"
tscreen 80 24 "f"
lines 24 "flow list at 80x24"
count '127\.0\.0\.1:12000' 3 "flow list at 80x24"
tscreen 60 15 "f"
count '127\.0\.0\.1:12000' 3 "flow list at 60x15"
tscreen 30 6 "f"
has 'Terminal too small' "flow list below the minimum"

tscreen 120 40 "f Down Space Enter G"
has '^ +127\.0\.0\.1:51592 +127\.0\.0\.1:12000$' "only the chosen stream's two lifelines"
hasnt '51582|51608' "the other streams are gone"
has 'event 10 of 10 shown, frame 27 │ 1 flow' "10 events of one flow"
has '"HELLO FROM CLIENT 2"' "its reply"
tscreen 120 40 "f Down Space Enter G f c Esc G"
has 'event 30 of 30 shown' "c on the flow list: every flow again"

# the SYN of stream 1 in the packet detail
syn="f Down Space Enter n Enter"
tscreen 120 40 "$syn"
has 'Packet detail: frame 4' "detail of the SYN"
has '^ TCP +Source port +51592 +34 2 bytes' "Source port with its offset and size"
has '^ TCP +Flags +0x002 SYN +46 12 bits' "Flags with offset and size"
has '^ IPv4 +Header length +5 \(20 bytes\) +14 4 bits' "a bit field"
has '^ TCP +MSS +1460 +54 4 bytes' "an option"
has '^ 0000  00 00 00 00 00 00 00 00  00 00 00 00 08 00 45 00  \.{14}E\.' "hex and ASCII dump"
has '^ 0040  ' "the whole frame in hex"
has 'SYN: the client asks to open a connection' "the event explained"
has 'Ethernet Destination: 6 bytes at offset 0' "the field under the cursor in words"
tscreen 120 40 "$syn j j j j j j j j j j j j j j j j j j j j j"
has 'TCP Flags: 12 bits at offset 46, bits 4-15 \(byte 12 of the TCP header\) = 0x002 SYN' \
  "j moves to the Flags field"
tscreen 120 40 "$syn G n"
has 'frame 5, event 2 of 2' "n on the detail: the next event"
has 'Timestamps' "the same field stays selected"
tscreen 120 40 "$syn click:30,19"
has 'TCP Source port: 2 bytes at offset 34' "a click selects a field"
tscreen 120 40 "$syn click:20,34"
has 'TCP Destination port: 2 bytes at offset 36' "a click on a hex byte selects its field"
tscreen 80 24 "$syn"
lines 24 "detail at 80x24"
has '^ Destination +00:00:00:00:00:00 +0 6 bytes' "detail at 80x24: no layer column"
has '^ 0000  00 00' "hex at 80x24"
tscreen 60 15 "$syn"
has '^ 0000  00 00 00 00 00 00 00 00' "8 bytes a line at 60x15"
tscreen 30 6 "$syn"
has 'Terminal too small' "detail below the minimum"
tscreen 120 40 "Enter"
has 'No event is selected yet' "detail before any event"

# search and display filter
tscreen 120 40 "/ type:HELLO Enter"
has 'event 12 of 12 shown, frame 12' "search HELLO selects the first reply"
has '"HELLO": 3 matches' "the count of matches"
has 'the server sends 19 bytes' "the reply explained"
tscreen 120 40 "/ type:HELLO Enter n n n"
has 'frame 12 .*wrapped to the top' "n wraps around"
tscreen 120 40 "/ type:HELLO Enter N"
has 'frame 20 .*wrapped to the end' "N: the previous match, from the end"
tscreen 120 40 "/ type:hello Enter"
has 'event 10 of 10 shown, frame 10' "lower case: any case, the request first"
tscreen 120 40 "/ type:HELLO Enter Esc n"
has 'event 13 of 13 shown' "Esc ends the search: n steps again"
tscreen 120 40 "/ type:nothing_here Enter"
has '"nothing here" not found' "no match"
tscreen 120 40 ": type:stream_1 Enter G"
has '^ +127\.0\.0\.1:51592 +127\.0\.0\.1:12000$' ":stream 1 keeps two lifelines"
has 'event 10 of 10 shown, frame 27 │ :stream 1' "the filter in the status bar"
tscreen 120 40 ": type:flag_SYN Enter G"
has 'event 6 of 6 shown' ":flag SYN: three SYNs and three SYN+ACKs"
tscreen 120 40 ": type:port_12000_not_flag_ACK Enter G"
has 'event 3 of 3 shown' "not: the SYNs alone"
tscreen 120 40 ": type:bogus Enter"
has "filter: 'bogus' is not a filter term" "a bad filter is explained"
has '^:bogus_' "and stays to be fixed"
tscreen 120 40 ": type:udp Enter"
has 'No event passes the filter' "nothing passes"
tscreen 120 40 ": type:stream_1 Enter G : Backspace Backspace Backspace Backspace Backspace Backspace Backspace Backspace Enter"
has 'event 27 of 27 shown.*frame 27$' "an empty filter shows everything again, in place"

# the mouse: a click selects an arrow, the wheel moves the selection
tscreen 120 40 ": type:stream_1 Enter G click:60,5"
has 'event 2 of 10 shown, frame 5' "a click on the SYN+ACK selects it"
tscreen 120 40 ": type:stream_1 Enter G wheelup:60,10"
has 'event 7 of 10 shown' "the wheel moves the selection up"
tscreen 120 40 "G click:5,0"
has 'event 30 of 30 shown' "a click on the header changes nothing"

# help follows the screen; Tab cycles the screens
tscreen 120 40 "f ?"
has '^Keys on the flow list' "help opens at the flow list's keys"
has 'Space +choose the flow' "flow keys in the help"
tscreen 120 40 "n Tab"
has 'Flows: 3 conversations' "Tab: diagram to flows"
tscreen 120 40 "n Tab Tab"
has 'Packet detail: frame 1' "Tab: flows to detail"
tscreen 120 40 "n Tab Tab Tab"
has 'event 1 of 1 shown' "Tab: back to the diagram"

# ---- classroom: --present, label detail (v) ----
cap_args_present() { COLUMNS=$1 LINES=$2 "$bin" open "$cap" --present --headless-frames "$3" \
  ${4:+--headless-keys "$4"} >"$tmp/screen" 2>"$tmp/err" </dev/null || {
  echo "FAIL: --present at $1x$2"; cat "$tmp/err"; fails=$((fails+1)); }; }
cap_args_present 120 40 5
lines 40 "--present at 120x40"
has 'SYN seq=0 ─+▶|SYN seq=0 -+>' "--present: minimal SYN label"
hasnt 'win=|MSS=' "--present: no window, no options"
has 'Data: the client sends 15 bytes' "--present: the explanation"
# a row of bare lifelines right under every arrow
if awk '/(─|-)(▶|>)|(◀|<)(─|-)/ { getline nxt; if (nxt ~ /(▶|◀)/) bad=1; n++ }
        END { exit !(n >= 3 && !bad) }' "$tmp/screen" &&
   [ "$(awk '/(▶|◀)/{print NR}' "$tmp/screen" | awk 'NR>1 && $1-p < 3 {c++} {p=$1} END{print c+0}')" = 0 ]
then passed=$((passed+1)); else echo "FAIL: --present: no blank row between arrows"
  sed 's/^/    | /' "$tmp/screen"; fails=$((fails+1)); fi
cap_args_present 120 40 6 "n n n v v"
has 'SYN seq=0 win=[0-9]+ MSS=1460' "v v: full labels with the options"
has 'labels: full' "the level in the status bar"
cap_args_present 120 40 5 "n n n v"
has 'ACK seq=1 ack=1 win=' "v: normal labels have the window"
hasnt 'MSS=' "v: normal labels have no options"
screen 120 40 5 "n n n v"
has 'labels: minimal' "v without --present: full -> minimal"
hasnt 'win=' "v without --present: minimal labels"
cap_args_present 60 9 3
has 'SYN\+ACK: the server' "--present keeps the explanation at 60x9"
cap_args_present 80 24 4
lines 24 "--present at 80x24"
cap_args_present 30 6 2
has 'Terminal too small' "--present below the minimum"

# ---- themes (t) and the legend (l) ----
screen 120 40 5 "n n n t"
has 'packets │ light │ PAUSED' "t: dark -> light, named in the status bar"
has 'theme: light \(t: next\)' "t says which theme"
screen 120 40 7 "n n n t t t"
has 'packets │ mono │ PAUSED' "t t t: mono"
screen 120 40 8 "n n n t t t t"
hasnt 'light|projector|mono' "t four times: dark again"
NO_COLOR=1 screen 120 40 3 "n t"
has 'packets │ mono │ PAUSED' "NO_COLOR: mono"
has 'NO_COLOR is set: the theme stays mono' "NO_COLOR: t stays mono"
screen 120 40 4 "n n l"
has 'Legend \(l closes\)' "l shows the legend"
for kind in 'SYN +opens' 'SYN\+ACK +accepts' 'ACK +acknowledges' 'data +carries' 'FIN +no more' \
  'RST +aborts' 'UDP +one datagram' '\[marks\] +retransmission' 'API call +connect'; do
  has "$kind" "the legend names $kind"
done
has 'SYN\+ACK seq=0' "the diagram stays under the legend"
screen 120 40 5 "n n l l"
hasnt 'Legend' "l again closes the legend"
screen 60 15 4 "n n l"
has 'Legend' "the legend at 60x15"
has 'PAUSED' "the status bar under the legend at 60x15"
screen 80 24 4 "n ? "
has 'l +legend: the colour and glyph' "the legend in the help"
has 't +theme: dark, light, projector' "the theme in the help"
has 'v +label detail' "label detail in the help"

# ---- horizontal pan (< >, Shift-arrows) and fit (z): four lifelines in 80 columns ----
pscreen() { COLUMNS=$1 LINES=$2 "$bin" open "$threaded" --present --headless-frames \
  "$(frames "$3")" --headless-keys "$3" >"$tmp/screen" 2>"$tmp/err" </dev/null || {
  echo "FAIL: --present $3"; cat "$tmp/err"; fails=$((fails+1)); }; }
pscreen 80 24 "n n n"
has '^ time +client +client +client$' "--present at 80x24: the first three lifelines"
has '127\.0\.0\.1:51582' "the first client is on screen"
hasnt '127\.0\.0\.1:12000' "the server is panned off"
has 'pan 0/2' "the status bar says there is more to the right"
pscreen 80 24 "n n n >"
has '^ time +client +client +server$' "> pans the header with the diagram"
hasnt '51582' "the first client panned off to the left"
has 'lifelines 2-4 of 4' "> says which lifelines are shown"
has '^ 0\.000015 .*SYN\+ACK seq=0 ack=1' "arrows pan with the header"
pscreen 80 24 "n n n > > >"
has 'the right end: lifelines 2-4 of 4' "> stops at the last lifeline"
pscreen 80 24 "n n n > S-Left"
has '127\.0\.0\.1:51582' "Shift-Left pans back"
pscreen 80 24 "n n n <"
has 'the left end' "< stops at the first lifeline"
pscreen 80 24 "n n n z"
has '^ time +client +client +client +server' "z fits every lifeline"
has 'fit: every lifeline on screen' "z says so"
hasnt 'pan [0-9]' "nothing to pan in fit mode"
pscreen 80 24 "n n n z z >"
has 'lifelines 2-4 of 4' "z again: panning again"
pscreen 60 15 "n n n > > resize:120x40 n"
has '127\.0\.0\.1:51582 .*127\.0\.0\.1:12000' "a resize that makes room shows every lifeline"
pscreen 40 10 "n n > > > > z <"
has 'tcp-threaded' "pan and fit at 40x10"
screen 120 40 3 "n >"
has 'every lifeline fits: nothing to pan' "> with nothing to pan"

# every capture to its end, in ASCII and in every theme
for f in "$repo"/captures/*.pcap; do
  for theme in dark light projector mono; do
    COLUMNS=100 LINES=30 "$bin" open "$f" --theme $theme --headless-frames 3 \
      --headless-keys "G k" >"$tmp/screen" 2>"$tmp/err" </dev/null
    if [ $? != 0 ]; then echo "FAIL: $f --theme $theme"; cat "$tmp/err"; fails=$((fails+1)); fi
  done
  COLUMNS=100 LINES=30 "$bin" open "$f" --ascii --headless-frames 2 --headless-keys "G" \
    >"$tmp/screen" 2>"$tmp/err" </dev/null || { echo "FAIL: $f --ascii"; fails=$((fails+1)); }
  if grep -qP '[^\x00-\x7f]' "$tmp/screen"; then
    echo "FAIL: $f --ascii drew non-ASCII"; fails=$((fails+1)); else passed=$((passed+1)); fi
  # every screen of every capture (under the sanitizers in CI)
  keys="G k v v l t t > > z < Enter j j j G click:40,30 wheelup:1,1 n f Space Enter / type:e Enter n N : type:tcp Enter"
  keys="$keys Tab Tab S-Tab f s s / type:12 Esc Enter ? j q"
  for size in "80 24" "60 15"; do
    set -- $size
    COLUMNS=$1 LINES=$2 "$bin" open "$f" --ascii --headless-frames "$(frames "$keys")" \
      --headless-keys "$keys" >"$tmp/screen" 2>"$tmp/err" </dev/null
    if [ $? != 0 ]; then echo "FAIL: $f every screen at ${1}x$2"; cat "$tmp/err"
      fails=$((fails+1)); else passed=$((passed+1)); fi
    if grep -qP '[^\x00-\x7f]' "$tmp/screen"; then
      echo "FAIL: $f --ascii screens drew non-ASCII"; fails=$((fails+1)); fi
  done
done

# the command's errors: one line, exit 2
expect_rc() {
  local want=$1 pattern=$2; shift 2
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local rc=$?
  if [ $rc != "$want" ] || ! grep -qE -- "$pattern" "$tmp/out" "$tmp/err"; then
    echo "FAIL: sockscope $* -> $rc (want $want), no /$pattern/"; cat "$tmp/err"
    fails=$((fails+1)); else passed=$((passed+1)); fi
}
expect_rc 0 'usage: sockscope open' open --help
expect_rc 0 'open FILE' --help
expect_rc 2 'which capture' open
expect_rc 2 'No such file' open "$tmp/nope.pcap"
expect_rc 2 'unknown --theme' open --theme neon "$cap"
expect_rc 2 'needs --headless-frames' open --headless-keys n "$cap"
echo "not a capture" >"$tmp/notes.txt"
expect_rc 2 'notes.txt' open "$tmp/notes.txt"

# no terminal at all (no controlling tty, redirected stdio): exit 1 and say what to use
if command -v setsid >/dev/null; then
  setsid "$bin" open "$cap" </dev/null >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ $rc = 1 ] && grep -q "no terminal to draw on.*sockscope trace" "$tmp/err"; then
    passed=$((passed+1)); else echo "FAIL: open without a terminal -> $rc"; cat "$tmp/err"
    fails=$((fails+1)); fi
fi

finish
