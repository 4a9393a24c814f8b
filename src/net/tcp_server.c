/* The TCP uppercase-echo server: a welcoming socket accepts, and each connection socket
 * (same port) reads what arrives and sends it back uppercased until the client closes.
 * Threaded: one thread per client, as the textbook's multi-threaded server. */
#include "net_internal.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum {
    CHUNK = 64 * 1024,
    MAX_WORKERS = 1024, /* beyond this, new clients wait in the listen backlog */
    WORKER_STACK = 256 * 1024,
};

void net_tcp_serve_connection(const struct net_server_options *o, int fd, const char *who)
{
    struct probe_wait w = {o->stop, -1};
    char *buf = malloc(CHUNK);
    uint64_t echoed = 0;
    while (buf) {
        ssize_t n = probe_recv_wait(o->probe, fd, buf, CHUNK, 0, &w);
        if (n == 0) {
            net_log(o->log, "%s closed the connection (%llu bytes echoed)", who,
                    (unsigned long long)echoed);
            break;
        }
        if (n < 0) {
            if (errno == EINTR)
                net_log(o->log, "%s: closing, the server is stopping", who);
            else
                net_log(o->log, "%s: %s (the client vanished)", who, strerror(errno));
            break;
        }
        char preview[80];
        net_preview(buf, (size_t)n, preview, sizeof preview);
        net_log(o->log, "%s: %zd bytes %s", who, n, preview);
        net_uppercase(buf, (size_t)n);
        if (probe_send_wait(o->probe, fd, buf, (size_t)n, MSG_NOSIGNAL, &w) != n) {
            net_log(o->log, "%s: reply not sent: %s", who,
                    errno == EINTR ? "the server is stopping" : strerror(errno));
            break;
        }
        echoed += (uint64_t)n;
    }
    if (!buf) net_log(o->log, "%s: out of memory", who);
    free(buf);
    probe_close(o->probe, fd);
}

struct worker {
    pthread_t thread;
    const struct net_server_options *o;
    int fd;
    char who[64];
    atomic_bool done;
    struct worker *next;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    net_tcp_serve_connection(w->o, w->fd, w->who);
    atomic_store(&w->done, true);
    return NULL;
}

/* Joins finished workers (all of them with all = true); returns how many still run. */
static unsigned reap(struct worker **list, bool all)
{
    unsigned running = 0;
    for (struct worker **pw = list; *pw;) {
        struct worker *w = *pw;
        if (all || atomic_load(&w->done)) {
            pthread_join(w->thread, NULL);
            *pw = w->next;
            free(w);
        } else {
            running++;
            pw = &w->next;
        }
    }
    return running;
}

static bool start_worker(const struct net_server_options *o, int fd, const char *who,
                         struct worker **list)
{
    struct worker *w = calloc(1, sizeof *w);
    if (!w) return false;
    w->o = o;
    w->fd = fd;
    snprintf(w->who, sizeof w->who, "%s", who);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    size_t stack = WORKER_STACK < PTHREAD_STACK_MIN ? PTHREAD_STACK_MIN : WORKER_STACK;
    pthread_attr_setstacksize(&attr, stack);
    int rc = pthread_create(&w->thread, &attr, worker_main, w);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        free(w);
        return false;
    }
    w->next = *list;
    *list = w;
    return true;
}

int net_tcp_serve(int listen_fd, const struct net_server_options *o, char *err, size_t errlen)
{
    struct probe_wait w = {o->stop, -1};
    struct worker *workers = NULL;
    unsigned served = 0;
    int rc = STATUS_OK;
    while (!net_stopped(o->stop) && (o->max_clients == 0 || served < o->max_clients)) {
        if (o->threaded && reap(&workers, false) >= MAX_WORKERS) {
            net_sleep_ms(10);
            continue;
        }
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = probe_accept_wait(o->probe, listen_fd, (struct sockaddr *)&ss, &len, &w);
        if (fd < 0) {
            if (errno == EINTR) break;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* out of descriptors or memory: clients wait in the backlog meanwhile */
                net_log(o->log, "accept: %s; waiting for clients to leave", strerror(errno));
                net_sleep_ms(100);
                continue;
            }
            snprintf(err, errlen, "accept: %s", strerror(errno));
            rc = STATUS_E_RUNTIME;
            break;
        }
        served++;
        char who[64];
        net_format_sockaddr((struct sockaddr *)&ss, who, sizeof who);
        net_log(o->log, "%s connected", who);
        if (!o->threaded || !start_worker(o, fd, who, &workers))
            net_tcp_serve_connection(o, fd, who);
    }
    reap(&workers, true);
    return rc;
}
