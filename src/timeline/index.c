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

static void *index_thread(void *arg)
{
    struct timeline_indexer *x = arg;
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    char why[256] = "", error[256] = "";
    bool failed = false;
    uint32_t n = 0;
    while (!failed && !atomic_load_explicit(&x->stop, memory_order_relaxed)) {
        int got = timeline_pass_next(x->pass, &fr, &pkt, &info, why, sizeof why);
        if (got <= 0) break;
        record(x, &fr, &pkt, &info, error, sizeof error, &failed);
        if (++n % PUBLISH_EVERY == 0) {
            timeline_store_publish(x->store);
        }
    }
    timeline_store_progress(x->store, x->size, x->size);
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
        return CAPTURE_E_RUNTIME;
    }
    x->store = s;
    x->path = path;
    x->checkpoint_every = checkpoint_every;
    int rc = timeline_pass_open(path, bpf, &x->pass, err, errlen);
    if (rc != CAPTURE_OK) {
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
        return CAPTURE_E_BAD_INPUT;
    }
    if (got == 0) { /* an empty capture: nothing to index */
        timeline_store_finish(s, NULL, NULL);
        timeline_pass_close(x->pass);
        x->pass = NULL;
        *out = x;
        return CAPTURE_OK;
    }
    bool failed = false;
    char error[256];
    record(x, &fr, &pkt, &info, error, sizeof error, &failed);
    timeline_store_publish(s);
    if (pthread_create(&x->thread, NULL, index_thread, x) != 0) {
        snprintf(err, errlen, "%s: cannot start the indexing thread", path);
        timeline_pass_close(x->pass);
        free(x);
        return CAPTURE_E_RUNTIME;
    }
    x->started = true;
    *out = x;
    return CAPTURE_OK;
}

void timeline_index_stop(struct timeline_indexer *x)
{
    if (!x) return;
    atomic_store(&x->stop, true);
    if (x->started) pthread_join(x->thread, NULL);
    timeline_pass_close(x->pass);
    free(x);
}
