/* The wire itself: the thread that takes each Ethernet frame off one veth (AF_PACKET), asks
 * the impairment engine for its fate, keeps it until its time has come, and puts it on the
 * other veth; both moments are recorded (events ring, optional pcap files). */
#define _GNU_SOURCE /* setns, ppoll */
#include "wire_internal.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <time.h>
#include <unistd.h>

#include "sockscope/capture.h" /* the SPSC ring */

#define SLOT_BYTES 2048u /* an Ethernet frame at MTU 1500 (offloads are off: no GSO packets) */
#define BATCH 64
#define DEFAULT_CAPACITY 16384u
#define DEFAULT_RING_KIB 16384u

struct slot {
    uint64_t id, sent_mono, sent_real;
    uint32_t len, refs;
    enum role from;
    uint8_t data[SLOT_BYTES];
};

/* a copy of a frame waiting for its time; ties leave in the order they were queued */
struct pending {
    uint64_t out_ns, order;
    uint32_t slot;
    bool copy;
};

struct wire {
    struct wire_config cfg;
    struct wire_links links;
    struct wire_impairer im;

    struct slot *slots;
    uint32_t *free_slots, nfree, nslots;
    struct pending *heap;
    size_t nheap, heap_cap;
    uint64_t order, next_id, max_out_id[2];
    int64_t real_minus_mono;

    struct capture_ring *ring;
    int wake_fd, stop_fd;
    atomic_bool waiting;
    bool peeked;

    pcap_t *dead;
    pcap_dumper_t *dump[2]; /* [WIRE_POINT_SENT], [WIRE_POINT_RECEIVED] */
    atomic_bool failed;
    char fail[256];

    pthread_t thread;
    bool running;
    uint8_t scratch[SLOT_BYTES];
    _Atomic uint64_t frames[2], delivered[2], lost[2], queue_drops[2], send_errors, kernel_drops;
};

/* ---- the time-ordered heap ---- */

static bool before(const struct pending *a, const struct pending *b)
{
    return a->out_ns != b->out_ns ? a->out_ns < b->out_ns : a->order < b->order;
}

static void heap_push(struct wire *w, struct pending p)
{
    size_t i = w->nheap++;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (!before(&p, &w->heap[up])) break;
        w->heap[i] = w->heap[up];
        i = up;
    }
    w->heap[i] = p;
}

static struct pending heap_pop(struct wire *w)
{
    struct pending top = w->heap[0], last = w->heap[--w->nheap];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= w->nheap) break;
        if (c + 1 < w->nheap && before(&w->heap[c + 1], &w->heap[c])) c++;
        if (!before(&w->heap[c], &last)) break;
        w->heap[i] = w->heap[c];
        i = c;
    }
    if (w->nheap) w->heap[i] = last;
    return top;
}

/* ---- recording ---- */

static void record(struct wire *w, const struct wire_event *ev, const uint8_t *data)
{
    pcap_dumper_t *d = w->dump[ev->point];
    if (d) {
        struct pcap_pkthdr h = {.caplen = ev->len, .len = ev->len};
        h.ts.tv_sec = (time_t)(ev->ts_ns / 1000000000u);
        h.ts.tv_usec = (suseconds_t)(ev->ts_ns % 1000000000u); /* nanosecond file */
        pcap_dump((u_char *)d, &h, data);
    }
    if (w->cfg.no_events) return;
    struct wire_event head = *ev;
    head.data = NULL;
    (void)capture_ring_push(w->ring, &head, sizeof head, data, ev->len);
}

/* After a batch: wake the reader if it said it would sleep (never a write per frame). */
static void wake_reader(struct wire *w)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_exchange(&w->waiting, false)) {
        uint64_t one = 1;
        (void)!write(w->wake_fd, &one, sizeof one);
    }
}

/* ---- forwarding ---- */

/* The RECEIVED record of a copy that left, then its slot back when no copy is left. */
static void sent_one(struct wire *w, const struct pending *p, bool ok, uint64_t out_real)
{
    struct slot *s = &w->slots[p->slot];
    if (ok) {
        struct wire_event ev = {.point = WIRE_POINT_RECEIVED,
                                .sender = s->from,
                                .id = s->id,
                                .ts_ns = out_real,
                                .sent_ns = s->sent_real,
                                .fate = WIRE_FATE_DELIVERED,
                                .drop_rule = -1,
                                .len = s->len};
        if (p->copy) ev.flags |= WIRE_FLAG_COPY;
        if (s->id < w->max_out_id[s->from])
            ev.flags |= WIRE_FLAG_REORDERED;
        else
            w->max_out_id[s->from] = s->id;
        record(w, &ev, s->data);
        atomic_fetch_add_explicit(&w->delivered[s->from], 1, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&w->send_errors, 1, memory_order_relaxed);
    }
    if (--s->refs == 0) w->free_slots[w->nfree++] = p->slot;
}

/* Sends n copies out of the veth toward `to`, in order, in as few sendmmsg calls as it takes. */
static void send_batch(struct wire *w, int to, struct pending *p, int n)
{
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    memset(msgs, 0, (size_t)n * sizeof msgs[0]);
    for (int i = 0; i < n; i++) {
        struct slot *s = &w->slots[p[i].slot];
        iov[i] = (struct iovec){.iov_base = s->data, .iov_len = s->len};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int fd = w->links.packet[to];
    int done = 0, retries = 0;
    while (done < n) {
        int k = sendmmsg(fd, msgs + done, (unsigned)(n - done), MSG_DONTWAIT);
        uint64_t out_real = monotonic_now_ns() + (uint64_t)w->real_minus_mono;
        if (k > 0) {
            for (int i = done; i < done + k; i++)
                sent_one(w, &p[i], msgs[i].msg_len == iov[i].iov_len, out_real);
            done += k;
            continue;
        }
        if ((errno == EAGAIN || errno == ENOBUFS) && retries++ < 3) {
            /* the veth's queue toward the receiver is full for a moment */
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            (void)poll(&pf, 1, 5);
            continue;
        }
        sent_one(w, &p[done], false, out_real); /* this one is refused; go on with the rest */
        done++;
    }
}

/* Everything due by now leaves in its order: runs of one direction go in one sendmmsg, so
 * frames leave the wire in the order they were due, across both directions too. */
static void send_due(struct wire *w, uint64_t now)
{
    while (w->nheap && w->heap[0].out_ns <= now) {
        struct pending run[BATCH];
        int n = 0;
        int to = 1 - (int)w->slots[w->heap[0].slot].from;
        while (n < BATCH && w->nheap && w->heap[0].out_ns <= now &&
               1 - (int)w->slots[w->heap[0].slot].from == to)
            run[n++] = heap_pop(w);
        send_batch(w, to, run, n);
    }
}

/* One frame read from `from`'s veth into buf (slot si if have_slot): its fate, its record. */
static void take_frame(struct wire *w, enum role from, bool have_slot, uint32_t si,
                       const uint8_t *buf, size_t n, bool truncated)
{
    uint64_t mono = monotonic_now_ns();
    struct wire_event ev = {.point = WIRE_POINT_SENT,
                            .sender = from,
                            .id = ++w->next_id,
                            .ts_ns = mono + (uint64_t)w->real_minus_mono,
                            .drop_rule = -1,
                            .len = (uint32_t)n};
    ev.sent_ns = ev.ts_ns;
    atomic_fetch_add_explicit(&w->frames[from], 1, memory_order_relaxed);
    struct wire_verdict v;
    if (!have_slot || truncated) {
        /* everything the wire may hold is in use (or the frame exceeds any Ethernet frame) */
        v = (struct wire_verdict){
            .fate = WIRE_FATE_QUEUE_DROP, .cause = WIRE_CAUSE_CAPACITY, .drop_rule = -1};
    } else {
        wire_impair_decide(&w->im, from, buf, ev.len, mono, &v);
    }
    ev.fate = v.fate;
    ev.cause = v.cause;
    ev.drop_rule = v.drop_rule;
    ev.flags = v.flags;
    record(w, &ev, buf);
    if (v.fate == WIRE_FATE_LOST)
        atomic_fetch_add_explicit(&w->lost[from], 1, memory_order_relaxed);
    if (v.fate == WIRE_FATE_QUEUE_DROP)
        atomic_fetch_add_explicit(&w->queue_drops[from], 1, memory_order_relaxed);
    if (v.fate != WIRE_FATE_DELIVERED) return;
    struct slot *s = &w->slots[si];
    s->id = ev.id;
    s->sent_mono = mono;
    s->sent_real = ev.ts_ns;
    s->len = ev.len;
    s->from = from;
    s->refs = v.copies;
    for (unsigned c = 0; c < v.copies; c++)
        heap_push(w, (struct pending){
                         .out_ns = v.out_ns[c], .order = w->order++, .slot = si, .copy = c == 1});
}

/* Up to BATCH frames in one recvmmsg, each into a slot taken off the free list (given back
 * when its frame does not go on). Returns how many were read. */
static int take_batch(struct wire *w, enum role from)
{
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    uint32_t si[BATCH];
    int k = 0;
    for (; k < BATCH && w->nfree > 0; k++) {
        si[k] = w->free_slots[--w->nfree];
        iov[k] = (struct iovec){.iov_base = w->slots[si[k]].data, .iov_len = SLOT_BYTES};
    }
    bool full = k == 0; /* no slot free: read one frame to report it dropped */
    if (full) iov[k++] = (struct iovec){.iov_base = w->scratch, .iov_len = SLOT_BYTES};
    memset(msgs, 0, (size_t)k * sizeof msgs[0]);
    for (int i = 0; i < k; i++) {
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(w->links.packet[from], msgs, (unsigned)k, MSG_DONTWAIT, NULL);
    for (int i = 0; i < (n > 0 ? n : 0); i++) {
        bool trunc = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
        size_t heap_before = w->nheap;
        take_frame(w, from, !full, full ? 0 : si[i], iov[i].iov_base, msgs[i].msg_len, trunc);
        if (!full && w->nheap == heap_before) w->free_slots[w->nfree++] = si[i];
    }
    if (!full)
        for (int i = n > 0 ? n : 0; i < k; i++)
            w->free_slots[w->nfree++] = si[i];
    return n > 0 ? n : 0;
}

static void *wire_main(void *arg)
{
    struct wire *w = arg;
    struct pollfd pf[3] = {{.fd = w->links.packet[0], .events = POLLIN},
                           {.fd = w->links.packet[1], .events = POLLIN},
                           {.fd = w->stop_fd, .events = POLLIN}};
    for (;;) {
        uint64_t now = monotonic_now_ns();
        send_due(w, now);
        wake_reader(w);
        struct timespec ts, *tp = NULL;
        if (w->nheap) {
            uint64_t due = w->heap[0].out_ns;
            now = monotonic_now_ns();
            uint64_t wait = due > now ? due - now : 0;
            ts.tv_sec = (time_t)(wait / 1000000000u);
            ts.tv_nsec = (long)(wait % 1000000000u);
            tp = &ts;
        }
        int n = ppoll(pf, 3, tp, NULL);
        if (n < 0 && errno != EINTR) break;
        if (pf[2].revents) break;
        for (int side = 0; side < 2; side++) {
            if (!(pf[side].revents & POLLIN)) continue;
            /* bounded batches, and what is due leaves between them, so one busy direction
             * does not hold up the other's timing */
            for (int i = 0; i < 4 && take_batch(w, (enum role)side) == BATCH; i++)
                send_due(w, monotonic_now_ns());
        }
    }
    wake_reader(w);
    return NULL;
}

/* ---- the object ---- */

static int open_dump(struct wire *w, int point, const char *path, char *err, size_t errlen)
{
    if (!path) return 0;
    if (!w->dead)
        w->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, SLOT_BYTES,
                                                       PCAP_TSTAMP_PRECISION_NANO);
    if (!w->dead) {
        snprintf(err, errlen, "wire: pcap_open_dead failed");
        return -1;
    }
    w->dump[point] = pcap_dump_open(w->dead, path);
    if (!w->dump[point]) {
        snprintf(err, errlen, "wire: cannot create the capture file: %s", pcap_geterr(w->dead));
        return -1;
    }
    return 0;
}

struct wire *wire_new(const struct wire_config *c, char *err, size_t errlen)
{
    struct wire *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "wire: out of memory");
        return NULL;
    }
    w->cfg = *c;
    w->wake_fd = w->stop_fd = -1;
    w->links.netns[0] = w->links.netns[1] = w->links.netns[2] = -1;
    w->links.packet[0] = w->links.packet[1] = -1;
    w->nslots = c->capacity ? c->capacity : DEFAULT_CAPACITY;
    w->heap_cap = 2 * (size_t)w->nslots;
    size_t ring = (size_t)(c->ring_kib ? c->ring_kib : DEFAULT_RING_KIB) * 1024;
    w->slots = malloc(w->nslots * sizeof *w->slots);
    w->free_slots = malloc(w->nslots * sizeof *w->free_slots);
    w->heap = malloc(w->heap_cap * sizeof *w->heap);
    w->ring = c->no_events ? NULL : capture_ring_new(ring);
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!w->slots || !w->free_slots || !w->heap || (!c->no_events && !w->ring) || w->wake_fd < 0 ||
        w->stop_fd < 0 || wire_impair_init(&w->im, c) < 0) {
        snprintf(err, errlen, "wire: out of memory (or descriptors)");
        wire_free(w);
        return NULL;
    }
    for (uint32_t i = 0; i < w->nslots; i++)
        w->free_slots[i] = w->nslots - 1 - i;
    w->nfree = w->nslots;
    atomic_init(&w->waiting, true); /* the reader has not looked yet */
    atomic_init(&w->failed, false);
    if (open_dump(w, WIRE_POINT_SENT, c->sender_pcap, err, errlen) < 0 ||
        open_dump(w, WIRE_POINT_RECEIVED, c->receiver_pcap, err, errlen) < 0 ||
        wire_links_create(&w->links, c->ipv6, err, errlen) < 0) {
        wire_free(w);
        return NULL;
    }
    /* the config's strings belong to the caller */
    w->cfg.sender_pcap = w->cfg.receiver_pcap = NULL;
    return w;
}

int wire_enter_side(struct wire *w, enum role side, char *err, size_t errlen)
{
    if (setns(w->links.netns[side], CLONE_NEWNET) < 0) {
        snprintf(err, errlen, "wire: setns into the %s namespace: %s",
                 side == ROLE_CLIENT ? "client" : "server", strerror(errno));
        return STATUS_E_RUNTIME;
    }
    return 0;
}

int wire_side_netns_fd(const struct wire *w, enum role side)
{
    return w->links.netns[side];
}

int wire_start(struct wire *w, char *err, size_t errlen)
{
    if (w->running) return 0;
    w->real_minus_mono = (int64_t)(stamp_now_ns() - monotonic_now_ns());
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&w->thread, NULL, wire_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e) {
        snprintf(err, errlen, "wire: starting the wire thread: %s", strerror(e));
        return STATUS_E_RUNTIME;
    }
    w->running = true;
    return 0;
}

void wire_stop(struct wire *w)
{
    if (!w || !w->running) return;
    uint64_t one = 1;
    (void)!write(w->stop_fd, &one, sizeof one);
    pthread_join(w->thread, NULL);
    w->running = false;
    uint64_t x;
    (void)!read(w->stop_fd, &x, sizeof x); /* so that a later wire_start runs */
    /* what was still on the wire is gone: a restart must not send it late */
    while (w->nheap) {
        struct pending p = heap_pop(w);
        if (--w->slots[p.slot].refs == 0) w->free_slots[w->nfree++] = p.slot;
    }
    for (int i = 0; i < 2; i++) {
        if (!w->dump[i]) continue;
        if (pcap_dump_flush(w->dump[i]) != 0 || ferror(pcap_dump_file(w->dump[i]))) {
            snprintf(w->fail, sizeof w->fail, "wire: writing the %s capture file failed (%s)",
                     i == WIRE_POINT_SENT ? "sender" : "receiver", "disk full?");
            atomic_store(&w->failed, true);
        }
    }
}

void wire_free(struct wire *w)
{
    if (!w) return;
    wire_stop(w);
    for (int i = 0; i < 2; i++)
        if (w->dump[i]) pcap_dump_close(w->dump[i]);
    if (w->dead) pcap_close(w->dead);
    wire_links_close(&w->links);
    wire_impair_free(&w->im);
    capture_ring_free(w->ring);
    if (w->wake_fd >= 0) close(w->wake_fd);
    if (w->stop_fd >= 0) close(w->stop_fd);
    free(w->slots);
    free(w->free_slots);
    free(w->heap);
    free(w);
}

int wire_wake_fd(const struct wire *w)
{
    return w->wake_fd;
}

int wire_next_event(struct wire *w, struct wire_event *ev)
{
    if (!w->ring) return 0;
    if (w->peeked) {
        capture_ring_pop(w->ring);
        w->peeked = false;
    }
    size_t len;
    const uint8_t *rec = capture_ring_peek(w->ring, &len);
    if (!rec) {
        /* say we will sleep, then look once more: the wire writes wake_fd only when told */
        atomic_store(&w->waiting, true);
        atomic_thread_fence(memory_order_seq_cst);
        rec = capture_ring_peek(w->ring, &len);
        if (!rec) return 0;
    }
    memcpy(ev, rec, sizeof *ev);
    ev->data = rec + sizeof *ev;
    w->peeked = true;
    return 1;
}

void wire_get_stats(struct wire *w, struct wire_stats *s)
{
    memset(s, 0, sizeof *s);
    for (int d = 0; d < 2; d++) {
        s->frames[d] = atomic_load(&w->frames[d]);
        s->delivered[d] = atomic_load(&w->delivered[d]);
        s->lost[d] = atomic_load(&w->lost[d]);
        s->queue_drops[d] = atomic_load(&w->queue_drops[d]);
        struct tpacket_stats ts;
        socklen_t len = sizeof ts;
        /* reading the kernel's counters resets them: they add up here */
        if (w->links.packet[d] >= 0 &&
            getsockopt(w->links.packet[d], SOL_PACKET, PACKET_STATISTICS, &ts, &len) == 0)
            atomic_fetch_add(&w->kernel_drops, ts.tp_drops);
    }
    s->kernel_drops = atomic_load(&w->kernel_drops);
    s->send_errors = atomic_load(&w->send_errors);
    s->events_dropped = w->ring ? capture_ring_dropped(w->ring) : 0;
}

bool wire_drop_matched(const struct wire *w, size_t i)
{
    return i < w->im.ndrops && atomic_load(&w->im.matched[i]);
}

bool wire_failed(struct wire *w, char *err, size_t errlen)
{
    if (!atomic_load(&w->failed)) return false;
    snprintf(err, errlen, "%s", w->fail);
    return true;
}

const char *wire_fate_name(const struct wire_event *ev)
{
    if (ev->point == WIRE_POINT_RECEIVED)
        return (ev->flags & WIRE_FLAG_REORDERED) ? "reordered" : "delivered";
    switch (ev->fate) {
    case WIRE_FATE_LOST:
        return "lost";
    case WIRE_FATE_QUEUE_DROP:
        return "queue_drop";
    case WIRE_FATE_DELIVERED:
        break;
    }
    if (ev->flags & WIRE_FLAG_DUPLICATED) return "duplicated";
    if (ev->flags & (WIRE_FLAG_DELAYED | WIRE_FLAG_HELD)) return "delayed";
    return "delivered";
}

void wire_cause_text(const struct wire_config *c, const struct wire_event *ev, char *buf, size_t n)
{
    switch (ev->cause) {
    case WIRE_CAUSE_DROP_RULE:
        if (ev->drop_rule >= 0 && (size_t)ev->drop_rule < c->ndrops)
            snprintf(buf, n, "--drop %s", c->drops[ev->drop_rule].text);
        else
            snprintf(buf, n, "--drop");
        return;
    case WIRE_CAUSE_RANDOM:
        snprintf(buf, n, "random loss");
        return;
    case WIRE_CAUSE_BURST:
        snprintf(buf, n, "burst loss");
        return;
    case WIRE_CAUSE_QUEUE_FULL:
        snprintf(buf, n, "queue full");
        return;
    case WIRE_CAUSE_CAPACITY:
        snprintf(buf, n, "wire full");
        return;
    case WIRE_CAUSE_NONE:
        break;
    }
    if (n) buf[0] = 0;
}
