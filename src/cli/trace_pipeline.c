/* The ring between trace's reading thread and its writing thread: fixed-size records, two
 * monotonic positions published in batches; a side that has to wait sleeps on a condition
 * variable until the other has made a good chunk of progress, so wake-ups stay rare. */
#include "trace_pipeline.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

#define PIPE_SLOTS 2048u /* a power of two */
#define PIPE_BATCH 32u   /* positions are published every this many records */
#define PIPE_WATER 1024u /* a sleeper is woken once this many records (or slots) are ready */
#define PIPE_SPIN 100
#define CACHE_LINE 64

struct trace_pipe {
    struct trace_rec *slots;
    trace_frame_fn fn;
    void *ctx;
    const bool *failed;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;

    /* producer's side */
    alignas(CACHE_LINE) _Atomic uint64_t head;
    _Atomic bool done;
    _Atomic bool producer_waits;
    _Atomic uint64_t producer_wants; /* sleeping until tail reaches this */
    uint64_t head_local, tail_seen;

    /* consumer's side */
    alignas(CACHE_LINE) _Atomic uint64_t tail;
    _Atomic bool stopped;
    _Atomic bool consumer_waits;
    _Atomic uint64_t consumer_wants; /* sleeping until head reaches this */
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The other side may be asleep until pos reaches *wants: wake it. Its flag is set under the
 * lock before it checks the position we just stored (all seq_cst), so no wake-up is lost. */
static void wake(struct trace_pipe *p, _Atomic bool *waits, _Atomic uint64_t *wants, uint64_t pos)
{
    if (atomic_load(waits) && pos >= atomic_load(wants)) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
}

static bool producer_can_go(struct trace_pipe *p, uint64_t want)
{
    p->tail_seen = atomic_load(&p->tail);
    return p->tail_seen >= want;
}

static bool consumer_can_go(struct trace_pipe *p, uint64_t want)
{
    return atomic_load(&p->head) >= want || atomic_load(&p->done);
}

static void consume(struct trace_pipe *p, uint64_t tail)
{
    struct trace_rec *r = &p->slots[tail & (PIPE_SLOTS - 1)];
    if (atomic_load_explicit(&p->stopped, memory_order_relaxed))
        return;
    struct export_frame ef = {.number = r->number, .pkt = &r->pkt, .info = &r->info};
    p->fn(p->ctx, &ef);
    if (*p->failed)
        atomic_store(&p->stopped, true);
}

static void *consumer_main(void *arg)
{
    struct trace_pipe *p = arg;
    uint64_t tail = 0, head = 0;
    for (;;) {
        if (tail == head) {
            atomic_store(&p->tail, tail);
            wake(p, &p->producer_waits, &p->producer_wants, tail);
            head = atomic_load_explicit(&p->head, memory_order_acquire);
            if (tail == head) {
                if (atomic_load(&p->done) && (head = atomic_load(&p->head)) == tail)
                    break;
                int spin = 0;
                while (spin++ < PIPE_SPIN && !consumer_can_go(p, tail + 1))
                    cpu_relax();
                if (!consumer_can_go(p, tail + 1)) {
                    pthread_mutex_lock(&p->lock);
                    atomic_store(&p->consumer_wants, tail + PIPE_WATER);
                    atomic_store(&p->consumer_waits, true);
                    while (!consumer_can_go(p, tail + PIPE_WATER))
                        pthread_cond_wait(&p->wake, &p->lock);
                    atomic_store(&p->consumer_waits, false);
                    pthread_mutex_unlock(&p->lock);
                }
                head = atomic_load_explicit(&p->head, memory_order_acquire);
                continue;
            }
        }
        consume(p, tail);
        if (++tail % PIPE_BATCH == 0) {
            atomic_store(&p->tail, tail);
            wake(p, &p->producer_waits, &p->producer_wants, tail);
        }
    }
    return NULL;
}

struct trace_pipe *trace_pipe_start(trace_frame_fn fn, void *ctx, const bool *failed)
{
    struct trace_pipe *p = aligned_alloc(CACHE_LINE, sizeof *p);
    if (!p)
        return NULL;
    *p = (struct trace_pipe){.fn = fn, .ctx = ctx, .failed = failed};
    p->slots = malloc(PIPE_SLOTS * sizeof *p->slots);
    if (!p->slots)
        goto fail_slots;
    if (pthread_mutex_init(&p->lock, NULL) != 0)
        goto fail_mutex;
    if (pthread_cond_init(&p->wake, NULL) != 0)
        goto fail_cond;
    if (pthread_create(&p->thread, NULL, consumer_main, p) != 0)
        goto fail_thread;
    return p;
fail_thread:
    pthread_cond_destroy(&p->wake);
fail_cond:
    pthread_mutex_destroy(&p->lock);
fail_mutex:
    free(p->slots);
fail_slots:
    free(p);
    return NULL;
}

struct trace_rec *trace_pipe_slot(struct trace_pipe *p)
{
    uint64_t room = p->head_local - PIPE_SLOTS + 1; /* tail needed for one free slot */
    if (p->head_local - p->tail_seen == PIPE_SLOTS && !producer_can_go(p, room)) {
        /* Full: make sure the consumer sees every record, then wait for room. */
        atomic_store(&p->head, p->head_local);
        wake(p, &p->consumer_waits, &p->consumer_wants, p->head_local);
        int spin = 0;
        while (spin++ < PIPE_SPIN && !producer_can_go(p, room))
            cpu_relax();
        if (!producer_can_go(p, room)) {
            uint64_t want = p->head_local - PIPE_SLOTS + PIPE_WATER;
            pthread_mutex_lock(&p->lock);
            atomic_store(&p->producer_wants, want);
            atomic_store(&p->producer_waits, true);
            while (!producer_can_go(p, want))
                pthread_cond_wait(&p->wake, &p->lock);
            atomic_store(&p->producer_waits, false);
            pthread_mutex_unlock(&p->lock);
        }
    }
    return &p->slots[p->head_local & (PIPE_SLOTS - 1)];
}

void trace_pipe_push(struct trace_pipe *p)
{
    if (++p->head_local % PIPE_BATCH == 0) {
        atomic_store(&p->head, p->head_local);
        wake(p, &p->consumer_waits, &p->consumer_wants, p->head_local);
    }
}

bool trace_pipe_stopped(struct trace_pipe *p)
{
    return atomic_load_explicit(&p->stopped, memory_order_relaxed);
}

const uint8_t *trace_pipe_oldest(struct trace_pipe *p)
{
    uint64_t tail = atomic_load(&p->tail);
    return tail == p->head_local ? NULL : p->slots[tail & (PIPE_SLOTS - 1)].frame;
}

void trace_pipe_finish(struct trace_pipe *p)
{
    atomic_store(&p->head, p->head_local);
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->done, true);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p->slots);
    free(p);
}
