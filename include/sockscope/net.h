/* net: the built-in socket programs of every networking course (TCP and UDP uppercase-echo
 * client and server, a thread-per-client server), the probe that reports each socket API
 * call they make as an event, the named demo scenarios, and the private network namespace
 * they run in. Real kernel sockets throughout. Knows nothing of the screen. */
#ifndef SOCKSCOPE_NET_H
#define SOCKSCOPE_NET_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "sockscope/model.h"

#define NET_DEFAULT_PORT 12000

/* ---- the probe: socket API calls as events ---- */


struct probe;

/* A bounded multi-producer queue read by one consumer thread; never blocks a producer
 * (events that do not fit are counted as dropped). Events of a socket whose local address
 * is not known yet are held back and released, with the address filled in, once it is. */
struct probe *probe_new(unsigned capacity);
void probe_free(struct probe *p);
int probe_wake_fd(const struct probe *p); /* readable while events wait */
bool probe_pop(struct probe *p, struct api_event *ev);
uint64_t probe_dropped(const struct probe *p);
/* The time of the oldest event still held back (its socket's address not known yet), or
 * UINT64_MAX: whoever merges events by time must not let anything younger pass before it. */
uint64_t probe_oldest_held(struct probe *p);

/* The modules call the socket API through these. Each makes the real call and reports a
 * CALL and a RETURN event; calls that cannot block (socket, bind, listen, shutdown, close)
 * report a single RETURN event stamped when the call was made. p may be NULL.
 * accept's RETURN carries the welcoming socket's fd, the new fd as result, and the new
 * connection socket's addresses (local port = the server's port, listening false). */
int probe_socket(struct probe *p, int domain, int type, int protocol);
int probe_bind(struct probe *p, int fd, const struct sockaddr *a, socklen_t len);
int probe_listen(struct probe *p, int fd, int backlog);
int probe_accept(struct probe *p, int fd, struct sockaddr *a, socklen_t *len);
int probe_connect(struct probe *p, int fd, const struct sockaddr *a, socklen_t len);
ssize_t probe_send(struct probe *p, int fd, const void *buf, size_t n, int flags);
ssize_t probe_recv(struct probe *p, int fd, void *buf, size_t n, int flags);
ssize_t probe_sendto(struct probe *p, int fd, const void *buf, size_t n, int flags,
                     const struct sockaddr *a, socklen_t len);
ssize_t probe_recvfrom(struct probe *p, int fd, void *buf, size_t n, int flags,
                       struct sockaddr *a, socklen_t *len);
int probe_shutdown(struct probe *p, int fd, int how);
int probe_close(struct probe *p, int fd);
/* setsockopt, reported with the option and its value (SO_LINGER as {l_onoff, l_linger}); a
 * close after SO_LINGER {on, 0 s} is reported as abortive (the kernel sends a RST). */
int probe_setsockopt(struct probe *p, int fd, int level, int name, const void *val,
                     socklen_t len);

/* The blocking calls again, waiting in poll() so that a stop flag interrupts them and a
 * deadline ends them: the CALL event is stamped before the wait, the RETURN after the real
 * call (accept() returns after the handshake, recv() after the data). stop may be NULL;
 * timeout_ms < 0 waits without limit. Stopped: -1, errno EINTR; deadline: -1, ETIMEDOUT.
 * probe_send_wait sends all n bytes like a blocking send() (one CALL, one RETURN). The
 * plain calls above are these with w == NULL. probe_connect_wait connects without blocking
 * so that its CALL event already names the local port the kernel picked. */
struct probe_wait {
    atomic_bool *stop;
    int timeout_ms;
};
int probe_accept_wait(struct probe *p, int fd, struct sockaddr *a, socklen_t *len,
                      const struct probe_wait *w);
int probe_connect_wait(struct probe *p, int fd, const struct sockaddr *a, socklen_t len,
                       const struct probe_wait *w);
ssize_t probe_send_wait(struct probe *p, int fd, const void *buf, size_t n, int flags,
                        const struct probe_wait *w);
ssize_t probe_recv_wait(struct probe *p, int fd, void *buf, size_t n, int flags,
                        const struct probe_wait *w);
ssize_t probe_recvfrom_wait(struct probe *p, int fd, void *buf, size_t n, int flags,
                            struct sockaddr *a, socklen_t *len, const struct probe_wait *w);

/* ---- the modules ---- */

struct net_server_options {
    int proto;            /* IPPROTO_TCP or IPPROTO_UDP */
    const char *bind_addr; /* NULL: all addresses (IPv6 dual-stack where available) */
    uint16_t port;
    bool threaded;        /* TCP: one thread per client */
    unsigned max_clients; /* TCP: connections served, UDP: datagrams answered, before
                           * returning (after the last one is closed); 0 = until stopped */
    atomic_bool *stop;    /* set by a signal handler or another thread */
    struct probe *probe;  /* NULL: no events */
    FILE *log;            /* one line per client and per message, or NULL */
    int ready_fd;         /* >= 0: write one byte here once listening */
    uint16_t *bound_port; /* if not NULL: set to the port bound before ready_fd is written
                           * (port 0 asks the kernel for a free one) */
};

/* Runs until *stop (or max_clients served). STATUS_OK; STATUS_E_RUNTIME with err filled; or
 * STATUS_E_BAD_INPUT when bind_addr names no host. */
int net_server_run(const struct net_server_options *o, char *err, size_t errlen);

struct net_client_options {
    int proto;            /* IPPROTO_TCP or IPPROTO_UDP */
    const char *host;     /* name or address; default 127.0.0.1 */
    uint16_t port;
    const char *message;  /* NULL: each line of in */
    FILE *in, *out;       /* replies are written to out (may be NULL) */
    int timeout_ms;       /* UDP: a lost reply is reported after this, not a hang
                           * (<= 0: 1000); TCP: deadline for connect and each reply
                           * (<= 0: none, as a blocking socket) */
    bool abort_close;     /* TCP: SO_LINGER {1,0}: RST instead of FIN */
    bool half_close;      /* TCP: shutdown(SHUT_WR) after sending, read until EOF */
    atomic_bool *stop;
    struct probe *probe;
    int pause_ms;         /* TCP: pause after connect, after each reply and before
                           * shutdown/close, so that a diagram reads phase by phase */
};

/* STATUS_OK; STATUS_E_RUNTIME with err filled (refused, unreachable, timeout, lost
 * reply...); or STATUS_E_BAD_INPUT when the input is at fault (unknown host, a message too
 * long for one UDP datagram). */
int net_client_run(const struct net_client_options *o, char *err, size_t errlen);

/* Longest message: TCP echoes up to this much per message; UDP is limited by the datagram. */
#define NET_MAX_MESSAGE (1u << 20)

/* ---- scenarios: what `sockscope demo NAME` runs ---- */

struct scenario_context {
    struct probe *probe;
    uint16_t port;        /* the server's port (12000) */
    atomic_bool *stop;
    char err[256];
};

struct scenario {
    const char *name;     /* "tcp", "udp", "threaded", "handshake", ... */
    const char *summary;  /* one line for `demo --list` */
    int (*run)(struct scenario_context *ctx); /* STATUS_OK, or STATUS_E_RUNTIME with ctx->err */
    int clients;          /* client sockets it draws lifelines for (one server lifeline) */
};

const struct scenario *net_scenarios(size_t *count);
const struct scenario *net_scenario_find(const char *name);

/* ---- the private network namespace ---- */

enum sandbox_kind {
    SANDBOX_NONE,   /* host network (fallback) */
    SANDBOX_NETNS,  /* root: a new network namespace */
    SANDBOX_USERNS, /* unprivileged: a new user + network namespace */
};

/* Moves the calling process into a fresh network namespace (with a user namespace when not
 * root) and brings its loopback up. Must be called before any thread starts. STATUS_OK; on
 * failure STATUS_E_RUNTIME, and err names the kernel setting that forbids it and the fixes. */
int net_sandbox_enter(enum sandbox_kind *kind, char *err, size_t errlen);
const char *net_sandbox_name(enum sandbox_kind k);

/* Why unprivileged namespaces fail here: names the kernel setting that forbids them (read
 * under proc_sys, normally "/proc/sys") and the fixes. errnum is the failing call's errno. */
void net_sandbox_explain(const char *proc_sys, const char *what, int errnum, char *err,
                         size_t errlen);

#endif
