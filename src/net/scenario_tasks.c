/* How a scenario runs its servers and clients: each a thread of the calling process on
 * 127.0.0.1, started in order, with one halt flag that the caller's stop flag or an overall
 * deadline sets, so that a scenario always ends and always joins what it started. */
#include "net_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

enum {
    READY_MS = 3000,   /* a server must listen within this */
    FINISH_MS = 15000, /* the whole exchange must end within this */
    CLIENT_TIMEOUT_MS = 3000,
};

static uint16_t run_port(const struct scenario_run *r)
{
    return r->ctx->port ? r->ctx->port : NET_DEFAULT_PORT;
}

int scenario_run_init(struct scenario_run *r, struct scenario_context *ctx)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    ctx->err[0] = 0;
    atomic_init(&r->halt, false);
    if (pipe(r->ready) < 0) {
        snprintf(ctx->err, sizeof ctx->err, "pipe: %s", strerror(errno));
        return STATUS_E_RUNTIME;
    }
    fcntl(r->ready[0], F_SETFD, FD_CLOEXEC);
    fcntl(r->ready[1], F_SETFD, FD_CLOEXEC);
    return STATUS_OK;
}

void scenario_server_options(struct scenario_run *r, struct net_server_options *o, int proto,
                             unsigned max_clients)
{
    *o = (struct net_server_options){.proto = proto,
                                     .bind_addr = "127.0.0.1",
                                     .port = run_port(r),
                                     .max_clients = max_clients,
                                     .stop = &r->halt,
                                     .probe = r->ctx->probe,
                                     .ready_fd = r->ready[1]};
}

void scenario_client_options(struct scenario_run *r, struct net_client_options *o, int proto,
                             const char *message)
{
    *o = (struct net_client_options){.proto = proto,
                                     .host = "127.0.0.1",
                                     .port = run_port(r),
                                     .message = message,
                                     .timeout_ms = CLIENT_TIMEOUT_MS,
                                     .stop = &r->halt,
                                     .probe = r->ctx->probe,
                                     .pause_ms = 20};
}

static void *task_main(void *arg)
{
    struct scenario_task *t = arg;
    if (t->delay_ms > 0) net_sleep_ms(t->delay_ms);
    t->rc = net_stopped(&t->run->halt) ? 0 : t->fn(t);
    atomic_store(&t->done, true);
    return NULL;
}

int scenario_start(struct scenario_run *r, struct scenario_task *t,
                   int (*fn)(struct scenario_task *t))
{
    t->fn = fn;
    t->run = r;
    t->err[0] = 0;
    atomic_init(&t->done, false);
    int rc = thread_start_quiet(&t->thread, task_main, t); /* signals stay the caller's */
    t->started = rc == 0;
    if (rc != 0) {
        snprintf(r->ctx->err, sizeof r->ctx->err, "cannot start a thread: %s", strerror(rc));
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

int scenario_wait_ready(struct scenario_run *r, struct scenario_task *server)
{
    for (int waited = 0; waited < READY_MS; waited += 10) {
        struct pollfd pfd = {.fd = r->ready[0], .events = POLLIN};
        if (poll(&pfd, 1, 10) == 1) {
            char c;
            if (read(r->ready[0], &c, 1) == 1) return STATUS_OK;
        }
        if (atomic_load(&server->done)) {
            snprintf(r->ctx->err, sizeof r->ctx->err, "%s",
                     server->err[0] ? server->err : "the server ended before listening");
            return STATUS_E_RUNTIME;
        }
        if (net_stopped(r->ctx->stop)) break;
    }
    if (!r->ctx->err[0])
        snprintf(r->ctx->err, sizeof r->ctx->err, "%s",
                 net_stopped(r->ctx->stop) ? "stopped" : "the server did not start listening");
    return STATUS_E_RUNTIME;
}

int scenario_finish(struct scenario_run *r, struct scenario_task **tasks, size_t n)
{
    int waited = 0;
    for (size_t i = 0; i < n; i++) {
        struct scenario_task *t = tasks[i];
        if (!t->started) continue;
        while (!atomic_load(&t->done)) {
            if (net_stopped(r->ctx->stop)) atomic_store(&r->halt, true);
            if (waited >= FINISH_MS && !atomic_load(&r->halt)) {
                atomic_store(&r->halt, true);
                if (!r->ctx->err[0])
                    snprintf(r->ctx->err, sizeof r->ctx->err,
                             "the exchange did not end within %d ms", FINISH_MS);
            }
            net_sleep_ms(5);
            waited += 5;
        }
        pthread_join(t->thread, NULL);
        t->started = false;
        if (t->rc < 0 && !r->ctx->err[0]) snprintf(r->ctx->err, sizeof r->ctx->err, "%s", t->err);
        /* a client that failed would leave its server waiting: stop the rest now */
        if (t->rc < 0) atomic_store(&r->halt, true);
    }
    close(r->ready[0]);
    close(r->ready[1]);
    if (net_stopped(r->ctx->stop) && !r->ctx->err[0])
        snprintf(r->ctx->err, sizeof r->ctx->err, "stopped");
    return r->ctx->err[0] ? -1 : 0;
}

int scenario_task_server(struct scenario_task *t)
{
    return net_server_run(&t->server, t->err, sizeof t->err) < 0 ? -1 : 0;
}

int scenario_task_client(struct scenario_task *t)
{
    return net_client_run(&t->client, t->err, sizeof t->err) < 0 ? -1 : 0;
}

int scenario_listen_tcp(struct scenario_task *t)
{
    struct probe *p = t->server.probe;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons(t->server.port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = probe_socket(p, AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(t->err, sizeof t->err, "socket: %s", strerror(errno));
        return STATUS_E_RUNTIME;
    }
    int one = 1;
    probe_setsockopt(p, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (probe_bind(p, fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        probe_listen(p, fd, SOMAXCONN) < 0) {
        snprintf(t->err, sizeof t->err, "cannot listen on 127.0.0.1:%u: %s", t->server.port,
                 strerror(errno));
        probe_close(p, fd);
        return STATUS_E_RUNTIME;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    char one_byte = 1;
    if (write(t->server.ready_fd, &one_byte, 1) < 0) {
        /* the scenario has given up on us and set halt */
    }
    return fd;
}
