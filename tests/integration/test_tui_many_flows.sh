#!/usr/bin/env bash
# sockscope open on a capture with more endpoints than lifelines fit (a made-up capture of 40
# TCP connections to one server, written here with python3): the whole diagram turns the late
# connections into notes, but a flow chosen on the flow list gets its own lifelines, its
# arrows, labels and states, however late it comes; the status bar counts every packet.
# usage: test_tui_many_flows.sh SOCKSCOPE REPO
set -u
bin=$1
command -v python3 >/dev/null || { echo "SKIP: needs python3 to write the capture"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/screen_checks.sh"
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then export LC_ALL=C.UTF-8; fi
cap=$tmp/many.pcap

python3 - "$cap" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def packet(src, sport, dst, dport, seq, ack, flags, payload=b''):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = struct.pack('!4s4sBBH', src, dst, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return ip + tcp
c, s = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
SYN, ACK, PSH, FIN = 2, 16, 8, 1
out = open(sys.argv[1], 'wb')
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # raw IPv4
t = 1_700_000_000.0
for i in range(40):
    port, a, b = 40000 + i, 1000 * i, 5000 * i
    for src, sp, dst, dp, seq, ack, fl, pay in [
            (c, port, s, 12000, a, 0, SYN, b''), (s, 12000, c, port, b, a + 1, SYN | ACK, b''),
            (c, port, s, 12000, a + 1, b + 1, ACK, b''),
            (c, port, s, 12000, a + 1, b + 1, PSH | ACK, b'hello %d\n' % i),
            (s, 12000, c, port, b + 1, a + 1 + len(b'hello %d\n' % i), PSH | ACK, b'HELLO %d\n' % i),
            (c, port, s, 12000, a + 1 + len(b'hello %d\n' % i), b + 1 + len(b'HELLO %d\n' % i), FIN | ACK, b''),
            (s, 12000, c, port, b + 1 + len(b'HELLO %d\n' % i), a + 2 + len(b'hello %d\n' % i), FIN | ACK, b''),
            (c, port, s, 12000, a + 2 + len(b'hello %d\n' % i), b + 2 + len(b'HELLO %d\n' % i), ACK, b'')]:
        p = packet(src, sp, dst, dp, seq, ack, fl, pay)
        t += 0.001
        out.write(struct.pack('<IIII', int(t), int((t % 1) * 1e6), len(p), len(p)) + p)
PY

screen() { # screen COLS ROWS FRAMES KEYS
  COLUMNS=$1 LINES=$2 "$bin" open "$cap" --headless-frames "$3" --headless-keys "$4" \
    >"$tmp/screen" 2>"$tmp/err" </dev/null || {
    echo "FAIL: open exited $?:"; sed 's/^/    /' "$tmp/err"; fails=$((fails+1)); }
}

# the whole diagram: the last connection has no lifeline left
screen 120 30 3 "G"
has '320 packets' "every packet counted"
has 'frame 320: 10\.0\.0\.1:40039 -> 10\.0\.0\.2:12000 \(no lane free: draw it from the flow list, f\)' "a late packet is a note that says how to draw it"

# the last flow chosen on the flow list: its own two lifelines, the whole conversation
screen 120 30 14 "f G Space Enter n n n n n n n n"
has '^ time +client +server$' "two lifelines: client and server"
has '10\.0\.0\.1:40039 +10\.0\.0\.2:12000' "named after the chosen flow"
has 'SYN seq=0 win=65535' "its SYN is an arrow"
has '(◀|<).*SYN\+ACK seq=0 ack=1' "its SYN+ACK comes back"
has '"hello 39\\n"' "its request"
has '"HELLO 39\\n"' "its reply"
has 'TIME-WAIT' "the client's state after its last ACK"
hasnt 'no lane free' "no note left in the chosen flow"
has 'event 8 of 8 shown, frame 320 .* 1 flow' "status: the flow's 8 events"

# a flow from the middle, the detail of its SYN: read again from the file at its place
screen 120 30 13 "f / type:40020 Enter Space Enter n Enter"
has 'Packet detail: frame 161' "the SYN of the 21st connection is frame 161"
has 'Source port +40020' "its header fields"

finish
