#!/usr/bin/env python3
"""Prints a port that is free right now for TCP and UDP on 127.0.0.1 (and on ::1 where the
machine has IPv6)."""
import errno
import socket


def bind_ok(family, kind, host, port):
    try:
        s = socket.socket(family, kind)
    except OSError:
        return family == socket.AF_INET6  # no IPv6 at all: nothing to collide with
    try:
        s.bind((host, port))
        return True
    except OSError as e:
        return family == socket.AF_INET6 and e.errno == errno.EADDRNOTAVAIL
    finally:
        s.close()


for _ in range(100):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(('127.0.0.1', 0))
    port = t.getsockname()[1]
    t.close()
    if all(bind_ok(f, k, h, port) for f, k, h in (
            (socket.AF_INET, socket.SOCK_STREAM, '127.0.0.1'),
            (socket.AF_INET, socket.SOCK_DGRAM, '127.0.0.1'),
            (socket.AF_INET6, socket.SOCK_STREAM, '::1'),
            (socket.AF_INET6, socket.SOCK_DGRAM, '::1'))):
        print(port)
        break
