/* track: the feed entry. Finds or opens the conversation of each packet, numbers streams
 * as tshark does (tcp.stream and udp.stream, port reuse included), fills roles, relative
 * numbers and the scaled window, then hands TCP segments to analysis and state. */
#include <stdlib.h>
#include <string.h>

#include "track_internal.h"

/* Linux hands out ephemeral ports from 32768 up: with one port there and the other not, the
 * one there is the client, whoever spoke first in the capture. */
#define EPHEMERAL_MIN 32768u

struct tracker *track_new(void)
{
    struct tracker *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    if (!flow_table_init(&t->table)) {
        free(t);
        return NULL;
    }
    pool_init(&t->segments, sizeof(struct segment));
    return t;
}

void track_free(struct tracker *t)
{
    if (!t) return;
    flow_table_free(&t->table);
    pool_free(&t->segments);
    free(t);
}

void track_get_stats(const struct tracker *t, struct track_stats *out)
{
    memset(out, 0, sizeof *out);
    out->tcp_streams = t->tcp_streams;
    out->udp_streams = t->udp_streams;
    out->live_flows = t->table.flows.live;
}

/* Builds the canonical key of src:sport -> dst:dport; returns the sender's side (0/1). */
static int make_key(struct flow_key *k, uint8_t proto, const struct ip_address *src, uint16_t sport,
                    const struct ip_address *dst, uint16_t dport)
{
    memset(k, 0, sizeof *k);
    k->family = src->family;
    k->proto = proto;
    int c = memcmp(src->bytes, dst->bytes, sizeof src->bytes);
    if (c == 0) c = (sport > dport) - (sport < dport);
    int side = c <= 0 ? 0 : 1;
    memcpy(k->addr[side], src->bytes, sizeof src->bytes);
    memcpy(k->addr[!side], dst->bytes, sizeof dst->bytes);
    k->port[side] = sport;
    k->port[!side] = dport;
    return side;
}

static void key_endpoint(const struct flow_key *k, int side, struct endpoint *e)
{
    memset(e, 0, sizeof *e);
    e->addr.family = k->family;
    memcpy(e->addr.bytes, k->addr[side], sizeof e->addr.bytes);
    e->port = k->port[side];
}

static void fill_flow_info(const struct flow *f, int sender_side, struct track_info *info)
{
    info->has_flow = true;
    info->flow_proto = (enum packet_proto)f->key.proto;
    info->stream = f->stream;
    info->dir = sender_side == f->client_side ? ROLE_CLIENT : ROLE_SERVER;
    key_endpoint(&f->key, f->client_side, &info->client);
    key_endpoint(&f->key, !f->client_side, &info->server);
}

static void reset_tcp(struct tracker *tr, struct flow *f, uint32_t stream)
{
    tcp_release_segments(tr, f);
    f->stream = stream;
    f->ts_mru_syn = f->ts_first_rtt = 0;
    memset(f->half, 0, sizeof f->half);
    for (int i = 0; i < 2; i++) {
        f->half[i].window = UINT32_MAX;
        f->half[i].win_scale = WSCALE_UNKNOWN;
    }
}

/* Who is the client of a TCP conversation first seen with this segment. */
static int tcp_client_side(const struct flow_key *k, int sender, uint16_t flags)
{
    if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) return sender;
    if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) return !sender;
    bool eph0 = k->port[0] >= EPHEMERAL_MIN, eph1 = k->port[1] >= EPHEMERAL_MIN;
    if (eph0 != eph1) return eph0 ? 0 : 1;
    return sender;
}

/* The conversation of key k: live, revived from its tomb, or NULL if none. */
static struct flow *lookup(struct tracker *tr, const struct flow_key *k, uint32_t hash)
{
    struct flow_ref r = flow_table_find(&tr->table, k, hash);
    if (r.flow) return r.flow;
    if (r.tomb) return flow_table_revive(&tr->table, r, hash);
    return NULL;
}

static struct flow *open_flow(struct tracker *tr, const struct flow_key *k, uint32_t hash,
                              int client_side)
{
    struct flow *f = flow_table_add(&tr->table, k, hash);
    if (!f) return NULL;
    f->client_side = (uint8_t)client_side;
    if (k->proto == PROTO_TCP)
        reset_tcp(tr, f, tr->tcp_streams++);
    else
        f->stream = tr->udp_streams++;
    return f;
}

/* tshark's tcp.window_size: SYN windows are never scaled, others by the known shift. */
static int64_t scaled_window(const struct tcp_half *fwd, uint16_t flags, uint16_t raw)
{
    if (!(flags & TCP_SYN) && fwd->win_scale >= 0) return (int64_t)raw << fwd->win_scale;
    return raw;
}

/* tshark trusts a window scale only when both handshake halves carried the option. */
static void verify_window_scaling(struct tcp_half *fwd, struct tcp_half *rev, bool synack)
{
    if (fwd->win_scale == WSCALE_UNKNOWN) {
        fwd->win_scale = rev->win_scale = WSCALE_NONE;
    } else if (synack && rev->win_scale == WSCALE_NONE) {
        fwd->win_scale = WSCALE_NONE;
    }
}

static void feed_tcp(struct tracker *tr, const struct packet *p, uint32_t frame,
                     struct track_info *info)
{
    struct flow_key k;
    int sender = make_key(&k, PROTO_TCP, &p->src, p->sport, &p->dst, p->dport);
    uint32_t hash = flow_key_hash(&k);
    uint16_t fl = p->flags;
    struct flow *f = lookup(tr, &k, hash);
    if (!f) {
        f = open_flow(tr, &k, hash, tcp_client_side(&k, sender, fl));
        if (!f) return;
        info->new_flow = true;
    } else if ((fl & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
               (f->half[sender].static_flags & HALF_BASE_SEQ_SET) &&
               p->seq != f->half[sender].base_seq) {
        /* A new connection on the same ports: tshark starts a new stream. */
        reset_tcp(tr, f, tr->tcp_streams++);
        f->client_side = (uint8_t)sender;
        info->new_flow = true;
        info->marks |= MARK_REUSED_PORTS;
    } else if ((fl & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) &&
               (f->half[sender].static_flags & HALF_BASE_SEQ_SET) &&
               p->seq != f->half[sender].base_seq) {
        f->half[sender].base_seq = p->seq;
        info->marks |= MARK_REUSED_PORTS;
    }
    fill_flow_info(f, sender, info);

    struct tcp_half *fwd = &f->half[sender], *rev = &f->half[!sender];
    struct tcp_segment_info s = {
        .seq = p->seq,
        .ack = p->ack,
        .len = p->payload_len,
        .flags = fl,
        .window = p->window,
        .frame = frame,
        .ts = p->ts_ns,
    };
    info->window = scaled_window(fwd, fl, p->window);
    info->window_scale_unknown = !(fl & TCP_SYN) && fwd->win_scale == WSCALE_UNKNOWN;

    tcp_analyze(tr, f, sender, &s, info);
    if (!info->acked_frame) info->ack_rtt_ns = -1;

    info->seq_rel = p->seq - fwd->base_seq;
    info->ack_rel = (fl & TCP_ACK) ? p->ack - rev->base_seq : p->ack;
    info->next_seq_rel = info->seq_rel + s.len + ((fl & (TCP_SYN | TCP_FIN)) ? 1u : 0u);

    if (fl & TCP_SYN) {
        if (!(fl & TCP_ACK)) f->ts_mru_syn = p->ts_ns;
        fwd->is_first_ack = true;
    }
    if ((fl & (TCP_SYN | TCP_ACK)) == TCP_ACK) {
        if (f->ts_mru_syn && !f->ts_first_rtt) f->ts_first_rtt = p->ts_ns - f->ts_mru_syn;
        fwd->is_first_ack = false;
    }
    if (p->opt.has_wscale)
        fwd->win_scale = (int8_t)(p->opt.wscale > MAX_WSCALE ? MAX_WSCALE : p->opt.wscale);
    if (fl & TCP_SYN) verify_window_scaling(fwd, rev, fl & TCP_ACK);

    tcp_state_update(f, sender, &s, info);
    flow_table_touch(tr, f, p->ts_ns, tcp_flow_closed(f));
}

/* A segment tshark files under its conversation without analysing it (raw numbers shown):
 * a malformed header (data offset below 5, or longer than the IP payload), or the first
 * fragment of a fragmented datagram (tshark with IP reassembly off; with it on, the whole
 * segment would appear at the last fragment instead). */
static void feed_short_tcp(struct tracker *tr, const struct packet *p, struct track_info *info)
{
    struct flow_key k;
    int sender = make_key(&k, PROTO_TCP, &p->src, p->sport, &p->dst, p->dport);
    uint32_t hash = flow_key_hash(&k);
    struct flow *f = lookup(tr, &k, hash);
    if (!f) {
        f = open_flow(tr, &k, hash, tcp_client_side(&k, sender, p->flags));
        if (!f) return;
        info->new_flow = true;
    }
    fill_flow_info(f, sender, info);
    info->seq_rel = p->seq;
    info->ack_rel = p->ack;
    info->next_seq_rel = p->seq;
    info->window = p->window;
    info->state_src = info->state_src_before = (enum tcp_state)f->half[sender].state;
    info->state_dst = info->state_dst_before = (enum tcp_state)f->half[!sender].state;
    flow_table_touch(tr, f, p->ts_ns, tcp_flow_closed(f));
}

static void feed_udp(struct tracker *tr, const struct packet *p, struct track_info *info)
{
    struct flow_key k;
    int sender = make_key(&k, PROTO_UDP, &p->src, p->sport, &p->dst, p->dport);
    uint32_t hash = flow_key_hash(&k);
    struct flow *f = lookup(tr, &k, hash);
    if (!f) {
        f = open_flow(tr, &k, hash, sender);
        if (!f) return;
        info->new_flow = true;
    }
    fill_flow_info(f, sender, info);
    flow_table_touch(tr, f, p->ts_ns, false);
}

/* Bytes of the quoted transport header an ICMP error carries (as far as we can tell). */
static uint32_t quoted_transport_bytes(const struct packet *p)
{
    if (!p->payload || p->payload_caplen < 1) return 0;
    uint32_t ip_header = p->quote.src.family == 4 ? (uint32_t)(p->payload[0] & 0x0f) * 4 : 40;
    if (p->quote.src.family == 6 && (p->payload_caplen < 7 || p->payload[6] != p->quote.ip_proto))
        return UINT32_MAX; /* extension headers in between: assume the usual full quote */
    return p->payload_caplen > ip_header ? p->payload_caplen - ip_header : 0;
}

/* An ICMP error belongs to the conversation it quotes. Like tshark, which dissects the
 * quoted header as a packet of that conversation, an unknown one is opened (and numbered).
 * tshark needs 16 bytes of a quoted TCP header to get that far. */
static void feed_icmp(struct tracker *tr, const struct packet *p, struct track_info *info)
{
    const struct icmp_quote *q = &p->quote;
    uint8_t proto;
    if (q->ip_proto == 6) {
        if (quoted_transport_bytes(p) < 16) return;
        proto = PROTO_TCP;
    } else if (q->ip_proto == 17) {
        proto = PROTO_UDP;
    } else {
        return;
    }
    struct flow_key k;
    int quoted_sender = make_key(&k, proto, &q->src, q->sport, &q->dst, q->dport);
    uint32_t hash = flow_key_hash(&k);
    struct flow *f = lookup(tr, &k, hash);
    if (!f) {
        f = open_flow(tr, &k, hash, quoted_sender);
        if (!f) return;
        info->new_flow = true;
    }
    fill_flow_info(f, !quoted_sender, info);
    flow_table_touch(tr, f, p->ts_ns, proto == PROTO_TCP && tcp_flow_closed(f));
}

static void feed(struct tracker *t, const struct packet *p, uint32_t frame, struct track_info *info)
{
    info->ack_rtt_ns = -1;
    info->rtt.sample_ns = -1;
    info->resent_after_ns = info->resent_rto_ns = -1;
    if (p->src.family != 4 && p->src.family != 6) return;
    if (p->fragment) {
        if (!p->first_fragment || !p->payload) return;
        if (p->proto == PROTO_TCP && p->tcp_header_len >= 20)
            feed_short_tcp(t, p, info);
        else if (p->proto == PROTO_UDP)
            feed_udp(t, p, info);
        return;
    }
    if (!p->payload) {
        /* No payload view: the transport header did not decode. For TCP, a malformed one
         * with its fixed part read still names its conversation. */
        if (p->proto == PROTO_TCP && p->status == PACKET_MALFORMED && p->tcp_header_len)
            feed_short_tcp(t, p, info);
        return;
    }
    switch (p->proto) {
    case PROTO_TCP:
        if (p->tcp_header_len >= 20) feed_tcp(t, p, frame, info);
        break;
    case PROTO_UDP:
        feed_udp(t, p, info);
        break;
    case PROTO_ICMP:
        if (p->icmp_error && p->quote.valid && p->quote.src.family == p->src.family)
            feed_icmp(t, p, info);
        break;
    default:
        break;
    }
}

/* The kind of arrow a packet is: its protocol, then a suspicion the analysis raised over any
 * flag, then the flags that change a connection, then data or a pure ACK. */
static enum segment_kind segment_kind(const struct packet *p, const struct track_info *ti)
{
    if (p->proto == PROTO_UDP) return SEGMENT_UDP;
    if (p->proto == PROTO_ICMP) return SEGMENT_ICMP;
    if (p->proto != PROTO_TCP) return SEGMENT_OTHER;
    if (ti->marks & (MARK_RETRANSMISSION | MARK_FAST_RETRANSMISSION |
                     MARK_SPURIOUS_RETRANSMISSION | MARK_OUT_OF_ORDER | MARK_LOST_SEGMENT |
                     MARK_DUPLICATE_ACK | MARK_ACK_LOST_SEGMENT))
        return SEGMENT_SUSPECT;
    if (p->flags & TCP_RST) return SEGMENT_RST;
    if ((p->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) return SEGMENT_SYNACK;
    if (p->flags & TCP_SYN) return SEGMENT_SYN;
    if (p->flags & TCP_FIN) return SEGMENT_FIN;
    if (p->payload_len) return SEGMENT_DATA;
    return SEGMENT_ACK;
}

void track_feed(struct tracker *t, const struct packet *p, uint32_t frame, struct track_info *info)
{
    memset(info, 0, sizeof *info);
    feed(t, p, frame, info);
    info->kind = segment_kind(p, info);
}
