/* The plain-language line for a socket API call, as the explanation line of the TUI says it
 * for packets: what the program asked the kernel, and what the wire will show for it. */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sockscope/view.h"

static const char *option_meaning(const struct api_event *ev)
{
    if (ev->opt_level == SOL_SOCKET && ev->opt_name == SO_LINGER)
        return ev->opt_value[0] && ev->opt_value[1] == 0
                   ? "with SO_LINGER on and a time of 0 s, close() will abort the connection: a "
                     "RST instead of the FIN goodbye; nothing goes on the wire now"
                   : "SO_LINGER sets how long close() waits for unsent data; nothing goes on "
                     "the wire now";
    if (ev->opt_level == SOL_SOCKET && ev->opt_name == SO_REUSEADDR)
        return "SO_REUSEADDR lets a restarted server bind its port while old connections of "
               "that port wait in TIME-WAIT; nothing goes on the wire";
    if (ev->opt_level == IPPROTO_TCP && ev->opt_name == TCP_NODELAY)
        return ev->opt_value[0] ? "TCP_NODELAY turns off Nagle's algorithm: small sends leave at "
                                  "once instead of waiting for the ACK of earlier data"
                                : "TCP_NODELAY off: Nagle's algorithm holds small sends while "
                                  "earlier data is unacknowledged";
    return "the program sets a socket option; nothing goes on the wire";
}

static const char *call_meaning(const struct api_event *ev)
{
    bool udp = ev->sock_type == SOCK_DGRAM;
    switch (ev->call) {
    case API_SOCKET:
        return udp ? "the program asks the kernel for a UDP socket: nothing goes on the wire"
                   : "the program asks the kernel for a TCP socket: nothing goes on the wire";
    case API_BIND:
        return "the socket takes its local address and port: nothing goes on the wire";
    case API_LISTEN:
        return "this becomes the welcoming socket: the kernel now answers SYNs on this port "
               "(and queues the connections for accept)";
    case API_ACCEPT:
        return ev->phase == API_PHASE_CALL
                   ? "the server waits until the kernel has a connection for it: the kernel "
                     "does the handshake on its own, then accept hands it over"
                   : "accept returns a new connection socket for one client (the welcoming "
                     "socket keeps listening); the handshake was already done by the kernel";
    case API_CONNECT:
        if (udp) return "connect on UDP only records the peer's address: nothing is sent";
        return ev->phase == API_PHASE_CALL
                   ? "connect starts the 3-way handshake: the kernel sends a SYN"
                   : "connect returns once the SYN+ACK arrived: the kernel sent the last ACK";
    case API_SEND:
        return ev->phase == API_PHASE_CALL
                   ? "send copies bytes into the kernel's send buffer; TCP decides when they "
                     "leave, and in how many segments"
                   : "send returns once the bytes are in the kernel's buffer, not when they "
                     "arrive";
    case API_RECV:
        if (ev->phase == API_PHASE_CALL) return "recv waits until bytes (or a FIN) arrive";
        return ev->result == 0 ? "recv returns 0: the peer closed its side (its FIN arrived)"
                               : "recv returns what has arrived so far: TCP is a byte stream, "
                                 "so one recv may return several sends, or part of one";
    case API_SENDTO:
        return "sendto hands one datagram to the kernel: it leaves at once, with no handshake";
    case API_RECVFROM:
        return ev->phase == API_PHASE_CALL ? "recvfrom waits for one datagram"
                                           : "recvfrom returns one whole datagram and who sent it";
    case API_SHUTDOWN:
        if (ev->bytes == SHUT_RD)
            return "shutdown(SHUT_RD) ends this side's receiving: nothing goes on the wire";
        return "shutdown ends this side's sending: the kernel sends a FIN (once the data "
               "before it is sent), and the socket can still receive";
    case API_CLOSE:
        if (udp) return "close frees the socket: UDP sends nothing";
        if (ev->listening)
            return "close frees the welcoming socket: no new connection is accepted on this "
                   "port, and nothing goes on the wire for it (connections already accepted "
                   "have sockets of their own)";
        if (ev->abortive)
            return "SO_LINGER {on, 0 s} was set on this socket, so close aborts the connection: "
                   "the kernel sends a RST instead of a FIN and throws away unsent data";
        return "close gives the socket back: the kernel sends a FIN if this side has not sent "
               "one yet";
    case API_SETSOCKOPT:
        return option_meaning(ev);
    default:
        return "";
    }
}

int view_explain_api(const struct api_event *ev, char *buf, size_t size)
{
    char label[200];
    view_api_label(ev, label, sizeof label);
    if (ev->phase == API_PHASE_RETURN && ev->result < 0)
        return snprintf(buf, size, "%s: the call failed (%s)", label, strerror(ev->error));
    return snprintf(buf, size, "%s: %s.", label, call_meaning(ev));
}
