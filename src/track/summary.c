/* Per-conversation statistics, the numbers a TCP or UDP lab asks for: payload bytes each
 * way, first data and last ACK (throughput), RTT samples (the ones Karn's rule allows),
 * retransmissions, duplicate ACKs, segments per ACK, the smallest advertised window. Fed the
 * tracker's output frame by frame; one record per conversation, found by its stream number
 * (tshark numbers TCP and UDP streams from 0 in order of appearance), so nothing is
 * allocated per packet. */
#include <stdlib.h>
#include <string.h>

#include "sockscope/track.h"

struct track_summary {
    struct track_flow_summary *flows;
    uint32_t count, cap;
    uint32_t *index[2]; /* [udp?][stream] -> flow + 1, 0 = none */
    uint32_t index_cap[2];
};

struct track_summary *track_summary_new(void)
{
    return calloc(1, sizeof(struct track_summary));
}

void track_summary_free(struct track_summary *s)
{
    if (!s) return;
    free(s->flows);
    free(s->index[0]);
    free(s->index[1]);
    free(s);
}

uint32_t track_summary_count(const struct track_summary *s)
{
    return s->count;
}

const struct track_flow_summary *track_summary_flow(const struct track_summary *s, uint32_t i)
{
    return i < s->count ? &s->flows[i] : NULL;
}

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need < *cap) return true;
    uint32_t n = *cap ? *cap : 64;
    while (n <= need) {
        if (n > UINT32_MAX / 2) return false;
        n *= 2;
    }
    void *q = realloc(*p, (size_t)n * elem);
    if (!q) return false;
    memset((char *)q + (size_t)*cap * elem, 0, (size_t)(n - *cap) * elem);
    *p = q;
    *cap = n;
    return true;
}

static struct track_flow_summary *flow_of(struct track_summary *s, const struct track_info *ti)
{
    int k = ti->flow_proto == PROTO_UDP;
    if (!grow((void **)&s->index[k], &s->index_cap[k], ti->stream, sizeof(uint32_t))) return NULL;
    uint32_t *slot = &s->index[k][ti->stream];
    if (*slot) return &s->flows[*slot - 1];
    if (!grow((void **)&s->flows, &s->cap, s->count, sizeof *s->flows)) return NULL;
    struct track_flow_summary *f = &s->flows[s->count++];
    memset(f, 0, sizeof *f);
    f->stream = ti->stream;
    f->proto = ti->flow_proto;
    f->client = ti->client;
    f->server = ti->server;
    for (int d = 0; d < 2; d++)
        f->dir[d].min_window = -1;
    *slot = s->count;
    return f;
}

static bool seq_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

bool track_summary_feed(struct track_summary *s, const struct packet *p,
                        const struct track_info *ti)
{
    if (!ti->has_flow || (p->proto != PROTO_TCP && p->proto != PROTO_UDP)) return true;
    struct track_flow_summary *f = flow_of(s, ti);
    if (!f) return false;
    if (!f->packets || p->ts_ns < f->first_ns) f->first_ns = p->ts_ns;
    if (p->ts_ns > f->last_ns) f->last_ns = p->ts_ns;
    f->packets++;
    struct track_dir_summary *me = &f->dir[ti->dir], *peer = &f->dir[!ti->dir];
    me->packets++;
    if (p->payload_len) {
        me->payload_bytes += p->payload_len;
        me->data_segments++;
        uint32_t end = ti->seq_rel + p->payload_len;
        if (!me->has_data) {
            me->has_data = true;
            me->first_data_ns = p->ts_ns;
            me->first_data_seq = ti->seq_rel;
            me->data_end = end;
        } else if (seq_after(end, me->data_end)) {
            me->data_end = end;
        }
        me->last_data_ns = p->ts_ns;
    }
    if (p->proto != PROTO_TCP) return true;
    if (ti->marks & MARK_FAST_RETRANSMISSION) me->fast_retransmissions++;
    if (ti->marks & (MARK_RETRANSMISSION | MARK_FAST_RETRANSMISSION | MARK_SPURIOUS_RETRANSMISSION))
        me->retransmissions++;
    if (ti->marks & MARK_DUPLICATE_ACK) me->dup_acks_sent++;
    if (!ti->window_scale_unknown && (me->min_window < 0 || ti->window < me->min_window))
        me->min_window = ti->window;
    /* An ACK of the peer's data that acknowledges new data bytes (not the FIN's sequence
     * number, which ends the transfer, not the data: throughput stops at the last data). */
    if ((p->flags & TCP_ACK) && peer->has_data) {
        uint32_t top = seq_after(ti->ack_rel, peer->data_end) ? peer->data_end : ti->ack_rel;
        if (seq_after(top, peer->acked ? peer->highest_ack : peer->first_data_seq)) {
            peer->acked = true;
            peer->highest_ack = top;
            peer->last_ack_ns = p->ts_ns;
            peer->acks_of_data++;
        }
        /* an RTT sample of a data segment of the side this ACK answers */
        if (ti->rtt.sample_ns >= 0 && !seq_after(ti->ack_rel, peer->data_end)) {
            int64_t r = ti->rtt.sample_ns;
            if (!peer->rtt_samples || r < peer->rtt_min_ns) peer->rtt_min_ns = r;
            if (!peer->rtt_samples || r > peer->rtt_max_ns) peer->rtt_max_ns = r;
            peer->rtt_sum_ns += r;
            peer->rtt_samples++;
        }
    }
    return true;
}

uint64_t track_dir_acked_bytes(const struct track_dir_summary *d)
{
    if (!d->has_data || !d->acked) return 0;
    return seq_after(d->highest_ack, d->first_data_seq)
               ? (uint64_t)(d->highest_ack - d->first_data_seq)
               : 0;
}
