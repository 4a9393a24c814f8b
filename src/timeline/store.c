/* The event store: records in chunks that never move, so the reader can hold pointers into
 * published ones while the producer appends; the counts and the few things that change as a
 * whole (lanes, frame counts, progress, warnings) published together under a mutex at publish
 * and taken at sync, never per packet (counts also with release order, for lock-free
 * readers of a count). See timeline.h for the contract. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "sockscope/timeline.h"
#include "store_internal.h"

_Static_assert(sizeof(struct timeline_event) <= 24, "the issue asks for < 32 bytes per packet");

/* Wake the reader at most this often while a file is indexed (the screen redraws on wake). */
#define WAKE_EVERY_NS (50 * 1000000ull)

/* ---- chunked arrays: a fixed table of chunk pointers (untouched pages cost nothing) ---- */
static bool chunks_init(struct chunks *c, size_t elem, unsigned shift, uint32_t max_chunks)
{
    c->table = calloc(max_chunks, sizeof *c->table);
    c->elem = elem;
    c->shift = shift;
    c->max_chunks = max_chunks;
    return c->table != NULL;
}

static void chunks_free(struct chunks *c)
{
    if (!c->table) return;
    for (uint32_t i = 0; i < c->max_chunks && c->table[i]; i++)
        free(c->table[i]);
    free(c->table);
    c->table = NULL;
}

/* Room for element n (the writer's next); NULL when out of memory or full. */
static void *chunks_slot(struct chunks *c, uint32_t n)
{
    uint32_t k = n >> c->shift;
    if (k >= c->max_chunks) return NULL;
    if (!c->table[k] && !(c->table[k] = malloc(c->elem << c->shift))) return NULL;
    return (char *)c->table[k] + (size_t)(n & ((1u << c->shift) - 1)) * c->elem;
}

struct timeline_store *timeline_store_new(void)
{
    struct timeline_store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    pthread_mutex_init(&s->lock, NULL);
    s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    s->snap_fd = -1;
    /* 2^16 chunks of 2^16 events: every uint32 index fits */
    if (s->wake_fd < 0 || !chunks_init(&s->events, sizeof(struct timeline_event), 16, 1u << 16) ||
        !chunks_init(&s->flows, sizeof(struct timeline_flow), 12, 1u << 20) ||
        !chunks_init(&s->calls, sizeof(struct api_event), 10, 1u << 22) ||
        !chunks_init(&s->checkpoints, sizeof(struct timeline_checkpoint), 10, 1u << 22)) {
        timeline_store_free(s);
        return NULL;
    }
    lifelines_init(&s->w.lanes, LIFELINES_MAX);
    return s;
}

void timeline_store_free(struct timeline_store *s)
{
    if (!s) return;
    chunks_free(&s->events);
    chunks_free(&s->flows);
    chunks_free(&s->calls);
    chunks_free(&s->checkpoints);
    for (int k = 0; k < 2; k++)
        free(s->w.stream_map[k]);
    if (s->wake_fd >= 0) close(s->wake_fd);
    if (s->snap_fd >= 0) close(s->snap_fd);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const struct timeline_event *timeline_store_event(const struct timeline_store *s, uint32_t i)
{
    return (const struct timeline_event *)s->events.table[i >> 16] + (i & 0xFFFF);
}

struct timeline_flow *timeline_store_flow(const struct timeline_store *s, uint32_t i)
{
    return (struct timeline_flow *)s->flows.table[i >> 12] + (i & 0xFFF);
}

const struct api_event *timeline_store_call(const struct timeline_store *s, uint32_t i)
{
    return (const struct api_event *)s->calls.table[i >> 10] + (i & 0x3FF);
}

const struct timeline_checkpoint *timeline_store_checkpoint(const struct timeline_store *s,
                                                            uint32_t i)
{
    return (const struct timeline_checkpoint *)s->checkpoints.table[i >> 10] + (i & 0x3FF);
}

const struct timeline_checkpoint *timeline_store_checkpoint_before(struct timeline_store *s,
                                                                   uint32_t event)
{
    uint32_t n = atomic_load_explicit(&s->pub_checkpoints, memory_order_acquire);
    uint32_t lo = 0, hi = n; /* first checkpoint after event */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (timeline_store_checkpoint(s, mid)->event <= event)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? timeline_store_checkpoint(s, lo - 1) : NULL;
}

uint32_t timeline_store_published(struct timeline_store *s)
{
    return atomic_load_explicit(&s->pub_events, memory_order_acquire);
}

int timeline_store_wake_fd(const struct timeline_store *s)
{
    return s->wake_fd;
}

int timeline_store_snapshot_fd(struct timeline_store *s)
{
    if (s->snap_fd < 0) {
        const char *dir = getenv("TMPDIR");
        char path[512];
        snprintf(path, sizeof path, "%s/sockscope-index.XXXXXX", dir && *dir ? dir : "/tmp");
        int fd = mkstemp(path);
        if (fd >= 0) unlink(path); /* gone when closed, whatever happens */
        s->snap_fd = fd;
    }
    return s->snap_fd;
}

void timeline_store_sync(struct timeline_store *s, struct timeline_snapshot *out)
{
    uint64_t junk;
    while (read(s->wake_fd, &junk, sizeof junk) > 0) {
    }
    /* the counts with the rest under the one lock: a count read after the copy could be a
     * later publication's, ahead of the lanes its events use */
    pthread_mutex_lock(&s->lock);
    *out = s->shared;
    out->events = atomic_load_explicit(&s->pub_events, memory_order_acquire);
    out->flows = atomic_load_explicit(&s->pub_flows, memory_order_acquire);
    out->calls = atomic_load_explicit(&s->pub_calls, memory_order_acquire);
    out->checkpoints = atomic_load_explicit(&s->pub_checkpoints, memory_order_acquire);
    pthread_mutex_unlock(&s->lock);
}

static void wake(struct timeline_store *s)
{
    uint64_t one = 1;
    (void)!write(s->wake_fd, &one, sizeof one);
}

static void publish(struct timeline_store *s, bool force_wake)
{
    struct store_writer *w = &s->w;
    pthread_mutex_lock(&s->lock);
    struct timeline_snapshot *sh = &s->shared;
    if (sh->lane_generation != (uint32_t)w->lanes.generation || sh->lane_count != w->lanes.count) {
        sh->lane_count = w->lanes.count;
        for (int i = 0; i < w->lanes.count; i++) {
            sh->lane_ep[i] = w->lanes.ep[i];
            sh->lane_role[i] = (uint8_t)w->lanes.role[i];
        }
        sh->lane_generation = (uint32_t)w->lanes.generation;
    }
    memcpy(sh->lane_first_state, w->lane_first_state, sizeof sh->lane_first_state);
    sh->first_ts = w->first_ts;
    sh->tcp = w->tcp;
    sh->udp = w->udp;
    sh->other = w->other;
    sh->no_lane = w->no_lane;
    sh->bytes_done = w->bytes_done;
    sh->bytes_total = w->bytes_total;
    /* release as well, for the readers that take only a count (timeline_store_published) */
    atomic_store_explicit(&s->pub_flows, w->flows, memory_order_release);
    atomic_store_explicit(&s->pub_calls, w->calls, memory_order_release);
    atomic_store_explicit(&s->pub_events, w->events, memory_order_release);
    atomic_store_explicit(&s->pub_checkpoints, w->checkpoints, memory_order_release);
    pthread_mutex_unlock(&s->lock);
    uint64_t now = monotonic_now_ns();
    if (force_wake || now - w->last_wake >= WAKE_EVERY_NS) {
        w->last_wake = now;
        wake(s);
    }
}

void timeline_store_publish(struct timeline_store *s)
{
    publish(s, false);
}

void timeline_store_finish(struct timeline_store *s, const char *warning, const char *error)
{
    publish(s, false);
    pthread_mutex_lock(&s->lock);
    if (warning && *warning) snprintf(s->shared.warning, sizeof s->shared.warning, "%s", warning);
    if (error && *error) {
        snprintf(s->shared.error, sizeof s->shared.error, "%s", error);
        s->shared.failed = true;
    }
    s->shared.done = true;
    pthread_mutex_unlock(&s->lock);
    wake(s);
}

void timeline_store_progress(struct timeline_store *s, uint64_t done, uint64_t total)
{
    s->w.bytes_done = done;
    s->w.bytes_total = total;
}

bool timeline_store_add_checkpoint(struct timeline_store *s, const struct timeline_checkpoint *c)
{
    struct timeline_checkpoint *slot = chunks_slot(&s->checkpoints, s->w.checkpoints);
    if (!slot) return false;
    *slot = *c;
    s->w.checkpoints++;
    return true;
}

uint64_t timeline_store_checkpoint_tracker(struct timeline_store *s, const struct tracker *tr,
                                           uint32_t event, uint32_t frame, int64_t offset,
                                           uint32_t min_gap)
{
    int fd = timeline_store_snapshot_fd(s);
    int64_t bytes = fd >= 0 ? track_save(tr, fd, s->w.snap_end) : -1;
    if (bytes < 0) return 0;
    struct timeline_checkpoint c = {
        .event = event, .frame = frame, .offset = offset, .snap_offset = (int64_t)s->w.snap_end};
    if (!timeline_store_add_checkpoint(s, &c)) return 0;
    s->w.snap_end += (uint64_t)bytes;
    uint64_t gap = (uint64_t)bytes / 16;
    return gap > min_gap ? gap : (min_gap ? min_gap : 1);
}

struct timeline_event *store_append_event(struct timeline_store *s)
{
    if (s->w.events == UINT32_MAX) return NULL;
    struct timeline_event *e = chunks_slot(&s->events, s->w.events);
    if (e) s->w.events++;
    return e;
}

struct timeline_flow *store_append_flow(struct timeline_store *s)
{
    if (s->w.flows == TIMELINE_NO_FLOW - 1) return NULL;
    struct timeline_flow *f = chunks_slot(&s->flows, s->w.flows);
    if (f) s->w.flows++;
    return f;
}

struct api_event *store_append_call(struct timeline_store *s)
{
    struct api_event *c = chunks_slot(&s->calls, s->w.calls);
    if (c) s->w.calls++;
    return c;
}
