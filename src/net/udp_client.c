/* The UDP uppercase-echo client: socket, sendto each message, recvfrom the reply with a
 * deadline. UDP does not retransmit: a lost datagram or reply is reported, not waited for. */
#include "net_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

enum { DEFAULT_TIMEOUT_MS = 1000, DATAGRAM_MAX = 65536 };

struct session {
    const struct net_client_options *o;
    struct probe_wait w;
    int fd;
    struct addrinfo *to;
    char server[300];
    char *reply;
};

static int exchange(struct session *s, const char *msg, size_t n, char *err, size_t errlen)
{
    const struct net_client_options *o = s->o;
    /* 65535 minus the UDP header and the IPv4 header (IPv6: its header is not counted) */
    size_t limit = s->to->ai_family == AF_INET6 ? 65527 : 65507;
    if (n > limit) {
        snprintf(err, errlen,
                 "message of %zu bytes does not fit in one UDP datagram "
                 "(at most %zu bytes over %s)",
                 n, limit, s->to->ai_family == AF_INET6 ? "IPv6" : "IPv4");
        return STATUS_E_BAD_INPUT;
    }
    if (probe_sendto(o->probe, s->fd, msg, n, 0, s->to->ai_addr, s->to->ai_addrlen) < 0) {
        snprintf(err, errlen, "sendto %s: %s", s->server, strerror(errno));
        return STATUS_E_RUNTIME;
    }
    ssize_t k = probe_recvfrom_wait(o->probe, s->fd, s->reply, DATAGRAM_MAX, 0, NULL, NULL, &s->w);
    if (k < 0) {
        if (errno == ETIMEDOUT)
            snprintf(err, errlen,
                     "no reply from %s within %d ms: UDP does not retransmit, so "
                     "the datagram or its reply was lost (or no server is listening)",
                     s->server, s->w.timeout_ms);
        else if (errno == EINTR)
            snprintf(err, errlen, "stopped while waiting for %s", s->server);
        else
            snprintf(err, errlen, "recvfrom %s: %s", s->server, strerror(errno));
        return STATUS_E_RUNTIME;
    }
    if (o->out) {
        fwrite(s->reply, 1, (size_t)k, o->out);
        fputc('\n', o->out);
        fflush(o->out);
    }
    return STATUS_OK;
}

int net_udp_client(const struct net_client_options *o, char *err, size_t errlen)
{
    struct session s = {.o = o,
                        .w = {o->stop, o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS}};
    const char *host = o->host ? o->host : "127.0.0.1";
    snprintf(s.server, sizeof s.server, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, o->port);
    int rc = net_resolve(host, o->port, SOCK_DGRAM, false, &s.to, err, errlen);
    if (rc < 0) return rc;
    s.reply = malloc(DATAGRAM_MAX);
    s.fd = s.reply ? probe_socket(o->probe, s.to->ai_family, SOCK_DGRAM, 0) : -1;
    if (s.fd < 0) {
        snprintf(err, errlen, "cannot create a socket: %s",
                 s.reply ? strerror(errno) : "out of memory");
        free(s.reply);
        freeaddrinfo(s.to);
        return STATUS_E_RUNTIME;
    }
    if (o->message) {
        rc = exchange(&s, o->message, strlen(o->message), err, errlen);
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while (rc == 0 && !net_stopped(o->stop) && (n = getline(&line, &cap, o->in)) >= 0) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            rc = exchange(&s, line, (size_t)n, err, errlen);
        }
        free(line);
    }
    probe_close(o->probe, s.fd);
    free(s.reply);
    freeaddrinfo(s.to);
    return rc;
}
