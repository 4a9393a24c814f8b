/* The file indexer: a capture read into the event store by a background thread, so the first
 * screen comes after the first frames and not after the whole file. It publishes every few
 * thousand frames, reports progress in file bytes, and stops at once when asked. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sockscope/timeline.h"

#define PUBLISH_EVERY 4096 /* frames between two publications */

struct timeline_indexer {
    struct timeline_store *store;
    struct timeline_pass *pass;
    const char *path;
    uint64_t size;
    uint32_t checkpoint_every;
    uint32_t last_number;     /* of the last frame read */
    uint64_t next_checkpoint; /* frames recorded when the next one is due */
    pthread_t thread;
    bool started;
    atomic_bool stop;
};

static void record(struct timeline_indexer *x, const struct capture_frame *fr,
                   const struct packet *pkt, const struct track_info *info, char *err,
                   size_t errlen, bool *failed)
{
    if (!timeline_store_add_frame(x->store, pkt, info, fr->number, fr->wirelen)) {
        snprintf(err, errlen, "%s: out of memory after %u frames: the rest is not shown", x->path,
                 fr->number);
        *failed = true;
    }
}

/* Where re-reads can start: the next record's offset and the tracker as it is now, every
 * checkpoint_every frames or further apart when the tracker is big. */
static void checkpoint(struct timeline_indexer *x, uint32_t recorded)
{
    if (!x->checkpoint_every || recorded < x->next_checkpoint) return;
    x->next_checkpoint = UINT64_MAX; /* until one succeeds */
    int64_t offset = capture_file_tell(timeline_pass_file(x->pass));
    if (offset < 0) return; /* no offsets: re-reads start at the first frame */
    uint64_t gap =
        timeline_store_checkpoint_tracker(x->store, timeline_pass_tracker(x->pass), recorded,
                                          x->last_number + 1, offset, x->checkpoint_every);
    if (gap) x->next_checkpoint = recorded + gap;
}

static void *index_thread(void *arg)
{
    struct timeline_indexer *x = arg;
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    char why[256] = "", error[256] = "";
    bool failed = false;
    uint32_t n = 1; /* the first frame was recorded by timeline_index_start */
    while (!failed && !atomic_load_explicit(&x->stop, memory_order_relaxed)) {
        checkpoint(x, n);
        int got = timeline_pass_next(x->pass, &fr, &pkt, &info, why, sizeof why);
        if (got <= 0) break;
        x->last_number = fr.number;
        record(x, &fr, &pkt, &info, error, sizeof error, &failed);
        if (++n % PUBLISH_EVERY == 0) {
            int64_t at = capture_file_tell(timeline_pass_file(x->pass));
            timeline_store_progress(x->store, at > 0 ? (uint64_t)at : 0, x->size);
            timeline_store_publish(x->store);
        }
    }
    timeline_store_progress(x->store, x->size, x->size);
    /* the tracker and the mapping go now, not when the TUI quits */
    timeline_pass_close(x->pass);
    x->pass = NULL;
    timeline_store_finish(x->store, why, failed ? error : NULL);
    return NULL;
}

int timeline_index_start(struct timeline_store *s, const char *path, const char *bpf,
                         uint32_t checkpoint_every, struct timeline_indexer **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    struct timeline_indexer *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, errlen, "%s: out of memory", path);
        return STATUS_E_RUNTIME;
    }
    x->store = s;
    x->path = path;
    x->checkpoint_every = checkpoint_every;
    int rc = timeline_pass_open(path, bpf, &x->pass, err, errlen);
    if (rc != STATUS_OK) {
        free(x);
        return rc;
    }
    struct stat st;
    if (stat(path, &st) == 0) x->size = (uint64_t)st.st_size;
    /* the first frame here, so a file that holds none readable is refused as bad input */
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    char why[256];
    int got = timeline_pass_next(x->pass, &fr, &pkt, &info, why, sizeof why);
    if (got < 0) {
        snprintf(err, errlen, "%s: no readable frame: %s", path, why);
        timeline_pass_close(x->pass);
        free(x);
        return STATUS_E_BAD_INPUT;
    }
    if (got == 0) { /* an empty capture: nothing to index */
        timeline_store_finish(s, NULL, NULL);
        timeline_pass_close(x->pass);
        x->pass = NULL;
        *out = x;
        return STATUS_OK;
    }
    bool failed = false;
    char error[256];
    x->last_number = fr.number;
    x->next_checkpoint = checkpoint_every;
    record(x, &fr, &pkt, &info, error, sizeof error, &failed);
    timeline_store_publish(s);
    /* signals belong to the screen's thread */
    if (thread_start_quiet(&x->thread, index_thread, x) != 0) {
        snprintf(err, errlen, "%s: cannot start the indexing thread", path);
        timeline_pass_close(x->pass);
        free(x);
        return STATUS_E_RUNTIME;
    }
    x->started = true;
    *out = x;
    return STATUS_OK;
}

void timeline_index_stop(struct timeline_indexer *x)
{
    if (!x) return;
    atomic_store(&x->stop, true);
    if (x->started) pthread_join(x->thread, NULL);
    timeline_pass_close(x->pass);
    free(x);
}
