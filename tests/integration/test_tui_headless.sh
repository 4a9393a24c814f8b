#!/usr/bin/env bash
# sockscope open without a keyboard (--headless-frames): the screen at 120x40, 80x24, 60x15
# and too small, keys and resizes from a script, every capture to its end, and the command's
# errors. Runs anywhere (no tmux, no terminal), so the sanitizer build covers the TUI.
# usage: test_tui_headless.sh SOCKSCOPE REPO
set -u
bin=$1 repo=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0 passed=0
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
# has PATTERN WHAT: the last screen matches PATTERN
has() {
  if grep -qE -- "$1" "$tmp/screen"; then passed=$((passed+1)); else
    echo "FAIL: $2: no /$1/ on the screen:"; sed 's/^/    | /' "$tmp/screen"; fails=$((fails+1)); fi
}
hasnt() {
  if ! grep -qE -- "$1" "$tmp/screen"; then passed=$((passed+1)); else
    echo "FAIL: $2: /$1/ is on the screen:"; sed 's/^/    | /' "$tmp/screen"; fails=$((fails+1)); fi
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
has '→ n l PgDn|Right n l PgDn' "help lists every key of an action"
total=$("$bin" trace --format json "$cap" | wc -l)
screen 120 40 4 "G ? q"
has "event $total of $total shown" "G shows everything; q closes the help"
has 'ACK: the client acknowledges the server.s FIN' "the last ACK explained"
screen 120 40 8 "n n resize:60x15 n resize:30x6 resize:80x24 n"
lines 24 "resized to 80x24"
has 'event 4 of 4 shown' "steps between resizes"
screen 120 40 4 "+ + Space"
has 'REPLAY x4' "Space plays, + speeds up"
screen 80 24 2 "x"
has 'key x does nothing here' "unknown keys are answered"

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

echo "$passed checks passed, $fails failed"
[ $fails = 0 ]
