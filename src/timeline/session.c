/* The session object: a live session's runs, each one a capture, the source of its calls, a
 * live feed and a workload, started and stopped in one order so that nothing of one run
 * reaches the next and every file written is complete when the screen reads it. See
 * session.h. */
#include "sockscope/session.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "temp_capture_internal.h"

#define READY_TIMEOUT_MS 3000
#define WAIT_SLICE_MS 10 /* session_wait: how soon a stop flag set by a signal is seen */

struct session_run {
    struct session *session;
    struct session_temp_capture temp;
    const char *path; /* -w's, the temporary file's, or NULL */
    struct capture_live *cap;
    struct timeline_store *store;
    struct timeline_feed *feed;
    struct timeline_calls calls;
    bool prepared, started, stopped;
    char failed[400]; /* what the workload reported; written before the run's feed ends */
};

struct session {
    struct session_options o;
    struct session_run *run;
    char warning[512];
};

/* Opens the run's capture, refuses link types decode does not know, starts it and, on
 * loopback, waits until it is live, so the first packet of the traffic cannot be missed. */
static int open_capture(struct session *s, struct session_run *r, char *err, size_t errlen)
{
    struct capture_live_options co = s->o.capture;
    co.write_path = r->path;
    int rc = capture_live_open(&co, &r->cap, err, errlen);
    if (rc != STATUS_OK) return rc;
    int linktype = capture_live_linktype(r->cap);
    if (!decode_linktype_supported(linktype)) {
        snprintf(err, errlen,
                 "%s has link type %d (%s), which sockscope does not decode (Ethernet, Linux "
                 "cooked, BSD loopback and raw IP)",
                 capture_live_device(r->cap), linktype, capture_live_linktype_name(r->cap));
        return STATUS_E_BAD_INPUT;
    }
    if (capture_live_start(r->cap, err, errlen) != STATUS_OK) return STATUS_E_RUNTIME;
    char why[sizeof s->warning];
    if (capture_live_wait_ready(r->cap, READY_TIMEOUT_MS, why, sizeof why) != STATUS_OK) {
        if (s->o.ready_required) {
            snprintf(err, errlen, "%s", why);
            return STATUS_E_RUNTIME;
        }
        snprintf(s->warning, sizeof s->warning, "%s", why);
    }
    return STATUS_OK;
}

/* The stop order of session.h. Every step is safe to repeat. */
static void run_stop(struct session_run *r)
{
    const struct session_workload *w = &r->session->o.workload;
    if (r->started && !r->stopped && w->stop) w->stop(w->ctx);
    r->stopped = true;
    timeline_feed_stop(r->feed);
    capture_live_close(r->cap);
    r->cap = NULL;
    if (r->prepared && w->release) w->release(w->ctx);
    r->prepared = false;
}

static void run_free(struct session_run *r)
{
    if (!r) return;
    run_stop(r);
    timeline_feed_free(r->feed);
    timeline_store_free(r->store);
    session_temp_capture_close(&r->temp);
    free(r);
}

static int run_start(struct session *s, struct session_run **out, char *err, size_t errlen)
{
    *out = NULL;
    struct session_run *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    r->session = s;
    r->temp.fd = -1;
    bool storing = !s->o.sink.item;
    const struct session_workload *w = &s->o.workload;
    int rc = STATUS_E_RUNTIME;
    r->path = s->o.capture.write_path;
    if (!r->path && storing) {
        if ((rc = session_temp_capture_open(&r->temp, err, errlen)) != STATUS_OK) goto fail;
        r->path = r->temp.path;
    }
    if (storing && !(r->store = timeline_store_new())) {
        snprintf(err, errlen, "out of memory");
        rc = STATUS_E_RUNTIME;
        goto fail;
    }
    if (w->prepare) {
        if ((rc = w->prepare(w->ctx, r->store, &r->calls, err, errlen)) != STATUS_OK) goto fail;
        r->prepared = true;
    }
    if ((rc = open_capture(s, r, err, errlen)) != STATUS_OK) goto fail;
    struct timeline_feed_options fo = {.store = r->store,
                                       .sink = s->o.sink,
                                       .capture = r->cap,
                                       .calls = r->calls,
                                       .max_frames = s->o.max_frames};
    if ((rc = timeline_feed_start(&fo, &r->feed, err, errlen)) != STATUS_OK) goto fail;
    if (w->start) {
        if ((rc = w->start(w->ctx, r, err, errlen)) != STATUS_OK) goto fail;
        r->started = true;
    }
    *out = r;
    return STATUS_OK;
fail:
    run_free(r);
    return rc;
}

int session_start(const struct session_options *o, struct session **out, char *err,
                  size_t errlen)
{
    *out = NULL;
    struct session *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    s->o = *o;
    int rc = run_start(s, &s->run, err, errlen);
    if (rc != STATUS_OK) {
        free(s);
        return rc;
    }
    *out = s;
    return STATUS_OK;
}

void session_stop(struct session *s)
{
    if (s && s->run) run_stop(s->run);
}

int session_rerun(struct session *s, char *err, size_t errlen)
{
    run_stop(s->run);
    s->warning[0] = '\0';
    struct session_run *next;
    int rc = run_start(s, &next, err, errlen);
    if (rc != STATUS_OK) return rc; /* the old run's store stays on screen */
    run_free(s->run);
    s->run = next;
    return STATUS_OK;
}

void session_wait(struct session *s, atomic_bool *stop)
{
    struct pollfd pf = {.fd = timeline_feed_done_fd(s->run->feed), .events = POLLIN};
    /* a signal handler sets *stop and interrupts poll (EINTR); the slice bounds the case
     * where it came between the look at *stop and the poll */
    while (!(stop && atomic_load(stop)))
        if (poll(&pf, 1, WAIT_SLICE_MS) > 0) return;
}

void session_free(struct session *s)
{
    if (!s) return;
    run_free(s->run);
    free(s);
}

struct timeline_store *session_store(const struct session *s)
{
    return s->run->store;
}

const char *session_capture_path(const struct session *s)
{
    return s->run->path;
}

struct capture_live *session_capture(const struct session *s)
{
    return s->run->cap;
}

const char *session_warning(const struct session *s)
{
    return s->warning;
}

void session_counts(const struct session *s, struct timeline_feed_counts *out)
{
    timeline_feed_counts(s->run->feed, out);
}

const char *session_failed(const struct session *s)
{
    return s->run->failed[0] ? s->run->failed : NULL;
}

void session_run_over(struct session_run *run, const char *error)
{
    if (error && *error && !run->failed[0])
        snprintf(run->failed, sizeof run->failed, "%s", error);
    timeline_feed_end(run->feed, TIMELINE_FEED_TAIL_NS, error);
}
