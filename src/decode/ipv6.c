/* IPv6: the fixed header and the extension header chain (hop-by-hop, routing, fragment,
 * destination options, AH), walked a bounded number of steps so a hostile chain ends. */
#include "layers.h"

enum {
    IPV6_HEADER = 40,
    IPV6_MAX_EXTENSIONS = 16,
    NH_HOP_BY_HOP = 0,
    NH_ROUTING = 43,
    NH_FRAGMENT = 44,
    NH_AH = 51,
    NH_DEST_OPTS = 60,
};

const struct field_spec decode_ipv6_specs[DECODE_IPV6_SPECS] = {
    {FIELD_IP_VERSION, 0, 1, 0, 4, true},       {FIELD_IPV6_TRAFFIC_CLASS, 0, 2, 4, 8, true},
    {FIELD_IPV6_FLOW_LABEL, 1, 3, 4, 20, true}, {FIELD_IPV6_PAYLOAD_LENGTH, 4, 2, 0, 0, true},
    {FIELD_IP_PROTOCOL, 6, 1, 0, 0, true},      {FIELD_IPV6_HOP_LIMIT, 7, 1, 0, 0, true},
    {FIELD_IP_SOURCE, 8, 16, 0, 0, false},      {FIELD_IP_DESTINATION, 24, 16, 0, 0, false},
};
DECODE_INLINE void header_fields(struct field_out *fo, struct cursor c, int count, int bad,
                                 const char *why)
{
    fields_header(fo, LAYER_IPV6, c, FIELDS_NO_LENGTH, decode_ipv6_specs,
                  count < 0 ? DECODE_IPV6_SPECS : count, bad, why, "IPv6 header truncated", NULL);
}

static uint16_t extension_field(uint8_t next)
{
    switch (next) {
    case NH_HOP_BY_HOP:
        return FIELD_IPV6_HOP_BY_HOP;
    case NH_ROUTING:
        return FIELD_IPV6_ROUTING;
    case NH_FRAGMENT:
        return FIELD_IPV6_FRAGMENT;
    case NH_AH:
        return FIELD_IPV6_AUTH;
    default:
        return FIELD_IPV6_DEST_OPTS;
    }
}

/* An extension header that ends the walk; h starts at the fixed header, so its fields
 * count their bytes from there as the fixed fields do. */
DECODE_INLINE enum packet_status chain_stop(struct field_out *fo, uint8_t layer, struct cursor c,
                                            uint32_t off, uint32_t want, uint8_t proto,
                                            enum packet_status st, const char *why)
{
    if (fo) {
        struct cursor h = {c.p - IPV6_HEADER, c.cap + IPV6_HEADER};
        uint8_t stop = st == PACKET_TRUNCATED ? STOP_TRUNCATED : STOP_MALFORMED;
        /* Bytes that end before the capture does were ended by an enclosing message (an
         * ICMP error quoting too little), not by the capture: the field is short. */
        if (stop == STOP_TRUNCATED && fo->frame &&
            (uint32_t)(c.p - fo->frame) + c.cap < fo->caplen) {
            stop = STOP_SHORT;
            why = layer == LAYER_QUOTED_IPV6
                      ? "ICMP error quotes too little of the original packet"
                      : "the enclosing message ends inside the IPv6 extension header";
        }
        fields_cut_emit(fo, layer, h, IPV6_HEADER + off, want, extension_field(proto), stop,
                        why);
    }
    return st;
}

DECODE_INLINE enum packet_status ipv6_chain_body(struct cursor c, uint32_t len, uint8_t next,
                                                 struct ipv6_chain *chain, const char **why,
                                                 uint8_t layer, struct field_out *fo)
{
    uint32_t off = 0;
    chain->fragment = false;
    chain->frag_offset = 0;
    for (int n = 0;; n++) {
        chain->proto = next;
        chain->offset = off;
        if (next != NH_HOP_BY_HOP && next != NH_ROUTING && next != NH_FRAGMENT && next != NH_AH &&
            next != NH_DEST_OPTS)
            return PACKET_OK;
        if (n == IPV6_MAX_EXTENSIONS) {
            *why = "too many IPv6 extension headers";
            return chain_stop(fo, layer, c, off, 8, chain->proto, PACKET_MALFORMED, *why);
        }
        /* Every extension header starts with next header and a length, and is at least
         * 8 bytes long. */
        if (len < off || len - off < 8) {
            *why = "IPv6 extension header exceeds payload length";
            return chain_stop(fo, layer, c, off, 8, chain->proto, PACKET_MALFORMED, *why);
        }
        uint8_t hdr_len;
        if (!cursor_u8(c, off, &next) || !cursor_u8(c, off + 1, &hdr_len)) {
            *why = "IPv6 extension header truncated";
            return chain_stop(fo, layer, c, off, 8, chain->proto, PACKET_TRUNCATED, *why);
        }
        uint32_t size;
        if (chain->proto == NH_FRAGMENT) {
            uint16_t offset_flags;
            if (!cursor_be16(c, off + 2, &offset_flags)) {
                *why = "IPv6 fragment header truncated";
                return chain_stop(fo, layer, c, off, 8, chain->proto, PACKET_TRUNCATED, *why);
            }
            size = 8;
            chain->fragment = true;
            chain->frag_offset = offset_flags >> 3;
        } else if (chain->proto == NH_AH) {
            size = ((uint32_t)hdr_len + 2) * 4;
        } else {
            size = ((uint32_t)hdr_len + 1) * 8;
        }
        if (size > len - off) {
            *why = "IPv6 extension header exceeds payload length";
            return chain_stop(fo, layer, c, off, size, chain->proto, PACKET_MALFORMED, *why);
        }
        if (!cursor_has(c, off, size)) {
            *why = "IPv6 extension header truncated";
            return chain_stop(fo, layer, c, off, size, chain->proto, PACKET_TRUNCATED, *why);
        }
        if (fo) {
            struct cursor h = {c.p - IPV6_HEADER, c.cap + IPV6_HEADER};
            fields_put_emit(fo, layer, h, IPV6_HEADER + off, size, extension_field(chain->proto),
                            true, next);
        }
        off += size;
        if (chain->fragment && chain->frag_offset != 0) {
            /* A later fragment: what follows is data, not headers. */
            chain->proto = next;
            chain->offset = off;
            return PACKET_OK;
        }
    }
}

enum packet_status decode_ipv6_chain(struct cursor c, uint32_t len, uint8_t next,
                                     struct ipv6_chain *chain, const char **why, uint8_t layer)
{
    return ipv6_chain_body(c, len, next, chain, why, layer, NULL);
}

enum packet_status decode_ipv6_chain_fields(struct cursor c, uint32_t len, uint8_t next,
                                            struct ipv6_chain *chain, const char **why,
                                            uint8_t layer, struct field_out *fo)
{
    return ipv6_chain_body(c, len, next, chain, why, layer, fo);
}

DECODE_INLINE void ipv6_body(struct cursor c, uint32_t wire, struct packet *out,
                             struct field_out *fo)
{
    uint8_t v;
    if (!cursor_u8(c, 0, &v)) {
        decode_mark(out, PACKET_TRUNCATED, "IPv6 header truncated");
        header_fields(fo, c, -1, -1, NULL);
        return;
    }
    if (v >> 4 != 6) {
        decode_mark(out, PACKET_MALFORMED, "IPv6 header with a version other than 6");
        header_fields(fo, c, 1, 0, "IPv6 header with a version other than 6");
        return;
    }
    uint16_t payload_len;
    uint8_t next;
    header_fields(fo, c, -1, -1, NULL);
    if (!cursor_be16(c, 4, &payload_len) || !cursor_u8(c, 6, &next) ||
        !cursor_u8(c, 7, &out->ttl) || !cursor_copy(c, 8, out->src.bytes, 16) ||
        !cursor_copy(c, 24, out->dst.bytes, 16)) {
        decode_mark(out, PACKET_TRUNCATED, "IPv6 header truncated");
        return;
    }
    out->src.family = 6;
    out->dst.family = 6;
    out->ip_proto = next;

    /* Payload length 0: a jumbogram or segmentation offload; like Wireshark, the frame's
     * length decides. */
    uint32_t len = payload_len ? payload_len : wire - IPV6_HEADER;
    if (len > wire - IPV6_HEADER) {
        decode_mark(out, PACKET_MALFORMED, "IPv6 payload length exceeds the frame");
        len = wire - IPV6_HEADER;
    }
    struct cursor payload = cursor_limit(cursor_from(c, IPV6_HEADER), len);
    fields_ip_end(fo, c, IPV6_HEADER + len);

    struct ipv6_chain chain;
    const char *why = NULL;
    enum packet_status st =
        DECODE_NEXT(decode_ipv6_chain, fo, payload, len, next, &chain, &why, LAYER_IPV6);
    out->ip_proto = chain.proto;
    out->fragment = chain.fragment;
    out->first_fragment = chain.fragment && chain.frag_offset == 0;
    if (st != PACKET_OK) {
        decode_mark(out, st, why);
        return;
    }
    payload = cursor_from(payload, chain.offset);
    len -= chain.offset;
    if (chain.frag_offset != 0)
        decode_later_fragment(chain.proto, 6, payload, len, out);
    else
        DECODE_NEXT(decode_transport, fo, chain.proto, 6, payload, len, out);
}

void decode_ipv6(struct cursor c, uint32_t wire, struct packet *out)
{
    ipv6_body(c, wire, out, NULL);
}

void decode_ipv6_fields(struct cursor c, uint32_t wire, struct packet *out, struct field_out *fo)
{
    ipv6_body(c, wire, out, fo);
}
