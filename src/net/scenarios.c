/* The named demo scenarios: each runs the built-in servers and clients (or a few socket calls
 * of its own) as threads on 127.0.0.1 and returns once the whole exchange is over. Phases are
 * ~20 ms apart so that a diagram reads phase by phase; packet sequences are deterministic
 * apart from ports, ISNs and timing. */
#include "net_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

enum {
    GAP_MS = 20,
    BYTESTREAM_BULK = 200 * 1024,
    BYTESTREAM_RECV = 50000, /* not a multiple of any segment size: recvs and segments differ */
};

/* The common shape of a scenario: one server task, then, once it listens and after a pause
 * the diagram can breathe in, one client task; both finished before returning. */
static int serve_one_client(struct scenario_run *r, struct scenario_task *server,
                            int (*server_fn)(struct scenario_task *),
                            struct scenario_task *client,
                            int (*client_fn)(struct scenario_task *))
{
    if (scenario_start(r, server, server_fn) == 0 && scenario_wait_ready(r, server) == 0) {
        net_sleep_ms(GAP_MS);
        scenario_start(r, client, client_fn);
    } else {
        atomic_store(&r->halt, true);
    }
    struct scenario_task *all[] = {client, server};
    int rc = scenario_finish(r, all, 2);
    net_sleep_ms(GAP_MS);
    return rc;
}

/* ---- the textbook exchanges ---- */

static int echo_once(struct scenario_context *ctx, int proto, const char *message)
{
    struct scenario_run r;
    if (scenario_run_init(&r, ctx) < 0) return STATUS_E_RUNTIME;
    struct scenario_task server = {0}, client = {0};
    scenario_server_options(&r, &server.server, proto, 1);
    scenario_client_options(&r, &client.client, proto, message);
    return serve_one_client(&r, &server, scenario_task_server, &client, scenario_task_client);
}

static int run_tcp(struct scenario_context *ctx)
{
    return echo_once(ctx, IPPROTO_TCP, "hello tcp world");
}

static int run_udp(struct scenario_context *ctx)
{
    return echo_once(ctx, IPPROTO_UDP, "hello udp world");
}

static int run_tcp_vs_udp(struct scenario_context *ctx)
{
    static const char sentence[] = "the same sentence over both";
    if (echo_once(ctx, IPPROTO_TCP, sentence) < 0) return STATUS_E_RUNTIME;
    return echo_once(ctx, IPPROTO_UDP, sentence);
}

/* Three clients 20 ms apart, each pausing 60 ms between phases: all three connections are
 * open at once, served by three threads, and every phase of every client is its own. */
static int run_threaded(struct scenario_context *ctx)
{
    static const char *const messages[3] = {"hello from client 1", "hello from client 2",
                                            "hello from client 3"};
    struct scenario_run r;
    if (scenario_run_init(&r, ctx) < 0) return STATUS_E_RUNTIME;
    struct scenario_task server = {0}, clients[3] = {{0}};
    scenario_server_options(&r, &server.server, IPPROTO_TCP, 3);
    server.server.threaded = true;
    bool ok = scenario_start(&r, &server, scenario_task_server) == 0 &&
              scenario_wait_ready(&r, &server) == 0;
    if (ok) net_sleep_ms(GAP_MS);
    for (int i = 0; ok && i < 3; i++) {
        scenario_client_options(&r, &clients[i].client, IPPROTO_TCP, messages[i]);
        clients[i].client.pause_ms = 3 * GAP_MS;
        clients[i].delay_ms = i * GAP_MS;
        ok = scenario_start(&r, &clients[i], scenario_task_client) == 0;
    }
    if (!ok) atomic_store(&r.halt, true);
    struct scenario_task *all[] = {&clients[0], &clients[1], &clients[2], &server};
    int rc = scenario_finish(&r, all, 4);
    net_sleep_ms(GAP_MS);
    return rc;
}

/* ---- connection setup and teardown alone ---- */

static int client_socket(struct scenario_task *t, struct sockaddr_in *to)
{
    *to = (struct sockaddr_in){.sin_family = AF_INET,
                               .sin_port = htons(t->client.port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = probe_socket(t->client.probe, AF_INET, SOCK_STREAM, 0);
    if (fd < 0) snprintf(t->err, sizeof t->err, "socket: %s", strerror(errno));
    return fd;
}

static int handshake_client(struct scenario_task *t)
{
    struct probe *p = t->client.probe;
    struct probe_wait w = {t->client.stop, t->client.timeout_ms};
    struct sockaddr_in to;
    int fd = client_socket(t, &to);
    if (fd < 0) return STATUS_E_RUNTIME;
    int rc = probe_connect_wait(p, fd, (struct sockaddr *)&to, sizeof to, &w);
    if (rc < 0)
        snprintf(t->err, sizeof t->err, "connect: %s", strerror(errno));
    else
        net_sleep_ms(GAP_MS);
    probe_close(p, fd);
    return rc;
}

static int run_handshake(struct scenario_context *ctx)
{
    struct scenario_run r;
    if (scenario_run_init(&r, ctx) < 0) return STATUS_E_RUNTIME;
    struct scenario_task server = {0}, client = {0};
    scenario_server_options(&r, &server.server, IPPROTO_TCP, 1);
    scenario_client_options(&r, &client.client, IPPROTO_TCP, NULL);
    return serve_one_client(&r, &server, scenario_task_server, &client, handshake_client);
}

static int refused_client(struct scenario_task *t)
{
    struct probe_wait w = {t->client.stop, t->client.timeout_ms};
    struct sockaddr_in to;
    int fd = client_socket(t, &to);
    if (fd < 0) return STATUS_E_RUNTIME;
    int rc = probe_connect_wait(t->client.probe, fd, (struct sockaddr *)&to, sizeof to, &w);
    int e = errno;
    probe_close(t->client.probe, fd);
    if (rc == 0) {
        snprintf(t->err, sizeof t->err,
                 "something listens on 127.0.0.1:%u: no refusal to "
                 "show",
                 t->client.port);
        return STATUS_E_RUNTIME;
    }
    if (e != ECONNREFUSED) {
        snprintf(t->err, sizeof t->err, "connect: %s (expected a refusal)", strerror(e));
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

static int run_refused(struct scenario_context *ctx)
{
    struct scenario_run r;
    if (scenario_run_init(&r, ctx) < 0) return STATUS_E_RUNTIME;
    struct scenario_task client = {0};
    scenario_client_options(&r, &client.client, IPPROTO_TCP, NULL);
    scenario_start(&r, &client, refused_client);
    struct scenario_task *all[] = {&client};
    int rc = scenario_finish(&r, all, 1);
    net_sleep_ms(GAP_MS);
    return rc;
}

static int run_abort(struct scenario_context *ctx)
{
    struct scenario_run r;
    if (scenario_run_init(&r, ctx) < 0) return STATUS_E_RUNTIME;
    struct scenario_task server = {0}, client = {0};
    scenario_server_options(&r, &server.server, IPPROTO_TCP, 1);
    scenario_client_options(&r, &client.client, IPPROTO_TCP, "hello tcp world");
    client.client.abort_close = true;
    return serve_one_client(&r, &server, scenario_task_server, &client, scenario_task_client);
}

/* ---- the byte stream ---- */

/* Accepts one client; returns the connection socket and closes the welcoming one. */
static int accept_one(struct scenario_task *t)
{
    int lfd = scenario_listen_tcp(t);
    if (lfd < 0) return STATUS_E_RUNTIME;
    struct probe_wait w = {t->server.stop, -1};
    int fd = probe_accept_wait(t->server.probe, lfd, NULL, NULL, &w);
    if (fd < 0) snprintf(t->err, sizeof t->err, "accept: %s", strerror(errno));
    probe_close(t->server.probe, lfd);
    return fd;
}

/* Reads to EOF, then keeps talking: the client's FIN closed one direction only. */
static int half_close_server(struct scenario_task *t)
{
    static const char *const lines[3] = {"line 1 after your FIN\n", "line 2 after your FIN\n",
                                         "line 3, then my FIN\n"};
    struct probe *p = t->server.probe;
    struct probe_wait w = {t->server.stop, -1};
    int fd = accept_one(t);
    if (fd < 0) return STATUS_E_RUNTIME;
    char buf[4096];
    ssize_t n;
    while ((n = probe_recv_wait(p, fd, buf, sizeof buf, 0, &w)) > 0) {
    }
    int rc = n == 0 ? 0 : -1;
    if (rc < 0) snprintf(t->err, sizeof t->err, "server recv: %s", strerror(errno));
    for (int i = 0; rc == 0 && i < 3; i++) {
        net_sleep_ms(GAP_MS);
        size_t len = strlen(lines[i]);
        if (probe_send_wait(p, fd, lines[i], len, MSG_NOSIGNAL, &w) != (ssize_t)len) {
            snprintf(t->err, sizeof t->err, "server send: %s", strerror(errno));
            rc = STATUS_E_RUNTIME;
        }
    }
    net_sleep_ms(GAP_MS);
    probe_close(p, fd);
    return rc;
}

static int run_half_close(struct scenario_context *ctx)
{
    struct scenario_run r;
    if (scenario_run_init(&r, ctx) < 0) return STATUS_E_RUNTIME;
    struct scenario_task server = {0}, client = {0};
    scenario_server_options(&r, &server.server, IPPROTO_TCP, 1);
    scenario_client_options(&r, &client.client, IPPROTO_TCP, "hello half-close");
    client.client.half_close = true;
    return serve_one_client(&r, &server, half_close_server, &client, scenario_task_client);
}

/* Three small sends (TCP_NODELAY: three segments) read by one recv, then one 200 KB send
 * read by several recvs of 50000 bytes: segments, sends and recvs do not line up. */
static int bytestream_client(struct scenario_task *t)
{
    static const char *const words[3] = {"one ", "two ", "three"};
    struct probe *p = t->client.probe;
    struct probe_wait w = {t->client.stop, t->client.timeout_ms};
    struct sockaddr_in to;
    int fd = client_socket(t, &to);
    if (fd < 0) return STATUS_E_RUNTIME;
    int one = 1;
    probe_setsockopt(p, fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char *bulk = malloc(BYTESTREAM_BULK);
    int rc = bulk ? probe_connect_wait(p, fd, (struct sockaddr *)&to, sizeof to, &w) : -1;
    if (rc < 0)
        snprintf(t->err, sizeof t->err, "connect: %s", bulk ? strerror(errno) : "no memory");
    if (rc == 0) net_sleep_ms(GAP_MS);
    for (int i = 0; rc == 0 && i < 3; i++)
        if (probe_send_wait(p, fd, words[i], strlen(words[i]), MSG_NOSIGNAL, &w) < 0) rc = STATUS_E_RUNTIME;
    if (rc == 0) {
        net_sleep_ms(3 * GAP_MS); /* the server reads the three sends 40 ms after accept */
        for (int i = 0; i < BYTESTREAM_BULK; i++)
            bulk[i] = (char)('a' + i % 26);
        if (probe_send_wait(p, fd, bulk, BYTESTREAM_BULK, MSG_NOSIGNAL, &w) != BYTESTREAM_BULK)
            rc = STATUS_E_RUNTIME;
    }
    if (rc < 0 && !t->err[0]) snprintf(t->err, sizeof t->err, "client send: %s", strerror(errno));
    net_sleep_ms(GAP_MS);
    probe_close(p, fd);
    free(bulk);
    return rc;
}

static int bytestream_server(struct scenario_task *t)
{
    struct probe *p = t->server.probe;
    struct probe_wait w = {t->server.stop, -1};
    int fd = accept_one(t);
    if (fd < 0) return STATUS_E_RUNTIME;
    char *buf = malloc(BYTESTREAM_RECV);
    int rc = buf ? 0 : -1;
    net_sleep_ms(2 * GAP_MS); /* the three sends arrive meanwhile: one recv takes them all */
    if (rc == 0 && probe_recv_wait(p, fd, buf, BYTESTREAM_RECV, 0, &w) <= 0) rc = STATUS_E_RUNTIME;
    if (rc == 0) net_sleep_ms(3 * GAP_MS); /* the bulk send is under way */
    size_t got = 0;
    ssize_t n = 0;
    while (rc == 0 && (n = probe_recv_wait(p, fd, buf, BYTESTREAM_RECV, 0, &w)) > 0)
        got += (size_t)n; /* to the client's FIN */
    if (rc < 0 || n < 0)
        snprintf(t->err, sizeof t->err, "server recv: %s", buf ? strerror(errno) : "no memory");
    else if (got != BYTESTREAM_BULK)
        snprintf(t->err, sizeof t->err, "server got %zu bytes of %d", got, BYTESTREAM_BULK);
    if (t->err[0]) rc = STATUS_E_RUNTIME;
    free(buf);
    net_sleep_ms(GAP_MS);
    probe_close(p, fd);
    return rc;
}

static int run_bytestream(struct scenario_context *ctx)
{
    struct scenario_run r;
    if (scenario_run_init(&r, ctx) < 0) return STATUS_E_RUNTIME;
    struct scenario_task server = {0}, client = {0};
    scenario_server_options(&r, &server.server, IPPROTO_TCP, 1);
    scenario_client_options(&r, &client.client, IPPROTO_TCP, NULL);
    return serve_one_client(&r, &server, bytestream_server, &client, bytestream_client);
}

static const struct scenario scenarios[] = {
    {"tcp", "the textbook TCP exchange: handshake, a line, its uppercase reply, FINs", run_tcp, 1},
    {"udp", "the textbook UDP exchange: one datagram, its uppercase reply, no connection", run_udp,
     1},
    {"threaded", "three clients at once on the multi-threaded server: a socket and thread each",
     run_threaded, 3},
    {"handshake", "connect then close, nothing else: the three-way handshake and the FINs",
     run_handshake, 1},
    {"refused", "connect to a port where nobody listens: SYN answered by RST", run_refused, 1},
    {"abort", "the client closes with SO_LINGER 0: RST instead of FIN", run_abort, 1},
    {"half-close", "the client shuts down writing; the server keeps sending, then closes",
     run_half_close, 1},
    {"bytestream", "no message boundaries: three sends, one recv; one 200 KB send, many recvs",
     run_bytestream, 1},
    {"tcp-vs-udp", "the same sentence over TCP, then over UDP", run_tcp_vs_udp, 2},
};

const struct scenario *net_scenarios(size_t *count)
{
    *count = sizeof scenarios / sizeof scenarios[0];
    return scenarios;
}

const struct scenario *net_scenario_find(const char *name)
{
    size_t n;
    const struct scenario *s = net_scenarios(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s[i].name, name)) return &s[i];
    return NULL;
}
