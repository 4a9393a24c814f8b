/* What several unit test files need alike: a scratch directory (mkdtemp, removed with all it
 * holds), frames copied out of a reader's buffer so that they outlive the next read, and
 * bounded waits on a descriptor or a monotonic clock, so that no test can hang. */
#ifndef SOCKSCOPE_TEST_HELPERS_H
#define SOCKSCOPE_TEST_HELPERS_H

#include <ftw.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockscope/capture.h"

/* ---- a scratch directory ---- */

/* Makes /tmp/sockscope-test-WHAT-XXXXXX into dir (at least 64 bytes); 0 or -1. */
static inline int test_dir_make(char *dir, size_t size, const char *what)
{
    if (snprintf(dir, size, "/tmp/sockscope-test-%s-XXXXXX", what) >= (int)size) return -1;
    return mkdtemp(dir) ? 0 : -1;
}

static inline int test_dir_remove_one(const char *path, const struct stat *st, int type,
                                      struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

/* Removes dir and everything in it (the files a test wrote there); 0 or -1. */
static inline int test_dir_remove(const char *dir)
{
    return nftw(dir, test_dir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* buf = dir/name */
static inline void test_dir_path(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

/* ---- frames that outlive the reader's buffer ---- */

struct test_frame {
    uint8_t *data;
    uint32_t caplen, wirelen, number;
    uint64_t ts_ns;
    int64_t offset; /* in the -w file a live capture wrote, -1 without one */
};

struct test_frames {
    struct test_frame *f;
    uint32_t n, cap;
};

/* Appends a copy of fr (its bytes too); aborts the test binary when out of memory. */
static inline struct test_frame *test_frames_push(struct test_frames *fs,
                                                  const struct capture_frame *fr)
{
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 64;
        fs->f = realloc(fs->f, fs->cap * sizeof *fs->f);
        if (!fs->f) abort();
    }
    struct test_frame *c = &fs->f[fs->n++];
    c->data = malloc(fr->caplen ? fr->caplen : 1);
    if (!c->data) abort();
    memcpy(c->data, fr->data, fr->caplen);
    c->caplen = fr->caplen;
    c->wirelen = fr->wirelen;
    c->number = fr->number;
    c->ts_ns = fr->ts_ns;
    c->offset = fr->offset;
    return c;
}

static inline void test_frames_free(struct test_frames *fs)
{
    for (uint32_t i = 0; i < fs->n; i++)
        free(fs->f[i].data);
    free(fs->f);
    memset(fs, 0, sizeof *fs);
}

/* ---- bounded waits ---- */

static inline uint64_t test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Whether fd became readable within timeout_ms (a liveness bound, not a measurement). */
static inline bool test_wait_readable(int fd, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    uint64_t end = test_now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        uint64_t now = test_now_ms();
        int left = now >= end ? 0 : (int)(end - now);
        int n = poll(&pfd, 1, left);
        if (n > 0) return true;
        if (n == 0) return false;
    }
}

#endif
