/* IPv4: version and header length checks, options skipped by IHL, the total length bounding
 * the datagram (so link padding never becomes payload), and fragments. */
#include "layers.h"

enum {
    IPV4_MIN_HEADER = 20,
    IPV4_MORE_FRAGMENTS = 0x2000,
    IPV4_OFFSET_MASK = 0x1fff,
};

/* The fixed header as the sink sees it; decode reads the same offsets below. */
const struct field_spec decode_ipv4_specs[DECODE_IPV4_SPECS] = {
    {FIELD_IP_VERSION, 0, 1, 0, 4, true},        {FIELD_IPV4_HEADER_LENGTH, 0, 1, 4, 4, true},
    {FIELD_IPV4_DSCP, 1, 1, 0, 6, true},         {FIELD_IPV4_ECN, 1, 1, 6, 2, true},
    {FIELD_IPV4_TOTAL_LENGTH, 2, 2, 0, 0, true}, {FIELD_IPV4_ID, 4, 2, 0, 0, true},
    {FIELD_IPV4_FLAGS, 6, 1, 0, 3, true},        {FIELD_IPV4_FRAGMENT_OFFSET, 6, 2, 3, 13, true},
    {FIELD_IPV4_TTL, 8, 1, 0, 0, true},          {FIELD_IP_PROTOCOL, 9, 1, 0, 0, true},
    {FIELD_IPV4_CHECKSUM, 10, 2, 0, 0, true},    {FIELD_IP_SOURCE, 12, 4, 0, 0, false},
    {FIELD_IP_DESTINATION, 16, 4, 0, 0, false},
};
/* The first count fields (-1: all) of the header at c; bad and why as in fields_header. */
DECODE_INLINE void header_fields(struct field_out *fo, struct cursor c, int count, int bad,
                                 const char *why)
{
    fields_header(fo, LAYER_IPV4, c, FIELDS_NO_LENGTH, decode_ipv4_specs,
                  count < 0 ? DECODE_IPV4_SPECS : count, bad, why, "IPv4 header truncated", NULL);
}

DECODE_INLINE void ipv4_body(struct cursor c, uint32_t wire, struct packet *out,
                             struct field_out *fo)
{
    uint8_t vihl;
    if (!cursor_u8(c, 0, &vihl)) {
        decode_mark(out, PACKET_TRUNCATED, "IPv4 header truncated");
        header_fields(fo, c, -1, -1, NULL);
        return;
    }
    if (vihl >> 4 != 4) {
        decode_mark(out, PACKET_MALFORMED, "IPv4 header with a version other than 4");
        header_fields(fo, c, 1, 0, "IPv4 header with a version other than 4");
        return;
    }
    uint32_t header_len = (vihl & 0x0fu) * 4;
    if (header_len < IPV4_MIN_HEADER) {
        decode_mark(out, PACKET_MALFORMED, "IPv4 header length below 20 bytes");
        header_fields(fo, c, 2, 1, "IPv4 header length below 20 bytes");
        return;
    }
    uint16_t total_len, frag;
    if (!cursor_be16(c, 2, &total_len) || !cursor_be16(c, 6, &frag) ||
        !cursor_u8(c, 8, &out->ttl) || !cursor_u8(c, 9, &out->ip_proto) ||
        !cursor_copy(c, 12, out->src.bytes, 4) || !cursor_copy(c, 16, out->dst.bytes, 4)) {
        decode_mark(out, PACKET_TRUNCATED, "IPv4 header truncated");
        header_fields(fo, c, -1, -1, NULL);
        return;
    }
    out->src.family = 4;
    out->dst.family = 4;

    /* Total length 0: segmentation offload on the capturing host, the NIC fills it in
     * later. Wireshark then takes the frame's length; so do we. */
    uint32_t len = total_len ? total_len : wire;
    if (len > wire) {
        /* Longer than the frame on the wire, not just than the capture: a lie. Like
         * Wireshark, the frame's length wins. */
        decode_mark(out, PACKET_MALFORMED, "IPv4 total length exceeds the frame");
        len = wire;
    }
    if (len < header_len) {
        decode_mark(out, PACKET_MALFORMED, "IPv4 total length below header length");
        header_fields(fo, c, -1, 4, "IPv4 total length below header length");
        return;
    }
    header_fields(fo, c, -1, -1, NULL);
    if (fo) fields_ipv4_options_emit(fo, LAYER_IPV4, c, header_len, FIELDS_NO_LENGTH);
    if (!cursor_has(c, 0, header_len)) {
        decode_mark(out, PACKET_TRUNCATED, "IPv4 options truncated");
        return;
    }
    fields_ip_end(fo, c, len);

    uint32_t frag_offset = frag & IPV4_OFFSET_MASK;
    out->fragment = (frag & IPV4_MORE_FRAGMENTS) || frag_offset != 0;
    out->first_fragment = out->fragment && frag_offset == 0;

    struct cursor payload = cursor_limit(cursor_from(c, header_len), len - header_len);
    if (frag_offset != 0)
        decode_later_fragment(out->ip_proto, 4, payload, len - header_len, out);
    else
        DECODE_NEXT(decode_transport, fo, out->ip_proto, 4, payload, len - header_len, out);
}

void decode_ipv4(struct cursor c, uint32_t wire, struct packet *out)
{
    ipv4_body(c, wire, out, NULL);
}

void decode_ipv4_fields(struct cursor c, uint32_t wire, struct packet *out, struct field_out *fo)
{
    ipv4_body(c, wire, out, fo);
}
