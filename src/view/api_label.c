/* Socket API calls in the words of a course: "connect()", "accept() = 5 from
 * 127.0.0.1:42410", "recv() = 16 bytes", "recv() = 0: the peer closed". */
#include "sockscope/view.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int view_api_label(const struct api_event *ev, char *buf, size_t size)
{
    const char *name = api_call_name(ev->call);
    char peer[80] = "";
    if (ev->peer.addr.family) endpoint_format(&ev->peer, peer, sizeof peer);

    if (ev->phase == API_PHASE_CALL) {
        switch (ev->call) {
        case API_CONNECT:
            return snprintf(buf, size, "connect(%s)", peer);
        case API_SEND:
            return snprintf(buf, size, "send(%llu bytes)", (unsigned long long)ev->bytes);
        case API_SENDTO:
            return snprintf(buf, size, "sendto(%llu bytes%s%s)", (unsigned long long)ev->bytes,
                            peer[0] ? " to " : "", peer);
        case API_ACCEPT:
        case API_RECV:
        case API_RECVFROM:
            return snprintf(buf, size, "%s() waits", name);
        default:
            return snprintf(buf, size, "%s()", name);
        }
    }
    if (ev->result < 0) return snprintf(buf, size, "%s() = -1 %s", name, strerror(ev->error));
    switch (ev->call) {
    case API_SOCKET:
        return snprintf(buf, size, "socket(%s) = %lld", ev->sock_type == SOCK_DGRAM ? "UDP" : "TCP",
                        (long long)ev->result);
    case API_BIND: {
        char local[80] = "";
        if (ev->local.addr.family) endpoint_format(&ev->local, local, sizeof local);
        return snprintf(buf, size, "bind(%s)", local);
    }
    case API_ACCEPT:
        return snprintf(buf, size, "accept() = %lld%s%s", (long long)ev->result,
                        peer[0] ? " from " : "", peer);
    case API_RECV:
    case API_RECVFROM:
        if (ev->result == 0 && ev->sock_type != SOCK_DGRAM)
            return snprintf(buf, size, "%s() = 0: the peer closed", name);
        if (ev->call == API_RECVFROM && peer[0])
            return snprintf(buf, size, "recvfrom() = %lld bytes from %s", (long long)ev->result,
                            peer);
        return snprintf(buf, size, "%s() = %lld bytes", name, (long long)ev->result);
    case API_SEND:
    case API_SENDTO:
    case API_CONNECT:
        return snprintf(buf, size, "%s() = %lld", name, (long long)ev->result);
    case API_CLOSE:
        return snprintf(buf, size, "close(fd %d)", ev->fd);
    case API_SHUTDOWN: {
        static const char *const how[] = {"SHUT_RD", "SHUT_WR", "SHUT_RDWR"};
        return snprintf(buf, size, "shutdown(fd %d, %s)", ev->fd,
                        ev->bytes < 3 ? how[ev->bytes] : "?");
    }
    case API_SETSOCKOPT: {
        const char *opt = api_option_name(ev->opt_level, ev->opt_name);
        char unknown[40];
        if (!opt) {
            snprintf(unknown, sizeof unknown, "level %d, option %d", ev->opt_level, ev->opt_name);
            opt = unknown;
        }
        if (ev->opt_level == SOL_SOCKET && ev->opt_name == SO_LINGER)
            return snprintf(buf, size, "setsockopt(fd %d, SO_LINGER {%s, %d s})", ev->fd,
                            ev->opt_value[0] ? "on" : "off", ev->opt_value[1]);
        return snprintf(buf, size, "setsockopt(fd %d, %s = %d)", ev->fd, opt, ev->opt_value[0]);
    }
    default:
        return snprintf(buf, size, "%s()", name);
    }
}
