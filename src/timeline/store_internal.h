/* The event store's insides, shared by store.c (chunks, publishing) and record.c (what one
 * frame or call leaves in it). Not part of the interface. */
#ifndef SOCKSCOPE_STORE_INTERNAL_H
#define SOCKSCOPE_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "sockscope/timeline.h"

struct chunks {
    void **table; /* max_chunks pointers; chunk k holds elements [k << shift, (k+1) << shift) */
    size_t elem;
    unsigned shift;
    uint32_t max_chunks;
};

/* The producer's side: only its thread touches it. */
struct store_writer {
    uint32_t events, flows, calls, checkpoints; /* recorded, published or not */
    struct lifelines lanes;
    uint8_t lane_first_state[LIFELINES_MAX];
    bool lane_seen[LIFELINES_MAX];
    uint64_t first_ts;
    uint32_t tcp, udp, other, no_lane;
    uint64_t bytes_done, bytes_total;
    uint64_t last_wake, clock;
    uint64_t snap_end; /* bytes of the snapshot file in use */
    /* the flow of (proto, stream): tshark numbers each protocol's streams from 0 in order of
     * appearance, so a dense map per protocol finds it */
    uint32_t *stream_map[2];
    uint32_t stream_cap[2];
    /* calls: the thread that last called on each lane ([thread N] when several do) */
    uint32_t lane_thread[LIFELINES_MAX];
    bool lane_multi[LIFELINES_MAX];
};

struct timeline_store {
    struct chunks events, flows, calls, checkpoints;
    _Atomic uint32_t pub_events, pub_flows, pub_calls, pub_checkpoints;
    pthread_mutex_t lock;           /* guards shared */
    struct timeline_snapshot shared; /* counts excepted: those are the atomics above */
    struct store_writer w;
    int wake_fd, snap_fd;
};

struct timeline_event *store_append_event(struct timeline_store *s);
struct timeline_flow *store_append_flow(struct timeline_store *s);
struct api_event *store_append_call(struct timeline_store *s);

#endif
