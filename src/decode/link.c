/* link layers: Ethernet with stacked VLAN tags, Linux cooked SLL and SLL2, BSD loopback
 * NULL and LOOP, and raw IP. Each finds where the IP header starts and which version. */
#include "layers.h"

enum {
    DLT_RAW_BSD = 12,     /* DLT_RAW on most BSDs (LOOP on OpenBSD); libpcap maps to 101 */
    DLT_RAW_OPENBSD = 14, /* DLT_RAW on OpenBSD */
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_ARP = 0x0806,
    ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_IPV6 = 0x86dd,
    ETHERTYPE_QINQ = 0x88a8,
    ETHERTYPE_QINQ_OLD = 0x9100,
    ETHERTYPE_MIN = 0x0600, /* below: an 802.3 length field, not a type */
};

bool decode_linktype_supported(int linktype)
{
    switch (linktype) {
    case LINK_NULL:
    case LINK_ETHERNET:
    case LINK_RAW:
    case DLT_RAW_BSD:
    case DLT_RAW_OPENBSD:
    case LINK_LOOP:
    case LINK_LINUX_SLL:
    case LINK_IPV4:
    case LINK_IPV6:
    case LINK_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

/* The link headers' layouts, in the order they sit in the frame. */
static const struct field_spec ETHERNET_FIELDS[] = {
    {FIELD_ETH_DESTINATION, 0, 6, 0, 0, false},
    {FIELD_ETH_SOURCE, 6, 6, 0, 0, false},
    {FIELD_ETHERTYPE, 12, 2, 0, 0, true},
};
static const struct field_spec SLL_FIELDS[] = {
    {FIELD_SLL_PACKET_TYPE, 0, 2, 0, 0, true},    {FIELD_SLL_LINK_TYPE, 2, 2, 0, 0, true},
    {FIELD_SLL_ADDRESS_LENGTH, 4, 2, 0, 0, true}, {FIELD_SLL_ADDRESS, 6, 8, 0, 0, false},
    {FIELD_ETHERTYPE, 14, 2, 0, 0, true},
};
static const struct field_spec SLL2_FIELDS[] = {
    {FIELD_SLL_PROTOCOL, 0, 2, 0, 0, true},     {FIELD_SLL_RESERVED, 2, 2, 0, 0, true},
    {FIELD_SLL_INTERFACE, 4, 4, 0, 0, true},    {FIELD_SLL_LINK_TYPE, 8, 2, 0, 0, true},
    {FIELD_SLL_PACKET_TYPE, 10, 1, 0, 0, true}, {FIELD_SLL_ADDRESS_LENGTH, 11, 1, 0, 0, true},
    {FIELD_SLL_ADDRESS, 12, 8, 0, 0, false},
};
static const struct field_spec VLAN_FIELDS[] = {
    {FIELD_VLAN_PRIORITY, 0, 1, 0, 3, true},
    {FIELD_VLAN_DROP_ELIGIBLE, 0, 1, 3, 1, true},
    {FIELD_VLAN_ID, 0, 2, 4, 12, true},
    {FIELD_ETHERTYPE, 2, 2, 0, 0, true},
};
static const struct field_spec IP_VERSION_FIELD[] = {{FIELD_IP_VERSION, 0, 1, 0, 4, true}};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Raw IP: the version nibble decides. */
DECODE_INLINE void decode_ip(struct cursor c, uint32_t wire, struct packet *out,
                             struct field_out *fo)
{
    uint8_t v;
    if (!cursor_u8(c, 0, &v)) {
        decode_mark(out, PACKET_TRUNCATED, "IP header truncated");
        fields_header(fo, LAYER_IP, c, FIELDS_NO_LENGTH, IP_VERSION_FIELD, 1, -1, NULL,
                      "IP header truncated", NULL);
        return;
    }
    if (v >> 4 == 4)
        DECODE_NEXT(decode_ipv4, fo, c, wire, out);
    else if (v >> 4 == 6)
        DECODE_NEXT(decode_ipv6, fo, c, wire, out);
    else {
        decode_mark(out, PACKET_MALFORMED, "IP version is neither 4 nor 6");
        fields_header(fo, LAYER_IP, c, FIELDS_NO_LENGTH, IP_VERSION_FIELD, 1, 0,
                      "IP version is neither 4 nor 6", NULL, NULL);
    }
}

/* type is the ethertype just read; c starts right after it. VLAN tags (TCI + inner type)
 * may be stacked any number of times: each consumes 4 bytes, so the loop ends with the
 * capture. */
DECODE_INLINE void decode_ethertype(uint16_t type, struct cursor c, uint32_t wire,
                                    struct packet *out, struct field_out *fo)
{
    uint32_t off = 0;
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
        fields_header(fo, LAYER_VLAN, cursor_from(c, off), FIELDS_NO_LENGTH, VLAN_FIELDS,
                      COUNT(VLAN_FIELDS), -1, NULL, "VLAN tag truncated", NULL);
        if (!cursor_be16(c, off + 2, &type)) {
            decode_mark(out, PACKET_TRUNCATED, "VLAN tag truncated");
            return;
        }
        off += 4;
    }
    c = cursor_from(c, off);
    wire -= off;
    switch (type) {
    case ETHERTYPE_IPV4:
        DECODE_NEXT(decode_ipv4, fo, c, wire, out);
        return;
    case ETHERTYPE_IPV6:
        DECODE_NEXT(decode_ipv6, fo, c, wire, out);
        return;
    case ETHERTYPE_ARP:
        decode_mark(out, PACKET_UNSUPPORTED, "ARP is not decoded");
        return;
    default:
        if (type < ETHERTYPE_MIN)
            decode_mark(out, PACKET_UNSUPPORTED, "802.3 frame without an ethertype");
        else
            decode_mark(out, PACKET_UNSUPPORTED, "ethertype not decoded");
    }
}

/* Fixed-size link header with a 16-bit ethertype at type_off, laid out as specs (which
 * cover all header_len bytes). Inlined, so the constants of each link type fold in. */
DECODE_INLINE void decode_typed(struct cursor c, uint32_t wire, uint32_t header_len,
                                uint32_t type_off, const char *why_truncated, struct packet *out,
                                struct field_out *fo, uint8_t layer, const struct field_spec *specs,
                                int count)
{
    uint16_t type;
    fields_header(fo, layer, c, FIELDS_NO_LENGTH, specs, count, -1, NULL, why_truncated, NULL);
    if (!cursor_has(c, 0, header_len) || !cursor_be16(c, type_off, &type)) {
        decode_mark(out, PACKET_TRUNCATED, why_truncated);
        return;
    }
    decode_ethertype(type, cursor_from(c, header_len), wire - header_len, out, fo);
}

/* BSD loopback: the address family of the sender, whose values differ between BSDs. */
DECODE_INLINE void decode_family(uint32_t family, struct cursor c, uint32_t wire,
                                 struct packet *out, struct field_out *fo)
{
    switch (family) {
    case 2: /* AF_INET everywhere */
        DECODE_NEXT(decode_ipv4, fo, c, wire, out);
        return;
    case 24: /* AF_INET6: NetBSD, OpenBSD */
    case 28: /* FreeBSD, DragonFly */
    case 30: /* macOS */
        DECODE_NEXT(decode_ipv6, fo, c, wire, out);
        return;
    default:
        decode_mark(out, PACKET_UNSUPPORTED, "loopback address family not decoded");
    }
}

DECODE_INLINE void link_body(int linktype, struct cursor c, uint32_t wire, struct packet *out,
                             struct field_out *fo)
{
    uint32_t family;
    switch (linktype) {
    case LINK_ETHERNET:
        decode_typed(c, wire, 14, 12, "Ethernet header truncated", out, fo, LAYER_ETHERNET,
                     ETHERNET_FIELDS, COUNT(ETHERNET_FIELDS));
        return;
    case LINK_LINUX_SLL:
        decode_typed(c, wire, 16, 14, "Linux SLL header truncated", out, fo, LAYER_SLL, SLL_FIELDS,
                     COUNT(SLL_FIELDS));
        return;
    case LINK_LINUX_SLL2:
        decode_typed(c, wire, 20, 0, "Linux SLL2 header truncated", out, fo, LAYER_SLL2,
                     SLL2_FIELDS, COUNT(SLL2_FIELDS));
        return;
    case LINK_NULL:
        /* Host byte order of the capturing machine: a family fits in 16 bits, so a value
         * that does not was written in the other order. */
        if (!cursor_le32(c, 0, &family)) {
            decode_mark(out, PACKET_TRUNCATED, "loopback header truncated");
            fields_cut(fo, LAYER_LOOPBACK, c, 0, 4, FIELD_LOOP_FAMILY, STOP_TRUNCATED,
                       "loopback header truncated");
            return;
        }
        if (family > 0xffff)
            family = (family >> 24) | ((family >> 8) & 0xff00) | ((family << 8) & 0xff0000) |
                     (family << 24);
        fields_put(fo, LAYER_LOOPBACK, c, 0, 4, FIELD_LOOP_FAMILY, true, family);
        decode_family(family, cursor_from(c, 4), wire - 4, out, fo);
        return;
    case LINK_LOOP:
        if (!cursor_be32(c, 0, &family)) {
            decode_mark(out, PACKET_TRUNCATED, "loopback header truncated");
            fields_cut(fo, LAYER_LOOPBACK, c, 0, 4, FIELD_LOOP_FAMILY, STOP_TRUNCATED,
                       "loopback header truncated");
            return;
        }
        fields_put(fo, LAYER_LOOPBACK, c, 0, 4, FIELD_LOOP_FAMILY, true, family);
        decode_family(family, cursor_from(c, 4), wire - 4, out, fo);
        return;
    case LINK_RAW:
    case DLT_RAW_BSD:
    case DLT_RAW_OPENBSD:
        decode_ip(c, wire, out, fo);
        return;
    case LINK_IPV4:
        DECODE_NEXT(decode_ipv4, fo, c, wire, out);
        return;
    case LINK_IPV6:
        DECODE_NEXT(decode_ipv6, fo, c, wire, out);
        return;
    default:
        decode_mark(out, PACKET_UNSUPPORTED, "unsupported link type");
    }
}

void decode_link(int linktype, struct cursor c, uint32_t wire, struct packet *out)
{
    link_body(linktype, c, wire, out, NULL);
}

void decode_link_fields(int linktype, struct cursor c, uint32_t wire, struct packet *out,
                        struct field_out *fo)
{
    link_body(linktype, c, wire, out, fo);
}
