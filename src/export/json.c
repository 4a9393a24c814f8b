/* JSON Lines export: one object per frame, in file order, with the meanings of tshark's
 * fields (tcp.stream, tcp.seq, tcp.window_size, tcp.analysis.*) so the two compare frame by
 * frame. Written by hand through the buffered writer: this is the fast path. */
#include "sockscope/export.h"

#include <string.h>

#define JSON_PAYLOAD_PREVIEW 64

static void address_port(struct out *o, const struct ip_address *a, int port, bool with_port)
{
    char buf[64];
    decode_format_address(a, buf, sizeof buf);
    out_char(o, '"');
    if (with_port && a->family == 6) {
        out_char(o, '[');
        out_str(o, buf);
        out_char(o, ']');
    } else {
        out_str(o, buf);
    }
    if (with_port) {
        out_char(o, ':');
        out_u64(o, (uint64_t)port);
    }
    out_char(o, '"');
}

static void key(struct out *o, const char *k)
{
    out_str(o, k);
}

static void state(struct out *o, const char *k, enum tcp_state s)
{
    key(o, k);
    if (s == TCP_STATE_UNKNOWN) {
        out_str(o, "null");
    } else {
        out_char(o, '"');
        out_str(o, track_state_name(s));
        out_char(o, '"');
    }
}

static const char *proto_name(enum packet_proto p)
{
    switch (p) {
    case PROTO_TCP: return "tcp";
    case PROTO_UDP: return "udp";
    case PROTO_ICMP: return "icmp";
    default: return "other";
    }
}

static const char *status_name(enum packet_status s)
{
    switch (s) {
    case PACKET_OK: return "ok";
    case PACKET_TRUNCATED: return "truncated";
    case PACKET_UNSUPPORTED: return "ok"; /* not ours to decode, nothing wrong with it */
    default: return "malformed";
    }
}

static void tcp_fields(struct out *o, const struct packet *p, const struct track_info *ti)
{
    char flags[64];
    view_tcp_flags_name(p->flags, flags, sizeof flags);
    key(o, ",\"flags\":\"");
    out_str(o, flags);
    key(o, "\",\"flags_bits\":");
    out_u64(o, p->flags);
    key(o, ",\"seq\":");
    out_u64(o, ti->seq_rel);
    key(o, ",\"ack\":");
    out_u64(o, ti->ack_rel);
    key(o, ",\"seq_raw\":");
    out_u64(o, p->seq);
    key(o, ",\"ack_raw\":");
    out_u64(o, p->ack);
    key(o, ",\"len\":");
    out_u64(o, p->payload_len);
    key(o, ",\"win\":");
    out_i64(o, ti->window);
    key(o, ",\"analysis\":[");
    bool first = true;
    for (unsigned i = 0; i < MARK_COUNT; i++) {
        if (!(ti->marks & (1u << i)))
            continue;
        if (!first)
            out_char(o, ',');
        first = false;
        out_char(o, '"');
        out_str(o, track_mark_name(i));
        out_char(o, '"');
    }
    out_char(o, ']');
    if (ti->marks & MARK_DUPLICATE_ACK) {
        key(o, ",\"dup_ack\":{\"n\":");
        out_u64(o, ti->dup_ack_count);
        key(o, ",\"of\":");
        out_u64(o, ti->dup_ack_of_frame);
        out_char(o, '}');
    }
    key(o, ",\"ack_rtt\":");
    if (ti->ack_rtt_ns >= 0) {
        /* seconds with 9 decimals, as tshark prints frame-relative times */
        uint64_t ns = (uint64_t)ti->ack_rtt_ns;
        out_u64(o, ns / 1000000000u);
        char frac[10] = {'.'};
        for (int i = 9; i >= 1; i--, ns /= 10)
            frac[i] = (char)('0' + ns % 10);
        out_bytes(o, frac, sizeof frac);
        key(o, ",\"acks_frame\":");
        out_u64(o, ti->acked_frame);
    } else {
        key(o, "null,\"acks_frame\":null");
    }
    state(o, ",\"state_src\":", ti->state_src);
    state(o, ",\"state_dst\":", ti->state_dst);
}

void export_json_frame(struct out *o, const struct export_frame *f)
{
    const struct packet *p = f->pkt;
    const struct track_info *ti = f->info;
    bool ports = p->proto == PROTO_TCP || p->proto == PROTO_UDP;

    key(o, "{\"kind\":\"packet\",\"frame\":");
    out_u64(o, f->number);
    key(o, ",\"ts\":\"");
    out_timestamp(o, p->ts_ns);
    key(o, "\",\"proto\":\"");
    out_str(o, proto_name(p->proto));
    key(o, "\",\"stream\":");
    if (ti->has_flow)
        out_u64(o, ti->stream);
    else
        out_str(o, "null");
    key(o, ",\"src\":");
    if (p->src.family)
        address_port(o, &p->src, p->sport, ports);
    else
        out_str(o, "null");
    key(o, ",\"dst\":");
    if (p->dst.family)
        address_port(o, &p->dst, p->dport, ports);
    else
        out_str(o, "null");

    if (p->proto == PROTO_TCP && p->tcp_header_len) {
        tcp_fields(o, p, ti);
    } else if (p->proto == PROTO_UDP) {
        key(o, ",\"len\":");
        out_u64(o, p->payload_len);
    } else if (p->proto == PROTO_ICMP) {
        key(o, ",\"icmp_type\":");
        out_u64(o, p->icmp_type);
        key(o, ",\"icmp_code\":");
        out_u64(o, p->icmp_code);
        if (p->icmp_error && p->quote.valid) {
            key(o, ",\"quoted\":{\"src\":");
            address_port(o, &p->quote.src, p->quote.sport, true);
            key(o, ",\"dst\":");
            address_port(o, &p->quote.dst, p->quote.dport, true);
            key(o, ",\"proto\":");
            out_u64(o, p->quote.ip_proto);
            out_char(o, '}');
        }
    }

    key(o, ",\"payload\":\"");
    if (p->payload && p->payload_caplen) {
        size_t n = p->payload_caplen < JSON_PAYLOAD_PREVIEW ? p->payload_caplen
                                                            : JSON_PAYLOAD_PREVIEW;
        out_json_escaped(o, p->payload, n);
    }
    key(o, "\",\"status\":\"");
    out_str(o, status_name(p->status));
    out_char(o, '"');
    if (p->status != PACKET_OK && p->why) {
        key(o, p->status == PACKET_UNSUPPORTED ? ",\"note\":\"" : ",\"why\":\"");
        out_json_escaped(o, (const uint8_t *)p->why, strlen(p->why));
        out_char(o, '"');
    }
    out_bytes(o, "}\n", 2);
}
