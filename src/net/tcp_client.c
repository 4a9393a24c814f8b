/* The TCP uppercase-echo client: socket, connect, send each message, recv until the whole
 * reply is back (the server echoes as it reads: as many bytes as were sent), close.
 * Options for the scenarios: half-close (shutdown then read to EOF) and abortive close. */
#include "net_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct session {
    const struct net_client_options *o;
    struct probe_wait w;
    int fd;
    char server[300]; /* HOST:PORT as the user wrote it */
};

static void pause_phase(const struct session *s)
{
    if (s->o->pause_ms > 0 && !net_stopped(s->o->stop)) net_sleep_ms(s->o->pause_ms);
}

static int connect_any(struct session *s, char *err, size_t errlen)
{
    const struct net_client_options *o = s->o;
    struct addrinfo *ai;
    const char *host = o->host ? o->host : "127.0.0.1";
    int rc = net_resolve(host, o->port, SOCK_STREAM, false, &ai, err, errlen);
    if (rc < 0) return rc;
    int e = 0;
    s->fd = -1;
    /* a name may have several addresses (localhost: ::1 and 127.0.0.1): try each */
    for (struct addrinfo *i = ai; i && s->fd < 0; i = i->ai_next) {
        int fd = probe_socket(o->probe, i->ai_family, SOCK_STREAM, 0);
        if (fd < 0) {
            e = errno;
            continue;
        }
        if (probe_connect_wait(o->probe, fd, i->ai_addr, i->ai_addrlen, &s->w) == 0) {
            s->fd = fd;
        } else {
            e = errno;
            probe_close(o->probe, fd);
            if (e == EINTR) break;
        }
    }
    freeaddrinfo(ai);
    if (s->fd >= 0) return STATUS_OK;
    if (e == ECONNREFUSED)
        snprintf(err, errlen, "connection refused by %s: is the server running?", s->server);
    else if (e == ETIMEDOUT)
        snprintf(err, errlen, "no answer from %s within %d ms", s->server, o->timeout_ms);
    else if (e == EINTR)
        snprintf(err, errlen, "stopped while connecting to %s", s->server);
    else
        snprintf(err, errlen, "cannot connect to %s: %s", s->server, strerror(e));
    return STATUS_E_RUNTIME;
}

static void write_out(FILE *out, const char *buf, size_t n)
{
    if (!out) return;
    fwrite(buf, 1, n, out);
    fflush(out);
}

static int io_error(const struct session *s, const char *what, char *err, size_t errlen)
{
    if (errno == EINTR)
        snprintf(err, errlen, "stopped while waiting for %s", s->server);
    else if (errno == ETIMEDOUT)
        snprintf(err, errlen, "no reply from %s within %d ms", s->server, s->o->timeout_ms);
    else
        snprintf(err, errlen, "%s %s: %s", what, s->server, strerror(errno));
    return STATUS_E_RUNTIME;
}

/* Reads until EOF (half-close), writing what arrives as it arrives. */
static int read_to_eof(struct session *s, char *err, size_t errlen)
{
    char buf[16384];
    char last = '\n';
    for (;;) {
        ssize_t n = probe_recv_wait(s->o->probe, s->fd, buf, sizeof buf, 0, &s->w);
        if (n < 0) return io_error(s, "receiving from", err, errlen);
        if (n == 0) break;
        write_out(s->o->out, buf, (size_t)n);
        last = buf[n - 1];
    }
    if (last != '\n') write_out(s->o->out, "\n", 1);
    return STATUS_OK;
}

static int exchange(struct session *s, const char *msg, size_t n, char *err, size_t errlen)
{
    const struct net_client_options *o = s->o;
    if (n > NET_MAX_MESSAGE) {
        snprintf(err, errlen,
                 "message of %zu bytes is longer than the %u bytes the modules "
                 "echo",
                 n, NET_MAX_MESSAGE);
        return STATUS_E_BAD_INPUT;
    }
    if (n == 0) return STATUS_OK; /* send() of nothing puts nothing on the wire and gets nothing back */
    if (probe_send_wait(o->probe, s->fd, msg, n, MSG_NOSIGNAL, &s->w) != (ssize_t)n)
        return io_error(s, "sending to", err, errlen);
    if (o->half_close) return STATUS_OK;
    char *reply = malloc(n);
    if (!reply) {
        snprintf(err, errlen, "out of memory for a reply of %zu bytes", n);
        return STATUS_E_RUNTIME;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t k = probe_recv_wait(o->probe, s->fd, reply + got, n - got, 0, &s->w);
        if (k < 0) {
            free(reply);
            return io_error(s, "receiving from", err, errlen);
        }
        if (k == 0) break;
        got += (size_t)k;
    }
    write_out(o->out, reply, got);
    write_out(o->out, "\n", 1);
    free(reply);
    if (got < n) {
        snprintf(err, errlen, "%s closed the connection after %zu of %zu bytes of the reply",
                 s->server, got, n);
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

static int each_line(struct session *s, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = STATUS_OK;
    while (rc == 0 && !net_stopped(s->o->stop) && (n = getline(&line, &cap, s->o->in)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        rc = exchange(s, line, (size_t)n, err, errlen);
    }
    free(line);
    return rc;
}

int net_tcp_client(const struct net_client_options *o, char *err, size_t errlen)
{
    struct session s = {.o = o, .w = {o->stop, o->timeout_ms > 0 ? o->timeout_ms : -1}};
    const char *host = o->host ? o->host : "127.0.0.1";
    snprintf(s.server, sizeof s.server, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, o->port);
    int rc = connect_any(&s, err, errlen);
    if (rc < 0) return rc;
    pause_phase(&s);
    if (o->message)
        rc = exchange(&s, o->message, strlen(o->message), err, errlen);
    else
        rc = each_line(&s, err, errlen);
    if (rc == 0 && o->half_close) {
        pause_phase(&s);
        probe_shutdown(o->probe, s.fd, SHUT_WR);
        rc = read_to_eof(&s, err, errlen);
    }
    pause_phase(&s);
    if (o->abort_close) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        probe_setsockopt(o->probe, s.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    probe_close(o->probe, s.fd);
    return rc;
}
