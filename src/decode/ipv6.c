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

enum packet_status decode_ipv6_chain(struct cursor c, uint32_t len, uint8_t next,
                                     struct ipv6_chain *chain, const char **why)
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
            return PACKET_MALFORMED;
        }
        /* Every extension header starts with next header and a length, and is at least
         * 8 bytes long. */
        if (len < off || len - off < 8) {
            *why = "IPv6 extension header exceeds payload length";
            return PACKET_MALFORMED;
        }
        uint8_t hdr_len;
        if (!cursor_u8(c, off, &next) || !cursor_u8(c, off + 1, &hdr_len)) {
            *why = "IPv6 extension header truncated";
            return PACKET_TRUNCATED;
        }
        uint32_t size;
        if (chain->proto == NH_FRAGMENT) {
            uint16_t offset_flags;
            if (!cursor_be16(c, off + 2, &offset_flags)) {
                *why = "IPv6 fragment header truncated";
                return PACKET_TRUNCATED;
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
            return PACKET_MALFORMED;
        }
        if (!cursor_has(c, off, size)) {
            *why = "IPv6 extension header truncated";
            return PACKET_TRUNCATED;
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

void decode_ipv6(struct cursor c, uint32_t wire, struct packet *out)
{
    uint8_t v;
    if (!cursor_u8(c, 0, &v)) {
        decode_mark(out, PACKET_TRUNCATED, "IPv6 header truncated");
        return;
    }
    if (v >> 4 != 6) {
        decode_mark(out, PACKET_MALFORMED, "IPv6 header with a version other than 6");
        return;
    }
    uint16_t payload_len;
    uint8_t next;
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

    struct ipv6_chain chain;
    const char *why = NULL;
    enum packet_status st = decode_ipv6_chain(payload, len, next, &chain, &why);
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
        decode_transport(chain.proto, 6, payload, len, out);
}
