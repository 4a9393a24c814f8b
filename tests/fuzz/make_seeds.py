#!/usr/bin/env python3
"""Seeds for fuzz_decode_track from real captures (pcap or pcapng).

Writes, into OUT_DIR (keep it outside the repo), one seed per frame and one seed per file
holding its first frames in order, in the target's input format: a link type selector
byte, then frames as a 2-byte big-endian length (top bit: cut by a snaplen) and the bytes.

    python3 tests/fuzz/make_seeds.py OUT_DIR FILE.pcap...
"""
import hashlib
import os
import struct
import sys

# Must match LINKTYPES in fuzz_decode_track.c.
SELECTOR = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 228: 6, 229: 7, 12: 8, 14: 9}
MAX_FRAME = 0x7FFF
FRAMES_PER_FILE = 200
FRAMES_PER_SEQUENCE = 16


def pcap_frames(data):
    """Yields (linktype, frame, wirelen) from a classic pcap."""
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        if incl > len(data) - off:
            break
        yield linktype, data[off:off + incl], orig
        off += incl


def pcapng_frames(data):
    """Yields (linktype, frame, wirelen) from a pcapng (EPB, SPB and obsolete PB)."""
    off, e, links = 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif btype in (6, 2) and len(body) >= 20:
            iface, _, _, incl, orig = struct.unpack(e + "IIIII", body[:20])
            if btype == 2:
                iface &= 0xFFFF
            if iface < len(links):
                yield links[iface], body[20:20 + incl], orig
        elif btype == 3 and len(body) >= 4 and links:
            orig = struct.unpack(e + "I", body[:4])[0]
            yield links[0], body[4:4 + orig], orig
        off += blen


def encode(frame, wirelen):
    frame = frame[:MAX_FRAME]
    cut = 0x8000 if wirelen > len(frame) else 0
    return struct.pack(">H", cut | len(frame)) + frame


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    written = 0
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            data = f.read()
        reader = pcapng_frames if data[:4] == b"\x0a\x0d\x0d\x0a" else pcap_frames
        by_link = {}
        try:
            for i, (linktype, frame, wirelen) in enumerate(reader(data)):
                if i >= FRAMES_PER_FILE:
                    break
                if linktype in SELECTOR:
                    by_link.setdefault(linktype, []).append(encode(frame, wirelen))
        except struct.error:
            pass  # a damaged file: keep what was read
        for linktype, frames in by_link.items():
            head = bytes([SELECTOR[linktype]])
            seeds = [head + fr for fr in frames]
            seeds.append(head + b"".join(frames[:FRAMES_PER_SEQUENCE]))
            for seed in seeds:
                name = hashlib.sha1(seed).hexdigest()
                target = os.path.join(out, name)
                if not os.path.exists(target):
                    with open(target, "wb") as f:
                        f.write(seed)
                    written += 1
    print(f"{written} seeds in {out}")


if __name__ == "__main__":
    main()
