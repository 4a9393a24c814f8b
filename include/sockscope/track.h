/* track: follows every TCP and UDP conversation across packets fed in capture order.
 * Numbers streams as tshark's tcp.stream / udp.stream, keeps relative sequence numbers,
 * scaled windows, the RFC 9293 state of both ends and Wireshark's analysis marks.
 * Knows nothing of the screen. Memory is bounded by the number of live conversations:
 * closed, idle ones are forgotten. */
#ifndef SOCKSCOPE_TRACK_H
#define SOCKSCOPE_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "sockscope/decode.h"

enum tcp_state {
    TCP_STATE_UNKNOWN = 0, /* not seen yet (capture started mid-stream) */
    TCP_STATE_LISTEN,
    TCP_STATE_SYN_SENT,
    TCP_STATE_SYN_RECEIVED,
    TCP_STATE_ESTABLISHED,
    TCP_STATE_FIN_WAIT_1,
    TCP_STATE_FIN_WAIT_2,
    TCP_STATE_CLOSE_WAIT,
    TCP_STATE_CLOSING,
    TCP_STATE_LAST_ACK,
    TCP_STATE_TIME_WAIT,
    TCP_STATE_CLOSED,
    TCP_STATE_COUNT
};

/* Analysis marks, Wireshark's definitions (User's Guide 7.5). */
enum {
    MARK_RETRANSMISSION = 1u << 0,
    MARK_FAST_RETRANSMISSION = 1u << 1,
    MARK_SPURIOUS_RETRANSMISSION = 1u << 2,
    MARK_OUT_OF_ORDER = 1u << 3,
    MARK_LOST_SEGMENT = 1u << 4,
    MARK_ACK_LOST_SEGMENT = 1u << 5,
    MARK_DUPLICATE_ACK = 1u << 6,
    MARK_ZERO_WINDOW = 1u << 7,
    MARK_ZERO_WINDOW_PROBE = 1u << 8,
    MARK_ZERO_WINDOW_PROBE_ACK = 1u << 9,
    MARK_WINDOW_UPDATE = 1u << 10,
    MARK_WINDOW_FULL = 1u << 11,
    MARK_KEEP_ALIVE = 1u << 12,
    MARK_KEEP_ALIVE_ACK = 1u << 13,
    MARK_REUSED_PORTS = 1u << 14,
    MARK_COUNT = 15
};

/* RTT estimation as RFC 6298 and the textbooks define it, per direction: a SampleRTT only
 * from an ACK of bytes sent once (Karn's algorithm: an ACK of bytes sent twice cannot say
 * which copy it answers), then EstimatedRTT = 7/8 EstimatedRTT + 1/8 SampleRTT, DevRTT =
 * 3/4 DevRTT + 1/4 |SampleRTT - EstimatedRTT| (first sample R: EstimatedRTT = R, DevRTT =
 * R/2), TimeoutInterval = EstimatedRTT + 4 DevRTT (no floor applied: RFC 6298 asks for 1 s,
 * Linux uses 200 ms). A sample is taken from the segment this ACK's number ends exactly. */
struct track_rtt {
    int64_t sample_ns;          /* SampleRTT, -1 when this packet gives none */
    int64_t est_ns, dev_ns, rto_ns; /* after this sample (valid when sample_ns >= 0) */
    int64_t min_ns;             /* the shortest sample of this direction so far, this one in */
    uint32_t sample_frame;      /* the segment the sample times */
    bool karn;                  /* no sample: it acknowledges bytes that were sent twice */
};

/* What the tracker learned from one packet. */
struct track_info {
    enum segment_kind kind; /* what the packet is on a diagram (set for every packet) */
    bool has_flow;      /* TCP/UDP, or an ICMP error whose quote names a known flow */
    bool new_flow;      /* this packet opened the conversation */
    enum packet_proto flow_proto; /* PROTO_TCP or PROTO_UDP: the conversation's protocol */
    uint32_t stream;    /* tcp.stream or udp.stream (two independent counters, as tshark) */
    uint8_t dir;        /* ROLE_CLIENT: sent by the client; ROLE_SERVER: by the server */
    struct endpoint client, server;

    /* TCP only */
    uint32_t seq_rel, ack_rel;   /* relative to the ISN (or first seq seen) of each side;
                                  * ack_rel is the raw field when ACK is not set, and both
                                  * are raw for a malformed header or a first fragment,
                                  * as tshark shows them */
    uint32_t next_seq_rel;       /* seq_rel + len (+1 for SYN/FIN) */
    int64_t window;              /* scaled as tshark's tcp.window_size */
    bool window_scale_unknown;   /* handshake not seen: window left unscaled */
    uint32_t marks;              /* MARK_* bits, as tshark's analysis flags (a fast or
                                  * spurious retransmission does not also carry
                                  * MARK_RETRANSMISSION, though tshark's expert info
                                  * lists tcp.analysis.retransmission with it) */
    uint32_t dup_ack_count;      /* the n of "duplicate ACK #n" */
    uint32_t dup_ack_of_frame;   /* the frame this ACK duplicates */
    int64_t ack_rtt_ns;          /* -1 when this packet acknowledges no tracked segment;
                                  * meaningful when acked_frame != 0 (0 or negative only
                                  * on a capture clock that stands still or goes back) */
    uint32_t acked_frame;        /* frame of the segment that ack_rtt measures, 0 if none */
    uint32_t acked_segments;     /* segments this ACK acknowledges in full for the first time */
    struct track_rtt rtt;        /* RTT estimation of the direction this packet acknowledges */
    /* A segment that resends bytes: the first copy still unacknowledged (0: not seen), how
     * long after it this one left, and the sender's timeout as estimated then (-1: none). */
    uint32_t resent_of_frame;
    int64_t resent_after_ns, resent_rto_ns;

    /* State of the sending and receiving ends after this packet (taken as delivered when
     * seen: the first SYN takes the server LISTEN -> SYN-RECEIVED); *_before for change. */
    enum tcp_state state_src, state_dst;
    enum tcp_state state_src_before, state_dst_before;
};

struct tracker;

struct tracker *track_new(void);
void track_free(struct tracker *t);

/* Feeds one decoded packet; frame is its 1-based index in the capture. Fills *info (all
 * zero / has_flow false for packets that belong to no conversation). */
void track_feed(struct tracker *t, const struct packet *p, uint32_t frame,
                struct track_info *info);

/* Counts since track_new. */
struct track_stats {
    uint32_t tcp_streams, udp_streams;
    uint32_t live_flows;       /* conversations currently held in memory */
};
void track_get_stats(const struct tracker *t, struct track_stats *out);

/* Snapshots: checkpoints of a long capture kept on disk (an unlinked temporary file), so
 * tracking can resume at one of them instead of at the first frame. The format is private to
 * this build (sizes and byte order are checked, not converted).
 * track_save writes the tracker's whole state to fd at offset (pwrite); returns the bytes
 * written, or -1 (errno set). The tracker is unchanged. */
int64_t track_save(const struct tracker *t, int fd, uint64_t offset);
/* A new tracker equal to the one saved at offset: fed the same packets afterwards it gives
 * the same track_info as the original would. NULL on a read error, data that is not a
 * snapshot (errno EINVAL: magic, sizes and every index are checked), or out of memory. */
struct tracker *track_load(int fd, uint64_t offset);

/* ---- per-conversation statistics (summary.c): what `trace --stats` prints ---- */

/* One direction of a conversation: what this side sent, and what the other side's ACKs and
 * the RTT samples they gave say about it. Sequence numbers are relative. */
struct track_dir_summary {
    uint64_t packets, data_segments, payload_bytes; /* payload counts resent bytes again */
    bool has_data, acked;
    uint64_t first_data_ns, last_data_ns;
    uint32_t first_data_seq, data_end; /* first data byte, one past the highest data byte */
    uint32_t highest_ack;              /* the other side's highest ACK of this data (at most
                                        * data_end: a FIN's number is not data) */
    uint64_t last_ack_ns;              /* when that ACK came */
    uint64_t acks_of_data;             /* the other side's ACKs that acknowledged new data */
    uint64_t retransmissions, fast_retransmissions; /* marks on this side's segments (a fast
                                                     * one counts in both, as tshark) */
    uint64_t dup_acks_sent;
    int64_t min_window;                /* smallest scaled window this side advertised, -1 */
    uint64_t rtt_samples;              /* SampleRTTs of this side's data (Karn's rule) */
    int64_t rtt_min_ns, rtt_max_ns, rtt_sum_ns;
};

struct track_flow_summary {
    uint32_t stream;
    enum packet_proto proto;
    struct endpoint client, server;
    uint64_t packets, first_ns, last_ns;
    struct track_dir_summary dir[2]; /* [ROLE_CLIENT]: sent by the client */
};

struct track_summary;
struct track_summary *track_summary_new(void);
void track_summary_free(struct track_summary *s);
/* Counts one tracked packet; false when out of memory (the packet is not counted). */
bool track_summary_feed(struct track_summary *s, const struct packet *p,
                        const struct track_info *ti);
uint32_t track_summary_count(const struct track_summary *s);
/* In order of first appearance. */
const struct track_flow_summary *track_summary_flow(const struct track_summary *s, uint32_t i);
/* Data bytes of this direction the other side acknowledged (what throughput counts). */
uint64_t track_dir_acked_bytes(const struct track_dir_summary *d);

const char *track_state_name(enum tcp_state s);      /* "SYN-SENT", ... "" for UNKNOWN */
const char *track_mark_name(unsigned mark_bit_index); /* "retransmission", json names */
const char *track_mark_words(unsigned mark_bit_index);/* "retransmission", "dup ACK" ... for people */

#endif
