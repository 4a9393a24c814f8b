/* timeline: a live session's producer. The capture thread's frames and the probe's socket API
 * calls go through the hold-back merge (timeline_merge) into time order, then through decode
 * and track into an event store that the TUI draws from; all of it on a thread of its own, so
 * neither the capture thread nor the screen ever waits for the other. The session object
 * (session.h) runs one per run: into a store for the TUI, or into a sink (the streaming
 * demo's exporter). */
#ifndef SOCKSCOPE_LIVE_FEED_H
#define SOCKSCOPE_LIVE_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "sockscope/capture.h"
#include "sockscope/timeline.h"

/* API events reach the merge a little after the packets they caused; everything is held this
 * long so both leave in time order. */
#define TIMELINE_FEED_HOLD_BACK_NS (40 * 1000000ull)
/* After a scenario returns: the last ACK and any retransmission still on their way. */
#define TIMELINE_FEED_TAIL_NS (150 * 1000000ull)

/* ---- where a live session's socket API calls come from ----
 * The read side of a probe (net's in-process probe today, the lab probe later) as callbacks,
 * so that timeline needs nothing else of net: cli wires net's probe in (cli/probe_calls.c). */
struct timeline_calls {
    void *ctx; /* NULL: no calls (sockscope live) */
    /* The next event queued, false when none waits. */
    bool (*pop)(void *ctx, struct api_event *ev);
    /* Readable while events wait. */
    int (*wake_fd)(void *ctx);
    /* Events the queue had no room for. */
    uint64_t (*dropped)(void *ctx);
    /* The time of the oldest event still held back (its socket's address not known yet), or
     * UINT64_MAX: nothing younger may leave the merge before it. */
    uint64_t (*oldest_held)(void *ctx);
};

/* ---- one round of a live loop ---- */
typedef void (*timeline_feed_fn)(void *ctx, const struct timeline_item *it);

/* What may leave the merge now: everything older than now minus the hold-back, and never an
 * API event still held back by the calls' source. UINT64_MAX without calls. */
uint64_t timeline_feed_horizon(const struct timeline_calls *calls, uint64_t now_ns);
/* Moves what the capture thread and the calls' source (NULL or no ctx: none) have into the
 * merge, then hands fn every item older than horizon_ns, in time order. When the merge is full
 * its oldest items are handed on early to make room; only an item bigger than the whole merge
 * is lost (counted in *merge_drops). A frame's data is valid during the call to fn only. */
void timeline_feed_pump(struct timeline_merge *m, struct capture_live *cap,
                        const struct timeline_calls *calls, uint64_t horizon_ns,
                        timeline_feed_fn fn, void *ctx, uint64_t *merge_drops);

/* ---- the feed: that loop on a thread, filling a store ---- */
struct timeline_feed;

/* Where the items go instead of a store (the streaming demo): each one as it leaves the
 * merge, on the feed's thread, a frame decoded and tracked (pkt and info NULL for a call).
 * item returns false to end the feed at once (the output went away); round, if set, runs
 * after each round that handed items on (to flush). */
struct timeline_feed_sink {
    void *ctx;
    bool (*item)(void *ctx, const struct timeline_item *it, const struct packet *pkt,
                 const struct track_info *info);
    void (*round)(void *ctx);
};

struct timeline_feed_options {
    struct timeline_store *store; /* lanes already reserved; the feed is its only producer;
                                   * NULL: items go to sink instead */
    struct timeline_feed_sink sink;
    struct capture_live *capture; /* started; for a store writing a -w file (the checkpoints
                                   * point into it at the offsets the capture reports); the
                                   * feed drains it and stops it at the end */
    struct timeline_calls calls;  /* ctx NULL: frames only (sockscope live) */
    uint64_t max_frames;          /* > 0: the session ends after that many frames (-c) */
};

/* What was lost on the way, for the status bar: readable from any thread at any time. */
struct timeline_feed_counts {
    uint64_t frames;         /* stored (or handed to the sink) */
    uint64_t captured;       /* handed over by the capture thread (all of them, past -c) */
    uint64_t kernel_dropped; /* by the kernel before the capture thread saw them */
    uint64_t ring_dropped;   /* by the capture thread: the ring was full */
    uint64_t calls_dropped;  /* by the calls' source: its queue was full */
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
/* Readable once the feed's thread has ended (the tail after timeline_feed_end passed, the
 * capture ended, the sink said stop), everything stored or handed on. */
int timeline_feed_done_fd(const struct timeline_feed *f);
/* Stops at once if still running (what was captured so far is stored, the store finished)
 * and waits for the thread. The counts stay readable until timeline_feed_free. */
void timeline_feed_stop(struct timeline_feed *f);
void timeline_feed_counts(const struct timeline_feed *f, struct timeline_feed_counts *out);
/* Stops (as timeline_feed_stop) and frees; the store, capture and calls stay the caller's. */
void timeline_feed_free(struct timeline_feed *f);

#endif
