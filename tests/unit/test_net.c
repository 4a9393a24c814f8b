/* net: the probe's queue and holding of events, the order of API events on a real loopback
 * exchange, the echo servers hardened (1 MiB, vanishing and slow clients, 500 at once, stop
 * flag, no fd or thread leak), the clients' errors, every scenario, and the sandbox. Only
 * loopback traffic, on free ports; namespaces only in forked children. */
#define _GNU_SOURCE /* setresuid, setgroups */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

#include "../../src/net/net_internal.h"
#include "helpers.h"
#include "sockscope/net.h"

/* ---- helpers ---- */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - (strcmp(dir, "/proc/self/fd") == 0); /* the DIR's own descriptor */
}

static int count_fds(void)
{
    return count_entries("/proc/self/fd");
}

static int count_threads(void)
{
    return count_entries("/proc/self/task");
}

/* The threads once every joined one has left /proc: pthread_join returns when the thread's
 * id is cleared, a moment before the kernel takes it off the task list, so a count taken
 * right after a join (an earlier test's, or this test's) may still see it. Waits (2 s at
 * most) for the count to come down to want, then returns what it is. */
static int threads_settled(int want)
{
    uint64_t until = test_now_ms() + 2000;
    int n;
    while ((n = count_threads()) > want && test_now_ms() < until) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return n;
}

static uint16_t free_port(int type)
{
    int s = socket(AF_INET, type, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

/* A server of the modules in a thread, on 127.0.0.1 and a free port. */
struct server {
    pthread_t thread;
    struct net_server_options o;
    atomic_bool stop;
    int ready[2];
    uint16_t port;
    int rc;
    char err[256];
};

static void *server_main(void *arg)
{
    struct server *s = arg;
    s->rc = net_server_run(&s->o, s->err, sizeof s->err);
    return NULL;
}

static void server_start(struct server *s, int proto, bool threaded, unsigned max, struct probe *p)
{
    memset(s, 0, sizeof *s);
    assert_int_equal(pipe(s->ready), 0);
    s->o = (struct net_server_options){.proto = proto,
                                       .bind_addr = "127.0.0.1",
                                       .port = 0,
                                       .threaded = threaded,
                                       .max_clients = max,
                                       .stop = &s->stop,
                                       .probe = p,
                                       .ready_fd = s->ready[1],
                                       .bound_port = &s->port};
    assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
    assert_true(test_wait_readable(s->ready[0], 5000)); /* it listens: a liveness bound */
    char c;
    assert_int_equal(read(s->ready[0], &c, 1), 1);
    assert_int_not_equal(s->port, 0);
}

/* Joins the server, stopping it first when stop is set. 2 s is a liveness bound: a server
 * notices the stop flag within one 50 ms wait slice (40 times that), and one that ends by
 * itself does so at once. */
static void server_join(struct server *s, bool stop)
{
    uint64_t t0 = test_now_ms();
    if (stop) atomic_store(&s->stop, true);
    assert_int_equal(pthread_join(s->thread, NULL), 0);
    assert_true(test_now_ms() - t0 < 2000);
    close(s->ready[0]);
    close(s->ready[1]);
}

static int tcp_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {5, 0}; /* no test waits forever */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

static void send_all(int fd, const char *buf, size_t n)
{
    for (size_t done = 0; done < n;) {
        ssize_t k = send(fd, buf + done, n - done, MSG_NOSIGNAL);
        assert_true(k > 0);
        done += (size_t)k;
    }
}

static size_t recv_exactly(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = recv(fd, buf + got, n - got, 0);
        if (k <= 0) break;
        got += (size_t)k;
    }
    return got;
}

static void abort_close(int fd)
{
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

/* All events of a probe, in queue order. */
struct events {
    struct api_event ev[512];
    size_t n;
};

/* Appends the events waiting now. */
static void drain_more(struct probe *p, struct events *e)
{
    while (e->n < 512 && probe_pop(p, &e->ev[e->n]))
        e->n++;
}

static void drain(struct probe *p, struct events *e)
{
    e->n = 0;
    drain_more(p, e);
}

/* Index of the first event matching call/phase/thread (thread 0: any) at or after from. */
static int find(const struct events *e, enum api_call call, enum api_phase phase, uint32_t thread,
                size_t from)
{
    for (size_t i = from; i < e->n; i++)
        if (e->ev[i].call == call && e->ev[i].phase == phase &&
            (thread == 0 || e->ev[i].thread == thread))
            return (int)i;
    return -1;
}

static const struct api_event *must_find(const struct events *e, enum api_call call,
                                         enum api_phase phase, uint32_t thread)
{
    int i = find(e, call, phase, thread, 0);
    if (i < 0)
        fail_msg("no %s %s event of thread %u", api_call_name(call),
                 phase == API_PHASE_CALL ? "call" : "return", thread);
    return &e->ev[i];
}

/* The handshake with a thread of the modules: pops events into e until one of call/phase on
 * fd (-1: any) stands at or after index from, and returns its index. Waits on the probe's
 * wake fd; 5 s without it is a failure (a liveness bound: it comes within milliseconds). */
static size_t await_event(struct probe *p, struct events *e, enum api_call call,
                          enum api_phase phase, int fd, size_t from)
{
    uint64_t end = test_now_ms() + 5000;
    for (;;) {
        drain_more(p, e);
        for (size_t i = from; i < e->n; i++)
            if (e->ev[i].call == call && e->ev[i].phase == phase && (fd < 0 || e->ev[i].fd == fd))
                return i;
        uint64_t now = test_now_ms();
        if (now >= end || e->n == 512 || !test_wait_readable(probe_wake_fd(p), (int)(end - now)))
            fail_msg("no %s %s event on fd %d within 5 s", api_call_name(call),
                     phase == API_PHASE_CALL ? "call" : "return", fd);
    }
}

static bool is_loopback(const struct endpoint *ep)
{
    return ep->addr.family == 4 && ep->addr.bytes[0] == 127 && ep->addr.bytes[3] == 1;
}

/* ---- the probe's queue ---- */

static void test_api_call_names_are_the_socket_api(void **state)
{
    (void)state;
    assert_string_equal(api_call_name(API_ACCEPT), "accept");
    assert_string_equal(api_call_name(API_RECVFROM), "recvfrom");
    assert_string_equal(api_call_name(API_CLOSE), "close");
    assert_string_equal(api_call_name(API_CALL_COUNT), "?");
    for (int c = 0; c < API_CALL_COUNT; c++)
        assert_string_not_equal(api_call_name((enum api_call)c), "?");
}

static void queue_one(struct probe *p, int fd)
{
    struct api_event ev;
    probe_event_init(&ev, API_SEND, API_PHASE_CALL, fd, 1);
    probe_queue_event(p, &ev);
}

static void test_queue_keeps_order_wraps_and_counts_drops(void **state)
{
    (void)state;
    struct probe *p = probe_new(4);
    struct api_event ev;
    for (int i = 0; i < 3; i++)
        queue_one(p, i);
    assert_true(probe_pop(p, &ev));
    assert_int_equal(ev.fd, 0);
    assert_true(probe_pop(p, &ev));
    assert_int_equal(ev.fd, 1);
    for (int i = 3; i < 8; i++) /* 3 4 5 6 fit around the end of the ring; 7 does not */
        queue_one(p, i);
    assert_int_equal(probe_dropped(p), 2);
    for (int want = 2; want <= 5; want++) {
        assert_true(probe_pop(p, &ev));
        assert_int_equal(ev.fd, want);
    }
    assert_false(probe_pop(p, &ev));
    assert_int_equal(probe_dropped(p), 2);
    probe_free(p);
    assert_null(probe_new(0));
}

static bool readable(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, 0) == 1;
}

static void test_wake_fd_is_readable_exactly_while_events_wait(void **state)
{
    (void)state;
    struct probe *p = probe_new(16);
    struct api_event ev;
    assert_false(readable(probe_wake_fd(p)));
    queue_one(p, 1);
    queue_one(p, 2);
    assert_true(readable(probe_wake_fd(p)));
    assert_true(probe_pop(p, &ev));
    assert_true(readable(probe_wake_fd(p)));
    assert_true(probe_pop(p, &ev));
    assert_false(readable(probe_wake_fd(p)));
    probe_free(p);
}

/* ---- holding events until the socket's address is known ---- */

static void test_client_socket_is_held_until_connect_names_its_port(void **state)
{
    (void)state;
    struct probe *p = probe_new(64);
    struct events e;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lfd, 4), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);

    int fd = probe_socket(p, AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    drain(p, &e);
    assert_int_equal(e.n, 0); /* no local address yet: held */

    assert_int_equal(probe_connect(p, fd, (struct sockaddr *)&a, sizeof a), 0);
    struct sockaddr_in me;
    len = sizeof me;
    getsockname(fd, (struct sockaddr *)&me, &len);
    drain(p, &e);
    assert_int_equal(e.n, 3);
    assert_int_equal(e.ev[0].call, API_SOCKET);
    assert_int_equal(e.ev[0].result, fd);
    assert_int_equal(e.ev[0].sock_type, SOCK_STREAM);
    assert_int_equal(e.ev[1].call, API_CONNECT);
    assert_int_equal(e.ev[1].phase, API_PHASE_CALL);
    assert_int_equal(e.ev[2].call, API_CONNECT);
    assert_int_equal(e.ev[2].phase, API_PHASE_RETURN);
    assert_int_equal(e.ev[2].result, 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(e.ev[i].local.port, ntohs(me.sin_port));
        assert_true(is_loopback(&e.ev[i].local));
        assert_int_equal(e.ev[i].peer.port, ntohs(a.sin_port));
        assert_int_equal(e.ev[i].thread, 1);
    }
    assert_true(e.ev[0].ts_ns <= e.ev[1].ts_ns && e.ev[1].ts_ns <= e.ev[2].ts_ns);
    probe_close(p, fd);
    close(lfd);
    drain(p, &e);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.ev[0].call, API_CLOSE);
    assert_int_equal(e.ev[0].local.port, ntohs(me.sin_port));
    probe_free(p);
}

static void test_server_socket_is_released_by_bind_and_marked_listening(void **state)
{
    (void)state;
    struct probe *p = probe_new(64);
    struct events e;
    int fd = probe_socket(p, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons(free_port(SOCK_STREAM)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    drain(p, &e);
    assert_int_equal(e.n, 0);
    assert_int_equal(probe_bind(p, fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(probe_listen(p, fd, 4), 0);
    probe_close(p, fd);
    drain(p, &e);
    assert_int_equal(e.n, 4);
    const enum api_call order[] = {API_SOCKET, API_BIND, API_LISTEN, API_CLOSE};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(e.ev[i].call, order[i]);
        assert_int_equal(e.ev[i].local.port, ntohs(a.sin_port));
        assert_int_equal(e.ev[i].listening, i >= 2);
    }
    probe_free(p);
}

static void test_socket_closed_before_any_address_is_released_at_close(void **state)
{
    (void)state;
    struct probe *p = probe_new(64);
    struct events e;
    int fd = probe_socket(p, AF_INET, SOCK_DGRAM, 0);
    drain(p, &e);
    assert_int_equal(e.n, 0);
    probe_close(p, fd);
    drain(p, &e);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.ev[0].call, API_SOCKET);
    assert_int_equal(e.ev[0].local.addr.family, 0);
    assert_int_equal(e.ev[0].sock_type, SOCK_DGRAM);
    assert_int_equal(e.ev[1].call, API_CLOSE);
    probe_free(p);
}

static void test_refused_connect_still_names_the_local_port(void **state)
{
    (void)state;
    struct probe *p = probe_new(64);
    struct events e;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons(free_port(SOCK_STREAM)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = probe_socket(p, AF_INET, SOCK_STREAM, 0);
    assert_int_equal(probe_connect(p, fd, (struct sockaddr *)&a, sizeof a), -1);
    assert_int_equal(errno, ECONNREFUSED);
    probe_close(p, fd);
    drain(p, &e);
    assert_int_equal(e.n, 4);
    assert_int_not_equal(e.ev[0].local.port, 0);
    assert_int_equal(e.ev[2].call, API_CONNECT);
    assert_int_equal(e.ev[2].phase, API_PHASE_RETURN);
    assert_int_equal(e.ev[2].result, -1);
    assert_int_equal(e.ev[2].error, ECONNREFUSED);
    probe_free(p);
}

static void test_udp_events_name_the_source_address_not_the_wildcard(void **state)
{
    (void)state;
    struct probe *p = probe_new(256);
    struct events e;
    struct server s;
    server_start(&s, IPPROTO_UDP, false, 1, p);
    struct net_client_options c = {
        .proto = IPPROTO_UDP, .port = s.port, .message = "hello udp world", .probe = p};
    char err[256];
    assert_int_equal(net_client_run(&c, err, sizeof err), STATUS_OK);
    server_join(&s, false);
    drain(p, &e);
    const struct api_event *sendto_call = must_find(&e, API_SENDTO, API_PHASE_CALL, 2);
    const struct api_event *socket_ret = must_find(&e, API_SOCKET, API_PHASE_RETURN, 2);
    assert_true(is_loopback(&sendto_call->local));
    assert_true(is_loopback(&socket_ret->local));
    assert_int_equal(socket_ret->local.port, sendto_call->local.port);
    assert_int_equal(sendto_call->peer.port, s.port);
    assert_int_equal(sendto_call->bytes, 15);
    const struct api_event *srv_from = must_find(&e, API_RECVFROM, API_PHASE_RETURN, 1);
    assert_int_equal(srv_from->peer.port, sendto_call->local.port);
    assert_int_equal(srv_from->result, 15);
    const struct api_event *cli_from = must_find(&e, API_RECVFROM, API_PHASE_RETURN, 2);
    assert_int_equal(cli_from->peer.port, s.port);
    assert_int_equal(probe_dropped(p), 0);
    probe_free(p);
}

/* ---- the order of events on a real loopback exchange ---- */

static void test_tcp_exchange_events_are_in_causal_order(void **state)
{
    (void)state;
    struct probe *p = probe_new(256);
    struct events e = {.n = 0};
    struct server s;
    server_start(&s, IPPROTO_TCP, false, 1, p);
    await_event(p, &e, API_ACCEPT, API_PHASE_CALL, -1, 0); /* the server waits in accept() */
    char out[64] = {0};
    FILE *f = fmemopen(out, sizeof out, "w");
    struct net_client_options c = {
        .proto = IPPROTO_TCP, .port = s.port, .message = "hello tcp world", .probe = p, .out = f};
    char err[256];
    assert_int_equal(net_client_run(&c, err, sizeof err), STATUS_OK);
    fclose(f);
    assert_string_equal(out, "HELLO TCP WORLD\n");
    server_join(&s, false);
    drain_more(p, &e);

    /* thread 1 is the server (it called socket() first), thread 2 the client */
    const struct api_event *listen_ev = must_find(&e, API_LISTEN, API_PHASE_RETURN, 1);
    const struct api_event *acc_call = must_find(&e, API_ACCEPT, API_PHASE_CALL, 1);
    const struct api_event *acc_ret = must_find(&e, API_ACCEPT, API_PHASE_RETURN, 1);
    const struct api_event *con_call = must_find(&e, API_CONNECT, API_PHASE_CALL, 2);
    const struct api_event *con_ret = must_find(&e, API_CONNECT, API_PHASE_RETURN, 2);
    const struct api_event *send_call = must_find(&e, API_SEND, API_PHASE_CALL, 2);
    const struct api_event *srv_recv = must_find(&e, API_RECV, API_PHASE_RETURN, 1);
    const struct api_event *srv_send = must_find(&e, API_SEND, API_PHASE_CALL, 1);
    const struct api_event *cli_recv = must_find(&e, API_RECV, API_PHASE_RETURN, 2);
    const struct api_event *cli_close = must_find(&e, API_CLOSE, API_PHASE_RETURN, 2);

    assert_true(listen_ev->listening && acc_call->listening);
    assert_true(acc_call->ts_ns < con_call->ts_ns);
    assert_true(con_call->ts_ns < acc_ret->ts_ns); /* accept returns after the handshake */
    assert_true(con_call->ts_ns < con_ret->ts_ns);
    assert_true(send_call->ts_ns < srv_recv->ts_ns);
    assert_true(srv_recv->ts_ns <= srv_send->ts_ns);
    assert_true(srv_send->ts_ns < cli_recv->ts_ns);
    assert_int_equal(srv_recv->result, 15);
    assert_int_equal(cli_recv->bytes, 15);

    /* the connection socket is new (another fd) but on the server's port, not a new one */
    assert_int_equal(acc_ret->fd, acc_call->fd);
    assert_int_not_equal(acc_ret->result, acc_call->fd);
    assert_false(acc_ret->listening);
    assert_int_equal(acc_ret->local.port, s.port);
    assert_int_equal(srv_recv->local.port, s.port);
    assert_int_equal(srv_recv->fd, acc_ret->result);
    assert_int_equal(acc_ret->peer.port, con_call->local.port);
    assert_true(endpoint_equal(&acc_ret->peer, &con_ret->local));

    /* the server sees EOF after the client's close, then closes both of its sockets */
    int eof = -1;
    for (size_t i = 0; i < e.n; i++)
        if (e.ev[i].call == API_RECV && e.ev[i].phase == API_PHASE_RETURN && e.ev[i].thread == 1 &&
            e.ev[i].result == 0)
            eof = (int)i;
    assert_true(eof >= 0);
    assert_true(cli_close->ts_ns < e.ev[eof].ts_ns);
    int closes = 0;
    for (size_t i = 0; i < e.n; i++) {
        closes += e.ev[i].call == API_CLOSE && e.ev[i].thread == 1;
        /* within a thread, time never goes back and a RETURN follows its CALL */
        for (size_t j = i + 1; j < e.n; j++)
            if (e.ev[j].thread == e.ev[i].thread) assert_true(e.ev[i].ts_ns <= e.ev[j].ts_ns);
    }
    assert_int_equal(closes, 2);
    assert_int_equal(probe_dropped(p), 0);
    probe_free(p);
}

/* ---- the servers, hardened ---- */

static void echo_check(uint16_t port, size_t n)
{
    char *msg = malloc(n), *reply = malloc(n);
    for (size_t i = 0; i < n; i++)
        msg[i] = (char)('a' + i % 26);
    int fd = tcp_connect(port);
    send_all(fd, msg, n);
    assert_int_equal(recv_exactly(fd, reply, n), n);
    for (size_t i = 0; i < n; i++)
        if (reply[i] != (char)('A' + i % 26)) fail_msg("byte %zu of the reply is %d", i, reply[i]);
    close(fd);
    free(msg);
    free(reply);
}

static void test_tcp_server_echoes_a_mebibyte_uppercased(void **state)
{
    (void)state;
    for (int threaded = 0; threaded < 2; threaded++) {
        struct server s;
        server_start(&s, IPPROTO_TCP, threaded, 1, NULL);
        echo_check(s.port, NET_MAX_MESSAGE);
        server_join(&s, false);
        assert_int_equal(s.rc, 0);
    }
}

static void test_tcp_client_sends_and_reads_back_a_mebibyte(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, IPPROTO_TCP, false, 1, NULL);
    size_t n = NET_MAX_MESSAGE;
    char *msg = malloc(n + 1), *out = malloc(n + 2);
    memset(msg, 'x', n);
    msg[n] = 0;
    FILE *f = fmemopen(out, n + 2, "w");
    struct net_client_options c = {.proto = IPPROTO_TCP, .port = s.port, .message = msg, .out = f};
    char err[256];
    assert_int_equal(net_client_run(&c, err, sizeof err), STATUS_OK);
    fclose(f);
    assert_int_equal(out[0], 'X');
    assert_int_equal(out[n - 1], 'X');
    assert_int_equal(out[n], '\n');
    server_join(&s, false);
    free(msg);
    free(out);
}

static void test_server_survives_a_client_vanishing_mid_message(void **state)
{
    (void)state;
    for (int threaded = 0; threaded < 2; threaded++) {
        struct server s;
        server_start(&s, IPPROTO_TCP, threaded, 3, NULL);
        char half[100000];
        memset(half, 'q', sizeof half);
        int fd = tcp_connect(s.port); /* sends half a message and resets */
        send_all(fd, half, sizeof half);
        abort_close(fd);
        fd = tcp_connect(s.port); /* sends half and just closes, not reading the echo */
        send_all(fd, half, sizeof half);
        close(fd);
        echo_check(s.port, 1000); /* the next client is served */
        server_join(&s, false);
        assert_int_equal(s.rc, 0);
    }
}

static void test_slow_client_does_not_hold_up_the_threaded_server(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, IPPROTO_TCP, true, 2, NULL);
    int slow = tcp_connect(s.port);
    char reply[4];
    send_all(slow, "sl", 2); /* ... and the rest only after the next client was served */
    assert_int_equal(recv_exactly(slow, reply, 2), 2); /* a thread serves it, waiting for more */
    /* served while the slow client's message is unfinished (a server of one thread would
     * still wait in its recv(): then this reply never comes and the socket's 5 s timeout
     * fails the check) */
    echo_check(s.port, 5000);
    send_all(slow, "ow", 2);
    assert_int_equal(recv_exactly(slow, reply + 2, 2), 2);
    assert_memory_equal(reply, "SLOW", 4);
    close(slow);
    server_join(&s, false);
}

static void test_threaded_server_serves_500_clients_at_once_without_leaks(void **state)
{
    (void)state;
    enum { N = 500 };
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 2 * N + 100) {
        rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < 2 * N + 100) {
        print_message("skipped: 500 clients need %d descriptors, the limit is %llu\n", 2 * N + 100,
                      (unsigned long long)rl.rlim_cur);
        skip();
    }
    int fds0 = count_fds(), threads0 = threads_settled(1);
    struct server s;
    server_start(&s, IPPROTO_TCP, true, 0, NULL);
    static int fd[N];
    for (int i = 0; i < N; i++)
        fd[i] = tcp_connect(s.port);
    for (int i = 0; i < N; i++) {
        char msg[32];
        int n = snprintf(msg, sizeof msg, "client %d", i);
        send_all(fd[i], msg, (size_t)n);
    }
    for (int i = 0; i < N; i++) {
        char msg[32], reply[32];
        int n = snprintf(msg, sizeof msg, "CLIENT %d", i);
        assert_int_equal(recv_exactly(fd[i], reply, (size_t)n), n);
        assert_memory_equal(reply, msg, (size_t)n);
    }
    /* all 500 connections are open at once, each served by its own thread */
    assert_true(count_threads() >= threads0 + N);
    for (int i = 0; i < N; i++)
        close(fd[i]);
    server_join(&s, true);
    assert_int_equal(s.rc, 0);
    assert_int_equal(count_fds(), fds0);
    assert_int_equal(threads_settled(threads0), threads0);
}

static void test_stop_flag_ends_servers_with_idle_clients_and_frees_everything(void **state)
{
    (void)state;
    int fds0 = count_fds(), threads0 = threads_settled(1);
    for (int threaded = 0; threaded < 2; threaded++) {
        struct probe *p = probe_new(256);
        struct events e = {.n = 0};
        struct server s;
        server_start(&s, IPPROTO_TCP, threaded, 0, p);
        int a = tcp_connect(s.port), b = tcp_connect(s.port);
        send_all(a, "half a mess", 11); /* then silence */
        /* the server has read it and waits in recv() for more; threaded, b's thread too */
        size_t got = await_event(p, &e, API_RECV, API_PHASE_RETURN, -1, 0);
        await_event(p, &e, API_RECV, API_PHASE_CALL, e.ev[got].fd, got + 1);
        if (threaded) {
            size_t first = await_event(p, &e, API_ACCEPT, API_PHASE_RETURN, -1, 0);
            size_t second = await_event(p, &e, API_ACCEPT, API_PHASE_RETURN, -1, first + 1);
            await_event(p, &e, API_RECV, API_PHASE_CALL, (int)e.ev[first].result, first + 1);
            await_event(p, &e, API_RECV, API_PHASE_CALL, (int)e.ev[second].result, second + 1);
        }
        server_join(&s, true); /* within 2 s */
        probe_free(p);
        assert_int_equal(s.rc, 0);
        char c;
        assert_int_equal(recv(b, &c, 1, 0) <= 0, 1); /* the server's sockets are closed */
        close(a);
        close(b);
    }
    struct server u;
    server_start(&u, IPPROTO_UDP, false, 0, NULL);
    server_join(&u, true);
    assert_int_equal(u.rc, 0);
    assert_int_equal(count_fds(), fds0);
    assert_int_equal(threads_settled(threads0), threads0);
}

static void test_port_in_use_is_explained(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, IPPROTO_TCP, false, 0, NULL);
    struct net_server_options o = {
        .proto = IPPROTO_TCP, .bind_addr = "127.0.0.1", .port = s.port, .ready_fd = -1};
    char err[256];
    assert_int_equal(net_server_run(&o, err, sizeof err), STATUS_E_RUNTIME);
    assert_non_null(strstr(err, "already in use"));
    server_join(&s, true);
}

/* ---- the clients' errors ---- */

static void test_tcp_client_refused_asks_whether_the_server_runs(void **state)
{
    (void)state;
    uint16_t port = free_port(SOCK_STREAM);
    struct net_client_options c = {.proto = IPPROTO_TCP, .port = port, .message = "x"};
    char err[256], want[128];
    assert_int_equal(net_client_run(&c, err, sizeof err), STATUS_E_RUNTIME);
    snprintf(want, sizeof want, "connection refused by 127.0.0.1:%u: is the server running?", port);
    assert_string_equal(err, want);
}

static void test_udp_client_reports_a_lost_reply_after_its_timeout(void **state)
{
    (void)state;
    struct net_client_options c = {.proto = IPPROTO_UDP,
                                   .port = free_port(SOCK_DGRAM),
                                   .message = "anyone?",
                                   .timeout_ms = 200};
    char err[256];
    int fds0 = count_fds();
    uint64_t t0 = test_now_ms();
    assert_int_equal(net_client_run(&c, err, sizeof err), STATUS_E_RUNTIME);
    uint64_t took = test_now_ms() - t0;
    /* it waited for its timeout, not less; 10 times the timeout is the liveness bound */
    assert_true(took >= 190 && took < 10 * 200);
    assert_non_null(strstr(err, "no reply from 127.0.0.1:"));
    assert_non_null(strstr(err, "within 200 ms"));
    assert_int_equal(count_fds(), fds0);
}

static void test_clients_refuse_bad_input_as_such(void **state)
{
    (void)state;
    char err[256], big[70000];
    memset(big, 'u', sizeof big - 1);
    big[sizeof big - 1] = 0;
    struct net_client_options c = {
        .proto = IPPROTO_UDP, .port = free_port(SOCK_DGRAM), .message = big};
    assert_int_equal(net_client_run(&c, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "does not fit in one UDP datagram"));
    c = (struct net_client_options){
        .proto = IPPROTO_TCP, .host = "no-such-host.invalid", .port = 1, .message = "x"};
    assert_int_equal(net_client_run(&c, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "unknown host 'no-such-host.invalid'"));
}

static void test_client_sends_each_line_of_its_input(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, IPPROTO_TCP, false, 1, NULL);
    char in[] = "one\ntwo words\r\n\nthree", out[64] = {0};
    FILE *fi = fmemopen(in, strlen(in), "r"), *fo = fmemopen(out, sizeof out, "w");
    struct net_client_options c = {.proto = IPPROTO_TCP, .port = s.port, .in = fi, .out = fo};
    char err[256];
    assert_int_equal(net_client_run(&c, err, sizeof err), STATUS_OK);
    fclose(fi);
    fclose(fo);
    assert_string_equal(out, "ONE\nTWO WORDS\nTHREE\n");
    server_join(&s, false);
}

/* ---- scenarios ---- */

static void test_scenarios_are_named_and_summarised(void **state)
{
    (void)state;
    static const char *const names[] = {"tcp",   "udp",        "threaded",   "handshake", "refused",
                                        "abort", "half-close", "bytestream", "tcp-vs-udp"};
    size_t n;
    const struct scenario *s = net_scenarios(&n);
    assert_int_equal(n, sizeof names / sizeof names[0]);
    assert_string_equal(s[0].name, "tcp"); /* the default comes first */
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(net_scenario_find(names[i]), net_scenario_find(s[i].name));
        assert_non_null(net_scenario_find(names[i]));
        if (strlen(s[i].summary) < 10 || strlen(s[i].summary) > 90) /* one line of --list */
            fail_msg("summary of %s: %zu characters", s[i].name, strlen(s[i].summary));
        assert_null(strchr(s[i].summary, '\n'));
    }
    assert_null(net_scenario_find("nope"));
}

static int count_calls(const struct events *e, enum api_call call, enum api_phase phase)
{
    int n = 0;
    for (size_t i = 0; i < e->n; i++)
        n += e->ev[i].call == call && e->ev[i].phase == phase;
    return n;
}

static void test_every_scenario_runs_to_its_end_and_leaves_nothing(void **state)
{
    (void)state;
    size_t n;
    const struct scenario *s = net_scenarios(&n);
    int fds0 = count_fds(), threads0 = threads_settled(1);
    for (size_t i = 0; i < n; i++) {
        struct probe *p = probe_new(4096);
        atomic_bool stop = false;
        struct scenario_context ctx = {.probe = p, .port = free_port(SOCK_STREAM), .stop = &stop};
        uint64_t t0 = test_now_ms();
        int rc = s[i].run(&ctx);
        if (rc != 0) fail_msg("scenario %s: %s", s[i].name, ctx.err);
        assert_true(test_now_ms() - t0 < 5000); /* liveness: the longest takes 0.2 s */
        struct events *e = malloc(sizeof *e);
        drain(p, e);
        assert_int_equal(probe_dropped(p), 0);
        assert_true(e->n > 0);
        /* every socket opened (by socket() or accept()) is closed before run returns */
        assert_int_equal(count_calls(e, API_SOCKET, API_PHASE_RETURN) +
                             count_calls(e, API_ACCEPT, API_PHASE_RETURN),
                         count_calls(e, API_CLOSE, API_PHASE_RETURN));
        if (!strcmp(s[i].name, "threaded")) {
            assert_int_equal(count_calls(e, API_ACCEPT, API_PHASE_RETURN), 3);
            uint32_t max_thread = 0;
            for (size_t k = 0; k < e->n; k++)
                max_thread = e->ev[k].thread > max_thread ? e->ev[k].thread : max_thread;
            assert_int_equal(max_thread, 7); /* server, its 3 workers, 3 clients */
        } else if (!strcmp(s[i].name, "refused")) {
            const struct api_event *r = must_find(e, API_CONNECT, API_PHASE_RETURN, 0);
            assert_int_equal(r->error, ECONNREFUSED);
        } else if (!strcmp(s[i].name, "half-close")) {
            assert_int_equal(count_calls(e, API_SHUTDOWN, API_PHASE_RETURN), 1);
        } else if (!strcmp(s[i].name, "bytestream")) {
            const struct api_event *first = must_find(e, API_RECV, API_PHASE_RETURN, 1);
            assert_int_equal(first->result, 13); /* "one two three": three sends, one recv */
            assert_true(count_calls(e, API_RECV, API_PHASE_RETURN) >= 6);
        } else if (!strcmp(s[i].name, "tcp-vs-udp")) {
            assert_int_equal(count_calls(e, API_SENDTO, API_PHASE_RETURN), 2);
            assert_int_equal(count_calls(e, API_ACCEPT, API_PHASE_RETURN), 1);
        }
        free(e);
        probe_free(p);
    }
    assert_int_equal(count_fds(), fds0);
    assert_int_equal(threads_settled(threads0), threads0);
}

static void test_stopping_a_scenario_ends_it_promptly(void **state)
{
    (void)state;
    atomic_bool stop = true;
    struct scenario_context ctx = {.port = free_port(SOCK_STREAM), .stop = &stop};
    uint64_t t0 = test_now_ms();
    assert_int_equal(net_scenario_find("threaded")->run(&ctx), STATUS_E_RUNTIME);
    assert_true(test_now_ms() - t0 < 2000); /* liveness: it returns within 0.1 s */
    assert_true(ctx.err[0] != 0);
}

/* ---- the sandbox (in forked children: namespaces are for the whole process) ---- */

static bool loopback_is_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    bool up = ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
    close(s);
    return up;
}

static int interface_count(void)
{
    struct if_nameindex *ifs = if_nameindex();
    int n = 0;
    while (ifs && ifs[n].if_index)
        n++;
    if_freenameindex(ifs);
    return n;
}

/* In a child: enters the sandbox (as uid/gid 65534 when unprivileged) and checks it.
 * Exit 0 ok, 77 namespaces unavailable (message in buf), 1 failure. */
static int sandbox_child(bool unprivileged, int report_fd)
{
    char err[512] = "";
    if (unprivileged && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                         setresuid(65534, 65534, 65534) < 0)) {
        snprintf(err, sizeof err, "cannot become uid 65534: %s", strerror(errno));
        dprintf(report_fd, "%s", err);
        return 77;
    }
    /* changing ids made us undumpable, which hands /proc/self to root; exec (as setpriv
     * does) would have undone that, and so does this */
    if (unprivileged) prctl(PR_SET_DUMPABLE, 1);
    enum sandbox_kind kind;
    if (net_sandbox_enter(&kind, err, sizeof err) < 0) {
        dprintf(report_fd, "%s", err);
        return 77;
    }
    if (kind != (geteuid() == 0 ? SANDBOX_NETNS : SANDBOX_USERNS) || !loopback_is_up()) {
        dprintf(report_fd, "kind %s, lo %s", net_sandbox_name(kind),
                loopback_is_up() ? "up" : "down");
        return 1;
    }
    /* the echo works on the private loopback */
    struct net_server_options o = {.proto = IPPROTO_UDP,
                                   .bind_addr = "127.0.0.1",
                                   .port = NET_DEFAULT_PORT,
                                   .max_clients = 1,
                                   .ready_fd = -1};
    int ready[2];
    if (pipe(ready) < 0) {
        dprintf(report_fd, "pipe: %s", strerror(errno));
        return 1;
    }
    o.ready_fd = ready[1];
    pid_t pid = fork();
    if (pid == 0) _exit(net_server_run(&o, err, sizeof err) == 0 ? 0 : 1);
    close(ready[1]);
    char one;
    bool listening = test_wait_readable(ready[0], 5000) && read(ready[0], &one, 1) == 1;
    close(ready[0]);
    if (!listening) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        dprintf(report_fd, "the echo server in the sandbox never said it was bound");
        return 1;
    }
    struct net_client_options c = {
        .proto = IPPROTO_UDP, .port = NET_DEFAULT_PORT, .message = "inside", .timeout_ms = 2000};
    int rc = net_client_run(&c, err, sizeof err);
    int status;
    waitpid(pid, &status, 0);
    if (rc != 0) {
        dprintf(report_fd, "echo in the sandbox: %s", err);
        return 1;
    }
    dprintf(report_fd, "%d", interface_count());
    return 0;
}

static void run_sandbox_test(bool unprivileged)
{
    if (unprivileged && geteuid() != 0)
        unprivileged = false; /* already unprivileged: no user to switch from */
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        _exit(sandbox_child(unprivileged, pfd[1]));
    }
    close(pfd[1]);
    char msg[600] = "";
    ssize_t n = read(pfd[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = 0;
    close(pfd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) {
        print_message("skipped: no namespace here: %s\n", msg);
        skip();
    }
    if (WEXITSTATUS(status) != 0) fail_msg("sandbox: %s", msg);
    assert_string_equal(msg, "1"); /* only lo: the host's interfaces are out of sight */
}

static void test_sandbox_as_root_is_a_network_namespace_with_loopback_up(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        print_message("skipped: not root\n");
        skip();
    }
    run_sandbox_test(false);
}

static void test_sandbox_unprivileged_is_a_user_and_network_namespace(void **state)
{
    (void)state;
    run_sandbox_test(true);
}

static void write_setting(const char *root, const char *name, const char *value)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, name);
    char *slash = strrchr(path, '/');
    *slash = 0;
    mkdir(path, 0700);
    *slash = '/';
    FILE *f = fopen(path, "w");
    fputs(value, f);
    fclose(f);
}

static void test_sandbox_errors_name_the_setting_and_the_fix(void **state)
{
    (void)state;
    char root[64], err[600];
    assert_int_equal(test_dir_make(root, sizeof root, "net"), 0);

    net_sandbox_explain(root, "unshare", EPERM, err, sizeof err);
    assert_non_null(strstr(err, "seccomp"));
    assert_non_null(strstr(err, "run as root"));

    write_setting(root, "kernel/apparmor_restrict_unprivileged_userns", "1\n");
    net_sandbox_explain(root, "unshare", EPERM, err, sizeof err);
    assert_non_null(strstr(err, "kernel.apparmor_restrict_unprivileged_userns = 1"));
    assert_non_null(strstr(err, "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"));

    write_setting(root, "user/max_user_namespaces", "0\n");
    net_sandbox_explain(root, "unshare", ENOSPC, err, sizeof err);
    assert_non_null(strstr(err, "user.max_user_namespaces = 0"));
    assert_non_null(strstr(err, "sudo sysctl -w user.max_user_namespaces="));

    write_setting(root, "kernel/unprivileged_userns_clone", "0\n");
    net_sandbox_explain(root, "unshare", EPERM, err, sizeof err);
    assert_non_null(strstr(err, "kernel.unprivileged_userns_clone = 0"));
    assert_non_null(strstr(err, "sudo sysctl -w kernel.unprivileged_userns_clone=1"));
    assert_non_null(strstr(err, "run as root"));

    assert_int_equal(test_dir_remove(root), 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_call_names_are_the_socket_api),
        cmocka_unit_test(test_queue_keeps_order_wraps_and_counts_drops),
        cmocka_unit_test(test_wake_fd_is_readable_exactly_while_events_wait),
        cmocka_unit_test(test_client_socket_is_held_until_connect_names_its_port),
        cmocka_unit_test(test_server_socket_is_released_by_bind_and_marked_listening),
        cmocka_unit_test(test_socket_closed_before_any_address_is_released_at_close),
        cmocka_unit_test(test_refused_connect_still_names_the_local_port),
        cmocka_unit_test(test_udp_events_name_the_source_address_not_the_wildcard),
        cmocka_unit_test(test_tcp_exchange_events_are_in_causal_order),
        cmocka_unit_test(test_tcp_server_echoes_a_mebibyte_uppercased),
        cmocka_unit_test(test_tcp_client_sends_and_reads_back_a_mebibyte),
        cmocka_unit_test(test_server_survives_a_client_vanishing_mid_message),
        cmocka_unit_test(test_slow_client_does_not_hold_up_the_threaded_server),
        cmocka_unit_test(test_threaded_server_serves_500_clients_at_once_without_leaks),
        cmocka_unit_test(test_stop_flag_ends_servers_with_idle_clients_and_frees_everything),
        cmocka_unit_test(test_port_in_use_is_explained),
        cmocka_unit_test(test_tcp_client_refused_asks_whether_the_server_runs),
        cmocka_unit_test(test_udp_client_reports_a_lost_reply_after_its_timeout),
        cmocka_unit_test(test_clients_refuse_bad_input_as_such),
        cmocka_unit_test(test_client_sends_each_line_of_its_input),
        cmocka_unit_test(test_scenarios_are_named_and_summarised),
        cmocka_unit_test(test_every_scenario_runs_to_its_end_and_leaves_nothing),
        cmocka_unit_test(test_stopping_a_scenario_ends_it_promptly),
        cmocka_unit_test(test_sandbox_as_root_is_a_network_namespace_with_loopback_up),
        cmocka_unit_test(test_sandbox_unprivileged_is_a_user_and_network_namespace),
        cmocka_unit_test(test_sandbox_errors_name_the_setting_and_the_fix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
