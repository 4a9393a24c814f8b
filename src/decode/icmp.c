/* ICMP and ICMPv6: type and code, and for errors the quoted original IP header and first
 * 8 bytes of its transport header, so the tracker can tie the error to the flow it answers. */
#include "layers.h"

enum {
    ICMP_HEADER = 8,
    QUOTE_TRANSPORT = 8, /* RFC 792: the original IP header + 64 bits of its data */
};

enum quote_result { QUOTE_OK, QUOTE_SHORT, QUOTE_BAD };

static bool is_error(int ip_version, uint8_t type)
{
    if (ip_version == 4)
        /* destination unreachable, source quench, time exceeded, parameter problem */
        return type == 3 || type == 4 || type == 11 || type == 12;
    /* destination unreachable, packet too big, time exceeded, parameter problem */
    return type >= 1 && type <= 4;
}

static const struct field_spec ICMP_FIELDS[] = {
    {FIELD_ICMP_TYPE, 0, 1, 0, 0, true},
    {FIELD_ICMP_CODE, 1, 1, 0, 0, true},
    {FIELD_CHECKSUM, 2, 2, 0, 0, true},
    {FIELD_ICMP_REST, 4, 4, 0, 0, true},
};
/* The 8 quoted transport bytes: TCP's ports and sequence number, UDP's whole header. */
static const struct field_spec QUOTED_TCP_FIELDS[] = {
    {FIELD_SOURCE_PORT, 0, 2, 0, 0, true},
    {FIELD_DESTINATION_PORT, 2, 2, 0, 0, true},
    {FIELD_TCP_SEQ, 4, 4, 0, 0, true},
};
static const struct field_spec QUOTED_UDP_FIELDS[] = {
    {FIELD_SOURCE_PORT, 0, 2, 0, 0, true},
    {FIELD_DESTINATION_PORT, 2, 2, 0, 0, true},
    {FIELD_UDP_LENGTH, 4, 2, 0, 0, true},
    {FIELD_CHECKSUM, 6, 2, 0, 0, true},
};
static const struct field_spec QUOTED_OTHER_FIELDS[] = {{FIELD_QUOTED_REST, 0, 8, 0, 0, false}};

static const char WHY_QUOTE_CUT[] = "ICMP quoted packet truncated",
                  WHY_QUOTE_SHORT[] = "ICMP error quotes too little of the original packet",
                  WHY_QUOTE_BAD[] = "ICMP error quotes a malformed IP header";

/* A quoted header's fields: len is what is left of the ICMP message from h on. */
DECODE_INLINE void quote_fields(struct field_out *fo, uint8_t layer, struct cursor h, uint32_t len,
                                const struct field_spec *specs, int count, int bad)
{
    fields_header(fo, layer, h, len, specs, count, bad, bad >= 0 ? WHY_QUOTE_BAD : NULL,
                  WHY_QUOTE_CUT, WHY_QUOTE_SHORT);
}

/* The quoted transport header: ports for TCP and UDP, if this is where it starts. */
DECODE_INLINE enum quote_result quote_transport(struct cursor t, uint32_t len, struct icmp_quote *q,
                                                struct field_out *fo)
{
    if (fo) {
        if (q->ip_proto == 6)
            quote_fields(fo, LAYER_QUOTED_TCP, t, len, QUOTED_TCP_FIELDS, 3, -1);
        else if (q->ip_proto == 17)
            quote_fields(fo, LAYER_QUOTED_UDP, t, len, QUOTED_UDP_FIELDS, 4, -1);
        else
            quote_fields(fo, LAYER_QUOTED_TRANSPORT, t, len, QUOTED_OTHER_FIELDS, 1, -1);
    }
    if (!cursor_has(t, 0, QUOTE_TRANSPORT)) return QUOTE_SHORT;
    if (q->ip_proto == 6 || q->ip_proto == 17) {
        cursor_be16(t, 0, &q->sport);
        cursor_be16(t, 2, &q->dport);
    }
    q->valid = true;
    return QUOTE_OK;
}

/* c: the quote, len: its length as the ICMP message has it. */
DECODE_INLINE enum quote_result quote_ipv4(struct cursor c, uint32_t len, struct icmp_quote *q,
                                           struct field_out *fo)
{
    const uint8_t layer = LAYER_QUOTED_IPV4;
    uint8_t vihl;
    uint16_t frag;
    if (!cursor_u8(c, 0, &vihl)) {
        quote_fields(fo, layer, c, len, decode_ipv4_specs, DECODE_IPV4_SPECS, -1);
        return QUOTE_SHORT;
    }
    uint32_t header_len = (vihl & 0x0fu) * 4;
    if (vihl >> 4 != 4 || header_len < 20) {
        quote_fields(fo, layer, c, len, decode_ipv4_specs, 2, vihl >> 4 != 4 ? 0 : 1);
        return QUOTE_BAD;
    }
    quote_fields(fo, layer, c, len, decode_ipv4_specs, DECODE_IPV4_SPECS, -1);
    if (!cursor_be16(c, 6, &frag) || !cursor_u8(c, 9, &q->ip_proto) ||
        !cursor_copy(c, 12, q->src.bytes, 4) || !cursor_copy(c, 16, q->dst.bytes, 4))
        return QUOTE_SHORT;
    q->src.family = q->dst.family = 4;
    if (fo) fields_ipv4_options_emit(fo, layer, c, header_len, len);
    if (!cursor_has(c, 0, header_len)) return QUOTE_SHORT;
    if ((frag & 0x1fff) != 0) {
        q->valid = true; /* a later fragment quoted: no transport header to show */
        return QUOTE_OK;
    }
    return quote_transport(cursor_from(c, header_len), len - header_len, q, fo);
}

DECODE_INLINE enum quote_result quote_ipv6(struct cursor c, uint32_t len, struct icmp_quote *q,
                                           struct field_out *fo)
{
    const uint8_t layer = LAYER_QUOTED_IPV6;
    uint8_t v, next;
    uint16_t payload_len;
    if (!cursor_u8(c, 0, &v)) {
        quote_fields(fo, layer, c, len, decode_ipv6_specs, DECODE_IPV6_SPECS, -1);
        return QUOTE_SHORT;
    }
    if (v >> 4 != 6) {
        quote_fields(fo, layer, c, len, decode_ipv6_specs, 1, 0);
        return QUOTE_BAD;
    }
    quote_fields(fo, layer, c, len, decode_ipv6_specs, DECODE_IPV6_SPECS, -1);
    if (!cursor_be16(c, 4, &payload_len) || !cursor_u8(c, 6, &next) ||
        !cursor_copy(c, 8, q->src.bytes, 16) || !cursor_copy(c, 24, q->dst.bytes, 16))
        return QUOTE_SHORT;
    q->src.family = q->dst.family = 6;
    q->ip_proto = next;

    /* The quote is usually cut well before the original's end: its payload length is
     * what the original said, the bytes are what fit in the error. */
    struct cursor payload = cursor_from(c, 40);
    uint32_t original = payload_len ? payload_len : UINT32_MAX;
    struct ipv6_chain chain;
    const char *why;
    enum packet_status st =
        DECODE_NEXT(decode_ipv6_chain, fo, payload, original, next, &chain, &why, layer);
    q->ip_proto = chain.proto;
    if (st == PACKET_TRUNCATED) return QUOTE_SHORT;
    if (st != PACKET_OK) return QUOTE_BAD;
    if (chain.frag_offset != 0) {
        q->valid = true;
        return QUOTE_OK;
    }
    return quote_transport(cursor_from(payload, chain.offset), len - 40 - chain.offset, q, fo);
}

DECODE_INLINE void icmp_body(struct cursor c, uint32_t len, int ip_version, struct packet *out,
                             struct field_out *fo)
{
    out->proto = PROTO_ICMP;
    fields_header(fo, ip_version == 6 ? LAYER_ICMPV6 : LAYER_ICMP, c, len, ICMP_FIELDS, 4, -1, NULL,
                  "ICMP header truncated", "IP payload too short for ICMP");
    if (cursor_u8(c, 0, &out->icmp_type)) out->icmp_error = is_error(ip_version, out->icmp_type);
    cursor_u8(c, 1, &out->icmp_code);
    if (!cursor_has(c, 0, ICMP_HEADER)) {
        decode_short(out, c, len, "ICMP header truncated", "IP payload too short for ICMP");
        return;
    }
    if (len < ICMP_HEADER) {
        decode_mark(out, PACKET_MALFORMED, "IP payload too short for ICMP");
        return;
    }
    struct cursor body = cursor_from(c, ICMP_HEADER);
    decode_set_payload(out, body, len - ICMP_HEADER);
    if (!out->icmp_error) return;

    enum quote_result r = ip_version == 4 ? quote_ipv4(body, len - ICMP_HEADER, &out->quote, fo)
                                          : quote_ipv6(body, len - ICMP_HEADER, &out->quote, fo);
    if (r == QUOTE_BAD)
        decode_mark(out, PACKET_MALFORMED, WHY_QUOTE_BAD);
    else if (r == QUOTE_SHORT)
        decode_short(out, c, len, WHY_QUOTE_CUT, WHY_QUOTE_SHORT);
}

void decode_icmp(struct cursor c, uint32_t len, int ip_version, struct packet *out)
{
    icmp_body(c, len, ip_version, out, NULL);
}

void decode_icmp_fields(struct cursor c, uint32_t len, int ip_version, struct packet *out,
                        struct field_out *fo)
{
    icmp_body(c, len, ip_version, out, fo);
}
