/* The probe's queue and bookkeeping: a bounded multi-producer queue of API events behind a
 * short mutex (never held during a socket call) with an eventfd for wake-ups, and per
 * socket what is known of its addresses, holding back events until its local port is. */
#include "net_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

enum { HELD_PER_SOCKET = 8 };

struct socket_entry {
    bool tracked;
    bool local_known;
    bool local_wildcard; /* 0.0.0.0 / :: (unconnected UDP, wildcard bind) */
    bool listening;
    bool linger_abort; /* SO_LINGER {on, 0 s}: close sends a RST */
    int type;
    struct endpoint local, peer;
    unsigned nheld;
    struct api_event *held; /* HELD_PER_SOCKET slots, allocated on first use */
};

struct probe {
    pthread_mutex_t lock;
    struct api_event *ring;
    unsigned capacity, head, count;
    uint64_t dropped;
    int wake_fd;
    struct socket_entry *sockets; /* indexed by fd */
    size_t nsockets;
    unsigned serial; /* tells probes apart in the per-thread number cache */
    atomic_uint threads;
};

static atomic_uint probe_serials;

struct probe *probe_new(unsigned capacity)
{
    if (capacity == 0) return NULL;
    struct probe *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->ring = calloc(capacity, sizeof *p->ring);
    p->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!p->ring || p->wake_fd < 0) {
        free(p->ring);
        if (p->wake_fd >= 0) close(p->wake_fd);
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    p->capacity = capacity;
    p->serial = atomic_fetch_add(&probe_serials, 1) + 1;
    return p;
}

void probe_free(struct probe *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->nsockets; i++)
        free(p->sockets[i].held);
    free(p->sockets);
    free(p->ring);
    close(p->wake_fd);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int probe_wake_fd(const struct probe *p)
{
    return p->wake_fd;
}

uint64_t probe_dropped(const struct probe *p)
{
    struct probe *q = (struct probe *)p;
    pthread_mutex_lock(&q->lock);
    uint64_t d = q->dropped;
    pthread_mutex_unlock(&q->lock);
    return d;
}

/* with the lock held */
static void push_locked(struct probe *p, const struct api_event *ev)
{
    if (p->count == p->capacity) {
        p->dropped++;
        return;
    }
    p->ring[(p->head + p->count) % p->capacity] = *ev;
    if (p->count++ == 0) {
        uint64_t one = 1;
        if (write(p->wake_fd, &one, sizeof one) < 0) {
            /* the counter cannot overflow: it is drained whenever the queue empties */
        }
    }
}

bool probe_pop(struct probe *p, struct api_event *ev)
{
    pthread_mutex_lock(&p->lock);
    bool got = p->count > 0;
    if (got) {
        *ev = p->ring[p->head];
        p->head = (p->head + 1) % p->capacity;
        if (--p->count == 0) {
            uint64_t n;
            if (read(p->wake_fd, &n, sizeof n) < 0) {
                /* already drained */
            }
        }
    }
    pthread_mutex_unlock(&p->lock);
    return got;
}

uint64_t probe_oldest_held(struct probe *p)
{
    uint64_t oldest = UINT64_MAX;
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->nsockets; i++)
        for (unsigned k = 0; k < p->sockets[i].nheld; k++)
            if (p->sockets[i].held[k].ts_ns < oldest)
                oldest = p->sockets[i].held[k].ts_ns;
    pthread_mutex_unlock(&p->lock);
    return oldest;
}

void probe_queue_event(struct probe *p, const struct api_event *ev)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    push_locked(p, ev);
    pthread_mutex_unlock(&p->lock);
}

/* with the lock held; NULL when fd is negative or memory is short */
static struct socket_entry *entry_locked(struct probe *p, int fd)
{
    if (fd < 0) return NULL;
    if ((size_t)fd >= p->nsockets) {
        size_t n = p->nsockets ? p->nsockets : 64;
        while (n <= (size_t)fd)
            n *= 2;
        struct socket_entry *s = realloc(p->sockets, n * sizeof *s);
        if (!s) return NULL;
        memset(s + p->nsockets, 0, (n - p->nsockets) * sizeof *s);
        p->sockets = s;
        p->nsockets = n;
    }
    return &p->sockets[fd];
}

/* Small per-thread numbers in the order a probe first sees each thread. A thread-local cache
 * (not a table of thread ids, which the kernel reuses) so that a new thread gets a new
 * number even when it inherits an old thread's id. */
static uint32_t thread_number(struct probe *p)
{
    static _Thread_local struct {
        unsigned serial;
        uint32_t number;
    } seen[4];
    static _Thread_local unsigned next_slot;
    for (int i = 0; i < 4; i++)
        if (seen[i].serial == p->serial) return seen[i].number;
    unsigned slot = next_slot++ % 4;
    seen[slot].serial = p->serial;
    seen[slot].number = atomic_fetch_add(&p->threads, 1) + 1;
    return seen[slot].number;
}

void probe_event_init(struct api_event *ev, enum api_call call, enum api_phase phase, int fd,
                      uint64_t ts_ns)
{
    memset(ev, 0, sizeof *ev);
    ev->ts_ns = ts_ns;
    ev->call = call;
    ev->phase = phase;
    ev->fd = fd;
}

void probe_track_socket(struct probe *p, int fd, int sock_type)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    struct socket_entry *e = entry_locked(p, fd);
    if (e) {
        free(e->held);
        *e = (struct socket_entry){.tracked = true, .type = sock_type};
    }
    pthread_mutex_unlock(&p->lock);
}

void probe_mark_linger_abort(struct probe *p, int fd, bool abort)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    struct socket_entry *e = entry_locked(p, fd);
    if (e) e->linger_abort = abort;
    pthread_mutex_unlock(&p->lock);
}

void probe_mark_listening(struct probe *p, int fd)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    struct socket_entry *e = entry_locked(p, fd);
    if (e) e->listening = true;
    pthread_mutex_unlock(&p->lock);
}

void probe_report(struct probe *p, struct api_event *ev, int addr_fd,
                  const struct sockaddr *peer_override)
{
    if (!p) return;
    ev->thread = thread_number(p);
    struct endpoint peer;
    if (peer_override) net_endpoint_from_sockaddr(peer_override, &peer);
    pthread_mutex_lock(&p->lock);
    struct socket_entry *e = entry_locked(p, addr_fd);
    if (e && e->tracked) {
        ev->sock_type = e->type;
        ev->listening = e->listening;
        ev->local = e->local;
        ev->peer = e->peer;
    }
    if (peer_override) ev->peer = peer;
    if (e && e->tracked && !e->local_known) {
        if (!e->held) e->held = malloc(HELD_PER_SOCKET * sizeof *e->held);
        if (e->held && e->nheld < HELD_PER_SOCKET)
            e->held[e->nheld++] = *ev;
        else
            p->dropped++;
    } else {
        push_locked(p, ev);
    }
    pthread_mutex_unlock(&p->lock);
}

/* with the lock held: sends e's held events with what is now known of its addresses */
static void release_locked(struct probe *p, struct socket_entry *e)
{
    for (unsigned i = 0; i < e->nheld; i++) {
        struct api_event *ev = &e->held[i];
        ev->local = e->local;
        if (ev->peer.addr.family == 0) ev->peer = e->peer;
        if (e->listening) ev->listening = true;
        push_locked(p, ev);
    }
    e->nheld = 0;
    free(e->held);
    e->held = NULL;
}

static bool is_wildcard(const struct endpoint *ep)
{
    static const uint8_t zero[16];
    return memcmp(ep->addr.bytes, zero, ep->addr.family == 4 ? 4 : 16) == 0;
}

/* The source address the kernel would use toward peer: a UDP connect sends nothing. */
static bool route_source(const struct sockaddr *peer, struct endpoint *out)
{
    struct sockaddr_storage to;
    socklen_t len;
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)peer;
    if (peer->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
        struct sockaddr_in *in = (struct sockaddr_in *)&to;
        memset(&to, 0, sizeof to);
        in->sin_family = AF_INET;
        in->sin_port = in6->sin6_port;
        memcpy(&in->sin_addr, &in6->sin6_addr.s6_addr[12], 4);
        len = sizeof *in;
    } else if (peer->sa_family == AF_INET) {
        len = sizeof(struct sockaddr_in);
        memcpy(&to, peer, len);
    } else if (peer->sa_family == AF_INET6) {
        len = sizeof(struct sockaddr_in6);
        memcpy(&to, peer, len);
    } else {
        return false;
    }
    int s = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return false;
    struct sockaddr_storage me;
    socklen_t mlen = sizeof me;
    bool ok = connect(s, (struct sockaddr *)&to, len) == 0 &&
              getsockname(s, (struct sockaddr *)&me, &mlen) == 0;
    close(s);
    if (ok) net_endpoint_from_sockaddr((struct sockaddr *)&me, out);
    return ok;
}

void probe_learn_addresses(struct probe *p, int fd, const struct sockaddr *toward)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    struct socket_entry *e = entry_locked(p, fd);
    bool wanted = e && e->tracked && (!e->local_known || e->local_wildcard || !e->peer.port);
    pthread_mutex_unlock(&p->lock);
    if (!wanted) return;

    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    struct endpoint local = {0}, peer = {0}, source;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        net_endpoint_from_sockaddr((struct sockaddr *)&ss, &local);
    len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
        net_endpoint_from_sockaddr((struct sockaddr *)&ss, &peer);
    bool wildcard = local.addr.family && is_wildcard(&local);
    if (wildcard && local.port && toward && route_source(toward, &source)) {
        local.addr = source.addr;
        wildcard = false;
    }

    pthread_mutex_lock(&p->lock);
    e = entry_locked(p, fd);
    if (e && e->tracked) {
        if (local.port && (!e->local_known || e->local_wildcard)) {
            e->local = local;
            e->local_known = true;
            e->local_wildcard = wildcard;
        }
        if (peer.port) e->peer = peer;
        if (e->local_known && e->nheld) release_locked(p, e);
    }
    pthread_mutex_unlock(&p->lock);
}

void probe_forget_socket(struct probe *p, struct api_event *ev)
{
    if (!p) return;
    ev->thread = thread_number(p);
    pthread_mutex_lock(&p->lock);
    struct socket_entry *e = entry_locked(p, ev->fd);
    if (e && e->tracked) {
        ev->sock_type = e->type;
        ev->listening = e->listening;
        ev->local = e->local;
        ev->peer = e->peer;
        ev->abortive = e->linger_abort && e->type == SOCK_STREAM;
        release_locked(p, e);
        *e = (struct socket_entry){0};
    }
    pthread_mutex_unlock(&p->lock);
}
