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

#include "sockscope/track.h" /* struct endpoint */

#define NET_DEFAULT_PORT 12000

/* ---- the probe: socket API calls as events ---- */

enum api_call {
    API_SOCKET,
    API_BIND,
    API_LISTEN,
    API_ACCEPT,
    API_CONNECT,
    API_SEND,
    API_RECV,
    API_SENDTO,
    API_RECVFROM,
    API_SHUTDOWN,
    API_CLOSE,
    API_CALL_COUNT
};

enum api_phase { API_PHASE_CALL, API_PHASE_RETURN };

struct api_event {
    uint64_t ts_ns;           /* CLOCK_REALTIME in ns: the clock pcap stamps use */
    enum api_call call;
    enum api_phase phase;
    int fd;
    int64_t result;           /* return value (phase RETURN): fd, byte count, 0 or -1 */
    int error;                /* errno when result < 0 */
    uint32_t thread;          /* 1, 2, ...: order in which the probe first saw the thread */
    int sock_type;            /* SOCK_STREAM or SOCK_DGRAM */
    bool listening;           /* the server's welcoming socket */
    struct endpoint local;    /* addr.family 0 while not known */
    struct endpoint peer;     /* addr.family 0 while not known */
    uint64_t bytes;           /* send/recv: asked for (CALL) or done (RETURN) */
};

const char *net_api_call_name(enum api_call c); /* "accept" */

struct probe;

/* A bounded multi-producer queue read by one consumer thread; never blocks a producer
 * (events that do not fit are counted as dropped). Events of a socket whose local address
 * is not known yet are held back and released, with the address filled in, once it is. */
struct probe *probe_new(unsigned capacity);
void probe_free(struct probe *p);
int probe_wake_fd(const struct probe *p); /* readable while events wait */
bool probe_pop(struct probe *p, struct api_event *ev);
uint64_t probe_dropped(const struct probe *p);

/* The modules call the socket API through these. Each makes the real call and reports a
 * CALL and a RETURN event (a single event for calls that cannot block); p may be NULL. */
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

/* ---- the modules ---- */

struct net_server_options {
    int proto;            /* IPPROTO_TCP or IPPROTO_UDP */
    const char *bind_addr; /* NULL: all addresses (IPv6 dual-stack where available) */
    uint16_t port;
    bool threaded;        /* TCP: one thread per client */
    unsigned max_clients; /* accepted connections before returning; 0 = until stopped */
    atomic_bool *stop;    /* set by a signal handler or another thread */
    struct probe *probe;  /* NULL: no events */
    FILE *log;            /* one line per client and per message, or NULL */
    int ready_fd;         /* >= 0: write one byte here once listening */
};

/* Runs until *stop (or max_clients served). 0, or -1 with err filled. */
int net_server_run(const struct net_server_options *o, char *err, size_t errlen);

struct net_client_options {
    int proto;            /* IPPROTO_TCP or IPPROTO_UDP */
    const char *host;     /* name or address; default 127.0.0.1 */
    uint16_t port;
    const char *message;  /* NULL: each line of in */
    FILE *in, *out;       /* replies are written to out (may be NULL) */
    int timeout_ms;       /* UDP: a lost reply is reported after this, not a hang */
    bool abort_close;     /* TCP: SO_LINGER {1,0}: RST instead of FIN */
    bool half_close;      /* TCP: shutdown(SHUT_WR) after sending, read until EOF */
    atomic_bool *stop;
    struct probe *probe;
};

/* 0, or -1 with err filled (refused, unreachable, timeout...). */
int net_client_run(const struct net_client_options *o, char *err, size_t errlen);

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
    int (*run)(struct scenario_context *ctx); /* 0 ok, -1 with ctx->err */
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
 * root) and brings its loopback up. Must be called before any thread starts. On failure
 * returns -1 and err names the kernel setting that forbids it and the fixes. */
int net_sandbox_enter(enum sandbox_kind *kind, char *err, size_t errlen);
const char *net_sandbox_name(enum sandbox_kind k);

#endif
