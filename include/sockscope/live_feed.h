/* timeline: a live session's producer. The capture thread's frames and the probe's socket API
 * calls go through the hold-back merge (timeline_merge) into time order, then through decode
 * and track into an event store that the TUI draws from; all of it on a thread of its own, so
 * neither the capture thread nor the screen ever waits for the other. `demo` and `live` use
 * it for the TUI; the streaming `demo` uses its pump alone. */
#ifndef SOCKSCOPE_LIVE_FEED_H
#define SOCKSCOPE_LIVE_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "sockscope/capture.h"
#include "sockscope/net.h"
#include "sockscope/timeline.h"

/* API events reach the merge a little after the packets they caused; everything is held this
 * long so both leave in time order. */
#define TIMELINE_FEED_HOLD_BACK_NS (40 * 1000000ull)
/* After a scenario returns: the last ACK and any retransmission still on their way. */
#define TIMELINE_FEED_TAIL_NS (150 * 1000000ull)

/* ---- one round of a live loop, for whoever consumes the items (the feed, streaming demo) ---- */
typedef void (*timeline_feed_fn)(void *ctx, const struct timeline_item *it);

/* What may leave the merge now: everything older than now minus the hold-back, and never an
 * API event still held by the probe (its socket's address unknown). UINT64_MAX without probe. */
uint64_t timeline_feed_horizon(struct probe *probe, uint64_t now_ns);
/* Moves what the capture thread and the probe (may be NULL) have into the merge, then hands
 * fn every item older than horizon_ns, in time order. When the merge is full its oldest items
 * are handed on early to make room; only an item bigger than the whole merge is lost (counted
 * in *merge_drops). A frame's data is valid during the call to fn only. */
void timeline_feed_pump(struct timeline_merge *m, struct capture_live *cap, struct probe *probe,
                        uint64_t horizon_ns, timeline_feed_fn fn, void *ctx, uint64_t *merge_drops);

/* ---- the feed: that loop on a thread, filling a store ---- */
struct timeline_feed;

struct timeline_feed_options {
    struct timeline_store *store; /* lanes already reserved; the feed is its only producer */
    struct capture_live *capture; /* started, writing a -w file (the checkpoints point into it);
                                   * the feed drains it and stops it at the end */
    struct probe *probe;          /* NULL: frames only (sockscope live) */
    uint64_t max_frames;          /* > 0: the session ends after that many frames (-c) */
};

/* What was lost on the way, for the status bar: readable from any thread at any time. */
struct timeline_feed_counts {
    uint64_t frames;         /* stored */
    uint64_t kernel_dropped; /* by the kernel before the capture thread saw them */
    uint64_t ring_dropped;   /* by the capture thread: the ring was full */
    uint64_t calls_dropped;  /* by the probe: its queue was full */
    uint64_t merge_dropped;  /* bigger than the whole merge */
};

/* Starts the thread. STATUS_OK, or STATUS_E_RUNTIME with err (out of memory, no thread). */
int timeline_feed_start(const struct timeline_feed_options *o, struct timeline_feed **out,
                        char *err, size_t errlen);
/* Any thread: the source is over (a scenario returned). The feed takes what still comes for
 * tail_ns, then stops the capture (so its -w file is complete), stores the rest and finishes
 * the store, with error (NULL or "": none) shown as the session's error. Later calls do
 * nothing. */
void timeline_feed_end(struct timeline_feed *f, uint64_t tail_ns, const char *error);
/* Stops at once if still running (what was captured so far is stored, the store finished)
 * and waits for the thread. The counts stay readable until timeline_feed_free. */
void timeline_feed_stop(struct timeline_feed *f);
void timeline_feed_counts(const struct timeline_feed *f, struct timeline_feed_counts *out);
/* Stops (as timeline_feed_stop) and frees; the store, capture and probe stay the caller's. */
void timeline_feed_free(struct timeline_feed *f);

#endif
