/* Live capture: an interface opened with pcap_create (10 ms delivery, nanosecond stamps), a
 * capture thread that only reads frames and copies them into the ring (and -w), and the main
 * thread's side: woken through an eventfd, it pops frames, stops the thread and reads stats. */
#include "sockscope/capture.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "live_internal.h"

#define DEFAULT_SNAPLEN 262144
#define DEFAULT_BUFFER_KIB 32768
#define DEFAULT_RING_KIB 16384
#define MIN_SNAPLEN 128     /* probes must be captured whole */
#define BATCH 512           /* frames per pcap_dispatch before the consumer is woken */
#define STATS_MS 500        /* how often the thread refreshes kernel drop counts */

/* What the capture thread puts in the ring before each frame's bytes. */
struct live_record {
    uint64_t ts_ns;
    int64_t offset; /* in the -w file, -1 without one */
    uint32_t caplen, wirelen, number, spare;
};

struct capture_live {
    pcap_t *pcap;
    char *device;
    int linktype;
    bool nanosecond;
    struct capture_ring *ring;
    struct capture_dump dump;
    char *write_path;
    bool loopback;
    struct capture_probe probe;
    int wake_fd; /* main thread waits on it */
    int stop_fd; /* capture thread waits on it beside the pcap fd */

    pthread_t thread;
    bool started, joined;
    _Atomic bool stop;
    _Atomic bool running;
    _Atomic bool waiting; /* the consumer found the ring empty and may sleep on wake_fd */
    _Atomic bool probe_seen;
    _Atomic uint64_t frames;
    _Atomic uint64_t kernel_dropped;

    /* Capture thread only (read by others after running goes false). */
    uint32_t number;
    uint64_t frames_local;
    unsigned pushed_since_wake;
    int thread_status;
    char thread_err[256];

    /* Consumer only. */
    bool holding;
};

static uint64_t now_ms(void)
{
    return monotonic_now_ns() / 1000000u;
}

/* ---- opening ---- */

/* libpcap's default device, as tcpdump picks it: the first one pcap_findalldevs lists. */
static char *default_device(char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;
    if (pcap_findalldevs(&all, ebuf) != 0 || !all) {
        snprintf(err, errlen, "no capture device found%s%s; name one with -i", *ebuf ? ": " : "",
                 ebuf);
        if (all)
            pcap_freealldevs(all);
        return NULL;
    }
    char *name = strdup(all->name);
    pcap_freealldevs(all);
    if (!name)
        snprintf(err, errlen, "out of memory");
    return name;
}

/* "any" reaches loopback too; otherwise libpcap's flag says. */
static bool device_is_loopback(const char *dev)
{
    if (!strcmp(dev, "any") || !strcmp(dev, "lo"))
        return true;
    char ebuf[PCAP_ERRBUF_SIZE];
    pcap_if_t *all = NULL;
    bool lo = false;
    if (pcap_findalldevs(&all, ebuf) == 0) {
        for (pcap_if_t *d = all; d; d = d->next)
            if (!strcmp(d->name, dev))
                lo = d->flags & PCAP_IF_LOOPBACK;
        pcap_freealldevs(all);
    }
    return lo;
}

static int unknown_device(const char *dev, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE];
    pcap_if_t *all = NULL;
    int n = snprintf(err, errlen, "no such interface '%s'; interfaces:", dev);
    if (pcap_findalldevs(&all, ebuf) == 0) {
        for (pcap_if_t *d = all; d && n >= 0 && (size_t)n < errlen; d = d->next)
            n += snprintf(err + n, errlen - (size_t)n, "%s %s", d == all ? "" : ",", d->name);
        pcap_freealldevs(all);
    } else {
        snprintf(err + n, errlen - (size_t)n, " (cannot list them: %s)", ebuf);
    }
    return STATUS_E_BAD_INPUT;
}

static int no_permission(const char *dev, char *err, size_t errlen)
{
    snprintf(err, errlen,
             "no permission to capture on %s (capturing needs CAP_NET_RAW); either:\n"
             "  run 'sockscope demo' instead (no root needed), or 'sudo sockscope live -i %s ...',\n"
             "  or allow it once: sudo setcap cap_net_raw,cap_net_admin+eip "
             "$(command -v sockscope)",
             dev, dev);
    return CAPTURE_E_PERMISSION;
}

static int activate_error(pcap_t *p, int rc, const char *dev, char *err, size_t errlen)
{
    const char *msg = pcap_geterr(p);
    switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
        return no_permission(dev, err, errlen);
    case PCAP_ERROR_NO_SUCH_DEVICE:
        return unknown_device(dev, err, errlen);
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, errlen, "%s is down (bring it up: ip link set %s up)", dev, dev);
        return STATUS_E_RUNTIME;
    default:
        if (strstr(msg, "Operation not permitted") || strstr(msg, "Permission denied"))
            return no_permission(dev, err, errlen);
        snprintf(err, errlen, "cannot capture on %s: %s", dev, msg);
        return STATUS_E_RUNTIME;
    }
}

/* The user's filter, plus our probes on loopback (else a filter like 'tcp port 12000' would
 * hide them and the capture could never be confirmed live). */
static int set_filter(struct capture_live *c, const char *bpf, char *err, size_t errlen)
{
    bool user = bpf && *bpf;
    if (!user)
        return STATUS_OK; /* no filter: probes pass anyway */
    struct bpf_program prog;
    if (pcap_compile(c->pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "invalid filter expression '%s': %s", bpf, pcap_geterr(c->pcap));
        return STATUS_E_BAD_INPUT;
    }
    if (c->loopback && c->probe.fd >= 0) {
        pcap_freecode(&prog);
        size_t size = strlen(bpf) + 200;
        char *both = malloc(size);
        if (!both) {
            snprintf(err, errlen, "out of memory");
            return STATUS_E_RUNTIME;
        }
        capture_probe_filter(&c->probe, bpf, both, size);
        int rc = pcap_compile(c->pcap, &prog, both, 1, PCAP_NETMASK_UNKNOWN);
        free(both);
        if (rc != 0) {
            snprintf(err, errlen, "invalid filter expression '%s': %s", bpf,
                     pcap_geterr(c->pcap));
            return STATUS_E_BAD_INPUT;
        }
    }
    int rc = pcap_setfilter(c->pcap, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(err, errlen, "cannot set the filter on %s: %s", c->device, pcap_geterr(c->pcap));
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

static int open_pcap(struct capture_live *c, const struct capture_live_options *o, int snaplen,
                     char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    c->pcap = pcap_create(c->device, ebuf);
    if (!c->pcap) {
        snprintf(err, errlen, "cannot capture on %s: %s", c->device, ebuf);
        return STATUS_E_RUNTIME;
    }
    int kib = o->buffer_kib > 0 ? o->buffer_kib : DEFAULT_BUFFER_KIB;
    pcap_set_snaplen(c->pcap, snaplen);
    /* Not immediate mode: with it libpcap 1.10 falls back to TPACKET_V2, whose ring holds one
     * snaplen-sized slot per packet: on loopback (64 KiB slots) a 32 MiB buffer is ~256
     * packets, and the kernel dropped traffic that tcpdump (V3) kept (tests/bench/live). A
     * 10 ms block timeout keeps V3's packed blocks and delivers within 10 ms: live to a
     * human, and the liveness probe works the same. */
    pcap_set_immediate_mode(c->pcap, 0);
    pcap_set_timeout(c->pcap, 10);
    pcap_set_buffer_size(c->pcap, kib > INT32_MAX / 1024 ? INT32_MAX : kib * 1024);
    /* Not every device gives nanoseconds: then microseconds, scaled when read. */
    (void)pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(c->pcap);
    if (rc < 0)
        return activate_error(c->pcap, rc, c->device, err, errlen);
    c->nanosecond = pcap_get_tstamp_precision(c->pcap) == PCAP_TSTAMP_PRECISION_NANO;
    c->linktype = pcap_datalink(c->pcap);
    /* The thread polls the pcap fd beside stop_fd, so reads never block. */
    if (pcap_setnonblock(c->pcap, 1, ebuf) != 0) {
        snprintf(err, errlen, "cannot capture on %s: %s", c->device, ebuf);
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

int capture_live_open(const struct capture_live_options *o, struct capture_live **out,
                      char *err, size_t errlen)
{
    *out = NULL;
    struct capture_live *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    c->wake_fd = c->stop_fd = -1;
    c->probe.fd = -1;
    atomic_init(&c->stop, false);
    atomic_init(&c->running, false);
    atomic_init(&c->waiting, false);
    atomic_init(&c->probe_seen, false);
    atomic_init(&c->frames, 0);
    atomic_init(&c->kernel_dropped, 0);

    int rc = STATUS_E_RUNTIME;
    c->device = o->device && *o->device ? strdup(o->device) : default_device(err, errlen);
    if (!c->device) {
        if (o->device && *o->device)
            snprintf(err, errlen, "out of memory");
        goto fail;
    }
    int snaplen = o->snaplen > 0 ? o->snaplen : DEFAULT_SNAPLEN;
    if (snaplen < MIN_SNAPLEN)
        snaplen = MIN_SNAPLEN;
    if ((rc = open_pcap(c, o, snaplen, err, errlen)) != STATUS_OK)
        goto fail;

    c->loopback = device_is_loopback(c->device);
    if (c->loopback)
        (void)capture_probe_open(&c->probe); /* failure is reported by wait_ready */
    if ((rc = set_filter(c, o->bpf, err, errlen)) != STATUS_OK)
        goto fail;

    rc = STATUS_E_RUNTIME;
    /* Room for two of the largest frames, so one always fits once the reader catches up. */
    size_t ring = (size_t)(o->ring_kib ? o->ring_kib : DEFAULT_RING_KIB) * 1024;
    size_t min_ring = 2 * ((size_t)snaplen + sizeof(struct live_record) + 16);
    c->ring = capture_ring_new(ring < min_ring ? min_ring : ring);
    c->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    c->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!c->ring || c->wake_fd < 0 || c->stop_fd < 0) {
        snprintf(err, errlen, "cannot set up the capture: %s",
                 c->ring ? strerror(errno) : "out of memory");
        goto fail;
    }
    if (o->write_path) {
        if (!(c->write_path = strdup(o->write_path))) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        if ((rc = capture_dump_open(c->pcap, o->write_path, &c->dump, err, errlen)) != 0)
            goto fail;
    }
    *out = c;
    return STATUS_OK;
fail:
    capture_live_close(c);
    return rc;
}

/* ---- the capture thread ---- */

static void wake_consumer(struct capture_live *c)
{
    /* Pairs with the fence in capture_live_next: either the consumer sees our records when it
     * looks again, or we see its flag and wake it. Never a write per frame. */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&c->waiting, memory_order_relaxed) &&
        atomic_exchange_explicit(&c->waiting, false, memory_order_relaxed)) {
        uint64_t one = 1;
        (void)!write(c->wake_fd, &one, sizeof one);
    }
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct capture_live *c = (struct capture_live *)user;
    if (c->loopback) {
        enum probe_match m = capture_probe_match(&c->probe, data, h->caplen, h->len);
        if (m == PROBE_OURS)
            atomic_store_explicit(&c->probe_seen, true, memory_order_release);
        if (m != PROBE_NONE)
            return;
    }
    c->number++;
    int64_t offset = c->dump.d ? capture_dump_write(&c->dump, h, data) : -1;
    struct live_record rec = {
        .offset = offset,
        .ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u +
                 (uint64_t)h->ts.tv_usec * (c->nanosecond ? 1u : 1000u),
        .caplen = h->caplen,
        .wirelen = h->len,
        .number = c->number,
    };
    if (capture_ring_push(c->ring, &rec, sizeof rec, data, h->caplen)) {
        atomic_store_explicit(&c->frames, ++c->frames_local, memory_order_relaxed);
        c->pushed_since_wake++;
    }
}

/* pcap_stats is only called here, so it never races with pcap_dispatch. */
static void refresh_stats(struct capture_live *c)
{
    struct pcap_stat st;
    if (pcap_stats(c->pcap, &st) == 0)
        atomic_store_explicit(&c->kernel_dropped, (uint64_t)st.ps_drop + st.ps_ifdrop,
                              memory_order_relaxed);
}

static void thread_fail(struct capture_live *c, const char *what, const char *why)
{
    snprintf(c->thread_err, sizeof c->thread_err, "capture on %s stopped: %s%s%s", c->device,
             what, *why ? ": " : "", why);
    c->thread_status = STATUS_E_RUNTIME;
}

static void *capture_thread(void *arg)
{
    struct capture_live *c = arg;
    struct pollfd fds[2] = {{.fd = pcap_get_selectable_fd(c->pcap), .events = POLLIN},
                            {.fd = c->stop_fd, .events = POLLIN}};
    uint64_t next_stats = now_ms() + STATS_MS;
    while (!atomic_load_explicit(&c->stop, memory_order_acquire)) {
        if (poll(fds, 2, STATS_MS) < 0 && errno != EINTR) {
            thread_fail(c, "poll", strerror(errno));
            break;
        }
        int rc;
        char ferr[200];
        for (;;) {
            rc = pcap_dispatch(c->pcap, BATCH, on_frame, (u_char *)c);
            /* the -w file on disk before the consumer hears of the batch: a screen that reads
             * it back (the TUI's labels) finds every frame it was told about */
            if (rc > 0 && c->dump.d &&
                capture_dump_flush(&c->dump, c->write_path, ferr, sizeof ferr) != 0) {
                thread_fail(c, ferr, "");
                rc = PCAP_ERROR_BREAK;
            }
            if (c->pushed_since_wake) {
                c->pushed_since_wake = 0;
                wake_consumer(c);
            }
            if (rc != BATCH || atomic_load_explicit(&c->stop, memory_order_relaxed))
                break;
        }
        if (rc == PCAP_ERROR_BREAK)
            break;
        if (rc == PCAP_ERROR) {
            thread_fail(c, pcap_geterr(c->pcap), "");
            break;
        }
        uint64_t now = now_ms();
        if (now >= next_stats) {
            refresh_stats(c);
            next_stats = now + STATS_MS;
        }
    }
    refresh_stats(c);
    char ferr[200];
    if (c->dump.d && capture_dump_flush(&c->dump, c->write_path, ferr, sizeof ferr) != 0 &&
        !c->thread_status)
        thread_fail(c, ferr, "");
    atomic_store_explicit(&c->running, false, memory_order_release);
    /* Always: whoever waits on wake_fd must notice the end. */
    uint64_t one = 1;
    (void)!write(c->wake_fd, &one, sizeof one);
    return NULL;
}

int capture_live_start(struct capture_live *c, char *err, size_t errlen)
{
    if (c->started) {
        snprintf(err, errlen, "capture on %s already started", c->device);
        return STATUS_E_RUNTIME;
    }
    /* The thread takes no signals: SIGINT and friends belong to the main thread. */
    atomic_store(&c->running, true);
    int rc = thread_start_quiet(&c->thread, capture_thread, c);
    if (rc != 0) {
        atomic_store(&c->running, false);
        snprintf(err, errlen, "cannot start the capture thread: %s", strerror(rc));
        return STATUS_E_RUNTIME;
    }
    c->started = true;
    return STATUS_OK;
}

/* ---- the main thread's side ---- */

int capture_live_wait_ready(struct capture_live *c, int timeout_ms, char *err, size_t errlen)
{
    if (!c->loopback)
        return STATUS_OK; /* our probe only travels on loopback */
    if (c->probe.fd < 0) {
        snprintf(err, errlen, "cannot confirm the capture on %s is live: %s", c->device,
                 c->probe.err);
        return STATUS_E_RUNTIME;
    }
    if (!c->started) {
        snprintf(err, errlen, "capture on %s not started", c->device);
        return STATUS_E_RUNTIME;
    }
    uint64_t start = now_ms(), next_probe = start;
    for (;;) {
        if (atomic_load_explicit(&c->probe_seen, memory_order_acquire))
            return STATUS_OK;
        if (capture_live_status(c, err, errlen) != 1) {
            if (!c->thread_status)
                snprintf(err, errlen, "capture on %s stopped before it was live", c->device);
            return STATUS_E_RUNTIME;
        }
        uint64_t now = now_ms();
        if (now - start >= (uint64_t)(timeout_ms > 0 ? timeout_ms : 0)) {
            snprintf(err, errlen,
                     "capture on %s not live after %d ms: none of the probe datagrams to "
                     "127.0.0.1:%u was seen",
                     c->device, timeout_ms, c->probe.port);
            return STATUS_E_RUNTIME;
        }
        if (now >= next_probe) {
            int rc = capture_probe_send(&c->probe, err, errlen);
            if (rc != STATUS_OK)
                return rc;
            next_probe = now + 10;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
}

int capture_live_wake_fd(const struct capture_live *c)
{
    return c->wake_fd;
}

int capture_live_next(struct capture_live *c, struct capture_frame *frame)
{
    if (c->holding) {
        capture_ring_pop(c->ring);
        c->holding = false;
    }
    size_t len;
    const struct live_record *rec = capture_ring_peek(c->ring, &len);
    if (!rec) {
        /* About to report "none": clear old wake-ups, then say we may sleep, then look once
         * more (pairs with the fence in wake_consumer). */
        uint64_t v;
        (void)!read(c->wake_fd, &v, sizeof v);
        atomic_store_explicit(&c->waiting, true, memory_order_relaxed);
        atomic_thread_fence(memory_order_seq_cst);
        if (!(rec = capture_ring_peek(c->ring, &len)))
            return 0;
        atomic_store_explicit(&c->waiting, false, memory_order_relaxed);
    }
    c->holding = true;
    frame->data = (const uint8_t *)(rec + 1);
    frame->caplen = rec->caplen;
    frame->wirelen = rec->wirelen;
    frame->ts_ns = rec->ts_ns;
    frame->number = rec->number;
    frame->offset = rec->offset;
    return 1;
}

int capture_live_linktype(const struct capture_live *c)
{
    return c->linktype;
}

const char *capture_live_linktype_name(const struct capture_live *c)
{
    const char *name = pcap_datalink_val_to_name(c->linktype);
    return name ? name : "unknown";
}

const char *capture_live_device(const struct capture_live *c)
{
    return c->device;
}

int capture_live_status(struct capture_live *c, char *err, size_t errlen)
{
    if (atomic_load_explicit(&c->running, memory_order_acquire))
        return 1;
    if (c->thread_status && err)
        snprintf(err, errlen, "%s", c->thread_err);
    return c->thread_status;
}

void capture_live_stats(struct capture_live *c, struct capture_live_stats *out)
{
    out->frames = atomic_load_explicit(&c->frames, memory_order_relaxed);
    out->ring_dropped = capture_ring_dropped(c->ring);
    out->kernel_dropped = atomic_load_explicit(&c->kernel_dropped, memory_order_relaxed);
}

void capture_live_stop(struct capture_live *c)
{
    if (!c->started || c->joined)
        return;
    atomic_store_explicit(&c->stop, true, memory_order_release);
    pcap_breakloop(c->pcap);
    uint64_t one = 1;
    (void)!write(c->stop_fd, &one, sizeof one);
    pthread_join(c->thread, NULL);
    c->joined = true;
}

void capture_live_close(struct capture_live *c)
{
    if (!c)
        return;
    capture_live_stop(c);
    capture_dump_close(&c->dump);
    if (c->pcap)
        pcap_close(c->pcap);
    capture_probe_close(&c->probe);
    capture_ring_free(c->ring);
    if (c->wake_fd >= 0)
        close(c->wake_fd);
    if (c->stop_fd >= 0)
        close(c->stop_fd);
    free(c->write_path);
    free(c->device);
    free(c);
}
