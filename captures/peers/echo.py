#!/usr/bin/env python3
"""Uppercase-echo peers used by captures/make-captures.sh to make real traffic.

Modelled on the textbook TCPServer/TCPClient/UDPServer/UDPClient (port 12000, the server
replies with the message uppercased). The command line mirrors the planned
`sockscope server|client tcp|udp`, so the capture script can switch to the built-in
modules by changing one variable.

  echo.py server tcp [--host H] [--port P] [--count N] [--threaded] [--half-close K]
  echo.py server udp [--host H] [--port P] [--count N]
  echo.py client tcp HOST MESSAGE [--port P] [--size BYTES] [--linger0] [--half-close]
                               [--pause S]
  echo.py client udp HOST MESSAGE [--port P]

Servers print "ready" on stdout (flushed) once listening, so the script never needs to
retry a connect (a retry would put an extra RST in the capture).

TCP framing: a message ends with "\\n"; the server reads (several recv() calls when the
message is larger than one segment) until it sees the newline, replies, then waits for the
client's FIN before closing, so the client closes first.
"""
import argparse
import socket
import struct
import sys
import threading
import time


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def recv_line(conn):
    """Read until a newline or EOF; returns (data, number of recv calls)."""
    chunks, calls = [], 0
    while True:
        data = conn.recv(65536)
        calls += 1
        if not data:
            break
        chunks.append(data)
        if data.endswith(b"\n"):
            break
    return b"".join(chunks), calls


# ----------------------------------------------------------------------------- servers

def serve_tcp_connection(conn, addr, args):
    try:
        message, calls = recv_line(conn)
        log(f"server: {len(message)} bytes from {addr[0]}:{addr[1]} in {calls} recv()")
        if args.half_close:
            # The client has shut down its sending side: read to EOF, then keep talking.
            rest, _ = recv_line(conn)
            while rest:
                rest, _ = recv_line(conn)
            for i in range(args.half_close):
                conn.sendall(f"{message.decode().strip().upper()} #{i + 1}\n".encode())
                time.sleep(0.05)
            conn.close()
            return
        conn.sendall(message.upper())
        # Wait for the client's FIN (or RST) so that the client is the one closing first.
        try:
            while conn.recv(65536):
                pass
        except ConnectionResetError:
            log(f"server: connection from {addr[0]}:{addr[1]} reset by peer")
        conn.close()
    except ConnectionResetError:
        log(f"server: connection from {addr[0]}:{addr[1]} reset by peer")
        conn.close()


def server_tcp(args):
    fam = family_of(args.host)
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.host, args.port))
    srv.listen(16)
    print("ready", flush=True)
    threads = []
    for _ in range(args.count):
        conn, addr = srv.accept()
        if args.threaded:
            t = threading.Thread(target=serve_tcp_connection, args=(conn, addr, args))
            t.start()
            threads.append(t)
        else:
            serve_tcp_connection(conn, addr, args)
    for t in threads:
        t.join()
    srv.close()


def server_udp(args):
    fam = family_of(args.host)
    srv = socket.socket(fam, socket.SOCK_DGRAM)
    srv.bind((args.host, args.port))
    print("ready", flush=True)
    for _ in range(args.count):
        message, addr = srv.recvfrom(2048)
        log(f"server: {len(message)} bytes from {addr[0]}:{addr[1]}")
        srv.sendto(message.upper(), addr)
    srv.close()


# ----------------------------------------------------------------------------- clients

def client_tcp(args):
    message = args.message.encode()
    if args.size:
        # A large message: the text repeated up to SIZE bytes, newline-terminated.
        message = (message + b" ") * (args.size // (len(message) + 1) + 1)
        message = message[: args.size - 1]
    message += b"\n"
    sock = socket.socket(family_of(args.host), socket.SOCK_STREAM)
    try:
        sock.connect((args.host, args.port))
    except ConnectionRefusedError as e:
        log(f"client: connect to {args.host}:{args.port}: {e.strerror}")
        return 0
    time.sleep(args.pause)
    sock.sendall(message)
    if args.half_close:
        sock.shutdown(socket.SHUT_WR)
        while True:
            line, _ = recv_line(sock)
            if not line:
                break
            log(f"client: got {line!r}")
        sock.close()
        return 0
    reply, calls = b"", 0
    while len(reply) < len(message):
        data = sock.recv(65536)
        calls += 1
        if not data:
            break
        reply += data
    log(f"client: {len(reply)} bytes back in {calls} recv(): {reply[:40]!r}")
    time.sleep(args.pause)
    if args.linger0:
        # Abortive close: SO_LINGER {on, 0 s} makes close() send RST instead of FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    return 0


def client_udp(args):
    sock = socket.socket(family_of(args.host), socket.SOCK_DGRAM)
    sock.settimeout(2.0)
    sock.connect((args.host, args.port))  # connected, so ICMP errors are reported
    sock.send(args.message.encode())
    try:
        reply = sock.recv(2048)
        log(f"client: got {reply!r}")
    except ConnectionRefusedError as e:
        log(f"client: {args.host}:{args.port}: {e.strerror} (ICMP port unreachable)")
    except socket.timeout:
        log("client: no reply")
    sock.close()
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("proto", choices=["tcp", "udp"])
    p.add_argument("host", nargs="?", default=None)
    p.add_argument("message", nargs="?", default="hello world")
    p.add_argument("--host", dest="bind_host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=12000)
    p.add_argument("--count", type=int, default=1, help="server: connections/datagrams to serve")
    p.add_argument("--threaded", action="store_true", help="server: one thread per connection")
    p.add_argument("--half-close", nargs="?", type=int, const=1, default=0,
                   help="server: messages to send after the client's FIN; client: shutdown(SHUT_WR)")
    p.add_argument("--size", type=int, default=0, help="client tcp: message size in bytes")
    p.add_argument("--linger0", action="store_true", help="client tcp: abortive close (RST)")
    p.add_argument("--pause", type=float, default=0.0, help="client tcp: pause before send and close")
    args = p.parse_args()
    if args.role == "server":
        args.host = args.bind_host
        return server_tcp(args) if args.proto == "tcp" else server_udp(args)
    if args.host is None:
        p.error("client needs HOST")
    return client_tcp(args) if args.proto == "tcp" else client_udp(args)


if __name__ == "__main__":
    sys.exit(main() or 0)
