/* timeline: a live session, one run after another. A run is a capture (confirmed live on
 * loopback, writing -w or a temporary file), the source of its socket API calls, the live
 * feed into a store of its own (or a sink), and a workload: what makes the traffic. The stop
 * order, the reruns and the files they write live here once; `demo` and `live` only wire
 * their workload in, and `lab` and the wire will too. */
#ifndef SOCKSCOPE_SESSION_H
#define SOCKSCOPE_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockscope/capture.h"
#include "sockscope/live_feed.h"
#include "sockscope/timeline.h"

struct session;
/* The run a workload was started for: what its programs report their end to. */
struct session_run;

/* What makes a run's traffic: the demo's scenario today, the user's programs (lab) and
 * sockscope's own wire later; `live` has none (every callback NULL). The session calls, per
 * run and in this order: prepare, start, then (at the end, however it comes) stop, release.
 * Runs never overlap: release of one comes before prepare of the next. */
struct session_workload {
    void *ctx;
    /* Before the run's capture opens (a wire builds its links and capture points here).
     * store: the run's store, to reserve lanes in (NULL when the session streams to a sink);
     * *calls: where the run's socket API calls come from (left zero: none). An enum status,
     * with err. */
    int (*prepare)(void *ctx, struct timeline_store *store, struct timeline_calls *calls,
                   char *err, size_t errlen);
    /* Once the capture is live and the feed runs: starts the programs (on threads started
     * with thread_start_quiet: signals stay the caller's). When they end on their own, a
     * program calls session_run_over(run, ...). NULL: the run lasts until session_stop, -c
     * or the end of the capture. An enum status, with err. */
    int (*start)(void *ctx, struct session_run *run, char *err, size_t errlen);
    /* Ends the programs at once and waits for them (quit, r, Ctrl-C). Called only after a
     * successful start; calls made after it returns reach nothing. */
    void (*stop)(void *ctx);
    /* After stop, once the feed is done with the calls and the capture is closed: frees
     * what prepare made (a wire tears its links down). Called whenever prepare succeeded. */
    void (*release)(void *ctx);
};

struct session_options {
    /* device, BPF, kernel buffer; write_path: -w. Without -w a run that stores writes a
     * temporary capture (unlinked at once, read back by the screen); one that streams to a
     * sink writes none. */
    struct capture_live_options capture;
    /* true (demo): a loopback capture not confirmed live fails the run; false (live): the
     * run goes on and session_warning says so. */
    bool ready_required;
    /* .item set: every item goes there, on the feed's thread (the streaming demo); else
     * each run fills a store of its own (the TUI). */
    struct timeline_feed_sink sink;
    uint64_t max_frames; /* > 0: a run ends after that many frames (-c) */
    struct session_workload workload;
};

/* Starts the first run. STATUS_OK; STATUS_E_BAD_INPUT (unknown device, bad filter, -w file
 * that cannot be created, a link type decode does not know), CAPTURE_E_PERMISSION (err: the
 * fix) or STATUS_E_RUNTIME, with err; nothing is left running then. The options' strings
 * must outlive the session. */
int session_start(const struct session_options *o, struct session **out, char *err,
                  size_t errlen);
/* Ends the current run, in this order: the workload stops (its programs return at once),
 * the feed stores or hands on what was captured and finishes the store, the capture closes
 * (its file complete), the workload releases what it prepared. The store, the counts and
 * any failure stay readable. Idempotent. */
void session_stop(struct session *s);
/* Ends the current run as session_stop, then starts another with the same options (the
 * workload's ctx says what to run: cli sets the next scenario first). Nothing of the old
 * run reaches the new one: its capture is closed before the new one opens. On failure the
 * old run (stopped) stays current, its store on screen; err says why. */
int session_rerun(struct session *s, char *err, size_t errlen);
/* Streaming (a sink): waits until the run is over (its workload ended and the tail passed,
 * the capture ended, -c, or the sink said stop) or *stop is set (may be NULL). */
void session_wait(struct session *s, atomic_bool *stop);
void session_free(struct session *s);

/* The current run's store (NULL when streaming); it changes with session_rerun. */
struct timeline_store *session_store(const struct session *s);
/* The file the current run's frames are written to (-w's or the temporary one), or NULL. */
const char *session_capture_path(const struct session *s);
/* The current run's capture (its device, link type, status), while it is open: before
 * session_stop. */
struct capture_live *session_capture(const struct session *s);
/* "" or why the capture could not be confirmed live (ready_required false). */
const char *session_warning(const struct session *s);
/* The current run's counts, from any thread (see timeline_feed_counts). */
void session_counts(const struct session *s, struct timeline_feed_counts *out);
/* After session_stop: what the workload reported when it failed on its own, or NULL. */
const char *session_failed(const struct session *s);

/* From a workload's program, on any thread: the run's traffic is over; error (NULL or "":
 * none) is the run's failure, shown with its store. The feed takes what still comes for
 * TIMELINE_FEED_TAIL_NS, then ends the run's capture. Later calls do nothing. */
void session_run_over(struct session_run *run, const char *error);

#endif
