/* net_server_run: opens the server's socket (by default IPv6 dual-stack "::", which also
 * takes IPv4 clients, falling back to 0.0.0.0 where IPv6 is off) and runs the TCP or UDP
 * server on it until stopped. */
#include "net_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void explain_bind(int e, const char *addr, uint16_t port, char *err, size_t errlen)
{
    if (e == EADDRINUSE)
        snprintf(err, errlen,
                 "port %u is already in use on %s (another server running? "
                 "choose another with -p)",
                 port, addr);
    else if (e == EACCES)
        snprintf(err, errlen,
                 "port %u needs privileges (ports below 1024 need root; the "
                 "course's port is %u)",
                 port, NET_DEFAULT_PORT);
    else if (e == EADDRNOTAVAIL)
        snprintf(err, errlen, "cannot bind %s: not an address of this machine", addr);
    else
        snprintf(err, errlen, "cannot bind %s port %u: %s", addr, port, strerror(e));
}

/* socket + bind (+ listen): the welcoming socket, or STATUS_E_RUNTIME with err filled. */
static int open_on(const struct net_server_options *o, const struct sockaddr *a, socklen_t alen,
                   bool dual_stack, char *err, size_t errlen, int *errnum)
{
    int socktype = o->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
    char name[80];
    net_format_sockaddr(a, name, sizeof name);
    int fd = probe_socket(o->probe, a->sa_family, socktype, 0);
    if (fd < 0) {
        *errnum = errno;
        snprintf(err, errlen, "cannot create a socket: %s", strerror(errno));
        return STATUS_E_RUNTIME;
    }
    int one = 1, zero = 0;
    if (dual_stack) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    /* a restarted server must not wait for the old connections' TIME-WAIT */
    if (socktype == SOCK_STREAM)
        probe_setsockopt(o->probe, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (probe_bind(o->probe, fd, a, alen) < 0) {
        *errnum = errno;
        explain_bind(errno, name, o->port, err, errlen);
        probe_close(o->probe, fd);
        return STATUS_E_RUNTIME;
    }
    if (socktype == SOCK_STREAM && probe_listen(o->probe, fd, SOMAXCONN) < 0) {
        *errnum = errno;
        snprintf(err, errlen, "cannot listen on %s: %s", name, strerror(errno));
        probe_close(o->probe, fd);
        return STATUS_E_RUNTIME;
    }
    /* the wrappers wait in poll(); a non-blocking socket keeps a vanished client from
     * blocking accept() or recvfrom() after poll() said ready */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static int open_any(const struct net_server_options *o, char *err, size_t errlen)
{
    struct sockaddr_in6 in6 = {
        .sin6_family = AF_INET6, .sin6_port = htons(o->port), .sin6_addr = IN6ADDR_ANY_INIT};
    int e = 0;
    int fd = open_on(o, (struct sockaddr *)&in6, sizeof in6, true, err, errlen, &e);
    if (fd >= 0 || !(e == EAFNOSUPPORT || e == EADDRNOTAVAIL || e == EPROTONOSUPPORT)) return fd;
    struct sockaddr_in in = {
        .sin_family = AF_INET, .sin_port = htons(o->port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    return open_on(o, (struct sockaddr *)&in, sizeof in, false, err, errlen, &e);
}

static int open_named(const struct net_server_options *o, char *err, size_t errlen)
{
    struct addrinfo *ai;
    int socktype = o->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
    int rc = net_resolve(o->bind_addr, o->port, socktype, true, &ai, err, errlen);
    if (rc < 0) return rc;
    int fd = -1, e = 0;
    for (struct addrinfo *i = ai; i && fd < 0; i = i->ai_next)
        fd = open_on(o, i->ai_addr, i->ai_addrlen, false, err, errlen, &e);
    freeaddrinfo(ai);
    return fd;
}

int net_server_run(const struct net_server_options *o, char *err, size_t errlen)
{
    if (o->proto != IPPROTO_TCP && o->proto != IPPROTO_UDP) {
        snprintf(err, errlen, "a server speaks TCP or UDP");
        return STATUS_E_RUNTIME;
    }
    int fd = o->bind_addr ? open_named(o, err, errlen) : open_any(o, err, errlen);
    if (fd < 0) return fd;

    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    struct endpoint me = {0};
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        net_endpoint_from_sockaddr((struct sockaddr *)&ss, &me);
    if (o->bound_port) *o->bound_port = me.port;
    char name[80];
    net_format_sockaddr((struct sockaddr *)&ss, name, sizeof name);
    bool dual = ss.ss_family == AF_INET6 && !o->bind_addr;
    net_log(o->log, "%s%s server listening on %s%s", o->proto == IPPROTO_TCP ? "TCP" : "UDP",
            o->threaded && o->proto == IPPROTO_TCP ? " (thread per client)" : "", name,
            dual ? " (IPv6 and IPv4)" : "");
    if (o->ready_fd >= 0) {
        char one = 1;
        if (write(o->ready_fd, &one, 1) < 0) {
            /* the caller stopped waiting; it will stop us too */
        }
    }
    int rc = o->proto == IPPROTO_TCP ? net_tcp_serve(fd, o, err, errlen)
                                     : net_udp_serve(fd, o, err, errlen);
    probe_close(o->probe, fd);
    return rc;
}
