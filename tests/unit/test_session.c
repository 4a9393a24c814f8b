/* session: runs of a live session on loopback inside a private network namespace (made before
 * any thread starts), with a workload of the test's own that sends UDP datagrams to itself.
 * The workload's callbacks come in the documented order, a run's traffic lands in its own
 * store and file, a rerun starts clean, failures are the run's, a sink can end a run, and
 * the checkpoints a run records point at its frames in the file it wrote. Skips (saying
 * why) without root or netns. */
#define _GNU_SOURCE /* unshare */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"
#include "sockscope/session.h"

static char skip_reason[200];
static char dir[64];

#define LIVENESS_MS 20000 /* far beyond what a run here takes */

/* ---- the test's workload: datagrams to itself, then the run is over ---- */

struct workload {
    char log[256]; /* the callbacks, in the order the session called them */
    int datagrams;
    const char *start_error; /* start fails with this */
    const char *report;      /* what the sender reports the run over with */
    struct session_run *run;
    pthread_t thread;
    atomic_bool stop;
    struct timeline_store *store; /* what prepare was given */
};

static void note(struct workload *w, const char *what)
{
    strncat(w->log, what, sizeof w->log - strlen(w->log) - 1);
}

static int prepare(void *ctx, struct timeline_store *store, struct timeline_calls *calls,
                   char *err, size_t errlen)
{
    (void)err, (void)errlen;
    struct workload *w = ctx;
    note(w, "prepare ");
    w->store = store;
    assert_null(calls->ctx); /* handed over empty: frames only unless the workload says */
    return STATUS_OK;
}

static void *sender(void *arg)
{
    struct workload *w = arg;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
        char payload[32] = "sockscope session test";
        for (int i = 0; i < w->datagrams && !atomic_load(&w->stop); i++) {
            (void)!sendto(fd, payload, sizeof payload, 0, (struct sockaddr *)&a, sizeof a);
            (void)!recv(fd, payload, sizeof payload, MSG_DONTWAIT);
        }
    }
    if (fd >= 0) close(fd);
    session_run_over(w->run, w->report);
    return NULL;
}

static int start(void *ctx, struct session_run *run, char *err, size_t errlen)
{
    struct workload *w = ctx;
    note(w, "start ");
    if (w->start_error) {
        snprintf(err, errlen, "%s", w->start_error);
        return STATUS_E_RUNTIME;
    }
    w->run = run;
    atomic_store(&w->stop, false);
    int rc = thread_start_quiet(&w->thread, sender, w);
    assert_int_equal(rc, 0);
    return STATUS_OK;
}

static void stop(void *ctx)
{
    struct workload *w = ctx;
    note(w, "stop ");
    atomic_store(&w->stop, true);
    pthread_join(w->thread, NULL);
}

static void release(void *ctx)
{
    note(ctx, "release ");
}

static struct session_options options(struct workload *w, const char *write_path)
{
    struct session_options o = {.ready_required = true};
    o.capture.device = "lo";
    o.capture.write_path = write_path;
    o.workload = (struct session_workload){
        .ctx = w, .prepare = prepare, .start = start, .stop = stop, .release = release};
    return o;
}

static struct session *start_session(const struct session_options *o)
{
    char err[1024];
    struct session *s;
    int rc = session_start(o, &s, err, sizeof err);
    if (rc != STATUS_OK) fail_msg("session_start: %d %s", rc, err);
    return s;
}

/* Waits (on the store's wake-ups) until the run's feed has finished the store. */
static void wait_finished(struct timeline_store *st, struct timeline_snapshot *snap)
{
    uint64_t end = test_now_ms() + LIVENESS_MS;
    for (;;) {
        timeline_store_sync(st, snap);
        if (snap->done) return;
        uint64_t now = test_now_ms();
        if (now >= end) fail_msg("the run's store was not finished in %d ms", LIVENESS_MS);
        (void)test_wait_readable(timeline_store_wake_fd(st), (int)(end - now));
    }
}

static int frames_in(const char *path)
{
    char err[512];
    struct capture_file *f;
    assert_int_equal(capture_file_open(path, NULL, &f, err, sizeof err), STATUS_OK);
    struct capture_frame fr;
    int n = 0;
    while (capture_file_next(f, &fr, err, sizeof err) == 1)
        n++;
    capture_file_close(f);
    return n;
}

/* ---- the tests ---- */

static void test_a_run_prepares_starts_stops_and_releases_its_workload_in_order(void **state)
{
    (void)state;
    if (*skip_reason) skip();
    char path[128];
    snprintf(path, sizeof path, "%s/run.pcap", dir);
    struct workload w = {.datagrams = 7};
    struct session_options o = options(&w, path);
    struct session *s = start_session(&o);
    assert_string_equal(w.log, "prepare start ");
    assert_ptr_equal(w.store, session_store(s));
    assert_string_equal(session_capture_path(s), path);

    /* the sender reports the run over: the feed finishes the store on its own */
    struct timeline_snapshot snap;
    wait_finished(session_store(s), &snap);
    assert_int_equal(snap.events, 7);
    assert_int_equal(snap.udp, 7);
    assert_false(snap.failed);
    session_stop(s);
    assert_string_equal(w.log, "prepare start stop release ");
    session_stop(s); /* twice is harmless: nothing called again */
    assert_string_equal(w.log, "prepare start stop release ");
    assert_null(session_failed(s));

    struct timeline_feed_counts n;
    session_counts(s, &n);
    assert_int_equal(n.frames, 7);
    assert_int_equal(n.captured, 7);
    assert_int_equal(frames_in(path), 7); /* the capture is closed: its file complete */
    session_free(s);
}

static void test_a_rerun_closes_the_old_run_before_the_new_one_captures(void **state)
{
    (void)state;
    if (*skip_reason) skip();
    struct workload w = {.datagrams = 3};
    struct session_options o = options(&w, NULL); /* a temporary capture per run */
    struct session *s = start_session(&o);
    struct timeline_snapshot snap;
    wait_finished(session_store(s), &snap);
    assert_int_equal(snap.events, 3);
    const char *first_path = session_capture_path(s);
    assert_non_null(first_path);

    w.datagrams = 5;
    char err[512];
    assert_int_equal(session_rerun(s, err, sizeof err), STATUS_OK);
    assert_string_equal(w.log, "prepare start stop release prepare start ");
    assert_ptr_equal(w.store, session_store(s));
    wait_finished(session_store(s), &snap);
    assert_int_equal(snap.events, 5); /* the new run's frames only */
    assert_int_equal(frames_in(session_capture_path(s)), 5);
    session_free(s);
    assert_string_equal(w.log, "prepare start stop release prepare start stop release ");
}

static void test_a_workload_that_cannot_start_is_released_and_nothing_runs(void **state)
{
    (void)state;
    if (*skip_reason) skip();
    struct workload w = {.start_error = "no programs today"};
    struct session_options o = options(&w, NULL);
    struct session *s;
    char err[512];
    assert_int_equal(session_start(&o, &s, err, sizeof err), STATUS_E_RUNTIME);
    assert_null(s);
    assert_string_equal(err, "no programs today");
    assert_string_equal(w.log, "prepare start release "); /* no stop: it never started */
}

static void test_a_failed_rerun_keeps_the_old_run_and_its_store(void **state)
{
    (void)state;
    if (*skip_reason) skip();
    struct workload w = {.datagrams = 2};
    struct session_options o = options(&w, NULL);
    struct session *s = start_session(&o);
    struct timeline_store *first = session_store(s);
    struct timeline_snapshot snap;
    wait_finished(first, &snap);

    w.start_error = "the second run cannot start";
    char err[512];
    assert_int_equal(session_rerun(s, err, sizeof err), STATUS_E_RUNTIME);
    assert_string_equal(err, "the second run cannot start");
    assert_ptr_equal(session_store(s), first);
    timeline_store_sync(first, &snap);
    assert_int_equal(snap.events, 2);
    assert_string_equal(w.log, "prepare start stop release prepare start release ");
    session_free(s); /* the old run is stopped already: nothing is called twice */
    assert_string_equal(w.log, "prepare start stop release prepare start release ");
}

static void test_a_failure_the_workload_reports_is_the_runs_and_its_stores(void **state)
{
    (void)state;
    if (*skip_reason) skip();
    struct workload w = {.datagrams = 1, .report = "the server went away"};
    struct session_options o = options(&w, NULL);
    struct session *s = start_session(&o);
    struct timeline_snapshot snap;
    wait_finished(session_store(s), &snap);
    assert_true(snap.failed);
    assert_string_equal(snap.error, "the server went away");
    session_stop(s);
    assert_string_equal(session_failed(s), "the server went away");
    session_free(s);
}

struct sink_seen {
    int items, stop_after;
    int udp_tracked; /* frames that came decoded (UDP) with the tracker's info */
};

/* On the feed's thread: counts only (the test asserts on its own thread). */
static bool count_item(void *ctx, const struct timeline_item *it, const struct packet *pkt,
                       const struct track_info *info)
{
    struct sink_seen *seen = ctx;
    if (it->kind == TIMELINE_FRAME && pkt && info && pkt->proto == PROTO_UDP) seen->udp_tracked++;
    return ++seen->items < seen->stop_after;
}

static void test_a_sink_gets_each_item_decoded_and_can_end_the_run(void **state)
{
    (void)state;
    if (*skip_reason) skip();
    struct workload w = {.datagrams = 50};
    struct sink_seen seen = {.stop_after = 5};
    struct session_options o = options(&w, NULL);
    o.sink = (struct timeline_feed_sink){.ctx = &seen, .item = count_item};
    struct session *s = start_session(&o);
    assert_null(session_store(s));
    assert_null(session_capture_path(s)); /* streaming without -w writes no file */
    assert_null(w.store);
    session_wait(s, NULL); /* returns because the sink said stop */
    session_stop(s);
    assert_int_equal(seen.items, 5);
    assert_int_equal(seen.udp_tracked, 5);
    session_free(s);
}

/* More frames than one checkpoint interval: the run's checkpoint points into its -w file
 * at the offset the capture reported, so a re-read started there finds the same frames. */
static void test_checkpoints_point_at_the_frames_in_the_file_the_run_wrote(void **state)
{
    (void)state;
    if (*skip_reason) skip();
    char path[128];
    snprintf(path, sizeof path, "%s/checkpoints.pcap", dir);
    struct workload w = {.datagrams = 20000};
    struct session_options o = options(&w, path);
    struct session *s = start_session(&o);
    struct timeline_store *st = session_store(s);
    struct timeline_snapshot snap;
    wait_finished(st, &snap);
    session_stop(s);
    assert_true(snap.events > 16384);
    assert_true(snap.checkpoints >= 1);

    uint32_t last = snap.events - 1;
    const struct timeline_checkpoint *cp = timeline_store_checkpoint_before(st, last);
    assert_non_null(cp);
    assert_true(cp->event > 0);
    assert_true(cp->offset > 24); /* past the file header and the first record */

    char err[512];
    struct capture_file *f;
    assert_int_equal(capture_file_open(path, NULL, &f, err, sizeof err), STATUS_OK);
    assert_int_equal(capture_file_seek(f, cp->offset, cp->frame, err, sizeof err), STATUS_OK);
    struct capture_frame fr;
    assert_int_equal(capture_file_next(f, &fr, err, sizeof err), 1);
    assert_int_equal(timeline_store_event(st, cp->event)->frame, cp->frame);
    assert_true(fr.ts_ns == timeline_store_event(st, cp->event)->ts_ns); /* that very frame */
    capture_file_close(f);

    /* and the re-reader, started there, reads on from the checkpoint, not from frame 1 */
    struct timeline_reread *r;
    assert_int_equal(timeline_reread_open(st, path, NULL, &r, err, sizeof err), STATUS_OK);
    assert_int_equal(timeline_reread_seek(r, last, err, sizeof err), STATUS_OK);
    uint32_t event = 0;
    struct packet pkt;
    struct track_info info;
    int got;
    while ((got = timeline_reread_next(r, &event, &fr, &pkt, &info, err, sizeof err)) == 1 &&
           event < last) {
    }
    if (got < 0) fail_msg("reread: %s", err);
    assert_int_equal(event, last);
    assert_int_equal(fr.number, timeline_store_event(st, last)->frame);
    assert_true(timeline_reread_frames(r) <= snap.events - cp->event);
    timeline_reread_close(r);
    session_free(s);
}

/* ---- setup ---- */

/* A private network namespace with loopback up, entered before any thread exists. */
static void enter_namespace(void)
{
    if (geteuid() != 0) {
        snprintf(skip_reason, sizeof skip_reason, "not root (live capture needs CAP_NET_RAW)");
        return;
    }
    if (unshare(CLONE_NEWNET) != 0) {
        snprintf(skip_reason, sizeof skip_reason, "unshare(CLONE_NEWNET): %s", strerror(errno));
        return;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0 ||
        (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) != 0))
        snprintf(skip_reason, sizeof skip_reason, "cannot bring lo up: %s", strerror(errno));
    if (fd >= 0) close(fd);
}

static int make_dir(void **state)
{
    (void)state;
    return test_dir_make(dir, sizeof dir, "session");
}

static int remove_dir(void **state)
{
    (void)state;
    return test_dir_remove(dir);
}

int main(void)
{
    enter_namespace();
    if (*skip_reason) printf("skipping the session tests: %s\n", skip_reason);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_run_prepares_starts_stops_and_releases_its_workload_in_order),
        cmocka_unit_test(test_a_rerun_closes_the_old_run_before_the_new_one_captures),
        cmocka_unit_test(test_a_workload_that_cannot_start_is_released_and_nothing_runs),
        cmocka_unit_test(test_a_failed_rerun_keeps_the_old_run_and_its_store),
        cmocka_unit_test(test_a_failure_the_workload_reports_is_the_runs_and_its_stores),
        cmocka_unit_test(test_a_sink_gets_each_item_decoded_and_can_end_the_run),
        cmocka_unit_test(test_checkpoints_point_at_the_frames_in_the_file_the_run_wrote),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
