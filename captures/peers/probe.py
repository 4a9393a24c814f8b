#!/usr/bin/env python3
"""Prove that a running `tcpdump -w FILE` is really capturing, and up to which point.

  probe.py FILE TOKEN [--timeout SECONDS]

Sends UDP datagrams 127.0.0.1:9 -> 127.0.0.1:9 (a socket bound to the port, so no ICMP
"port unreachable" is ever generated) whose payload is "sockscope-capture-probe:TOKEN",
one every 20 ms, until those bytes appear in FILE. Exit 0 when seen, 1 on timeout.

Why: tcpdump prints "listening on lo" once the socket is open, but in practice the first
packets after that message can be missing from the file (ring/block set-up, buffering).
Used twice around every scenario:
  * TOKEN "start" before any traffic: when it is in the file, capture is live and every
    later packet will be in it too;
  * TOKEN "end" after the traffic: the file is written in order, so when the end probe is
    in it every packet before it is on disk, and tcpdump can be stopped without losing the
    tail.
The probes are removed afterwards with the filter 'not udp port 9'.
"""
import argparse
import os
import socket
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("token")
    p.add_argument("--timeout", type=float, default=15.0)
    p.add_argument("--port", type=int, default=9)
    args = p.parse_args()
    marker = f"sockscope-capture-probe:{args.token}".encode()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.setblocking(False)
    # Only bytes written after now can hold this probe: start at the current end of the file
    # (cheap even when the capture is already a gigabyte long).
    try:
        offset = os.path.getsize(args.file)
    except FileNotFoundError:
        offset = 0
    sent = 0
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        sock.sendto(marker, ("127.0.0.1", args.port))
        sent += 1
        try:
            while sock.recv(2048):  # drain our own datagrams
                pass
        except BlockingIOError:
            pass
        time.sleep(0.02)
        try:
            with open(args.file, "rb") as f:
                f.seek(max(0, offset - len(marker)))
                tail = f.read()
                offset = f.tell()
        except FileNotFoundError:
            continue
        if marker in tail:
            print(f"probe {args.token}: seen in {args.file} after {sent} datagram(s)",
                  file=sys.stderr)
            return 0
    print(f"probe {args.token}: not seen in {args.file} after {sent} datagram(s) "
          f"in {args.timeout:.0f} s: capture is not live", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
