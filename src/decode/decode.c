/* decode entry point: fills the frame metadata of the packet view, hands the bytes to the
 * link layer, and dispatches IP payloads to the transport decoders; with a field sink, ends
 * the field list with the payload and trailer. */
#include "layers.h"

enum packet_status decode_packet_fields(int linktype, const uint8_t *frame, uint32_t caplen,
                                        uint32_t wirelen, uint64_t ts_ns, struct packet *out,
                                        const struct decode_sink *sink)
{
    /* Copying a zero struct compiles to a few vector moves; gcc turns memset of this size
     * into rep stos, which alone cost more than decoding all the headers. */
    static const struct packet zero;
    *out = zero;
    out->ts_ns = ts_ns;
    out->caplen = caplen;
    out->wirelen = wirelen;
    out->linktype = linktype;
    if (frame == NULL) caplen = 0;
    struct cursor c = {frame, caplen};
    struct field_out fields, *fo = NULL;
    if (sink && sink->field) {
        fields = (struct field_out){.sink = sink, .frame = frame, .caplen = caplen};
        fo = &fields;
    }
    /* A wire length below the captured one is a lie of the writer; trust the bytes. */
    uint32_t wire = wirelen > caplen ? wirelen : caplen;
    if (fo)
        decode_link_fields(linktype, c, wire, out, fo);
    else
        decode_link(linktype, c, wire, out);
    fields_tail(fo, out, caplen);
    return out->status;
}

enum packet_status decode_packet(int linktype, const uint8_t *frame, uint32_t caplen,
                                 uint32_t wirelen, uint64_t ts_ns, struct packet *out)
{
    return decode_packet_fields(linktype, frame, caplen, wirelen, ts_ns, out, NULL);
}

DECODE_INLINE void transport_body(uint8_t ip_proto, int ip_version, struct cursor c, uint32_t len,
                                  struct packet *out, struct field_out *fo)
{
    switch (ip_proto) {
    case 6:
        DECODE_NEXT(decode_tcp, fo, c, len, out);
        return;
    case 17:
        DECODE_NEXT(decode_udp, fo, c, len, ip_version, out->fragment, out);
        return;
    case 1:
        if (ip_version == 4) {
            DECODE_NEXT(decode_icmp, fo, c, len, 4, out);
            return;
        }
        break;
    case 58:
        if (ip_version == 6) {
            DECODE_NEXT(decode_icmp, fo, c, len, 6, out);
            return;
        }
        break;
    }
    decode_set_payload(out, c, len);
    decode_mark(out, PACKET_UNSUPPORTED, "transport protocol not decoded");
}

void decode_transport(uint8_t ip_proto, int ip_version, struct cursor c, uint32_t len,
                      struct packet *out)
{
    transport_body(ip_proto, ip_version, c, len, out, NULL);
}

void decode_transport_fields(uint8_t ip_proto, int ip_version, struct cursor c, uint32_t len,
                             struct packet *out, struct field_out *fo)
{
    transport_body(ip_proto, ip_version, c, len, out, fo);
}

void decode_later_fragment(uint8_t ip_proto, int ip_version, struct cursor c, uint32_t len,
                           struct packet *out)
{
    if (ip_proto == 6)
        out->proto = PROTO_TCP;
    else if (ip_proto == 17)
        out->proto = PROTO_UDP;
    else if ((ip_proto == 1 && ip_version == 4) || (ip_proto == 58 && ip_version == 6))
        out->proto = PROTO_ICMP;
    decode_set_payload(out, c, len);
}
