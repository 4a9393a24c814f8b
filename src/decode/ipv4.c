/* IPv4: version and header length checks, options skipped by IHL, the total length bounding
 * the datagram (so link padding never becomes payload), and fragments. */
#include "layers.h"

enum {
    IPV4_MIN_HEADER = 20,
    IPV4_MORE_FRAGMENTS = 0x2000,
    IPV4_OFFSET_MASK = 0x1fff,
};

void decode_ipv4(struct cursor c, uint32_t wire, struct packet *out)
{
    uint8_t vihl;
    if (!cursor_u8(c, 0, &vihl)) {
        decode_mark(out, PACKET_TRUNCATED, "IPv4 header truncated");
        return;
    }
    if (vihl >> 4 != 4) {
        decode_mark(out, PACKET_MALFORMED, "IPv4 header with a version other than 4");
        return;
    }
    uint32_t header_len = (vihl & 0x0fu) * 4;
    if (header_len < IPV4_MIN_HEADER) {
        decode_mark(out, PACKET_MALFORMED, "IPv4 header length below 20 bytes");
        return;
    }
    uint16_t total_len, frag;
    if (!cursor_be16(c, 2, &total_len) || !cursor_be16(c, 6, &frag) ||
        !cursor_u8(c, 8, &out->ttl) || !cursor_u8(c, 9, &out->ip_proto) ||
        !cursor_copy(c, 12, out->src.bytes, 4) || !cursor_copy(c, 16, out->dst.bytes, 4)) {
        decode_mark(out, PACKET_TRUNCATED, "IPv4 header truncated");
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
        return;
    }
    if (!cursor_has(c, 0, header_len)) {
        decode_mark(out, PACKET_TRUNCATED, "IPv4 options truncated");
        return;
    }

    uint32_t frag_offset = frag & IPV4_OFFSET_MASK;
    out->fragment = (frag & IPV4_MORE_FRAGMENTS) || frag_offset != 0;
    out->first_fragment = out->fragment && frag_offset == 0;

    struct cursor payload = cursor_limit(cursor_from(c, header_len), len - header_len);
    if (frag_offset != 0)
        decode_later_fragment(out->ip_proto, 4, payload, len - header_len, out);
    else
        decode_transport(out->ip_proto, 4, payload, len - header_len, out);
}
