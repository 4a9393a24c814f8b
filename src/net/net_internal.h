/* net internals: what the modules, the probe and the scenarios share but nobody else
 * needs (address helpers, interruptible waits, the probe's bookkeeping hooks). */
#ifndef SOCKSCOPE_NET_INTERNAL_H
#define SOCKSCOPE_NET_INTERNAL_H

#include "sockscope/net.h"

#include <netdb.h>
#include <pthread.h>

/* Waits in short poll() slices until fd has events, *w->stop is set or w's deadline passes.
 * 1 ready (or error/hangup: the next call reports it), -1 with errno EINTR (stopped) or
 * ETIMEDOUT (deadline). w may be NULL: waits without limit. */
int net_wait_fd(int fd, short events, const struct probe_wait *w);
bool net_stopped(atomic_bool *stop);
void net_sleep_ms(int ms);

/* Addresses: IPv4-mapped IPv6 addresses become IPv4, as they are on the wire. */
void net_endpoint_from_sockaddr(const struct sockaddr *sa, struct endpoint *ep);
void net_format_endpoint(const struct endpoint *ep, char *buf, size_t n); /* [::1]:12000 */
void net_format_sockaddr(const struct sockaddr *sa, char *buf, size_t n);
/* getaddrinfo with messages: STATUS_OK, or STATUS_E_RUNTIME / STATUS_E_BAD_INPUT (no such
 * host) with err filled. */
int net_resolve(const char *host, uint16_t port, int socktype, bool passive, struct addrinfo **out,
                char *err, size_t errlen);

void net_uppercase(char *buf, size_t n);
/* A short, escaped, quoted preview of a message for a log line. */
void net_preview(const void *data, size_t n, char *buf, size_t bufsize);
/* Writes one line to log (locked, flushed); log may be NULL. */
void net_log(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The modules behind net_server_run / net_client_run. */
int net_tcp_serve(int listen_fd, const struct net_server_options *o, char *err, size_t errlen);
int net_udp_serve(int fd, const struct net_server_options *o, char *err, size_t errlen);
int net_tcp_client(const struct net_client_options *o, char *err, size_t errlen);
int net_udp_client(const struct net_client_options *o, char *err, size_t errlen);
/* One TCP connection of the echo server: reads, replies uppercased, closes on EOF. */
void net_tcp_serve_connection(const struct net_server_options *o, int fd, const char *who);

/* The probe's bookkeeping, used by its wrapped calls (probe_calls.c). All accept p == NULL.
 * None of them makes a socket call while holding the probe's lock. */
void probe_event_init(struct api_event *ev, enum api_call call, enum api_phase phase, int fd,
                      uint64_t ts_ns);
/* Fills thread, type, listening and addresses from addr_fd's socket (peer_override, if not
 * NULL, names the peer instead), then queues the event, or holds it while addr_fd's local
 * address is unknown. */
void probe_report(struct probe *p, struct api_event *ev, int addr_fd,
                  const struct sockaddr *peer_override);
void probe_track_socket(struct probe *p, int fd, int sock_type);
void probe_mark_listening(struct probe *p, int fd);
/* SO_LINGER {on, 0 s} was set (or cleared) on fd: its close will abort with a RST. */
void probe_mark_linger_abort(struct probe *p, int fd, bool abort);
/* Asks the kernel for fd's addresses; once the local port is known, held events go out.
 * An unconnected UDP socket's local address is a wildcard: with toward (the peer of a
 * datagram) the probe puts the source address the kernel routes toward it instead, as the
 * packets show it. */
void probe_learn_addresses(struct probe *p, int fd, const struct sockaddr *toward);
/* Before the real close (so that the fd number cannot be reused meanwhile): fills close's
 * event from the socket, releases whatever is still held for it and forgets it. After the
 * close, probe_queue_event sends the event with its result. */
void probe_forget_socket(struct probe *p, struct api_event *close_ev);
void probe_queue_event(struct probe *p, const struct api_event *ev);

/* Scenario machinery (scenario_tasks.c): the servers and clients of a scenario run as
 * threads of one run; the run's halt flag stops them all (the caller's stop flag and an
 * overall deadline set it). */
struct scenario_run;
struct scenario_task {
    int (*fn)(struct scenario_task *t); /* STATUS_OK, or STATUS_E_RUNTIME with err */
    struct scenario_run *run;
    struct net_server_options server;
    struct net_client_options client;
    int delay_ms; /* before fn starts */
    /* results */
    int rc;
    char err[256];
    /* private */
    pthread_t thread;
    bool started;
    atomic_bool done;
};
struct scenario_run {
    struct scenario_context *ctx;
    atomic_bool halt;
    int ready[2]; /* servers write a byte to ready[1] once listening */
};
int scenario_run_init(struct scenario_run *r, struct scenario_context *ctx);
/* Options for a server of the run on 127.0.0.1:ctx->port, and a client talking to it. */
void scenario_server_options(struct scenario_run *r, struct net_server_options *o, int proto,
                             unsigned max_clients);
void scenario_client_options(struct scenario_run *r, struct net_client_options *o, int proto,
                             const char *message);
int scenario_start(struct scenario_run *r, struct scenario_task *t,
                   int (*fn)(struct scenario_task *t));
/* Waits for a server task's ready byte. STATUS_E_RUNTIME with ctx->err when it failed or
 * took too long. */
int scenario_wait_ready(struct scenario_run *r, struct scenario_task *server);
/* Waits for the tasks in order (bounded), joins them, and reports the first error. */
int scenario_finish(struct scenario_run *r, struct scenario_task **tasks, size_t n);
/* Task bodies: the modules. */
int scenario_task_server(struct scenario_task *t);
int scenario_task_client(struct scenario_task *t);
/* socket, bind 127.0.0.1:port, listen, through the probe; then the ready byte. The fd, or
 * STATUS_E_RUNTIME with t->err. */
int scenario_listen_tcp(struct scenario_task *t);

#endif
