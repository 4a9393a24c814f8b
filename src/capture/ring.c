/* The single-producer single-consumer byte ring between the capture thread and the main
 * thread: variable-size records, C11 acquire/release on two monotonic positions, no lock, and
 * a producer that never waits (a record with no room is dropped and counted). */
#include "sockscope/capture.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Each record starts with its length (uint32) and 4 spare bytes, so the payload is 8-byte
 * aligned; a length of WRAP_MARK says "the rest of the buffer is unused, go to offset 0". */
#define REC_HDR 8u
#define WRAP_MARK UINT32_MAX
#define CACHE_LINE 64

struct capture_ring {
    uint8_t *buf;
    size_t cap, mask;
    /* Producer side: its own position, and its last look at the consumer's. */
    alignas(CACHE_LINE) _Atomic uint64_t head;
    uint64_t tail_seen;
    _Atomic uint64_t dropped;
    /* Consumer side: its own position, its last look at the producer's, and the size of the
     * record it is holding (peeked, not yet popped). */
    alignas(CACHE_LINE) _Atomic uint64_t tail;
    uint64_t head_seen;
    size_t held;
};

static size_t align8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

struct capture_ring *capture_ring_new(size_t bytes)
{
    size_t cap = 4096;
    while (cap < bytes && cap < ((size_t)1 << 40))
        cap <<= 1;
    struct capture_ring *r = aligned_alloc(CACHE_LINE, sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    r->buf = malloc(cap);
    if (!r->buf) {
        free(r);
        return NULL;
    }
    r->cap = cap;
    r->mask = cap - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    atomic_init(&r->dropped, 0);
    return r;
}

void capture_ring_free(struct capture_ring *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

static bool drop(struct capture_ring *r)
{
    atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
    return false;
}

bool capture_ring_push(struct capture_ring *r, const void *head, size_t hlen, const void *body,
                       size_t blen)
{
    size_t len = hlen + blen;
    if (len > r->cap)
        return drop(r);
    size_t n = REC_HDR + align8(len);
    uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t off = (size_t)(h & r->mask);
    size_t to_end = r->cap - off;
    /* A record never straddles the end: when it does not fit before it, the rest of the
     * buffer is given up and the record starts at offset 0. */
    size_t need = n <= to_end ? n : to_end + n;
    if (h + need - r->tail_seen > r->cap) {
        /* acquire: the consumer is done reading the bytes we are about to overwrite. */
        r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (h + need - r->tail_seen > r->cap)
            return drop(r);
    }
    if (n > to_end) {
        uint32_t mark = WRAP_MARK;
        memcpy(r->buf + off, &mark, sizeof mark);
        h += to_end;
        off = 0;
    }
    uint32_t len32 = (uint32_t)len;
    memcpy(r->buf + off, &len32, sizeof len32);
    if (hlen)
        memcpy(r->buf + off + REC_HDR, head, hlen);
    if (blen)
        memcpy(r->buf + off + REC_HDR + hlen, body, blen);
    /* release: the record's bytes are visible before the position that publishes them. */
    atomic_store_explicit(&r->head, h + n, memory_order_release);
    return true;
}

const void *capture_ring_peek(struct capture_ring *r, size_t *len)
{
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    for (;;) {
        if (t == r->head_seen) {
            r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
            if (t == r->head_seen)
                return NULL;
        }
        size_t off = (size_t)(t & r->mask);
        uint32_t rec_len;
        memcpy(&rec_len, r->buf + off, sizeof rec_len);
        if (rec_len == WRAP_MARK) {
            t += r->cap - off;
            atomic_store_explicit(&r->tail, t, memory_order_release);
            continue;
        }
        r->held = REC_HDR + align8(rec_len);
        *len = rec_len;
        return r->buf + off + REC_HDR;
    }
}

void capture_ring_pop(struct capture_ring *r)
{
    if (!r->held)
        return;
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    /* release: our reads of the record happen before the producer may reuse its bytes. */
    atomic_store_explicit(&r->tail, t + r->held, memory_order_release);
    r->held = 0;
}

uint64_t capture_ring_dropped(const struct capture_ring *r)
{
    return atomic_load_explicit(&((struct capture_ring *)r)->dropped, memory_order_relaxed);
}
