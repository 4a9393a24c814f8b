#!/usr/bin/env python3
"""Checks the JSON Lines of `sockscope demo SCENARIO --format json` (read on stdin): the
order of socket API calls and packets each scenario must show. Exits 1 naming what is wrong.

    sockscope demo tcp --format json | python3 check_demo.py tcp
"""
import json
import sys

PORT = "12000"


def load(stream):
    events = [json.loads(line) for line in stream if line.strip()]
    for i, e in enumerate(events):
        e["i"] = i
    return events


def first(events, what, **want):
    for e in events:
        if all(e.get(k) == v for k, v in want.items()):
            return e
    raise AssertionError(f"no {what} ({want})")


def every(events, **want):
    return [e for e in events if all(e.get(k) == v for k, v in want.items())]


def before(a, b, what):
    if not a["i"] < b["i"]:
        raise AssertionError(f"{what}: line {a['i'] + 1} should come before line {b['i'] + 1}")


def is_server(addr):
    return addr is not None and addr.endswith(":" + PORT)


def packets(events):
    return [e for e in events if e["kind"] == "packet"]


# The kernel stamps loopback frames on whichever CPU handles them, so a frame can carry a
# stamp a little earlier than the one before it; frames keep capture order regardless.
FRAME_JITTER_NS = 2_000_000


def check_common(events):
    last_ts = 0
    for e in events:
        ts = int(e["ts"].replace(".", ""))
        if ts < last_ts - (FRAME_JITTER_NS if e["kind"] == "packet" else 0):
            raise AssertionError(f"line {e['i'] + 1} ({e['kind']}) is out of time order")
        last_ts = max(last_ts, ts) if e["kind"] == "packet" else ts
    for p in packets(events):
        # a private namespace: nothing but the scenario's own traffic
        if p["proto"] in ("tcp", "udp") and not (is_server(p["src"]) or is_server(p["dst"])):
            raise AssertionError(f"frame {p['frame']} is not the scenario's: {p['src']} > {p['dst']}")
        if p["status"] != "ok":
            raise AssertionError(f"frame {p['frame']} decoded as {p['status']}")


def check_tcp_exchange(events, request=b"hello tcp world", reply=b"HELLO TCP WORLD"):
    connect = first(events, "connect() call", kind="api", call="connect", phase="call")
    syn = first(events, "SYN", kind="packet", flags="SYN")
    synack = first(events, "SYN+ACK", kind="packet", flags="SYN+ACK")
    ack = first(events, "handshake ACK", kind="packet", flags="ACK", stream=syn["stream"])
    accept = first(events, "accept() return", kind="api", call="accept", phase="return")
    for a, b, what in [(connect, syn, "connect() is called before the SYN"),
                       (syn, synack, "SYN before SYN+ACK"),
                       (synack, ack, "SYN+ACK before the handshake's ACK"),
                       (ack, accept, "accept() returns after the handshake's last ACK")]:
        before(a, b, what)
    if synack["ack"] != 1 or not is_server(synack["src"]):
        raise AssertionError("the SYN+ACK comes from the server and acknowledges ISN + 1")
    if not is_server(accept["endpoint"]) or accept["result"] == accept["fd"]:
        raise AssertionError("accept() returns a new socket on the server's port")
    data = [p for p in packets(events) if p.get("len", 0) > 0]
    req = next(p for p in data if p["payload"].encode().startswith(request[:10]))
    rep = next(p for p in data if p["payload"].encode().startswith(reply[:10]))
    before(req, rep, "the request before its uppercase reply")
    fins = [p for p in packets(events) if "FIN" in p.get("flags", "")]
    senders = {is_server(p["src"]) for p in fins}
    if senders != {True, False}:
        raise AssertionError("a FIN from each side")
    close = first(events, "client close()", kind="api", call="close", endpoint=connect["endpoint"])
    first_fin = fins[0]
    before(close, first_fin, "close() is called above the FIN")


def check_tcp(events):
    check_tcp_exchange(events)


def check_udp(events):
    sendto = first(events, "client sendto() call", kind="api", call="sendto", phase="call")
    dgrams = every(events, kind="packet", proto="udp")
    if len(dgrams) != 2:
        raise AssertionError(f"two datagrams, not {len(dgrams)}")
    before(sendto, dgrams[0], "sendto() is called before the datagram")
    server_recv = next(e for e in events if e["kind"] == "api" and e["call"] == "recvfrom"
                       and e["phase"] == "return" and is_server(e["endpoint"]))
    before(dgrams[0], server_recv, "the server's recvfrom() returns after the datagram")
    before(server_recv, dgrams[1], "the reply is sent after the request was read")
    if every(events, kind="packet", proto="tcp"):
        raise AssertionError("no TCP in the UDP scenario")


def check_threaded(events):
    syns = every(events, kind="packet", flags="SYN")
    clients = {p["src"] for p in syns}
    if len(clients) != 3:
        raise AssertionError(f"three clients, not {len(clients)}")
    accepts = every(events, kind="api", call="accept", phase="return")
    if len(accepts) != 3 or len({a["result"] for a in accepts}) != 3:
        raise AssertionError("three accept() returns with three sockets")
    # one thread per client on the server: the recv() calls come from more than one thread
    server_threads = {e["thread"] for e in events if e["kind"] == "api" and e["call"] == "recv"
                      and is_server(e["endpoint"])}
    if len(server_threads) < 3:
        raise AssertionError(f"a server thread per client, saw {len(server_threads)}")
    replies = [p for p in packets(events) if p.get("len", 0) > 0 and is_server(p["src"])]
    if len(replies) < 3:
        raise AssertionError("three replies")


def check_handshake(events):
    first(events, "SYN", kind="packet", flags="SYN")
    first(events, "SYN+ACK", kind="packet", flags="SYN+ACK")
    if any(p.get("len", 0) for p in packets(events)):
        raise AssertionError("no data in the handshake scenario")
    if not any("FIN" in p.get("flags", "") for p in packets(events)):
        raise AssertionError("the connection is closed with FINs")


def check_refused(events):
    syn = first(events, "SYN", kind="packet", flags="SYN")
    rst = next(p for p in packets(events) if "RST" in p["flags"])
    before(syn, rst, "SYN before RST")
    ret = first(events, "connect() return", kind="api", call="connect", phase="return")
    if ret["result"] != -1:
        raise AssertionError("connect() fails")
    if every(events, kind="packet", flags="SYN+ACK"):
        raise AssertionError("nobody accepts")


def check_abort(events):
    rst = [p for p in packets(events) if "RST" in p["flags"]]
    if not rst or is_server(rst[0]["src"]):
        raise AssertionError("the client resets the connection")
    if any("FIN" in p["flags"] and not is_server(p["src"]) for p in packets(events)):
        raise AssertionError("no FIN from the client")
    linger = first(events, "setsockopt(SO_LINGER)", kind="api", call="setsockopt",
                   option="SO_LINGER")
    if linger["value"] != 1 or linger["linger_s"] != 0:
        raise AssertionError("the client sets SO_LINGER {on, 0 s}")
    close = first(events, "the client's close()", kind="api", call="close", abortive=True)
    if is_server(close["endpoint"]):
        raise AssertionError("the abortive close() is the client's")
    before(linger, close, "setsockopt(SO_LINGER) comes before close()")
    before(close, rst[0], "the abortive close() is called above the RST")
    if any(e.get("abortive") for e in every(events, kind="api", call="close")
           if e is not close):
        raise AssertionError("only the client's close() is abortive")


def check_half_close(events):
    fins = [p for p in packets(events) if "FIN" in p.get("flags", "")]
    client_fin = next(p for p in fins if not is_server(p["src"]))
    shutdown = first(events, "shutdown()", kind="api", call="shutdown")
    before(shutdown, client_fin, "shutdown() is called above the client's FIN")
    later = [p for p in packets(events) if p["i"] > client_fin["i"] and is_server(p["src"])
             and p.get("len", 0) > 0]
    if not later:
        raise AssertionError("the server keeps sending after the client's FIN")
    server_fin = next(p for p in fins if is_server(p["src"]))
    before(later[-1], server_fin, "the server's FIN comes after its last data")


def check_bytestream(events):
    sends = [e for e in events if e["kind"] == "api" and e["call"] == "send"
             and e["phase"] == "return" and not is_server(e["endpoint"])]
    recvs = [e for e in events if e["kind"] == "api" and e["call"] == "recv"
             and e["phase"] == "return" and is_server(e["endpoint"]) and e["result"] > 0]
    small = [s for s in sends if s["result"] < 100]
    if len(small) != 3 or recvs[0]["result"] != sum(s["result"] for s in small):
        raise AssertionError("three sends are read by one recv()")
    big = [s for s in sends if s["result"] == 204800]
    if len(big) != 1:
        raise AssertionError("one 200 KB send")
    # the reader may start returning data before the 200 KB send() itself returns: count
    # from the moment send() is called
    call = next(e for e in events if e["kind"] == "api" and e["call"] == "send"
                and e["phase"] == "call" and e.get("bytes") == 204800)
    later = [r for r in recvs if r["i"] > call["i"]]
    if len(later) < 2 or sum(r["result"] for r in later) != 204800:
        raise AssertionError("the 200 KB send is read by several recv() calls")


def check_tcp_vs_udp(events):
    if not every(events, kind="packet", proto="tcp") or not every(events, kind="packet", proto="udp"):
        raise AssertionError("TCP and UDP both")
    last_tcp = [p for p in packets(events) if p["proto"] == "tcp"][-1]
    first_udp = every(events, kind="packet", proto="udp")[0]
    before(last_tcp, first_udp, "TCP first, then UDP")


CHECKS = {"tcp": check_tcp, "udp": check_udp, "threaded": check_threaded,
          "handshake": check_handshake, "refused": check_refused, "abort": check_abort,
          "half-close": check_half_close, "bytestream": check_bytestream,
          "tcp-vs-udp": check_tcp_vs_udp}


def main():
    scenario = sys.argv[1]
    events = load(sys.stdin)
    try:
        if not events:
            raise AssertionError("no output")
        check_common(events)
        CHECKS[scenario](events)
    except (AssertionError, StopIteration, KeyError, IndexError) as e:
        print(f"{scenario}: {type(e).__name__}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
