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

/* Raw IP: the version nibble decides. */
static void decode_ip(struct cursor c, uint32_t wire, struct packet *out)
{
    uint8_t v;
    if (!cursor_u8(c, 0, &v)) {
        decode_mark(out, PACKET_TRUNCATED, "IP header truncated");
        return;
    }
    if (v >> 4 == 4)
        decode_ipv4(c, wire, out);
    else if (v >> 4 == 6)
        decode_ipv6(c, wire, out);
    else
        decode_mark(out, PACKET_MALFORMED, "IP version is neither 4 nor 6");
}

/* type is the ethertype just read; c starts right after it. VLAN tags (TCI + inner type)
 * may be stacked any number of times: each consumes 4 bytes, so the loop ends with the
 * capture. */
static void decode_ethertype(uint16_t type, struct cursor c, uint32_t wire, struct packet *out)
{
    uint32_t off = 0;
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
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
        decode_ipv4(c, wire, out);
        return;
    case ETHERTYPE_IPV6:
        decode_ipv6(c, wire, out);
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

/* Fixed-size link header with a 16-bit ethertype at type_off. */
static void decode_typed(struct cursor c, uint32_t wire, uint32_t header_len, uint32_t type_off,
                         const char *why_truncated, struct packet *out)
{
    uint16_t type;
    if (!cursor_has(c, 0, header_len) || !cursor_be16(c, type_off, &type)) {
        decode_mark(out, PACKET_TRUNCATED, why_truncated);
        return;
    }
    decode_ethertype(type, cursor_from(c, header_len), wire - header_len, out);
}

/* BSD loopback: the address family of the sender, whose values differ between BSDs. */
static void decode_family(uint32_t family, struct cursor c, uint32_t wire, struct packet *out)
{
    switch (family) {
    case 2: /* AF_INET everywhere */
        decode_ipv4(c, wire, out);
        return;
    case 24: /* AF_INET6: NetBSD, OpenBSD */
    case 28: /* FreeBSD, DragonFly */
    case 30: /* macOS */
        decode_ipv6(c, wire, out);
        return;
    default:
        decode_mark(out, PACKET_UNSUPPORTED, "loopback address family not decoded");
    }
}

void decode_link(int linktype, struct cursor c, uint32_t wire, struct packet *out)
{
    uint32_t family;
    switch (linktype) {
    case LINK_ETHERNET:
        decode_typed(c, wire, 14, 12, "Ethernet header truncated", out);
        return;
    case LINK_LINUX_SLL:
        decode_typed(c, wire, 16, 14, "Linux SLL header truncated", out);
        return;
    case LINK_LINUX_SLL2:
        decode_typed(c, wire, 20, 0, "Linux SLL2 header truncated", out);
        return;
    case LINK_NULL:
        /* Host byte order of the capturing machine: a family fits in 16 bits, so a value
         * that does not was written in the other order. */
        if (!cursor_le32(c, 0, &family)) {
            decode_mark(out, PACKET_TRUNCATED, "loopback header truncated");
            return;
        }
        if (family > 0xffff)
            family = (family >> 24) | ((family >> 8) & 0xff00) | ((family << 8) & 0xff0000) |
                     (family << 24);
        decode_family(family, cursor_from(c, 4), wire - 4, out);
        return;
    case LINK_LOOP:
        if (!cursor_be32(c, 0, &family)) {
            decode_mark(out, PACKET_TRUNCATED, "loopback header truncated");
            return;
        }
        decode_family(family, cursor_from(c, 4), wire - 4, out);
        return;
    case LINK_RAW:
    case DLT_RAW_BSD:
    case DLT_RAW_OPENBSD:
        decode_ip(c, wire, out);
        return;
    case LINK_IPV4:
        decode_ipv4(c, wire, out);
        return;
    case LINK_IPV6:
        decode_ipv6(c, wire, out);
        return;
    default:
        decode_mark(out, PACKET_UNSUPPORTED, "unsupported link type");
    }
}
