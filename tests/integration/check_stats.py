#!/usr/bin/env python3
"""Checks `sockscope trace FILE --stats --format json` (read on stdin): every {"kind":"flow"}
record against figures computed here from the frame records of the same output — payload
bytes, data segments, first data, the last ACK of new data, acknowledged bytes, throughput =
acked / (last ACK - first data), retransmissions, duplicate ACKs, the smallest window, RTT
min/max of the samples. Exits 1 naming the first figure that differs.

    sockscope trace captures/tcp-loss.pcap --stats --format json | python3 check_stats.py
"""
import json
import sys
from decimal import Decimal


def t(s):
    return Decimal(s) if s is not None else None


def main():
    frames, flows = [], []
    for line in sys.stdin:
        if not line.strip():
            continue
        r = json.loads(line)
        (flows if r.get("kind") == "flow" else frames).append(r)
    if not flows:
        raise SystemExit("no flow records")
    seen = set()
    for f in flows:
        key = (f["proto"], f["stream"])
        seen.add(key)
        mine = [r for r in frames if r.get("proto") == f["proto"] and r.get("stream") == f["stream"]]
        if len(mine) != f["packets"]:
            raise SystemExit(f"{key}: {f['packets']} packets, the frames say {len(mine)}")
        if f["client"] == f["server"]:
            continue  # a hostile capture's conversation with itself: src cannot tell sides
        for name, src in (("client_to_server", f["client"]), ("server_to_client", f["server"])):
            d = f[name]
            sent = [r for r in mine if r["src"] == src]
            back = [r for r in mine if r["src"] != src]
            data = [r for r in sent if r.get("len", 0) > 0]
            want = {
                "packets": len(sent),
                "data_segments": len(data),
                "payload_bytes": sum(r["len"] for r in data),
            }
            for k, v in want.items():
                if d[k] != v:
                    raise SystemExit(f"{key} {name}: {k} {d[k]}, computed {v}")
            if data:
                if t(d["first_data"]) != t(data[0]["ts"]):
                    raise SystemExit(f"{key} {name}: first_data {d['first_data']} != {data[0]['ts']}")
            if f["proto"] != "tcp":
                continue
            if not data:
                if d["acked_bytes"] != 0 or d["last_ack"] is not None:
                    raise SystemExit(f"{key} {name}: ACKs of data that was never sent")
                continue
            first_seq = data[0]["seq"]
            end = max(r["seq"] + r["len"] for r in data)
            top, last_ack = first_seq, None
            for r in back:
                if "ACK" not in r.get("flags", ""):
                    continue
                a = min(r["ack"], end)
                if a > top:
                    top, last_ack = a, r["ts"]
            if d["acked_bytes"] != top - first_seq:
                raise SystemExit(f"{key} {name}: acked_bytes {d['acked_bytes']}, computed {top - first_seq}")
            if t(d["last_ack"]) != t(last_ack):
                raise SystemExit(f"{key} {name}: last_ack {d['last_ack']}, computed {last_ack}")
            if last_ack is not None and t(last_ack) > t(data[0]["ts"]):
                thr = float(top - first_seq) / float(t(last_ack) - t(data[0]["ts"]))
                if d["throughput"] is None or abs(d["throughput"] - thr) > max(0.1, thr * 1e-6):
                    raise SystemExit(f"{key} {name}: throughput {d['throughput']}, computed {thr:.1f}")
            resent = sum(1 for r in sent if set(r["analysis"]) & {"retransmission", "fast_retransmission", "spurious_retransmission"})
            if d["retransmissions"] != resent:
                raise SystemExit(f"{key} {name}: retransmissions {d['retransmissions']}, computed {resent}")
            dups = sum(1 for r in back if "duplicate_ack" in r["analysis"])
            if d["dup_acks"] != dups:
                raise SystemExit(f"{key} {name}: dup_acks {d['dup_acks']}, computed {dups}")
            # a window whose scale is unknown (handshake unseen) is not a scaled window
            wins = [r["win"] for r in back if r.get("win") is not None and not r.get("win_scale_unknown")]
            if wins and d["min_window"] != min(wins):
                raise SystemExit(f"{key} {name}: min_window {d['min_window']}, computed {min(wins)}")
            samples = [Decimal(str(r["sample_rtt"])) for r in back if "sample_rtt" in r and first_seq < r["ack"] <= end]
            if d["rtt_samples"] != len(samples):
                raise SystemExit(f"{key} {name}: rtt_samples {d['rtt_samples']}, computed {len(samples)}")
            if samples and (abs(Decimal(str(d["rtt_min"])) - min(samples)) > Decimal("1e-9")
                            or abs(Decimal(str(d["rtt_max"])) - max(samples)) > Decimal("1e-9")):
                raise SystemExit(f"{key} {name}: rtt min/max {d['rtt_min']}/{d['rtt_max']}, computed {min(samples)}/{max(samples)}")
    streams = {(r["proto"], r["stream"]) for r in frames if r.get("proto") in ("tcp", "udp") and r.get("stream") is not None}
    if streams != seen:
        raise SystemExit(f"flows without a record: {sorted(streams - seen)}")
    print(f"{len(flows)} flow records agree with the frames")


if __name__ == "__main__":
    main()
