/* Header fields with byte offsets, for the packet detail: the decoder returns a packet view
 * without positions, so this walks the frame again, layer by layer, checking every read
 * against the captured length as decode does; a header cut short ends the list. */
#include "sockscope/view.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct walk {
    const struct packet *p;
    const uint8_t *f;
    uint32_t cap;
    struct view_field *out;
    int n, max;
    bool stop; /* truncated, or out of room */
    const char *layer;
    uint32_t layer_off;
};

static void set_value(struct view_field *fl, const char *fmt, va_list ap)
{
    vsnprintf(fl->value, sizeof fl->value, fmt, ap);
}

static struct view_field *slot(struct walk *w)
{
    if (w->stop || w->n >= w->max) {
        w->stop = true;
        return NULL;
    }
    struct view_field *fl = &w->out[w->n++];
    memset(fl, 0, sizeof *fl);
    fl->layer = w->layer;
    fl->layer_offset = w->layer_off;
    return fl;
}

/* The capture ends inside the field [off, off + size): say so once and stop. */
static bool need(struct walk *w, const char *name, uint32_t off, uint32_t size)
{
    if (w->stop) return false;
    if (off <= w->cap && size <= w->cap - off) return true;
    struct view_field *fl = slot(w);
    if (fl) {
        snprintf(fl->name, sizeof fl->name, "%s", name);
        uint32_t have = off < w->cap ? w->cap - off : 0;
        snprintf(fl->value, sizeof fl->value, "(truncated: %u of %u bytes captured)", have, size);
        fl->offset = off < w->cap ? off : w->cap;
        fl->size = have;
        fl->truncated = true;
    }
    w->stop = true;
    return false;
}

static void field(struct walk *w, const char *name, uint32_t off, uint32_t size, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

/* A whole-byte field; the caller has checked need() for it. */
static void field(struct walk *w, const char *name, uint32_t off, uint32_t size, const char *fmt,
                  ...)
{
    struct view_field *fl = slot(w);
    if (!fl) return;
    snprintf(fl->name, sizeof fl->name, "%s", name);
    fl->offset = off;
    fl->size = size;
    va_list ap;
    va_start(ap, fmt);
    set_value(fl, fmt, ap);
    va_end(ap);
}

static void bitfield(struct walk *w, const char *name, uint32_t off, uint8_t first_bit,
                     uint8_t bits, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void bitfield(struct walk *w, const char *name, uint32_t off, uint8_t first_bit,
                     uint8_t bits, const char *fmt, ...)
{
    struct view_field *fl = slot(w);
    if (!fl) return;
    snprintf(fl->name, sizeof fl->name, "%s", name);
    fl->offset = off;
    fl->size = (first_bit + bits + 7u) / 8u;
    fl->bits = bits;
    fl->first_bit = first_bit;
    va_list ap;
    va_start(ap, fmt);
    set_value(fl, fmt, ap);
    va_end(ap);
}

static unsigned u8(const struct walk *w, uint32_t off)
{
    return w->f[off];
}

static unsigned be16(const struct walk *w, uint32_t off)
{
    return (unsigned)w->f[off] << 8 | w->f[off + 1];
}

static uint32_t be32(const struct walk *w, uint32_t off)
{
    return (uint32_t)w->f[off] << 24 | (uint32_t)w->f[off + 1] << 16 |
           (uint32_t)w->f[off + 2] << 8 | w->f[off + 3];
}

static void layer(struct walk *w, const char *name, uint32_t off)
{
    w->layer = name;
    w->layer_off = off;
}

static const char *ethertype_name(unsigned t)
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

static void mac(struct walk *w, const char *name, uint32_t off, uint32_t n)
{
    if (!need(w, name, off, n)) return;
    char buf[3 * 8 + 1] = "";
    for (uint32_t i = 0, len = 0; i < n && i < 8; i++)
        len +=
            (uint32_t)snprintf(buf + len, sizeof buf - len, "%s%02x", i ? ":" : "", u8(w, off + i));
    field(w, name, off, n, "%s", buf);
}

/* An ethertype at off, then VLAN tags; returns where the network layer starts (0: none). */
static uint32_t ethertype(struct walk *w, uint32_t off, unsigned *type)
{
    if (!need(w, "Type", off, 2)) return 0;
    *type = be16(w, off);
    field(w, "Type", off, 2, "0x%04x%s", *type, ethertype_name(*type));
    off += 2;
    while (*type == 0x8100 || *type == 0x88a8 || *type == 0x9100) {
        layer(w, "VLAN", off);
        if (!need(w, "VLAN tag", off, 4)) return 0;
        unsigned tci = be16(w, off);
        bitfield(w, "Priority", off, 0, 3, "%u", tci >> 13);
        bitfield(w, "Drop eligible", off, 3, 1, "%u", tci >> 12 & 1);
        bitfield(w, "VLAN ID", off, 4, 12, "%u", tci & 0xfff);
        *type = be16(w, off + 2);
        field(w, "Type", off + 2, 2, "0x%04x%s", *type, ethertype_name(*type));
        off += 4;
    }
    return off;
}

/* The link layer; returns where IP starts and its version (0: not IP or cut short). */
static uint32_t link_layer(struct walk *w, int *version)
{
    unsigned type = 0;
    uint32_t off = 0;
    *version = 0;
    switch (w->p->linktype) {
    case LINK_ETHERNET:
        layer(w, "Ethernet", 0);
        mac(w, "Destination", 0, 6);
        mac(w, "Source", 6, 6);
        off = ethertype(w, 12, &type);
        break;
    case LINK_LINUX_SLL:
        layer(w, "Linux SLL", 0);
        if (!need(w, "Packet type", 0, 2)) return 0;
        field(w, "Packet type", 0, 2, "%u", be16(w, 0));
        if (!need(w, "Link-layer type", 2, 2)) return 0;
        field(w, "Link-layer type", 2, 2, "%u", be16(w, 2));
        if (!need(w, "Address length", 4, 2)) return 0;
        field(w, "Address length", 4, 2, "%u", be16(w, 4));
        mac(w, "Source address", 6, 8);
        off = ethertype(w, 14, &type);
        break;
    case LINK_LINUX_SLL2:
        layer(w, "Linux SLL2", 0);
        if (!need(w, "Protocol", 0, 2)) return 0;
        type = be16(w, 0);
        field(w, "Protocol", 0, 2, "0x%04x%s", type, ethertype_name(type));
        if (!need(w, "Reserved", 2, 2)) return 0;
        field(w, "Reserved", 2, 2, "%u", be16(w, 2));
        if (!need(w, "Interface index", 4, 4)) return 0;
        field(w, "Interface index", 4, 4, "%u", be32(w, 4));
        if (!need(w, "Link-layer type", 8, 2)) return 0;
        field(w, "Link-layer type", 8, 2, "%u", be16(w, 8));
        if (!need(w, "Packet type", 10, 1)) return 0;
        field(w, "Packet type", 10, 1, "%u", u8(w, 10));
        if (!need(w, "Address length", 11, 1)) return 0;
        field(w, "Address length", 11, 1, "%u", u8(w, 11));
        mac(w, "Source address", 12, 8);
        off = 20;
        break;
    case LINK_NULL:
    case LINK_LOOP: {
        layer(w, "Loopback", 0);
        if (!need(w, "Address family", 0, 4)) return 0;
        uint32_t fam = be32(w, 0);
        if (w->p->linktype == LINK_NULL && fam > 0xffff) /* host order of the capturer */
            fam = u8(w, 0) | u8(w, 1) << 8 | (uint32_t)u8(w, 2) << 16 | (uint32_t)u8(w, 3) << 24;
        bool v6 = fam == 24 || fam == 28 || fam == 30;
        field(w, "Address family", 0, 4, "%u%s", fam, fam == 2 ? " (IPv4)" : v6 ? " (IPv6)" : "");
        type = fam == 2 ? 0x0800 : v6 ? 0x86dd : 0;
        off = 4;
        break;
    }
    default: /* raw IP: the version nibble decides */
        if (!need(w, "IP version", 0, 1)) return 0;
        type = u8(w, 0) >> 4 == 4 ? 0x0800 : u8(w, 0) >> 4 == 6 ? 0x86dd : 0;
        break;
    }
    if (w->stop) return 0;
    *version = type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
    return off;
}

static const char *proto_name(unsigned p)
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
    case 60:
        return " (Destination options)";
    default:
        return "";
    }
}

/* Returns where the transport header starts and its end (from the IP total length), 0 when
 * the walk stopped. */
static uint32_t ipv4(struct walk *w, uint32_t off, uint32_t *end)
{
    layer(w, "IPv4", off);
    if (!need(w, "Version", off, 1)) return 0;
    unsigned vihl = u8(w, off), ihl = (vihl & 15) * 4;
    bitfield(w, "Version", off, 0, 4, "%u", vihl >> 4);
    bitfield(w, "Header length", off, 4, 4, "%u (%u bytes)", vihl & 15, ihl);
    if (!need(w, "DSCP", off + 1, 1)) return 0;
    bitfield(w, "DSCP", off + 1, 0, 6, "%u", u8(w, off + 1) >> 2);
    bitfield(w, "ECN", off + 1, 6, 2, "%u", u8(w, off + 1) & 3);
    if (!need(w, "Total length", off + 2, 2)) return 0;
    unsigned total = be16(w, off + 2);
    field(w, "Total length", off + 2, 2, "%u", total);
    if (!need(w, "Identification", off + 4, 2)) return 0;
    field(w, "Identification", off + 4, 2, "0x%04x (%u)", be16(w, off + 4), be16(w, off + 4));
    if (!need(w, "Flags", off + 6, 2)) return 0;
    unsigned frag = be16(w, off + 6);
    bitfield(w, "Flags", off + 6, 0, 3, "0x%x%s%s", frag >> 13, frag & 0x4000 ? " DF" : "",
             frag & 0x2000 ? " MF" : "");
    bitfield(w, "Fragment offset", off + 6, 3, 13, "%u (%u bytes)", frag & 0x1fff,
             (frag & 0x1fff) * 8);
    if (!need(w, "Time to live", off + 8, 1)) return 0;
    field(w, "Time to live", off + 8, 1, "%u", u8(w, off + 8));
    if (!need(w, "Protocol", off + 9, 1)) return 0;
    field(w, "Protocol", off + 9, 1, "%u%s", u8(w, off + 9), proto_name(u8(w, off + 9)));
    if (!need(w, "Header checksum", off + 10, 2)) return 0;
    field(w, "Header checksum", off + 10, 2, "0x%04x (not verified)", be16(w, off + 10));
    if (!need(w, "Source address", off + 12, 4)) return 0;
    field(w, "Source address", off + 12, 4, "%u.%u.%u.%u", u8(w, off + 12), u8(w, off + 13),
          u8(w, off + 14), u8(w, off + 15));
    if (!need(w, "Destination address", off + 16, 4)) return 0;
    field(w, "Destination address", off + 16, 4, "%u.%u.%u.%u", u8(w, off + 16), u8(w, off + 17),
          u8(w, off + 18), u8(w, off + 19));
    if (ihl < 20) return 0; /* malformed: decode said so; nothing after it is placed */
    if (ihl > 20) {
        if (!need(w, "Options", off + 20, ihl - 20)) return 0;
        field(w, "Options", off + 20, ihl - 20, "%u bytes", ihl - 20);
    }
    *end = total >= ihl ? off + total : 0;
    return off + ihl;
}

static void ipv6_address(struct walk *w, const char *name, uint32_t off)
{
    if (!need(w, name, off, 16)) return;
    struct ip_address a = {.family = 6};
    memcpy(a.bytes, w->f + off, 16);
    char buf[48];
    ip_address_format(&a, buf, sizeof buf);
    field(w, name, off, 16, "%s", buf);
}

/* The name of an IPv6 extension header, NULL when next is not one. */
static const char *ipv6_extension(unsigned next)
{
    switch (next) {
    case 0:
        return "Hop-by-Hop header";
    case 43:
        return "Routing header";
    case 44:
        return "Fragment header";
    case 51:
        return "Authentication header";
    case 60:
        return "Destination options";
    case 135:
    case 139:
    case 140:
        return "Extension header";
    default:
        return NULL;
    }
}

static uint32_t ipv6(struct walk *w, uint32_t off, uint32_t *end)
{
    layer(w, "IPv6", off);
    if (!need(w, "Version", off, 4)) return 0;
    uint32_t first = be32(w, off);
    bitfield(w, "Version", off, 0, 4, "%u", first >> 28);
    bitfield(w, "Traffic class", off, 4, 8, "0x%02x", first >> 20 & 0xff);
    bitfield(w, "Flow label", off + 1, 4, 20, "0x%05x", first & 0xfffff);
    if (!need(w, "Payload length", off + 4, 2)) return 0;
    unsigned plen = be16(w, off + 4);
    field(w, "Payload length", off + 4, 2, "%u", plen);
    if (!need(w, "Next header", off + 6, 1)) return 0;
    unsigned next = u8(w, off + 6);
    field(w, "Next header", off + 6, 1, "%u%s", next, proto_name(next));
    if (!need(w, "Hop limit", off + 7, 1)) return 0;
    field(w, "Hop limit", off + 7, 1, "%u", u8(w, off + 7));
    ipv6_address(w, "Source address", off + 8);
    ipv6_address(w, "Destination address", off + 24);
    if (w->stop) return 0;
    *end = plen ? off + 40 + plen : 0;
    uint32_t x = off + 40;
    /* each extension header takes at least 8 bytes, so the walk ends with the capture */
    for (const char *name; (name = ipv6_extension(next)) != NULL;) {
        layer(w, "IPv6", off);
        if (!need(w, name, x, 2)) return 0;
        unsigned n = u8(w, x + 1);
        unsigned len = next == 44 ? 8 : next == 51 ? (n + 2u) * 4 : (n + 1u) * 8;
        unsigned inner = u8(w, x);
        if (!need(w, name, x, len)) return 0;
        field(w, name, x, len, "%u bytes, next header %u%s", len, inner, proto_name(inner));
        if (next == 44 && (be16(w, x + 2) & 0xfff8)) return 0; /* not the first fragment */
        next = inner;
        x += len;
    }
    return x;
}

static void tcp_option(struct walk *w, uint32_t off, uint32_t end)
{
    while (off < end && !w->stop) {
        if (!need(w, "Option", off, 1)) return;
        unsigned kind = u8(w, off);
        if (kind == 0) {
            field(w, "End of options", off, end - off, "%u byte%s", end - off,
                  end - off == 1 ? "" : "s (padding)");
            return;
        }
        if (kind == 1) {
            field(w, "NOP", off, 1, "padding");
            off++;
            continue;
        }
        if (!need(w, "Option length", off, 2)) return;
        unsigned len = u8(w, off + 1);
        if (len < 2 || off + len > end) {
            field(w, "Option (malformed)", off, end - off, "kind %u, length %u", kind, len);
            return;
        }
        if (!need(w, "Option", off, len)) return;
        if (kind == 2 && len == 4)
            field(w, "MSS", off, len, "%u", be16(w, off + 2));
        else if (kind == 3 && len == 3)
            field(w, "Window scale", off, len, "%u (x%u)", u8(w, off + 2),
                  1u << (u8(w, off + 2) > 14 ? 14 : u8(w, off + 2)));
        else if (kind == 4 && len == 2)
            field(w, "SACK permitted", off, len, "yes");
        else if (kind == 5)
            field(w, "SACK", off, len, "%u block%s", (len - 2) / 8, (len - 2) / 8 == 1 ? "" : "s");
        else if (kind == 8 && len == 10)
            field(w, "Timestamps", off, len, "val %u ecr %u", be32(w, off + 2), be32(w, off + 6));
        else
            field(w, "Option", off, len, "kind %u, %u bytes", kind, len);
        off += len;
    }
}

static void tcp(struct walk *w, uint32_t off)
{
    layer(w, "TCP", off);
    if (!need(w, "Source port", off, 2)) return;
    field(w, "Source port", off, 2, "%u", be16(w, off));
    if (!need(w, "Destination port", off + 2, 2)) return;
    field(w, "Destination port", off + 2, 2, "%u", be16(w, off + 2));
    if (!need(w, "Sequence number", off + 4, 4)) return;
    field(w, "Sequence number", off + 4, 4, "%u (raw)", be32(w, off + 4));
    if (!need(w, "Acknowledgment number", off + 8, 4)) return;
    field(w, "Acknowledgment number", off + 8, 4, "%u (raw)", be32(w, off + 8));
    if (!need(w, "Flags", off + 12, 2)) return;
    unsigned doff = u8(w, off + 12) >> 4, flags = be16(w, off + 12) & 0xfff;
    bitfield(w, "Header length", off + 12, 0, 4, "%u (%u bytes)", doff, doff * 4);
    char names[64];
    view_tcp_flags_name((uint16_t)flags, names, sizeof names);
    bitfield(w, "Flags", off + 12, 4, 12, "0x%03x %s", flags, names);
    if (!need(w, "Window", off + 14, 2)) return;
    field(w, "Window", off + 14, 2, "%u", be16(w, off + 14));
    if (!need(w, "Checksum", off + 16, 2)) return;
    field(w, "Checksum", off + 16, 2, "0x%04x (not verified)", be16(w, off + 16));
    if (!need(w, "Urgent pointer", off + 18, 2)) return;
    field(w, "Urgent pointer", off + 18, 2, "%u", be16(w, off + 18));
    if (doff > 5) tcp_option(w, off + 20, off + doff * 4);
}

static void udp(struct walk *w, uint32_t off)
{
    layer(w, "UDP", off);
    static const char *const names[] = {"Source port", "Destination port", "Length", "Checksum"};
    for (uint32_t i = 0; i < 4; i++) {
        if (!need(w, names[i], off + 2 * i, 2)) return;
        if (i == 3)
            field(w, names[i], off + 6, 2, "0x%04x (not verified)", be16(w, off + 6));
        else
            field(w, names[i], off + 2 * i, 2, "%u", be16(w, off + 2 * i));
    }
}

static void icmp(struct walk *w, uint32_t off, int version)
{
    layer(w, version == 6 ? "ICMPv6" : "ICMP", off);
    if (!need(w, "Type", off, 1)) return;
    field(w, "Type", off, 1, "%u", u8(w, off));
    if (!need(w, "Code", off + 1, 1)) return;
    field(w, "Code", off + 1, 1, "%u", u8(w, off + 1));
    if (!need(w, "Checksum", off + 2, 2)) return;
    field(w, "Checksum", off + 2, 2, "0x%04x (not verified)", be16(w, off + 2));
    if (!need(w, "Rest of header", off + 4, 4)) return;
    field(w, "Rest of header", off + 4, 4, "0x%08x", be32(w, off + 4));
}

static void payload(struct walk *w, uint32_t end)
{
    const struct packet *p = w->p;
    if (w->stop || !p->payload || p->payload < w->f || p->payload > w->f + w->cap) return;
    uint32_t off = (uint32_t)(p->payload - w->f);
    uint32_t n = p->payload_caplen;
    if (n > w->cap - off) n = w->cap - off;
    if (p->payload_len || n) {
        layer(w, "Data", off);
        char preview[64];
        bool cut = view_escape_preview(p->payload, n, preview, 40);
        if (n < p->payload_len)
            field(w, "Payload", off, n, "%u of %u bytes: \"%s%s\"", n, p->payload_len, preview,
                  cut ? "..." : "");
        else
            field(w, "Payload", off, n, "%u bytes: \"%s%s\"", n, preview, cut ? "..." : "");
        if (end < off + n) end = off + n;
    }
    if (end < w->cap && !w->stop) {
        layer(w, "Trailer", end);
        field(w, "Padding", end, w->cap - end, "%u bytes after the IP datagram", w->cap - end);
    }
}

int view_fields_walk(const struct packet *p, const uint8_t *frame, struct view_field *out, int max)
{
    struct walk w = {.p = p, .f = frame, .cap = frame ? p->caplen : 0, .out = out, .max = max};
    int version;
    uint32_t ip = link_layer(&w, &version), end = 0, transport = 0;
    if (!w.stop && version == 4) transport = ipv4(&w, ip, &end);
    if (!w.stop && version == 6) transport = ipv6(&w, ip, &end);
    bool later_fragment = p->fragment && !p->first_fragment;
    if (transport && !w.stop && !later_fragment) {
        if (p->proto == PROTO_TCP)
            tcp(&w, transport);
        else if (p->proto == PROTO_UDP)
            udp(&w, transport);
        else if (p->proto == PROTO_ICMP)
            icmp(&w, transport, version);
    }
    if (transport) payload(&w, end && end <= w.cap ? end : w.cap);
    return w.n;
}

int view_field_describe(const struct view_field *f, char *buf, size_t size)
{
    uint32_t in_layer = f->offset - f->layer_offset;
    if (f->truncated)
        return snprintf(buf, size, "%s %s: the capture ends at byte %u, inside this field %s",
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
