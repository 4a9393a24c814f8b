/* track internals: the records the tracker keeps per conversation and per TCP direction,
 * shared by the files of src/track/ (flow table, TCP analysis, TCP states, feed entry).
 * Not part of the public interface. */
#ifndef SOCKSCOPE_TRACK_INTERNAL_H
#define SOCKSCOPE_TRACK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockscope/track.h"

/* Canonical 5-tuple: side 0 is the lower (address, port) pair, so both directions of a
 * conversation give the same key. */
struct flow_key {
    uint8_t family; /* 4 or 6 */
    uint8_t proto;  /* PROTO_TCP or PROTO_UDP */
    uint16_t port[2];
    uint8_t addr[2][16];
};

/* Static facts about one direction (tshark's static_flags). */
enum {
    HALF_BASE_SEQ_SET = 1u << 0,
    HALF_SAW_SYN = 1u << 1,
    HALF_SAW_SYNACK = 1u << 2,
};

/* Window scale of one direction as tshark keeps it: a shift 0..14, or one of these. */
enum {
    WSCALE_UNKNOWN = -1, /* handshake not seen: window shown unscaled */
    WSCALE_NONE = -2,    /* handshake seen without scaling on both sides */
};

/* One direction of a TCP conversation: what Wireshark's tcp_flow_t and its
 * tcp_analyze_seq_flow_info_t hold, plus the RFC 9293 state of the sending end.
 * Sequence numbers are raw (absolute); 0 in nextseq/lastack/maxseqtobeacked means "none
 * yet", as in Wireshark. */
struct tcp_half {
    uint32_t base_seq;
    uint32_t window; /* last raw window sent, UINT32_MAX before any */
    uint32_t nextseq, maxseqtobeacked, lastack;
    uint32_t nextseqframe, lastnondupack;
    int32_t dupacknum;
    uint32_t lastsegmentflags; /* MARK_* of the last segment sent this way */
    uint64_t nextseqtime, lastacktime;
    uint32_t seg_head; /* unacked segments sent this way, newest first; 0 = none */
    uint32_t seg_count;
    uint32_t fin_seq; /* sequence number the FIN occupies, when fin_sent */
    /* RTT estimation of the segments sent this way (RFC 6298; 0 samples: no estimate) */
    int64_t srtt_ns, rttvar_ns, min_rtt_ns;
    uint32_t rtt_samples;
    int8_t win_scale;
    uint8_t static_flags;
    bool is_first_ack;
    bool fin_sent;
    uint8_t state; /* enum tcp_state of this end */
};

/* A conversation held in full. */
struct flow {
    struct flow_key key;
    uint32_t stream;
    uint8_t client_side;         /* 0 or 1: which key side is the client */
    uint8_t list;                /* FLOW_LIST_* it is on */
    uint32_t self;               /* own index + 1 in the flow pool */
    uint32_t lru_prev, lru_next; /* flow indices + 1, 0 = none; lru_next links the free list */
    uint64_t last_ts;
    uint64_t ts_mru_syn, ts_first_rtt; /* most recent SYN, handshake RTT (0 = none) */
    struct tcp_half half[2];
};

/* What is remembered of a forgotten conversation: enough to keep its stream number for
 * late packets, to restart relative numbering where it was, and to flag port reuse. */
struct tomb {
    struct flow_key key;
    uint32_t stream;
    uint8_t client_side;
    uint8_t static_flags[2];
    int8_t win_scale[2];
    uint8_t state[2];
    uint32_t base_seq[2];
    uint32_t prev, next; /* tomb indices + 1 (FIFO by burial time); next links the free list */
    uint64_t since;
};

/* An unacknowledged segment (Wireshark's tcp_unacked_t). */
struct segment {
    uint32_t seq, nextseq, frame;
    uint32_t next; /* segment index + 1, 0 = end */
    uint64_t ts;
    uint8_t sent_twice; /* 1: these bytes went out more than once, no RTT sample (Karn); a
                         * byte, not a bool: a loaded snapshot may hold any value */
};

enum { FLOW_LIST_OPEN = 0, FLOW_LIST_CLOSED = 1, FLOW_LIST_COUNT = 2 };

/* A slot's ref with this bit set names a tomb, not a live flow (flow_table.c). */
#define TOMB_REF 0x80000000u
/* struct flow.list of a flow on no list (flow_table.c). */
#define UNLINKED 0xff
/* RFC 7323: larger window shifts are taken as 14. */
#define MAX_WSCALE 14

/* Records in fixed-size chunks, so growth never moves them and never mallocs per packet. */
#define POOL_CHUNK_SHIFT 10
#define POOL_CHUNK (1u << POOL_CHUNK_SHIFT)

struct pool {
    void **chunks;
    uint32_t nchunks, cap_chunks;
    uint32_t used;      /* records handed out at least once */
    uint32_t free_head; /* index + 1 of the first free record, 0 = none */
    uint32_t live;
    size_t size;
};

struct flow_table {
    uint64_t *slots; /* hash (high 32) | ref (low 32): ref = index + 1, TOMB_REF for tombs */
    uint32_t mask;   /* slot count - 1 */
    uint32_t count;
    struct pool flows, tombs;
    uint32_t head[FLOW_LIST_COUNT], tail[FLOW_LIST_COUNT]; /* flow indices + 1 */
    uint32_t tomb_head, tomb_tail;
};

struct tracker {
    struct flow_table table;
    struct pool segments;
    uint32_t tcp_streams, udp_streams;
};

/* pool: index → record. */
void *pool_at(const struct pool *p, uint32_t index);

/* flow_table.c */
bool flow_table_init(struct flow_table *t);
void flow_table_free(struct flow_table *t);
void pool_init(struct pool *p, size_t size);
void pool_free(struct pool *p);
/* Returns a zeroed record's index + 1, or 0 when memory ran out. */
uint32_t pool_get(struct pool *p);
void pool_put(struct pool *p, uint32_t ref);

/* Result of a lookup: a live flow, a tomb, or nothing. */
struct flow_ref {
    struct flow *flow;
    struct tomb *tomb;
    uint32_t ref; /* index + 1 within its pool */
};
struct flow_ref flow_table_find(struct flow_table *t, const struct flow_key *k, uint32_t hash);
uint32_t flow_key_hash(const struct flow_key *k);
/* Adds a fresh, zeroed flow with key k; NULL when memory ran out. */
struct flow *flow_table_add(struct flow_table *t, const struct flow_key *k, uint32_t hash);
/* Replaces the tomb found by the last find with a full flow restored from it. */
struct flow *flow_table_revive(struct flow_table *t, struct flow_ref r, uint32_t hash);
/* Marks f active at ts on the list that fits its state, then forgets what is stale. */
void flow_table_touch(struct tracker *tr, struct flow *f, uint64_t ts, bool closed);

/* tcp_analysis.c */
struct tcp_segment_info {
    uint32_t seq, ack, len;
    uint16_t flags;
    uint16_t window;
    uint32_t frame;
    uint64_t ts;
};
void tcp_analyze(struct tracker *tr, struct flow *f, int side, const struct tcp_segment_info *s,
                 struct track_info *info);
void tcp_release_segments(struct tracker *tr, struct flow *f);

/* tcp_state.c */
void tcp_state_update(struct flow *f, int side, const struct tcp_segment_info *s,
                      struct track_info *info);
bool tcp_flow_closed(const struct flow *f);

#endif
