/* The live feed: a live session's frames and socket API calls into the event store, on a
 * thread of its own. Each round it sleeps on the capture's and the probe's wake-up
 * descriptors, moves what came into the hold-back merge, decodes and tracks what is old
 * enough, stores it and publishes; the capture thread only ever pushes into its ring, so a
 * slow screen never holds it up. See live_feed.h. */
#include "sockscope/live_feed.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sockscope/decode.h"
#include "sockscope/track.h"

#define MERGE_ITEMS 16384
#define MERGE_BYTES (64u << 20)
#define BUSY_POLL_MS 10  /* while items wait for the horizon or a publication is pending */
#define IDLE_POLL_MS 500 /* otherwise: only the drop counts to refresh */
/* Checkpoints for the screen's re-reads (see index.c): without them, every look at the end
 * of a growing capture would read it again from its first frame. */
#define CHECKPOINT_EVERY 16384 /* events */
/* The store wakes its reader at most every 50 ms: publish a little longer than that after
 * the last event, so the last one is never left waiting for the next. */
#define LINGER_NS (60 * 1000000ull)

struct timeline_feed {
    struct timeline_store *store; /* NULL: sink */
    struct timeline_feed_sink sink;
    struct capture_live *cap;
    struct timeline_calls calls;
    uint64_t max_frames;
    int linktype;
    struct timeline_merge *merge;
    struct tracker *tracker;
    int stop_fd; /* written by timeline_feed_end and _stop: the thread looks at once */
    int done_fd; /* written by the thread as it ends */
    pthread_t thread;
    bool started, joined;

    _Atomic bool stop_now;
    _Atomic bool end_claimed;   /* the first timeline_feed_end wins */
    _Atomic bool end_requested; /* tail_ns and end_error are set (release) */
    uint64_t tail_ns;
    char end_error[256];

    /* the thread's own */
    uint64_t stored, frames_stored, merge_drops;
    bool failed;
    bool sink_stopped; /* the sink said stop */
    char error[256];
    uint64_t next_checkpoint; /* events stored when the next one is due */

    _Atomic uint64_t frames, captured, kernel_dropped, ring_dropped, calls_dropped, merge_dropped;
};

/* ---- one round, shared with the streaming demo ---- */

static bool has_calls(const struct timeline_calls *calls)
{
    return calls && calls->ctx;
}

uint64_t timeline_feed_horizon(const struct timeline_calls *calls, uint64_t now_ns)
{
    if (!has_calls(calls)) return UINT64_MAX; /* frames alone are in capture order already */
    uint64_t horizon = now_ns - TIMELINE_FEED_HOLD_BACK_NS,
             held = calls->oldest_held(calls->ctx);
    return held < horizon ? held : horizon;
}

/* Pushes one item, handing on the oldest ones while the merge is full. */
static void make_room(struct timeline_merge *m, timeline_feed_fn fn, void *ctx,
                      uint64_t *merge_drops, const struct capture_frame *fr,
                      const struct api_event *ev)
{
    struct timeline_item it;
    while (fr ? !timeline_merge_push_frame(m, fr) : !timeline_merge_push_api(m, ev)) {
        if (!timeline_merge_pop(m, UINT64_MAX, &it)) {
            (*merge_drops)++;
            return;
        }
        fn(ctx, &it);
    }
}

void timeline_feed_pump(struct timeline_merge *m, struct capture_live *cap,
                        const struct timeline_calls *calls, uint64_t horizon_ns,
                        timeline_feed_fn fn, void *ctx, uint64_t *merge_drops)
{
    bool with_calls = has_calls(calls);
    struct capture_frame fr;
    struct api_event ev;
    struct timeline_item it;
    bool moved = true;
    while (moved) {
        moved = false;
        while (capture_live_next(cap, &fr) == 1) {
            moved = true;
            make_room(m, fn, ctx, merge_drops, &fr, NULL);
        }
        while (with_calls && calls->pop(calls->ctx, &ev)) {
            moved = true;
            make_room(m, fn, ctx, merge_drops, NULL, &ev);
        }
    }
    while (timeline_merge_pop(m, horizon_ns, &it))
        fn(ctx, &it);
}

/* ---- the feed ---- */

static void fail(struct timeline_feed *f, const char *what)
{
    if (f->failed) return;
    f->failed = true;
    snprintf(f->error, sizeof f->error, "%s after %llu events: the rest is not shown", what,
             (unsigned long long)f->stored);
}

/* Before frame fr is tracked and stored: where a re-read can start (its record's offset in
 * the -w file, as the capture reports it, and the tracker as it is now), every
 * CHECKPOINT_EVERY events or further apart when the tracker is big (at most 16 bytes of
 * snapshot per event, as the indexer). Frames the ring dropped are in the file but not in the
 * store; a re-read skips them by number (timeline_pass_next_number), so a checkpoint after a
 * drop is as good as one before. */
static void checkpoint(struct timeline_feed *f, const struct capture_frame *fr)
{
    if (fr->offset < 0 || f->stored < f->next_checkpoint || f->stored >= UINT32_MAX) return;
    f->next_checkpoint = UINT64_MAX; /* until one succeeds: those so far still serve */
    uint64_t gap = timeline_store_checkpoint_tracker(f->store, f->tracker, (uint32_t)f->stored,
                                                     fr->number, fr->offset, CHECKPOINT_EVERY);
    if (gap) f->next_checkpoint = f->stored + gap;
}

/* The sink's side of store_item: the item, a frame decoded and tracked first. */
static void sink_item(struct timeline_feed *f, const struct timeline_item *it)
{
    struct packet pkt;
    struct track_info info;
    bool go_on;
    if (it->kind == TIMELINE_API) {
        go_on = f->sink.item(f->sink.ctx, it, NULL, NULL);
        f->stored++;
    } else {
        timeline_step_frame(f->tracker, f->linktype, &it->frame, &pkt, &info);
        go_on = f->sink.item(f->sink.ctx, it, &pkt, &info);
        f->stored++;
        f->frames_stored++;
    }
    if (!go_on) f->sink_stopped = true;
}

static void store_item(void *ctx, const struct timeline_item *it)
{
    struct timeline_feed *f = ctx;
    if (f->failed || f->sink_stopped) return;
    if (it->kind == TIMELINE_FRAME && f->max_frames && f->frames_stored >= f->max_frames)
        return; /* -c reached */
    if (!f->store) {
        sink_item(f, it);
        return;
    }
    if (it->kind == TIMELINE_API) {
        if (!timeline_store_add_call(f->store, &it->api))
            fail(f, "out of memory");
        else
            f->stored++;
        return;
    }
    checkpoint(f, &it->frame);
    struct packet pkt;
    struct track_info info;
    timeline_step_frame(f->tracker, f->linktype, &it->frame, &pkt, &info);
    if (!timeline_store_add_frame(f->store, &pkt, &info, it->frame.number, it->frame.wirelen)) {
        fail(f, "out of memory");
        return;
    }
    f->stored++;
    f->frames_stored++;
}

/* One round of the pump, then what its consumer does after each round. */
static void pump_round(struct timeline_feed *f, uint64_t horizon)
{
    uint64_t before = f->stored;
    timeline_feed_pump(f->merge, f->cap, &f->calls, horizon, store_item, f, &f->merge_drops);
    if (!f->store && f->sink.round && f->stored != before) f->sink.round(f->sink.ctx);
}

static void refresh_counts(struct timeline_feed *f)
{
    struct capture_live_stats cs;
    capture_live_stats(f->cap, &cs);
    atomic_store_explicit(&f->frames, f->frames_stored, memory_order_relaxed);
    atomic_store_explicit(&f->captured, cs.frames, memory_order_relaxed);
    atomic_store_explicit(&f->kernel_dropped, cs.kernel_dropped, memory_order_relaxed);
    atomic_store_explicit(&f->ring_dropped, cs.ring_dropped, memory_order_relaxed);
    if (has_calls(&f->calls))
        atomic_store_explicit(&f->calls_dropped, f->calls.dropped(f->calls.ctx),
                              memory_order_relaxed);
    atomic_store_explicit(&f->merge_dropped, f->merge_drops, memory_order_relaxed);
}

static void drain_fd(int fd)
{
    uint64_t junk;
    if (fd >= 0)
        while (read(fd, &junk, sizeof junk) > 0) {
        }
}

static void *feed_thread(void *arg)
{
    struct timeline_feed *f = arg;
    struct pollfd pfd[3] = {{.fd = capture_live_wake_fd(f->cap), .events = POLLIN},
                            {.fd = f->stop_fd, .events = POLLIN},
                            {.fd = has_calls(&f->calls) ? f->calls.wake_fd(f->calls.ctx) : -1,
                             .events = POLLIN}};
    uint64_t end_at = 0, last_stored = 0, stored = 0;
    for (;;) {
        bool busy = timeline_merge_count(f->merge) || last_stored || end_at;
        if (poll(pfd, 3, busy ? BUSY_POLL_MS : IDLE_POLL_MS) < 0 && errno != EINTR) {
            snprintf(f->error, sizeof f->error, "live feed: poll: %s", strerror(errno));
            f->failed = true;
            break;
        }
        drain_fd(pfd[0].fd);
        drain_fd(pfd[1].fd);
        drain_fd(pfd[2].fd);
        uint64_t now = stamp_now_ns();
        pump_round(f, timeline_feed_horizon(&f->calls, now));
        uint64_t mono = monotonic_now_ns();
        if (f->stored != stored) {
            stored = f->stored;
            last_stored = mono;
        }
        if (last_stored && f->store) {
            timeline_store_publish(f->store);
            if (mono - last_stored > LINGER_NS) last_stored = 0;
        }
        refresh_counts(f);
        if (atomic_load_explicit(&f->stop_now, memory_order_acquire) || f->failed ||
            f->sink_stopped)
            break;
        if (!end_at && atomic_load_explicit(&f->end_requested, memory_order_acquire))
            end_at = now + f->tail_ns + 1;
        if (!end_at && f->max_frames && f->frames_stored >= f->max_frames) end_at = now + 1;
        if (end_at && now >= end_at) break;
        if (capture_live_status(f->cap, NULL, 0) != 1) break; /* it ended on its own */
    }
    /* the capture thread flushes the -w file as it ends: every frame stored is on disk */
    capture_live_stop(f->cap);
    pump_round(f, UINT64_MAX);
    refresh_counts(f);
    char capture_err[256] = "";
    capture_live_status(f->cap, capture_err, sizeof capture_err);
    const char *error = NULL; /* the first cause: our own, the capture's, the source's */
    if (f->failed)
        error = f->error;
    else if (*capture_err)
        error = capture_err;
    else if (atomic_load_explicit(&f->end_requested, memory_order_acquire))
        error = f->end_error;
    if (f->store) timeline_store_finish(f->store, NULL, error);
    /* the tracker and the merge's 64 MiB go now, not when the screen closes */
    track_free(f->tracker);
    f->tracker = NULL;
    timeline_merge_free(f->merge);
    f->merge = NULL;
    uint64_t one = 1;
    (void)!write(f->done_fd, &one, sizeof one);
    return NULL;
}

int timeline_feed_start(const struct timeline_feed_options *o, struct timeline_feed **out,
                        char *err, size_t errlen)
{
    *out = NULL;
    struct timeline_feed *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    f->store = o->store;
    f->sink = o->sink;
    f->cap = o->capture;
    f->calls = o->calls;
    f->max_frames = o->max_frames;
    f->linktype = capture_live_linktype(o->capture);
    f->next_checkpoint = CHECKPOINT_EVERY;
    f->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    f->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    f->merge = timeline_merge_new(MERGE_ITEMS, MERGE_BYTES);
    f->tracker = track_new();
    if (f->stop_fd < 0 || f->done_fd < 0 || !f->merge || !f->tracker) {
        snprintf(err, errlen, "cannot start the live feed: %s",
                 f->stop_fd < 0 || f->done_fd < 0 ? strerror(errno) : "out of memory");
        timeline_feed_free(f);
        return STATUS_E_RUNTIME;
    }
    if (!f->store && !f->sink.item) {
        snprintf(err, errlen, "the live feed needs a store or a sink");
        timeline_feed_free(f);
        return STATUS_E_RUNTIME;
    }
    /* signals belong to the main thread (the screen's, or the streaming loop's) */
    int rc = thread_start_quiet(&f->thread, feed_thread, f);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the live feed thread: %s", strerror(rc));
        timeline_feed_free(f);
        return STATUS_E_RUNTIME;
    }
    f->started = true;
    *out = f;
    return STATUS_OK;
}

static void poke(struct timeline_feed *f)
{
    uint64_t one = 1;
    (void)!write(f->stop_fd, &one, sizeof one);
}

void timeline_feed_end(struct timeline_feed *f, uint64_t tail_ns, const char *error)
{
    if (!f || atomic_exchange(&f->end_claimed, true)) return;
    f->tail_ns = tail_ns;
    snprintf(f->end_error, sizeof f->end_error, "%s", error ? error : "");
    atomic_store_explicit(&f->end_requested, true, memory_order_release);
    poke(f);
}

int timeline_feed_done_fd(const struct timeline_feed *f)
{
    return f->done_fd;
}

void timeline_feed_stop(struct timeline_feed *f)
{
    if (!f || !f->started || f->joined) return;
    atomic_store_explicit(&f->stop_now, true, memory_order_release);
    poke(f);
    pthread_join(f->thread, NULL);
    f->joined = true;
}

void timeline_feed_counts(const struct timeline_feed *f, struct timeline_feed_counts *out)
{
    struct timeline_feed *g = (struct timeline_feed *)f; /* atomics: loads only */
    out->frames = atomic_load_explicit(&g->frames, memory_order_relaxed);
    out->captured = atomic_load_explicit(&g->captured, memory_order_relaxed);
    out->kernel_dropped = atomic_load_explicit(&g->kernel_dropped, memory_order_relaxed);
    out->ring_dropped = atomic_load_explicit(&g->ring_dropped, memory_order_relaxed);
    out->calls_dropped = atomic_load_explicit(&g->calls_dropped, memory_order_relaxed);
    out->merge_dropped = atomic_load_explicit(&g->merge_dropped, memory_order_relaxed);
}

void timeline_feed_free(struct timeline_feed *f)
{
    if (!f) return;
    timeline_feed_stop(f);
    track_free(f->tracker);
    timeline_merge_free(f->merge);
    if (f->stop_fd >= 0) close(f->stop_fd);
    if (f->done_fd >= 0) close(f->done_fd);
    free(f);
}
