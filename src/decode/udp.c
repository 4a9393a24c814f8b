/* UDP: ports and the length field, checked against the IP payload length it travels in. */
#include "layers.h"

enum { UDP_HEADER = 8 };

static const struct field_spec UDP_FIELDS[] = {
    {FIELD_SOURCE_PORT, 0, 2, 0, 0, true},
    {FIELD_DESTINATION_PORT, 2, 2, 0, 0, true},
    {FIELD_UDP_LENGTH, 4, 2, 0, 0, true},
    {FIELD_CHECKSUM, 6, 2, 0, 0, true},
};

DECODE_INLINE void udp_body(struct cursor c, uint32_t len, int ip_version, bool fragmented,
                            struct packet *out, struct field_out *fo)
{
    static const char why_truncated[] = "UDP header truncated",
                      why_short[] = "IP payload too short for a UDP header";
    out->proto = PROTO_UDP;
    fields_header(fo, LAYER_UDP, c, len, UDP_FIELDS, 4, -1, NULL, why_truncated, why_short);
    bool have_ports = cursor_be16(c, 0, &out->sport) && cursor_be16(c, 2, &out->dport);
    if (!have_ports) out->sport = out->dport = 0;
    if (!cursor_be16(c, 4, &out->udp_len) || !cursor_has(c, 0, UDP_HEADER)) {
        decode_short(out, c, len, why_truncated, why_short);
        return;
    }
    if (len < UDP_HEADER) {
        decode_mark(out, PACKET_MALFORMED, "IP payload too short for a UDP header");
        return;
    }

    /* The two lengths should agree. When they do not, the smaller sane one wins: a UDP
     * length below the header size is a lie, one beyond the IP payload is too (except in
     * a first fragment, which holds only part of the datagram). */
    uint32_t datagram = out->udp_len;
    if (datagram == 0 && (ip_version == 6 || len > 0xffff)) {
        /* RFC 2675 jumbogram, or Linux BIG TCP/GSO: too long for the field, IP rules */
        datagram = len;
    } else if (datagram < UDP_HEADER) {
        decode_mark(out, PACKET_MALFORMED, "UDP length below 8");
        datagram = len;
    } else if (datagram > len && !fragmented) {
        decode_mark(out, PACKET_MALFORMED, "UDP length exceeds the IP payload");
        datagram = len;
    }
    struct cursor payload = cursor_from(c, UDP_HEADER);
    if (datagram < len) payload = cursor_limit(payload, datagram - UDP_HEADER);
    decode_set_payload(out, payload, datagram - UDP_HEADER);
}

void decode_udp(struct cursor c, uint32_t len, int ip_version, bool fragmented, struct packet *out)
{
    udp_body(c, len, ip_version, fragmented, out, NULL);
}

void decode_udp_fields(struct cursor c, uint32_t len, int ip_version, bool fragmented,
                       struct packet *out, struct field_out *fo)
{
    udp_body(c, len, ip_version, fragmented, out, fo);
}
