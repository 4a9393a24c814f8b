/* Header fields with byte offsets, for the packet detail: decode's field sink says where each
 * field sits and what number it holds; this file only names the fields and writes their
 * values and sentences for people ("0x012 SYN+ACK", "(truncated: 1 of 2 bytes captured)"). */
#include "sockscope/view.h"

#include <stdio.h>
#include <string.h>

struct fields_list {
    struct view_field *out;
    int n, max;
};

static const char *layer_name(uint8_t layer)
{
    switch (layer) {
    case LAYER_ETHERNET:
        return "Ethernet";
    case LAYER_VLAN:
        return "VLAN";
    case LAYER_SLL:
        return "Linux SLL";
    case LAYER_SLL2:
        return "Linux SLL2";
    case LAYER_LOOPBACK:
        return "Loopback";
    case LAYER_IP:
        return "IP";
    case LAYER_IPV4:
        return "IPv4";
    case LAYER_IPV6:
        return "IPv6";
    case LAYER_TCP:
        return "TCP";
    case LAYER_UDP:
        return "UDP";
    case LAYER_ICMP:
        return "ICMP";
    case LAYER_ICMPV6:
        return "ICMPv6";
    /* "Quote" rather than "Quoted": the detail's layer column is 10 wide */
    case LAYER_QUOTED_IPV4:
        return "Quote IPv4";
    case LAYER_QUOTED_IPV6:
        return "Quote IPv6";
    case LAYER_QUOTED_TCP:
        return "Quote TCP";
    case LAYER_QUOTED_UDP:
        return "Quote UDP";
    case LAYER_QUOTED_TRANSPORT:
        return "Quote";
    case LAYER_DATA:
        return "Data";
    case LAYER_TRAILER:
        return "Trailer";
    default:
        return "?";
    }
}

static const char *field_name(const struct decode_field *f)
{
    bool v6 = f->layer == LAYER_IPV6 || f->layer == LAYER_QUOTED_IPV6;
    switch (f->id) {
    case FIELD_ETH_DESTINATION:
        return "Destination";
    case FIELD_ETH_SOURCE:
        return "Source";
    case FIELD_ETHERTYPE:
        return "Type";
    case FIELD_VLAN_PRIORITY:
        return "Priority";
    case FIELD_VLAN_DROP_ELIGIBLE:
        return "Drop eligible";
    case FIELD_VLAN_ID:
        return "VLAN ID";
    case FIELD_SLL_PACKET_TYPE:
        return "Packet type";
    case FIELD_SLL_LINK_TYPE:
        return "Link-layer type";
    case FIELD_SLL_ADDRESS_LENGTH:
        return "Address length";
    case FIELD_SLL_ADDRESS:
        return "Source address";
    case FIELD_SLL_PROTOCOL:
        return "Protocol";
    case FIELD_SLL_RESERVED:
        return "Reserved";
    case FIELD_SLL_INTERFACE:
        return "Interface index";
    case FIELD_LOOP_FAMILY:
        return "Address family";
    case FIELD_IP_VERSION:
        return f->layer == LAYER_IP ? "IP version" : "Version";
    case FIELD_IPV4_HEADER_LENGTH:
    case FIELD_TCP_HEADER_LENGTH:
        return "Header length";
    case FIELD_IPV4_DSCP:
        return "DSCP";
    case FIELD_IPV4_ECN:
        return "ECN";
    case FIELD_IPV4_TOTAL_LENGTH:
        return "Total length";
    case FIELD_IPV4_ID:
        return "Identification";
    case FIELD_IPV4_FLAGS:
    case FIELD_TCP_FLAGS:
        return "Flags";
    case FIELD_IPV4_FRAGMENT_OFFSET:
        return "Fragment offset";
    case FIELD_IPV4_TTL:
        return "Time to live";
    case FIELD_IP_PROTOCOL:
        return v6 ? "Next header" : "Protocol";
    case FIELD_IPV4_CHECKSUM:
        return "Header checksum";
    case FIELD_IP_SOURCE:
        return "Source address";
    case FIELD_IP_DESTINATION:
        return "Destination address";
    case FIELD_IPV4_OPTION:
    case FIELD_TCP_OPTION:
        return "Option";
    case FIELD_IPV4_OPTION_END:
    case FIELD_TCP_OPTION_END:
        return "End of options";
    case FIELD_IPV4_OPTION_NOP:
    case FIELD_TCP_OPTION_NOP:
        return "NOP";
    case FIELD_IPV6_TRAFFIC_CLASS:
        return "Traffic class";
    case FIELD_IPV6_FLOW_LABEL:
        return "Flow label";
    case FIELD_IPV6_PAYLOAD_LENGTH:
        return "Payload length";
    case FIELD_IPV6_HOP_LIMIT:
        return "Hop limit";
    case FIELD_IPV6_HOP_BY_HOP:
        return "Hop-by-Hop header";
    case FIELD_IPV6_ROUTING:
        return "Routing header";
    case FIELD_IPV6_FRAGMENT:
        return "Fragment header";
    case FIELD_IPV6_AUTH:
        return "Authentication header";
    case FIELD_IPV6_DEST_OPTS:
        return "Destination options";
    case FIELD_SOURCE_PORT:
        return "Source port";
    case FIELD_DESTINATION_PORT:
        return "Destination port";
    case FIELD_TCP_SEQ:
        return "Sequence number";
    case FIELD_TCP_ACK:
        return "Acknowledgment number";
    case FIELD_TCP_WINDOW:
        return "Window";
    case FIELD_CHECKSUM:
        return "Checksum";
    case FIELD_TCP_URGENT:
        return "Urgent pointer";
    case FIELD_TCP_OPTION_MSS:
        return "MSS";
    case FIELD_TCP_OPTION_WSCALE:
        return "Window scale";
    case FIELD_TCP_OPTION_SACK_PERMITTED:
        return "SACK permitted";
    case FIELD_TCP_OPTION_SACK:
        return "SACK";
    case FIELD_TCP_OPTION_SACK_BLOCK:
        return "SACK block";
    case FIELD_TCP_OPTION_TIMESTAMPS:
        return "Timestamps";
    case FIELD_TCP_OPTION_BAD:
        return "Option (malformed)";
    case FIELD_UDP_LENGTH:
        return "Length";
    case FIELD_ICMP_TYPE:
        return "Type";
    case FIELD_ICMP_CODE:
        return "Code";
    case FIELD_ICMP_REST:
        return "Rest of header";
    case FIELD_QUOTED_REST:
        return "Transport bytes";
    case FIELD_PAYLOAD:
        return "Payload";
    case FIELD_PADDING:
        return "Padding";
    default:
        return "Field";
    }
}

static const char *ethertype_name(uint64_t t)
{
    switch (t) {
    case 0x0800:
        return " (IPv4)";
    case 0x86dd:
        return " (IPv6)";
    case 0x0806:
        return " (ARP)";
    case 0x8100:
    case 0x88a8:
    case 0x9100:
        return " (VLAN)";
    default:
        return "";
    }
}

static const char *proto_name(uint64_t p)
{
    switch (p) {
    case 1:
        return " (ICMP)";
    case 6:
        return " (TCP)";
    case 17:
        return " (UDP)";
    case 58:
        return " (ICMPv6)";
    case 0:
        return " (Hop-by-Hop)";
    case 43:
        return " (Routing)";
    case 44:
        return " (Fragment)";
    case 51:
        return " (Authentication)";
    case 60:
        return " (Destination options)";
    default:
        return "";
    }
}

/* Link-layer addresses as hex pairs (at most 8 bytes: the SLL address field). */
static void format_mac(const struct decode_field *f, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < f->size && i < 8 && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%02x", i ? ":" : "", f->bytes[i]);
}

static void format_address(const struct decode_field *f, char *buf, size_t size)
{
    struct ip_address a = {.family = f->size == 16 ? 6 : 4};
    memcpy(a.bytes, f->bytes, f->size == 16 ? 16 : 4);
    ip_address_format(&a, buf, size);
}

static void format_payload(const struct decode_field *f, char *buf, size_t size)
{
    char preview[64];
    bool cut = view_escape_preview(f->bytes, f->size, preview, 40);
    if (f->size < f->value)
        snprintf(buf, size, "%u of %u bytes: \"%s%s\"", f->size, (unsigned)f->value, preview,
                 cut ? "..." : "");
    else
        snprintf(buf, size, "%u bytes: \"%s%s\"", f->size, preview, cut ? "..." : "");
}

/* The value of a field decode read whole. */
static void format_value(const struct decode_field *f, char *buf, size_t size)
{
    unsigned v = (unsigned)f->value;
    switch (f->id) {
    case FIELD_ETH_DESTINATION:
    case FIELD_ETH_SOURCE:
    case FIELD_SLL_ADDRESS:
        format_mac(f, buf, size);
        return;
    case FIELD_ETHERTYPE:
    case FIELD_SLL_PROTOCOL:
        snprintf(buf, size, "0x%04x%s", v, ethertype_name(f->value));
        return;
    case FIELD_LOOP_FAMILY:
        snprintf(buf, size, "%u%s", v,
                 v == 2                          ? " (IPv4)"
                 : v == 24 || v == 28 || v == 30 ? " (IPv6)"
                                                 : "");
        return;
    case FIELD_IPV4_HEADER_LENGTH:
    case FIELD_TCP_HEADER_LENGTH:
        snprintf(buf, size, "%u (%u bytes)", v, v * 4);
        return;
    case FIELD_IPV4_ID:
        snprintf(buf, size, "0x%04x (%u)", v, v);
        return;
    case FIELD_IPV4_FLAGS:
        snprintf(buf, size, "0x%x%s%s", v, v & 2 ? " DF" : "", v & 1 ? " MF" : "");
        return;
    case FIELD_IPV4_FRAGMENT_OFFSET:
        snprintf(buf, size, "%u (%u bytes)", v, v * 8);
        return;
    case FIELD_IP_PROTOCOL:
        snprintf(buf, size, "%u%s", v, proto_name(f->value));
        return;
    case FIELD_IPV4_CHECKSUM:
    case FIELD_CHECKSUM:
        snprintf(buf, size, "0x%04x (not verified)", v);
        return;
    case FIELD_IP_SOURCE:
    case FIELD_IP_DESTINATION:
        format_address(f, buf, size);
        return;
    case FIELD_IPV4_OPTION:
    case FIELD_TCP_OPTION:
        snprintf(buf, size, "kind %u, %u bytes", v, f->size);
        return;
    case FIELD_IPV4_OPTION_END:
    case FIELD_TCP_OPTION_END:
        snprintf(buf, size, "%u byte%s", f->size, f->size == 1 ? "" : "s (padding)");
        return;
    case FIELD_IPV4_OPTION_NOP:
    case FIELD_TCP_OPTION_NOP:
        snprintf(buf, size, "padding");
        return;
    case FIELD_IPV6_TRAFFIC_CLASS:
        snprintf(buf, size, "0x%02x", v);
        return;
    case FIELD_IPV6_FLOW_LABEL:
        snprintf(buf, size, "0x%05x", v);
        return;
    case FIELD_IPV6_HOP_BY_HOP:
    case FIELD_IPV6_ROUTING:
    case FIELD_IPV6_FRAGMENT:
    case FIELD_IPV6_AUTH:
    case FIELD_IPV6_DEST_OPTS:
        snprintf(buf, size, "%u bytes, next header %u%s", f->size, v, proto_name(f->value));
        return;
    case FIELD_TCP_SEQ:
    case FIELD_TCP_ACK:
        snprintf(buf, size, "%u (raw)", v);
        return;
    case FIELD_TCP_FLAGS: {
        char names[64];
        view_tcp_flags_name((uint16_t)v, names, sizeof names);
        snprintf(buf, size, "0x%03x %s", v, names);
        return;
    }
    case FIELD_TCP_OPTION_WSCALE:
        snprintf(buf, size, "%u (x%u)", v, 1u << (v > 14 ? 14 : v));
        return;
    case FIELD_TCP_OPTION_SACK_PERMITTED:
        snprintf(buf, size, "yes");
        return;
    case FIELD_TCP_OPTION_SACK:
        snprintf(buf, size, "%u block%s (%u bytes)", (v - 2) / 8, (v - 2) / 8 == 1 ? "" : "s", v);
        return;
    case FIELD_TCP_OPTION_SACK_BLOCK:
        snprintf(buf, size, "%u-%u (raw)", (unsigned)(f->value >> 32),
                 (unsigned)(f->value & 0xffffffffu));
        return;
    case FIELD_TCP_OPTION_TIMESTAMPS:
        snprintf(buf, size, "val %u ecr %u", (unsigned)(f->value >> 32),
                 (unsigned)(f->value & 0xffffffffu));
        return;
    case FIELD_ICMP_REST:
        snprintf(buf, size, "0x%08x", v);
        return;
    case FIELD_QUOTED_REST:
        snprintf(buf, size, "%u bytes", f->size);
        return;
    case FIELD_PAYLOAD:
        format_payload(f, buf, size);
        return;
    case FIELD_PADDING:
        snprintf(buf, size, "%u bytes after the datagram", f->size);
        return;
    default:
        if (f->has_value)
            snprintf(buf, size, "%llu", (unsigned long long)f->value);
        else
            snprintf(buf, size, "%u bytes", f->size);
    }
}

static void add(void *ctx, const struct decode_field *f)
{
    struct fields_list *l = ctx;
    if (l->n >= l->max) return;
    struct view_field *fl = &l->out[l->n++];
    memset(fl, 0, sizeof *fl);
    fl->layer = layer_name(f->layer);
    snprintf(fl->name, sizeof fl->name, "%s", field_name(f));
    fl->offset = f->offset;
    fl->size = f->size;
    fl->layer_offset = f->layer_offset;
    fl->bits = f->bits;
    fl->first_bit = f->first_bit;
    fl->stop = f->stop;
    fl->truncated = f->stop == STOP_TRUNCATED;
    if (f->stop == STOP_TRUNCATED) {
        snprintf(fl->value, sizeof fl->value, "(truncated: %u of %u bytes captured)", f->size,
                 f->want);
    } else if (f->stop == STOP_SHORT) {
        snprintf(fl->value, sizeof fl->value, "(%u of %u bytes: %s)", f->size, f->want, f->why);
    } else if (f->stop == STOP_MALFORMED && f->want) {
        /* an option or extension header whose length decode rejected: no value, only why */
        snprintf(fl->value, sizeof fl->value, "(%s)", f->why);
    } else {
        char value[VIEW_FIELD_VALUE];
        format_value(f, value, sizeof value);
        if (f->stop == STOP_MALFORMED)
            snprintf(fl->value, sizeof fl->value, "%.40s (%s)", value, f->why);
        else
            snprintf(fl->value, sizeof fl->value, "%s", value);
    }
}

int view_fields_decode(int linktype, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
                       uint64_t ts_ns, struct packet *p, struct view_field *out, int max)
{
    struct fields_list l = {.out = out, .max = max};
    struct decode_sink sink = {add, &l};
    decode_packet_fields(linktype, frame, caplen, wirelen, ts_ns, p, &sink);
    return l.n;
}

int view_fields_walk(const struct packet *p, const uint8_t *frame, struct view_field *out, int max)
{
    struct packet again;
    return view_fields_decode(p->linktype, frame, frame ? p->caplen : 0, p->wirelen, p->ts_ns,
                              &again, out, max);
}

int view_field_describe(const struct view_field *f, char *buf, size_t size)
{
    uint32_t in_layer = f->offset - f->layer_offset;
    if (f->truncated)
        return snprintf(buf, size, "%s %s: the capture ends at byte %u, inside this field %s",
                        f->layer, f->name, f->offset + f->size, f->value);
    if (f->stop == STOP_SHORT)
        return snprintf(buf, size,
                        "%s %s: the packet's own lengths end at byte %u, inside this field %s",
                        f->layer, f->name, f->offset + f->size, f->value);
    if (f->bits)
        return snprintf(buf, size,
                        "%s %s: %u bit%s at offset %u, bits %u-%u (byte %u of the %s header) = %s",
                        f->layer, f->name, f->bits, f->bits == 1 ? "" : "s", f->offset,
                        f->first_bit, f->first_bit + f->bits - 1, in_layer, f->layer, f->value);
    if (!strcmp(f->layer, "Data") || !strcmp(f->layer, "Trailer"))
        return snprintf(buf, size, "%s: %u byte%s at offset %u = %s", f->name, f->size,
                        f->size == 1 ? "" : "s", f->offset, f->value);
    return snprintf(buf, size, "%s %s: %u byte%s at offset %u (byte %u of the %s header) = %s",
                    f->layer, f->name, f->size, f->size == 1 ? "" : "s", f->offset, in_layer,
                    f->layer, f->value);
}
