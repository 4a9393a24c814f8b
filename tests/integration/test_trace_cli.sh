#!/usr/bin/env bash
# The trace command as a user meets it: help, exit codes, and one clear line on stderr naming
# the file or argument for every kind of bad input. usage: test_trace_cli.sh SOCKSCOPE REPO
set -u
bin=$1 repo=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0 passed=0

# expect RC PATTERN -- ARGS...: runs sockscope ARGS, checks exit code and that stderr (or
# stdout for rc 0) matches PATTERN.
expect() {
  local want=$1 pattern=$2; shift 3
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local rc=$?
  local where="$tmp/err"; [ "$want" = 0 ] && where="$tmp/out"
  if [ "$rc" != "$want" ] || ! grep -qE -- "$pattern" "$where"; then
    echo "FAIL: sockscope $* -> exit $rc (want $want), looked for /$pattern/ in:"; sed 's/^/    /' "$where" | head -5
    fails=$((fails+1))
  else
    passed=$((passed+1))
  fi
  if [ "$want" = 2 ] && [ "$(wc -l <"$tmp/err")" -gt 2 ]; then
    echo "FAIL: sockscope $* printed more than a short error:"; head -5 "$tmp/err"; fails=$((fails+1))
  fi
}

cap=$repo/captures/tcp-echo-ipv4.pcap
: >"$tmp/empty.pcap"
echo "not a capture at all" >"$tmp/notes.txt"
head -c 100 "$cap" >"$tmp/cut.pcap"           # header + part of the first record
head -c $(( $(stat -c %s "$cap") - 7 )) "$cap" >"$tmp/lastcut.pcap"
# a valid pcap header with link type 147 (user-defined): nothing we can decode
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x93\x00\x00\x00' >"$tmp/user.pcap"

expect 0 'usage: sockscope COMMAND' -- --help
expect 0 '^sockscope [0-9]' -- --version
expect 0 'usage: sockscope trace' -- trace --help
expect 2 'unknown command' -- frobnicate
expect 2 'which capture' -- trace
expect 2 'No such file' -- trace "$tmp/nope.pcap"
expect 2 'is a directory' -- trace "$tmp"
expect 2 'empty file' -- trace "$tmp/empty.pcap"
expect 2 'notes.txt: not a pcap or pcapng' -- trace "$tmp/notes.txt"
expect 2 "link type 147" -- trace "$tmp/user.pcap"
expect 2 "invalid filter expression 'tcp port banana'" -- trace "$cap" tcp port banana
expect 2 "unknown --format 'xml'" -- trace "$cap" --format xml
expect 2 "unknown --time" -- trace "$cap" --time never
expect 2 -- "--width wants" -- trace "$cap" --width 5
expect 2 -- "--flow wants" -- trace "$cap" --flow x
expect 2 -- "-c wants" -- trace "$cap" -c 0
expect 2 "unknown option '--bogus'" -- trace "$cap" --bogus
expect 2 "option '--raw' takes no value" -- trace "$cap" --raw=1
expect 2 "option '--format' needs a value" -- trace "$cap" --format
expect 2 "option '--flow' needs a value" -- trace "$cap" --flow
expect 2 'x1B\[31mred\\u202Eevil: No such file' -- trace "$tmp/"$'\e[31mred\u202eevil'
# ...and no byte of it reaches the terminal raw
"$bin" trace "$tmp/"$'\e[31mred\u202eevil' 2>"$tmp/err"
if LC_ALL=C grep -q $'\e\\|\xe2\x80\xae' "$tmp/err"; then echo "FAIL: an escape or U+202E in an error line"; fails=$((fails+1)); else passed=$((passed+1)); fi
expect 2 "no readable frame" -- trace "$tmp/cut.pcap"

# a truncated last record: everything readable printed, a warning, exit 0
"$bin" trace "$tmp/lastcut.pcap" --format json >"$tmp/out" 2>"$tmp/err"; rc=$?
whole=$("$bin" trace "$cap" --format json | wc -l)
if [ $rc = 0 ] && grep -q 'warning:.*lastcut.pcap' "$tmp/err" && [ "$(wc -l <"$tmp/out")" -eq $((whole-1)) ]; then
  passed=$((passed+1))
else
  echo "FAIL: truncated last record: exit $rc, $(wc -l <"$tmp/out") of $((whole-1)) lines"; cat "$tmp/err"; fails=$((fails+1))
fi

# options after the file, a BPF that keeps frame numbers, -c, --flow
n=$("$bin" trace "$cap" --format json -c 3 | wc -l)
[ "$n" = 3 ] && passed=$((passed+1)) || { echo "FAIL: -c 3 gave $n lines"; fails=$((fails+1)); }
first=$("$bin" trace "$cap" --format json 'tcp[tcpflags] & tcp-fin != 0' | head -1 | grep -o '"frame":[0-9]*')
[ "$first" != '"frame":1' ] && [ -n "$first" ] && passed=$((passed+1)) || { echo "FAIL: BPF frame numbers: $first"; fails=$((fails+1)); }
n=$("$bin" trace "$repo/captures/tcp-threaded.pcap" --format json --flow tcp:1 | grep -vc '"stream":1,' )
[ "$n" = 0 ] && passed=$((passed+1)) || { echo "FAIL: --flow tcp:1 let $n other frames through"; fails=$((fails+1)); }

# colour only when asked or on a terminal, never with NO_COLOR
"$bin" trace "$cap" >"$tmp/plain"; NO_COLOR=1 "$bin" trace "$cap" >"$tmp/nocolor"; "$bin" trace "$cap" --color >"$tmp/color"
if ! grep -q $'\x1b' "$tmp/plain" && ! grep -q $'\x1b' "$tmp/nocolor" && grep -q $'\x1b\[' "$tmp/color"; then
  passed=$((passed+1)); else echo "FAIL: colour rules"; fails=$((fails+1)); fi
# on a terminal: colour, but none when TERM=dumb; open refuses a dumb terminal in one line
if command -v script >/dev/null; then
  TERM=xterm script -qec "'$bin' trace '$cap'" /dev/null >"$tmp/tty" </dev/null
  TERM=dumb script -qec "'$bin' trace '$cap'" /dev/null >"$tmp/dumb" </dev/null
  if grep -q $'\x1b\[' "$tmp/tty" && ! grep -q $'\x1b' "$tmp/dumb" && grep -q 'SYN' "$tmp/dumb"; then
    passed=$((passed+1)); else echo "FAIL: TERM=dumb still gets colour (or a terminal gets none)"; fails=$((fails+1)); fi
fi
TERM=dumb "$bin" open "$cap" >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
if [ $rc = 1 ] && grep -q "TERM=dumb cannot draw the terminal UI" "$tmp/err" && [ "$(wc -l <"$tmp/err")" = 1 ]; then
  passed=$((passed+1)); else echo "FAIL: open under TERM=dumb: exit $rc"; cat "$tmp/err"; fails=$((fails+1)); fi

# ASCII when asked, or when the locale is not UTF-8
LC_ALL=C "$bin" trace "$cap" >"$tmp/c"; "$bin" trace "$cap" --ascii >"$tmp/a"
if LC_ALL=C grep -q $'[\x80-\xff]' "$tmp/c" "$tmp/a"; then echo "FAIL: non-ASCII output in ASCII mode"; fails=$((fails+1)); else passed=$((passed+1)); fi
LC_ALL=C.UTF-8 "$bin" trace "$cap" >"$tmp/u"
grep -q '│' "$tmp/u" && passed=$((passed+1)) || { echo "FAIL: no box drawing in a UTF-8 locale"; fails=$((fails+1)); }

# --width is respected by every line
"$bin" trace "$repo/captures/tcp-threaded.pcap" --width 60 --ascii >"$tmp/w"
long=$(awk 'length > 60' "$tmp/w" | grep -vc 'frames:')
[ "$long" = 0 ] && passed=$((passed+1)) || { echo "FAIL: $long lines wider than 60"; fails=$((fails+1)); }

# --number: the frame column holds each arrow's number in the file, as tshark numbers it;
# a filter keeps the file's numbers; without it there is no such column
"$bin" trace "$repo/captures/tcp-vs-udp.pcap" --number --ascii --width 100 >"$tmp/n"
got=$(grep -oE '^ +[0-9]+ [0-9]+\.[0-9]{6} ' "$tmp/n" | awk '{print $1}' | tr '\n' ' ')
want=$(seq 1 12 | tr '\n' ' ')
[ "$got" = "$want" ] && passed=$((passed+1)) || { echo "FAIL: --number gave '$got', want '$want'"; fails=$((fails+1)); }
grep -qE '^ +frame time' "$tmp/n" && passed=$((passed+1)) || { echo "FAIL: --number: no 'frame' title"; fails=$((fails+1)); }
"$bin" trace "$repo/captures/tcp-vs-udp.pcap" udp --number --ascii --width 100 >"$tmp/n"
got=$(grep -oE '^ +[0-9]+ [0-9]+\.[0-9]{6} ' "$tmp/n" | awk '{print $1}' | tr '\n' ' ')
[ "$got" = "11 12 " ] && passed=$((passed+1)) || { echo "FAIL: --number with a filter gave '$got', want '11 12 '"; fails=$((fails+1)); }
"$bin" trace "$repo/captures/tcp-vs-udp.pcap" --ascii --width 100 >"$tmp/n"
if grep -qE '^ +1 0\.000000 ' "$tmp/n"; then echo "FAIL: a frame column without --number"; fails=$((fails+1)); else passed=$((passed+1)); fi

# a capture cut short while trace reads it (a tcpdump -w restarted on the same file): what was
# read is printed, one line says the file changed, exit 1, no SIGBUS. The pipe holds trace
# back until the reader has taken its first line; only then is the file cut.
make_big() { # FILE: 40,000 UDP frames of 1 KB, about 42 MB
  python3 - "$1" <<'PY'
import struct, sys
frame = bytes(12) + b'\x08\x00' + bytes.fromhex('4500041c0000400040110000c0000201c0000202') \
    + bytes.fromhex('2ee02ee004080000') + b'x' * 1024
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(40000):
        f.write(struct.pack('<IIII', 1700000000 + i // 1000, i % 1000 * 1000, len(frame), len(frame)))
        f.write(frame)
PY
}
for fmt in json text; do
  make_big "$tmp/big.pcap"
  { "$bin" trace "$tmp/big.pcap" --format $fmt 2>"$tmp/err"; echo $? >"$tmp/rc"; } |
    { IFS= read -r _; truncate -s 1000000 "$tmp/big.pcap"; cat >"$tmp/rest"; }
  rc=$(cat "$tmp/rc")
  if [ "$rc" = 1 ] && grep -q 'the file changed while it was read' "$tmp/err" &&
     [ "$(wc -l <"$tmp/err")" = 1 ] && [ -s "$tmp/rest" ]; then
    passed=$((passed+1))
  else
    echo "FAIL: $fmt trace of a file cut while read: exit $rc, stderr:"; head -3 "$tmp/err"; fails=$((fails+1))
  fi
done

echo "$passed passed, $fails failed"
[ $fails = 0 ]
