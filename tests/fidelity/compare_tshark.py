#!/usr/bin/env python3
"""Fidelity test: sockscope's tracker against tshark, frame by frame.

usage: compare_tshark.py SOCKSCOPE CAPTURES_DIR_OR_FILE... [--max-print N] [--quiet]

For every *.pcap / *.pcapng given (directories are searched, not recursively), runs
tshark (the reference; written against 4.0) and `SOCKSCOPE trace F --format json` and
compares per frame: stream (tcp.stream / udp.stream, also for ICMP errors quoting a flow),
TCP flags, relative seq/ack, raw seq, length, scaled window, the set of analysis marks,
the ACKed frame, the ACK RTT (within 1 us) and the duplicate-ACK number and frame.

Exit 0 when everything agrees, 1 on any mismatch (each printed as
FILE FRAME FIELD ours=... tshark=...), 77 (skipped) when tshark is missing or there is no
capture to compare. Plain python3 standard library.
"""
import json
import os
import shutil
import subprocess
import sys

MARKS = [
    "retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
    "lost_segment", "ack_lost_segment", "duplicate_ack", "zero_window", "zero_window_probe",
    "zero_window_probe_ack", "window_update", "window_full", "keep_alive", "keep_alive_ack",
    "reused_ports",
]

FIELDS = [
    "frame.number", "frame.protocols", "tcp.stream", "udp.stream", "tcp.flags", "tcp.seq",
    "tcp.ack", "tcp.seq_raw", "tcp.len", "udp.length", "tcp.window_size",
    "tcp.analysis.ack_rtt", "tcp.analysis.acks_frame", "tcp.analysis.duplicate_ack_num",
    "tcp.analysis.duplicate_ack_frame",
] + ["tcp.analysis." + m for m in MARKS]

# Explicit preferences, so a user's profile cannot change the reference. TCP reassembly is
# off: it does not change the analysis, only what subdissectors see (and costs time). IP
# reassembly is off too: sockscope files a first fragment under its conversation, as tshark
# does without reassembly (with it, tshark shows the datagram at its last fragment).
PREFS = [
    "tcp.analyze_sequence_numbers:TRUE",
    "tcp.relative_sequence_numbers:TRUE",
    "tcp.default_window_scaling:Not known",
    "tcp.track_bytes_in_flight:TRUE",
    "tcp.calculate_timestamps:TRUE",
    "tcp.fastrt_supersedes_ooo:TRUE",
    "tcp.desegment_tcp_streams:FALSE",
    "tcp.reassemble_out_of_order:FALSE",
    "tcp.try_heuristic_first:FALSE",
    "tcp.ignore_tcp_timestamps:FALSE",
    "udp.try_heuristic_first:FALSE",
    "ip.defragment:FALSE",
    "ipv6.defragment:FALSE",
]

# Dissectors that create conversations of their own (wildcard ports, expected data
# channels) and could shift udp.stream numbering away from what the transport layers see.
DISABLED = ["tftp", "rtp", "rtcp", "sdp", "sip", "ftp", "ftp-data", "rtsp"]

TRANSPORTS = ("tcp", "udp", "icmp", "icmpv6")


def first(value):
    """First occurrence of a field that tshark may print several times."""
    return value.split(",")[0] if value else ""


def tshark_frames(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a"]
    for p in PREFS:
        cmd += ["-o", p]
    for d in DISABLED:
        cmd += ["--disable-protocol", d]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         errors="replace").stdout
    frames = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) < len(FIELDS):
            cols += [""] * (len(FIELDS) - len(cols))
        row = dict(zip(FIELDS, cols))
        try:
            frames[int(row["frame.number"])] = row
        except ValueError:
            continue
    return frames


def ours_frames(binary, path):
    proc = subprocess.run([binary, "trace", path, "--format", "json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, errors="replace")
    frames = {}
    for line in proc.stdout.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if obj.get("kind") == "packet" and isinstance(obj.get("frame"), int):
            frames[obj["frame"]] = obj
    return proc.returncode, proc.stderr.strip(), frames


def tshark_transport(protocols):
    """The first transport layer tshark saw (the one sockscope decodes), or None."""
    for layer in protocols.split(":"):
        if layer in TRANSPORTS:
            return "icmp" if layer == "icmpv6" else layer
    return None


def tshark_marks(row):
    marks = {m for m in MARKS if row["tcp.analysis." + m]}
    # tshark also raises the generic retransmission expert info for these two.
    if marks & {"fast_retransmission", "spurious_retransmission"}:
        marks.discard("retransmission")
    return marks


def as_int(text):
    text = first(text)
    if text == "":
        return None
    return int(text, 0)


def compare_frame(num, t, o, report):
    proto = tshark_transport(t["frame.protocols"])
    oproto = o.get("proto") if o else None
    if proto is None:
        if o and o.get("stream") is not None and oproto in ("tcp", "udp"):
            report(num, "stream", o.get("stream"), "(no tcp/udp layer)")
        return
    if o is None:
        report(num, "frame", "(missing)", proto)
        return
    if proto != oproto:
        report(num, "proto", oproto, proto)
        return

    if proto == "icmp":
        quoted = (o.get("quoted") or {}).get("proto")
        tstream = as_int(t["udp.stream"] if quoted == 17 else t["tcp.stream"])
        if tstream is None:
            tstream = as_int(t["tcp.stream"]) if quoted != 6 else None
        if o.get("stream") != tstream:
            report(num, "stream", o.get("stream"), tstream)
        return

    if proto == "udp":
        tstream = as_int(t["udp.stream"])
        if o.get("stream") != tstream:
            report(num, "stream", o.get("stream"), tstream)
        ulen = as_int(t["udp.length"])
        # A UDP length that lies is decode's business (it trusts the IP length instead).
        if o.get("status") == "ok" and ulen is not None and ulen >= 8 and o.get("len") != ulen - 8:
            report(num, "len", o.get("len"), ulen - 8)
        return

    # TCP
    tstream = as_int(t["tcp.stream"])
    if o.get("stream") != tstream:
        report(num, "stream", o.get("stream"), tstream)
    if tstream is None or o.get("stream") is None:
        return
    checks = [
        ("flags_bits", "tcp.flags"), ("seq", "tcp.seq"), ("ack", "tcp.ack"),
        ("seq_raw", "tcp.seq_raw"), ("len", "tcp.len"), ("win", "tcp.window_size"),
    ]
    for key, field in checks:
        want = as_int(t[field])
        if want is None:
            continue  # tshark gave up on this header (short or malformed segment)
        if o.get(key) != want:
            report(num, key, o.get(key), want)

    want_marks = tshark_marks(t)
    got_marks = set(o.get("analysis") or [])
    if got_marks != want_marks:
        report(num, "analysis", ",".join(sorted(got_marks)) or "-",
               ",".join(sorted(want_marks)) or "-")

    want_acks = as_int(t["tcp.analysis.acks_frame"])
    if o.get("acks_frame") != want_acks:
        report(num, "acks_frame", o.get("acks_frame"), want_acks)
    rtt = first(t["tcp.analysis.ack_rtt"])
    ours_rtt = o.get("ack_rtt")
    if rtt:
        if ours_rtt is None or abs(float(ours_rtt) - float(rtt)) > 1e-6:
            report(num, "ack_rtt", ours_rtt, rtt)
    elif ours_rtt not in (None, 0, 0.0) and want_acks is None:
        report(num, "ack_rtt", ours_rtt, None)

    dup = o.get("dup_ack") or {}
    want_n = as_int(t["tcp.analysis.duplicate_ack_num"])
    want_of = as_int(t["tcp.analysis.duplicate_ack_frame"])
    if want_n is not None or dup:
        if dup.get("n") != want_n or dup.get("of") != want_of:
            report(num, "dup_ack", "%s#%s" % (dup.get("of"), dup.get("n")),
                   "%s#%s" % (want_of, want_n))


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.endswith((".pcap", ".pcapng")):
                    files.append(os.path.join(p, name))
        elif os.path.isfile(p):
            files.append(p)
    return files


def main(argv):
    max_print = 100
    quiet = False
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--max-print":
            max_print = int(argv[i + 1])
            i += 2
            continue
        if argv[i] == "--quiet":
            quiet = True
        else:
            args.append(argv[i])
        i += 1
    if len(args) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary, paths = args[0], args[1:]
    if shutil.which("tshark") is None:
        print("SKIP: tshark not installed (apt-get install -y tshark)")
        return 77
    files = collect(paths)
    if not files:
        print("SKIP: no .pcap/.pcapng captures in %s" % " ".join(paths))
        return 77
    if not os.access(binary, os.X_OK):
        print("FAIL: %s is not an executable sockscope" % binary)
        return 1

    total_frames = total_bad = skipped = 0
    by_field = {}
    for path in files:
        name = os.path.basename(path)
        want = tshark_frames(path)
        rc, err, got = ours_frames(binary, path)
        printed = [0]
        bad = [0]

        def report(num, field, ours, theirs):
            bad[0] += 1
            by_field[field] = by_field.get(field, 0) + 1
            if printed[0] < max_print:
                print("%s %s %s ours=%s tshark=%s" % (name, num, field, ours, theirs))
                printed[0] += 1

        if rc == 2 and not got:
            # Bad input for sockscope (e.g. a link type it does not decode): not a tracker
            # question, so the file is left out rather than failed.
            print("%s: skipped, trace refused it: %s" % (name, err.splitlines()[0] if err else ""))
            skipped += 1
            continue
        if rc != 0 and not got:
            print("%s - trace exit=%d ours=%s tshark=%d frames" % (name, rc, err[:200], len(want)))
            total_bad += 1
            by_field["trace"] = by_field.get("trace", 0) + 1
            continue
        for num in sorted(want):
            compare_frame(num, want[num], got.get(num), report)
        if bad[0] > printed[0]:
            print("%s ... %d more mismatches" % (name, bad[0] - printed[0]))
        if not quiet:
            print("%s: %d frames, %d mismatches" % (name, len(want), bad[0]))
        total_frames += len(want)
        total_bad += bad[0]

    summary = ", ".join("%s %d" % kv for kv in sorted(by_field.items()))
    print("%d files (%d skipped), %d frames, %d mismatches%s"
          % (len(files), skipped, total_frames, total_bad, " (" + summary + ")" if summary else ""))
    if skipped == len(files):
        return 77
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
