/* Unit tests for decode: hand-built frames for every link type and header, every malformed
 * length we guard against, and every truncation point of complete frames (each cut copy is
 * malloc'd to exactly its length, so under ASan an over-read fails the test); every frame
 * decoded here is also decoded with the field sink, whose list must follow decode. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sockscope/capture.h"
#include "sockscope/decode.h"

/* ---- frame builder ---------------------------------------------------------------- */

struct frame {
    uint8_t b[1600];
    uint32_t len;
};

static void put(struct frame *f, const void *p, uint32_t n)
{
    assert_true(f->len + n <= sizeof f->b);
    memcpy(f->b + f->len, p, n);
    f->len += n;
}

static void put8(struct frame *f, uint8_t v)
{
    put(f, &v, 1);
}

static void put16(struct frame *f, uint16_t v)
{
    put8(f, (uint8_t)(v >> 8));
    put8(f, (uint8_t)v);
}

static void put32(struct frame *f, uint32_t v)
{
    put16(f, (uint16_t)(v >> 16));
    put16(f, (uint16_t)v);
}

static void set16(struct frame *f, uint32_t off, uint16_t v)
{
    f->b[off] = (uint8_t)(v >> 8);
    f->b[off + 1] = (uint8_t)v;
}

static void zeros(struct frame *f, uint32_t n)
{
    while (n--)
        put8(f, 0);
}

static const uint8_t V4_CLIENT[4] = {10, 0, 0, 1};
static const uint8_t V4_SERVER[4] = {10, 0, 0, 2};
static const uint8_t V6_CLIENT[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t V6_SERVER[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static void ethernet(struct frame *f, uint16_t type)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    put(f, macs, sizeof macs);
    put16(f, type);
}

/* IPv4 header, 20 bytes + optlen of options; total length counts payload_len more. */
static uint32_t ipv4(struct frame *f, uint8_t proto, uint32_t payload_len, const uint8_t *opts,
                     uint8_t optlen)
{
    uint32_t at = f->len;
    put8(f, (uint8_t)(0x40 | (5 + optlen / 4)));
    put8(f, 0);
    put16(f, (uint16_t)(20 + optlen + payload_len));
    put32(f, 0x12340000); /* id, no fragment flags */
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    put(f, V4_CLIENT, 4);
    put(f, V4_SERVER, 4);
    if (optlen) put(f, opts, optlen);
    return at;
}

static uint32_t ipv6(struct frame *f, uint8_t next, uint16_t payload_len)
{
    uint32_t at = f->len;
    put32(f, 0x60000000);
    put16(f, payload_len);
    put8(f, next);
    put8(f, 63);
    put(f, V6_CLIENT, 16);
    put(f, V6_SERVER, 16);
    return at;
}

/* TCP header with options (optlen a multiple of 4). */
static uint32_t tcp(struct frame *f, uint16_t flags, const uint8_t *opts, uint8_t optlen)
{
    uint32_t at = f->len;
    put16(f, 40000);
    put16(f, 12000);
    put32(f, 1000);
    put32(f, 2000);
    put8(f, (uint8_t)(((5 + optlen / 4) << 4) | (flags >> 8)));
    put8(f, (uint8_t)flags);
    put16(f, 65535);
    put16(f, 0);
    put16(f, 0);
    if (optlen) put(f, opts, optlen);
    return at;
}

static void udp(struct frame *f, uint16_t len)
{
    put16(f, 40000);
    put16(f, 12000);
    put16(f, len);
    put16(f, 0);
}

static const char HELLO[] = "hello";

/* Ethernet / IPv4 / TCP with the given options and "hello" as payload. */
static void eth_ipv4_tcp(struct frame *f, uint16_t flags, const uint8_t *opts, uint8_t optlen)
{
    ethernet(f, 0x0800);
    ipv4(f, 6, 20u + optlen + 5, NULL, 0);
    tcp(f, flags, opts, optlen);
    put(f, HELLO, 5);
}

/* ---- the field sink: the rules every field list keeps ------------------------------ */

struct field_list {
    struct decode_field f[512];
    int n;
};

static void collect(void *ctx, const struct decode_field *f)
{
    struct field_list *l = ctx;
    assert_true(l->n < (int)(sizeof l->f / sizeof l->f[0]));
    l->f[l->n++] = *f;
}

static enum packet_status decode_fields(int linktype, const uint8_t *frame, uint32_t caplen,
                                        uint32_t wirelen, struct packet *p, struct field_list *l)
{
    l->n = 0;
    struct decode_sink sink = {collect, l};
    return decode_packet_fields(linktype, frame, caplen, wirelen, 42, p, &sink);
}

static const struct decode_field *find_field(const struct field_list *l, uint8_t layer,
                                             uint16_t id)
{
    for (int i = 0; i < l->n; i++)
        if (l->f[i].layer == layer && l->f[i].id == id && l->f[i].stop != STOP_TRUNCATED &&
            l->f[i].stop != STOP_SHORT)
            return &l->f[i];
    return NULL;
}

/* The end of the last field of layer (0: none). */
static uint32_t layer_end(const struct field_list *l, uint8_t layer)
{
    uint32_t end = 0;
    for (int i = 0; i < l->n; i++)
        if (l->f[i].layer == layer) end = l->f[i].offset + l->f[i].size;
    return end;
}

static void assert_same_packet(const struct packet *a, const uint8_t *fa, const struct packet *b,
                               const uint8_t *fb)
{
    assert_int_equal(a->status, b->status);
    assert_ptr_equal(a->why, b->why);
    assert_int_equal(a->proto, b->proto);
    assert_int_equal(a->ip_proto, b->ip_proto);
    assert_int_equal(a->sport, b->sport);
    assert_int_equal(a->dport, b->dport);
    assert_int_equal(a->seq, b->seq);
    assert_int_equal(a->ack, b->ack);
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->tcp_header_len, b->tcp_header_len);
    assert_int_equal(a->opt.sack_count, b->opt.sack_count);
    assert_int_equal(a->udp_len, b->udp_len);
    assert_int_equal(a->quote.valid, b->quote.valid);
    assert_int_equal(a->quote.dport, b->quote.dport);
    assert_int_equal(a->payload_len, b->payload_len);
    assert_int_equal(a->payload_caplen, b->payload_caplen);
    assert_int_equal(a->payload ? a->payload - fa : -1, b->payload ? b->payload - fb : -1);
}

/* What the sink reports for a frame, checked against what decode itself found: the sink
 * changes nothing; the fields lie inside the capture and tile it bit by bit from byte 0 with
 * no gap or overlap; a cut field is the last one (a truncated one ends where the capture
 * ends), and when decode says truncated the list ends where decode stopped; the numbers are the ones decode read (header length, ports,
 * flags, SACK blocks...). The frame is copied to exactly caplen bytes, so under ASan a read
 * past the end fails. Returns how many SACK options the list has. */
static int assert_fields_follow_decode(int linktype, const uint8_t *bytes, uint32_t caplen,
                                       uint32_t wirelen)
{
    uint8_t *frame = malloc(caplen ? caplen : 1);
    assert_non_null(frame);
    memcpy(frame, bytes, caplen);
    const uint8_t *f0 = caplen ? frame : NULL;
    static struct field_list l;
    struct packet plain, p;
    decode_packet(linktype, f0, caplen, wirelen, 42, &plain);
    decode_fields(linktype, f0, caplen, wirelen, &p, &l);
    assert_same_packet(&p, frame, &plain, frame);

    uint64_t bit = 0;
    int malformed = -1;
    for (int i = 0; i < l.n; i++) {
        const struct decode_field *f = &l.f[i];
        assert_true(f->offset <= caplen && f->size <= caplen - f->offset);
        if (f->size) assert_ptr_equal(f->bytes, frame + f->offset);
        assert_true(f->layer_offset <= f->offset);
        assert_int_equal((uint64_t)f->offset * 8 + f->first_bit, bit);
        bit += f->bits ? f->bits : (uint64_t)f->size * 8;
        if (f->stop == STOP_TRUNCATED || f->stop == STOP_SHORT) {
            assert_int_equal(i, l.n - 1);
            assert_non_null(f->why);
            assert_true(f->size < f->want);
        }
        if (f->stop == STOP_MALFORMED) {
            assert_int_equal(malformed, -1);
            assert_non_null(f->why);
            malformed = i;
        }
        if (malformed >= 0) assert_int_equal(f->layer, l.f[malformed].layer);
    }
    for (int i = 0; i < l.n; i++)
        if (l.f[i].stop == STOP_TRUNCATED) assert_int_equal(l.f[i].offset + l.f[i].size, caplen);
    if (p.status == PACKET_TRUNCATED) {
        /* where decode stopped: the cut, or a lie it found in what was captured */
        assert_true(l.n > 0);
        const struct decode_field *last = &l.f[l.n - 1];
        assert_true(last->stop == STOP_TRUNCATED || last->stop == STOP_MALFORMED);
    } else if (p.status != PACKET_MALFORMED) {
        /* (status is decode's first problem: a truncation may follow a lie it got past) */
        for (int i = 0; i < l.n; i++)
            assert_int_not_equal(l.f[i].stop, STOP_TRUNCATED);
    }
    if (p.status == PACKET_MALFORMED) assert_true(malformed >= 0 || l.n > 0);
    if (p.status == PACKET_OK && p.src.family) assert_int_equal(bit, (uint64_t)caplen * 8);

    const struct decode_field *f;
    if (p.proto == PROTO_TCP && (f = find_field(&l, LAYER_TCP, FIELD_TCP_FLAGS)) && !f->stop) {
        assert_int_equal(find_field(&l, LAYER_TCP, FIELD_TCP_HEADER_LENGTH)->value * 4,
                         p.tcp_header_len);
        assert_int_equal(f->value, p.flags);
        assert_int_equal(find_field(&l, LAYER_TCP, FIELD_SOURCE_PORT)->value, p.sport);
        assert_int_equal(find_field(&l, LAYER_TCP, FIELD_TCP_SEQ)->value, p.seq);
        assert_int_equal(find_field(&l, LAYER_TCP, FIELD_TCP_ACK)->value, p.ack);
        if (p.status == PACKET_OK)
            assert_int_equal(layer_end(&l, LAYER_TCP), f->layer_offset + p.tcp_header_len);
    }
    if (p.proto == PROTO_UDP && (f = find_field(&l, LAYER_UDP, FIELD_UDP_LENGTH)) && !f->stop) {
        assert_int_equal(f->value, p.udp_len);
        assert_int_equal(find_field(&l, LAYER_UDP, FIELD_DESTINATION_PORT)->value, p.dport);
    }
    if ((f = find_field(&l, LAYER_IPV4, FIELD_IPV4_TTL))) assert_int_equal(f->value, p.ttl);
    if ((f = find_field(&l, LAYER_IPV6, FIELD_IPV6_HOP_LIMIT))) assert_int_equal(f->value, p.ttl);
    if ((f = find_field(&l, LAYER_TCP, FIELD_TCP_OPTION_MSS))) assert_int_equal(f->value, p.opt.mss);
    if ((f = find_field(&l, LAYER_TCP, FIELD_TCP_OPTION_TIMESTAMPS)))
        assert_int_equal(f->value, (uint64_t)p.opt.ts_val << 32 | p.opt.ts_ecr);

    /* SACK: kind and length, then as many 8-byte blocks as the length says, which are the
     * blocks decode took */
    int sacks = 0, blocks = 0;
    for (int i = 0; i < l.n; i++) {
        if (l.f[i].id != FIELD_TCP_OPTION_SACK || l.f[i].stop) continue;
        sacks++;
        assert_int_equal(l.f[i].size, 2);
        uint32_t n = (uint32_t)(l.f[i].value - 2) / 8;
        assert_int_equal(l.f[i].value, 2 + 8 * n);
        for (uint32_t b = 1; b <= n; b++, blocks++) {
            assert_true(i + (int)b < l.n);
            const struct decode_field *blk = &l.f[i + (int)b];
            assert_int_equal(blk->id, FIELD_TCP_OPTION_SACK_BLOCK);
            assert_int_equal(blk->size, 8);
            if (blocks < TCP_MAX_SACK_BLOCKS) {
                assert_int_equal(blk->value >> 32, p.opt.sack_left[blocks]);
                assert_int_equal(blk->value & 0xffffffffu, p.opt.sack_right[blocks]);
            }
        }
    }
    if (p.status == PACKET_OK)
        assert_int_equal(blocks < TCP_MAX_SACK_BLOCKS ? blocks : TCP_MAX_SACK_BLOCKS,
                         p.opt.sack_count);

    if ((f = find_field(&l, LAYER_DATA, FIELD_PAYLOAD)) && !p.icmp_error) {
        assert_int_equal(f->offset, p.payload - frame);
        assert_int_equal(f->size, p.payload_caplen);
        assert_int_equal(f->value, p.payload_len);
    }
    free(frame);
    return sacks;
}

static enum packet_status decode(int linktype, const struct frame *f, struct packet *p)
{
    assert_fields_follow_decode(linktype, f->b, f->len, f->len);
    return decode_packet(linktype, f->b, f->len, f->len, 42, p);
}

static void assert_payload(const struct packet *p, const void *text, uint32_t len)
{
    assert_int_equal(p->payload_len, len);
    assert_int_equal(p->payload_caplen, len);
    assert_memory_equal(p->payload, text, len);
}

static void assert_v4_flow(const struct packet *p)
{
    assert_int_equal(p->src.family, 4);
    assert_memory_equal(p->src.bytes, V4_CLIENT, 4);
    assert_memory_equal(p->dst.bytes, V4_SERVER, 4);
    assert_int_equal(p->sport, 40000);
    assert_int_equal(p->dport, 12000);
}

static void assert_v6_flow(const struct packet *p)
{
    assert_int_equal(p->src.family, 6);
    assert_memory_equal(p->src.bytes, V6_CLIENT, 16);
    assert_memory_equal(p->dst.bytes, V6_SERVER, 16);
    assert_int_equal(p->sport, 40000);
    assert_int_equal(p->dport, 12000);
}

/* ---- frame and link layer --------------------------------------------------------- */

static void test_ethernet_ipv4_tcp_decodes_every_field(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_PSH | TCP_ACK, NULL, 0);
    struct packet p;
    assert_int_equal(decode_packet(LINK_ETHERNET, f.b, f.len, f.len + 7, 123456789u, &p),
                     PACKET_OK);
    assert_null(p.why);
    assert_int_equal(p.ts_ns, 123456789u);
    assert_int_equal(p.caplen, f.len);
    assert_int_equal(p.wirelen, f.len + 7);
    assert_int_equal(p.linktype, LINK_ETHERNET);
    assert_v4_flow(&p);
    assert_int_equal(p.ip_proto, 6);
    assert_int_equal(p.ttl, 64);
    assert_false(p.fragment);
    assert_int_equal(p.proto, PROTO_TCP);
    assert_int_equal(p.seq, 1000);
    assert_int_equal(p.ack, 2000);
    assert_int_equal(p.flags, TCP_PSH | TCP_ACK);
    assert_int_equal(p.window, 65535);
    assert_int_equal(p.tcp_header_len, 20);
    assert_payload(&p, HELLO, 5);
}

static void test_ethernet_padding_is_not_payload(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, NULL, 0);
    zeros(&f, 60 - 59 + 6); /* minimum-size frame padding */
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_payload(&p, HELLO, 5);
}

static void test_vlan_8021q_tag_is_skipped(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x8100);
    put16(&f, 42); /* TCI: VLAN 42 */
    put16(&f, 0x0800);
    ipv4(&f, 6, 20, NULL, 0);
    tcp(&f, TCP_SYN, NULL, 0);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_v4_flow(&p);
    assert_int_equal(p.flags, TCP_SYN);
}

static void test_stacked_qinq_8100_and_9100_tags_are_skipped(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x88a8);
    put16(&f, 100);
    put16(&f, 0x9100);
    put16(&f, 200);
    put16(&f, 0x8100);
    put16(&f, 300);
    put16(&f, 0x86dd);
    ipv6(&f, 17, 8 + 5);
    udp(&f, 8 + 5);
    put(&f, HELLO, 5);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_v6_flow(&p);
    assert_int_equal(p.proto, PROTO_UDP);
    assert_payload(&p, HELLO, 5);
}

static void test_vlan_tag_cut_short_is_truncated(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x8100);
    put16(&f, 42);
    put8(&f, 0x08);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_TRUNCATED);
    assert_string_equal(p.why, "VLAN tag truncated");
    assert_int_equal(p.src.family, 0);
}

static void test_arp_is_unsupported_with_a_reason(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x0806);
    zeros(&f, 28);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_UNSUPPORTED);
    assert_non_null(p.why);
    assert_int_equal(p.proto, PROTO_OTHER);
    assert_int_equal(p.src.family, 0);

    struct frame llc = {0};
    ethernet(&llc, 46); /* 802.3 length field */
    zeros(&llc, 46);
    assert_int_equal(decode(LINK_ETHERNET, &llc, &p), PACKET_UNSUPPORTED);
    assert_non_null(p.why);
}

static void test_sll_frame_decodes_ipv4_tcp(void **state)
{
    (void)state;
    struct frame f = {0};
    put16(&f, 0);   /* packet type: to us */
    put16(&f, 772); /* ARPHRD_LOOPBACK */
    put16(&f, 6);
    zeros(&f, 8);
    put16(&f, 0x0800);
    ipv4(&f, 6, 20, NULL, 0);
    tcp(&f, TCP_SYN | TCP_ACK, NULL, 0);
    struct packet p;
    assert_int_equal(decode(LINK_LINUX_SLL, &f, &p), PACKET_OK);
    assert_v4_flow(&p);
    assert_int_equal(p.flags, TCP_SYN | TCP_ACK);
}

static void test_sll2_frame_decodes_ipv6_udp(void **state)
{
    (void)state;
    struct frame f = {0};
    put16(&f, 0x86dd); /* protocol first in SLL2 */
    put16(&f, 0);
    put32(&f, 1); /* interface index */
    put16(&f, 772);
    put8(&f, 0);
    put8(&f, 6);
    zeros(&f, 8);
    ipv6(&f, 17, 8 + 5);
    udp(&f, 8 + 5);
    put(&f, HELLO, 5);
    struct packet p;
    assert_int_equal(decode(LINK_LINUX_SLL2, &f, &p), PACKET_OK);
    assert_v6_flow(&p);
    assert_int_equal(p.proto, PROTO_UDP);
    assert_int_equal(p.udp_len, 13);
    assert_int_equal(p.ttl, 63);
    assert_payload(&p, HELLO, 5);
}

static void loopback_frame(struct frame *f, const uint8_t family[4], bool v6)
{
    put(f, family, 4);
    if (v6) {
        ipv6(f, 6, 20);
    } else {
        ipv4(f, 6, 20, NULL, 0);
    }
    tcp(f, TCP_SYN, NULL, 0);
}

static void test_null_loopback_family_in_either_byte_order(void **state)
{
    (void)state;
    static const struct {
        uint8_t family[4];
        bool v6;
    } cases[] = {
        {{2, 0, 0, 0}, false}, {{0, 0, 0, 2}, false}, {{24, 0, 0, 0}, true}, {{0, 0, 0, 24}, true},
        {{28, 0, 0, 0}, true}, {{0, 0, 0, 28}, true}, {{30, 0, 0, 0}, true}, {{0, 0, 0, 30}, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct frame f = {0};
        loopback_frame(&f, cases[i].family, cases[i].v6);
        struct packet p;
        assert_int_equal(decode(LINK_NULL, &f, &p), PACKET_OK);
        assert_int_equal(p.src.family, cases[i].v6 ? 6 : 4);
        assert_int_equal(p.dport, 12000);
    }
    struct frame f = {0};
    loopback_frame(&f, (const uint8_t[4]){7, 0, 0, 0}, false);
    struct packet p;
    assert_int_equal(decode(LINK_NULL, &f, &p), PACKET_UNSUPPORTED);
}

static void test_loop_family_is_network_order(void **state)
{
    (void)state;
    struct frame f = {0};
    loopback_frame(&f, (const uint8_t[4]){0, 0, 0, 24}, true);
    struct packet p;
    assert_int_equal(decode(LINK_LOOP, &f, &p), PACKET_OK);
    assert_int_equal(p.src.family, 6);

    struct frame g = {0};
    loopback_frame(&g, (const uint8_t[4]){2, 0, 0, 0}, false);
    assert_int_equal(decode(LINK_LOOP, &g, &p), PACKET_UNSUPPORTED);
}

static void test_raw_link_types_decode_by_version_nibble(void **state)
{
    (void)state;
    struct frame v4 = {0}, v6 = {0};
    ipv4(&v4, 6, 20, NULL, 0);
    tcp(&v4, TCP_SYN, NULL, 0);
    ipv6(&v6, 6, 20);
    tcp(&v6, TCP_SYN, NULL, 0);
    static const int raw[] = {LINK_RAW, 12, 14};
    struct packet p;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(decode(raw[i], &v4, &p), PACKET_OK);
        assert_int_equal(p.src.family, 4);
        assert_int_equal(decode(raw[i], &v6, &p), PACKET_OK);
        assert_int_equal(p.src.family, 6);
    }
    assert_int_equal(decode(LINK_IPV4, &v4, &p), PACKET_OK);
    assert_v4_flow(&p);
    assert_int_equal(decode(LINK_IPV6, &v6, &p), PACKET_OK);
    assert_v6_flow(&p);
    assert_int_equal(decode(LINK_IPV4, &v6, &p), PACKET_MALFORMED);
    assert_int_equal(decode(LINK_IPV6, &v4, &p), PACKET_MALFORMED);
}

static void test_unknown_link_type_is_unsupported_not_a_crash(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_SYN, NULL, 0);
    struct packet p;
    assert_int_equal(decode(147, &f, &p), PACKET_UNSUPPORTED);
    assert_string_equal(p.why, "unsupported link type");
    assert_int_equal(p.linktype, 147);
    assert_int_equal(decode(-1, &f, &p), PACKET_UNSUPPORTED);
    assert_false(decode_linktype_supported(147));
    assert_false(decode_linktype_supported(105));
    static const int supported[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};
    for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++)
        assert_true(decode_linktype_supported(supported[i]));
}

static void test_empty_frame_is_truncated_even_without_a_buffer(void **state)
{
    (void)state;
    struct packet p;
    assert_int_equal(decode_packet(LINK_ETHERNET, NULL, 0, 0, 1, &p), PACKET_TRUNCATED);
    assert_int_equal(decode_packet(LINK_RAW, NULL, 0, 60, 1, &p), PACKET_TRUNCATED);
    assert_int_equal(decode_packet(LINK_NULL, NULL, 0, 60, 1, &p), PACKET_TRUNCATED);
}

/* ---- IPv4 ---------------------------------------------------------------------------- */

static void test_ipv4_options_are_skipped_by_ihl(void **state)
{
    (void)state;
    static const uint8_t opts[8] = {0x94, 4, 0, 0, 1, 1, 1, 0}; /* router alert, NOPs, EOL */
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4(&f, 6, 20 + 5, opts, sizeof opts);
    tcp(&f, TCP_ACK, NULL, 0);
    put(&f, HELLO, 5);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_v4_flow(&p);
    assert_payload(&p, HELLO, 5);
}

static void test_ipv4_ihl_below_5_is_malformed(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, NULL, 0);
    f.b[14] = 0x44;
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_MALFORMED);
    assert_non_null(p.why);
    assert_int_equal(p.proto, PROTO_OTHER);
}

static void test_bad_ip_version_is_malformed(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, NULL, 0);
    f.b[14] = 0x65; /* IPv6 nibble under ethertype IPv4 */
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_MALFORMED);
    f.b[14] = 0x55;
    assert_int_equal(decode_packet(LINK_RAW, f.b + 14, f.len - 14, f.len - 14, 0, &p),
                     PACKET_MALFORMED);
    struct frame g = {0};
    ethernet(&g, 0x86dd);
    ipv4(&g, 6, 20, NULL, 0);
    tcp(&g, TCP_SYN, NULL, 0);
    assert_int_equal(decode(LINK_ETHERNET, &g, &p), PACKET_MALFORMED);
}

static void test_ipv4_total_length_beyond_snaplen_gives_partial_payload(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4(&f, 6, 20 + 1000, NULL, 0);
    tcp(&f, TCP_ACK, NULL, 0);
    put(&f, HELLO, 5); /* snaplen cut the other 995 bytes */
    struct packet p;
    assert_int_equal(decode_packet(LINK_ETHERNET, f.b, f.len, 14 + 20 + 20 + 1000, 0, &p),
                     PACKET_OK);
    assert_int_equal(p.payload_len, 1000);
    assert_int_equal(p.payload_caplen, 5);
    assert_memory_equal(p.payload, HELLO, 5);
}

static void test_ipv4_total_length_beyond_the_wire_is_malformed_and_frame_wins(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, NULL, 0);
    set16(&f, 14 + 2, 820);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_MALFORMED);
    assert_string_equal(p.why, "IPv4 total length exceeds the frame");
    assert_v4_flow(&p);
    assert_payload(&p, HELLO, 5);

    struct frame g = {0};
    ipv6(&g, 17, 500);
    udp(&g, 13);
    put(&g, HELLO, 5);
    assert_int_equal(decode(LINK_RAW, &g, &p), PACKET_MALFORMED);
    assert_v6_flow(&p);
    assert_payload(&p, HELLO, 5);
}

static void test_ipv4_total_length_zero_uses_frame_length_as_with_tso(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, NULL, 0);
    set16(&f, 14 + 2, 0);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_payload(&p, HELLO, 5);
}

static void test_ipv4_total_length_below_header_is_malformed(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, NULL, 0);
    set16(&f, 14 + 2, 19);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_MALFORMED);
    assert_int_equal(p.src.family, 4); /* the addresses were there */
}

static void test_ipv4_first_fragment_carries_ports(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4(&f, 17, 8 + 16, NULL, 0);
    set16(&f, 14 + 6, 0x2000); /* MF, offset 0 */
    udp(&f, 8 + 3000);         /* the whole datagram */
    zeros(&f, 16);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_true(p.fragment);
    assert_true(p.first_fragment);
    assert_v4_flow(&p);
    assert_int_equal(p.payload_len, 3000);
    assert_int_equal(p.payload_caplen, 16);
}

static void test_ipv4_later_fragment_has_protocol_but_no_ports(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4(&f, 17, 24, NULL, 0);
    set16(&f, 14 + 6, 185); /* offset 1480 bytes, last fragment */
    udp(&f, 9999);          /* looks like a header, is data */
    zeros(&f, 16);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_true(p.fragment);
    assert_false(p.first_fragment);
    assert_int_equal(p.proto, PROTO_UDP);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.sport, 0);
    assert_int_equal(p.dport, 0);
    assert_int_equal(p.udp_len, 0);
    assert_int_equal(p.payload_len, 24);
}

static void test_unknown_ip_protocol_is_unsupported_with_addresses(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4(&f, 47, 4, NULL, 0); /* GRE */
    zeros(&f, 4);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_UNSUPPORTED);
    assert_int_equal(p.proto, PROTO_OTHER);
    assert_int_equal(p.ip_proto, 47);
    assert_int_equal(p.src.family, 4);
    assert_int_equal(p.payload_len, 4);
}

/* ---- IPv6 ---------------------------------------------------------------------------- */

static void test_ipv6_every_extension_header_is_walked(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x86dd);
    uint32_t ip = ipv6(&f, 0, 0);
    uint32_t start = f.len;
    put8(&f, 43); /* hop-by-hop, 8 bytes, PadN */
    put8(&f, 0);
    put8(&f, 1);
    put8(&f, 4);
    zeros(&f, 4);
    put8(&f, 60); /* routing, 24 bytes (type 0 with one address) */
    put8(&f, 2);
    put8(&f, 0);
    put8(&f, 0);
    zeros(&f, 20);
    put8(&f, 51); /* destination options, 16 bytes */
    put8(&f, 1);
    put8(&f, 1);
    put8(&f, 12);
    zeros(&f, 12);
    put8(&f, 44); /* AH: (len + 2) * 4 = 24 bytes */
    put8(&f, 4);
    zeros(&f, 22);
    put8(&f, 6); /* fragment header, offset 0, no more fragments: an atomic fragment */
    put8(&f, 0);
    put16(&f, 0);
    put32(&f, 77);
    tcp(&f, TCP_SYN, NULL, 0);
    put(&f, HELLO, 5);
    set16(&f, ip + 4, (uint16_t)(f.len - start));
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_v6_flow(&p);
    assert_int_equal(p.ip_proto, 6);
    assert_true(p.fragment);
    assert_true(p.first_fragment);
    assert_payload(&p, HELLO, 5);
}

static void test_ipv6_later_fragment_has_protocol_but_no_ports(void **state)
{
    (void)state;
    struct frame f = {0};
    ipv6(&f, 44, 8 + 16);
    put8(&f, 6);
    put8(&f, 0);
    put16(&f, (1232 / 8) << 3); /* offset 1232, last */
    put32(&f, 77);
    zeros(&f, 16);
    struct packet p;
    assert_int_equal(decode(LINK_RAW, &f, &p), PACKET_OK);
    assert_true(p.fragment);
    assert_false(p.first_fragment);
    assert_int_equal(p.proto, PROTO_TCP);
    assert_int_equal(p.sport, 0);
    assert_int_equal(p.payload_len, 16);
}

static void test_ipv6_extension_chain_longer_than_16_is_malformed_not_a_loop(void **state)
{
    (void)state;
    struct frame f = {0};
    ipv6(&f, 60, 20 * 8);
    for (int i = 0; i < 20; i++) {
        put8(&f, 60);
        put8(&f, 0);
        put8(&f, 1);
        put8(&f, 4);
        zeros(&f, 4);
    }
    struct packet p;
    assert_int_equal(decode(LINK_RAW, &f, &p), PACKET_MALFORMED);
    assert_string_equal(p.why, "too many IPv6 extension headers");
}

static void test_ipv6_extension_header_past_payload_length_is_malformed(void **state)
{
    (void)state;
    struct frame f = {0};
    ipv6(&f, 0, 8);
    put8(&f, 6);
    put8(&f, 3); /* claims 32 bytes */
    zeros(&f, 30);
    struct packet p;
    assert_int_equal(decode(LINK_RAW, &f, &p), PACKET_MALFORMED);
    assert_int_equal(p.src.family, 6);
}

static void test_ipv6_payload_length_zero_uses_frame_length(void **state)
{
    (void)state;
    struct frame f = {0};
    ipv6(&f, 17, 0);
    udp(&f, 8 + 5);
    put(&f, HELLO, 5);
    struct packet p;
    assert_int_equal(decode(LINK_RAW, &f, &p), PACKET_OK);
    assert_payload(&p, HELLO, 5);
}

static void test_udp_length_zero_in_ipv6_jumbogram_takes_ip_length(void **state)
{
    (void)state;
    struct frame f = {0};
    ipv6(&f, 17, 8 + 5);
    udp(&f, 0);
    put(&f, HELLO, 5);
    struct packet p;
    assert_int_equal(decode(LINK_RAW, &f, &p), PACKET_OK);
    assert_payload(&p, HELLO, 5);
}

/* ---- TCP ----------------------------------------------------------------------------- */

static void test_tcp_every_flag_including_ae_is_reported(void **state)
{
    (void)state;
    static const uint16_t flags[] = {TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK,
                                     TCP_URG, TCP_ECE, TCP_CWR, TCP_AE,  0x1ff};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        struct frame f = {0};
        eth_ipv4_tcp(&f, flags[i], NULL, 0);
        struct packet p;
        assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
        assert_int_equal(p.flags, flags[i]);
        assert_int_equal(p.tcp_header_len, 20);
    }
}

static void test_tcp_syn_options_mss_wscale_sackok_timestamps(void **state)
{
    (void)state;
    static const uint8_t opts[20] = {
        2, 4,  0x05, 0xb4,                   /* MSS 1460 */
        4, 2,                                /* SACK permitted */
        8, 10, 0,    0,    0, 1, 0, 0, 0, 2, /* timestamps 1, 2 */
        1,                                   /* NOP */
        3, 3,  7,                            /* window scale 7 */
    };
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_SYN, opts, sizeof opts);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_int_equal(p.tcp_header_len, 40);
    assert_true(p.opt.has_mss);
    assert_int_equal(p.opt.mss, 1460);
    assert_true(p.opt.sack_permitted);
    assert_true(p.opt.has_timestamps);
    assert_int_equal(p.opt.ts_val, 1);
    assert_int_equal(p.opt.ts_ecr, 2);
    assert_true(p.opt.has_wscale);
    assert_int_equal(p.opt.wscale, 7);
    assert_int_equal(p.opt.sack_count, 0);
    assert_payload(&p, HELLO, 5);
}

static void test_tcp_nop_nop_timestamps_of_every_linux_segment(void **state)
{
    (void)state;
    static const uint8_t opts[12] = {1, 1, 8, 10, 0x56, 0xc5, 0x12, 0x7d, 0xdc, 0xad, 0x5d, 0x5d};
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, opts, sizeof opts);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_true(p.opt.has_timestamps);
    assert_int_equal(p.opt.ts_val, 0x56c5127du);
    assert_int_equal(p.opt.ts_ecr, 0xdcad5d5du);
    assert_false(p.opt.has_mss);
    assert_payload(&p, HELLO, 5);
    /* Cut inside the timestamps: the header is truncated and no timestamp is claimed. */
    assert_int_equal(decode_packet(LINK_ETHERNET, f.b, 14 + 20 + 20 + 6, f.len, 0, &p),
                     PACKET_TRUNCATED);
    assert_false(p.opt.has_timestamps);
}

static void test_tcp_option_walk_stops_at_end_of_list(void **state)
{
    (void)state;
    static const uint8_t opts[8] = {0, 2, 4, 0x05, 0xb4, 0, 0, 0}; /* EOL, then garbage */
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_SYN, opts, sizeof opts);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_false(p.opt.has_mss);
}

static void test_tcp_sack_option_gives_up_to_four_blocks(void **state)
{
    (void)state;
    uint8_t opts[36] = {1, 1, 5, 34};
    for (int i = 0; i < 8; i++) {
        uint32_t v = 1000u * (uint32_t)(i + 1);
        opts[4 + 4 * i] = (uint8_t)(v >> 24);
        opts[5 + 4 * i] = (uint8_t)(v >> 16);
        opts[6 + 4 * i] = (uint8_t)(v >> 8);
        opts[7 + 4 * i] = (uint8_t)v;
    }
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, opts, sizeof opts);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_int_equal(p.opt.sack_count, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(p.opt.sack_left[i], 1000u * (uint32_t)(2 * i + 1));
        assert_int_equal(p.opt.sack_right[i], 1000u * (uint32_t)(2 * i + 2));
    }

    static const uint8_t one[12] = {1, 1, 5, 10, 0, 0, 0, 5, 0, 0, 0, 9};
    struct frame g = {0};
    eth_ipv4_tcp(&g, TCP_ACK, one, sizeof one);
    assert_int_equal(decode(LINK_ETHERNET, &g, &p), PACKET_OK);
    assert_int_equal(p.opt.sack_count, 1);
    assert_int_equal(p.opt.sack_left[0], 5);
    assert_int_equal(p.opt.sack_right[0], 9);
}

static void test_tcp_unknown_option_is_skipped_by_its_length(void **state)
{
    (void)state;
    static const uint8_t opts[12] = {30, 6, 9, 9, 9, 9, 2, 4, 0x02, 0x18, 1, 0}; /* MPTCP */
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_SYN, opts, sizeof opts);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_true(p.opt.has_mss);
    assert_int_equal(p.opt.mss, 536);
}

static void assert_options_malformed(const uint8_t *opts, uint8_t optlen)
{
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_SYN, opts, optlen);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_MALFORMED);
    assert_non_null(p.why);
    assert_v4_flow(&p); /* the fixed header was still read */
}

static void test_tcp_option_length_zero_is_malformed_not_a_loop(void **state)
{
    (void)state;
    static const uint8_t opts[4] = {30, 0, 0, 0};
    assert_options_malformed(opts, 4);
}

static void test_tcp_option_length_one_is_malformed(void **state)
{
    (void)state;
    static const uint8_t opts[4] = {2, 1, 0, 0};
    assert_options_malformed(opts, 4);
}

static void test_tcp_option_longer_than_header_is_malformed(void **state)
{
    (void)state;
    static const uint8_t overlong[4] = {1, 30, 40, 0};
    assert_options_malformed(overlong, 4);
    static const uint8_t no_length_byte[4] = {1, 1, 1, 2};
    assert_options_malformed(no_length_byte, 4);
}

static void test_tcp_option_wrong_length_for_its_kind_is_malformed(void **state)
{
    (void)state;
    static const uint8_t mss[8] = {2, 6, 0, 0, 0, 0, 1, 0};
    assert_options_malformed(mss, 8);
    static const uint8_t sack[8] = {5, 6, 0, 0, 0, 0, 0, 0};
    assert_options_malformed(sack, 8);
    static const uint8_t ts[8] = {8, 8, 0, 0, 0, 0, 0, 0};
    assert_options_malformed(ts, 8);
}

static void test_tcp_data_offset_below_5_is_malformed(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, NULL, 0);
    f.b[14 + 20 + 12] = 0x40;
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_MALFORMED);
    assert_string_equal(p.why, "TCP data offset below 5");
    assert_v4_flow(&p);
}

static void test_tcp_data_offset_beyond_ip_payload_is_malformed(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, NULL, 0);
    f.b[14 + 20 + 12] = 0xf0; /* 60 bytes, but only 25 in the datagram */
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_MALFORMED);
    assert_int_equal(p.payload_caplen, 0);
}

static void test_tcp_header_cut_by_snaplen_is_truncated_with_ports(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, NULL, 0);
    struct packet p;
    assert_int_equal(decode_packet(LINK_ETHERNET, f.b, 14 + 20 + 12, f.len, 0, &p),
                     PACKET_TRUNCATED);
    assert_string_equal(p.why, "TCP header truncated");
    assert_v4_flow(&p);
    assert_int_equal(p.seq, 1000);
    assert_int_equal(p.ack, 2000);
    assert_int_equal(p.proto, PROTO_TCP);
}

/* ---- UDP ----------------------------------------------------------------------------- */

static void eth_ipv4_udp(struct frame *f, uint16_t ip_payload, uint16_t udp_len)
{
    ethernet(f, 0x0800);
    ipv4(f, 17, ip_payload, NULL, 0);
    udp(f, udp_len);
    put(f, HELLO, 5);
}

static void test_udp_length_below_8_is_malformed(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_udp(&f, 13, 7);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_MALFORMED);
    assert_string_equal(p.why, "UDP length below 8");
    assert_v4_flow(&p);
    assert_payload(&p, HELLO, 5); /* the IP length wins */
}

static void test_udp_length_beyond_ip_payload_is_malformed_and_ip_length_wins(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_udp(&f, 13, 500);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_MALFORMED);
    assert_int_equal(p.udp_len, 500);
    assert_payload(&p, HELLO, 5);
}

static void test_udp_length_shorter_than_ip_payload_bounds_the_payload(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_udp(&f, 13, 11);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_payload(&p, "hel", 3);
}

static void test_ip_payload_too_short_for_udp_header_is_malformed(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_udp(&f, 6, 13);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_MALFORMED);
    assert_int_equal(p.proto, PROTO_UDP);
}

/* ---- ICMP ---------------------------------------------------------------------------- */

static void test_icmp_echo_is_not_an_error(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4(&f, 1, 8 + 5, NULL, 0);
    put8(&f, 8);
    put8(&f, 0);
    put16(&f, 0);
    put32(&f, 0x00010001);
    put(&f, HELLO, 5);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_int_equal(p.proto, PROTO_ICMP);
    assert_int_equal(p.icmp_type, 8);
    assert_false(p.icmp_error);
    assert_false(p.quote.valid);
    assert_payload(&p, HELLO, 5);
}

/* Port unreachable from 10.0.0.2 answering the UDP datagram 10.0.0.1:40000 -> :12000. */
static void icmp_port_unreachable(struct frame *f)
{
    ethernet(f, 0x0800);
    ipv4(f, 1, 8 + 20 + 8, NULL, 0);
    put8(f, 3);
    put8(f, 3);
    zeros(f, 6);
    ipv4(f, 17, 8 + 5, NULL, 0); /* the original, as the client sent it */
    udp(f, 8 + 5);
}

static void test_icmp_port_unreachable_quotes_the_udp_flow(void **state)
{
    (void)state;
    struct frame f = {0};
    icmp_port_unreachable(&f);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_int_equal(p.proto, PROTO_ICMP);
    assert_true(p.icmp_error);
    assert_int_equal(p.icmp_type, 3);
    assert_int_equal(p.icmp_code, 3);
    assert_true(p.quote.valid);
    assert_int_equal(p.quote.ip_proto, 17);
    assert_int_equal(p.quote.src.family, 4);
    assert_memory_equal(p.quote.src.bytes, V4_CLIENT, 4);
    assert_memory_equal(p.quote.dst.bytes, V4_SERVER, 4);
    assert_int_equal(p.quote.sport, 40000);
    assert_int_equal(p.quote.dport, 12000);
}

static void test_icmp_time_exceeded_quotes_tcp_ports(void **state)
{
    (void)state;
    struct frame f = {0};
    ipv4(&f, 1, 8 + 20 + 8, NULL, 0);
    put8(&f, 11);
    put8(&f, 0);
    zeros(&f, 6);
    ipv4(&f, 6, 20, NULL, 0);
    put16(&f, 40000);
    put16(&f, 12000);
    put32(&f, 1000);
    struct packet p;
    assert_int_equal(decode(LINK_RAW, &f, &p), PACKET_OK);
    assert_true(p.icmp_error);
    assert_true(p.quote.valid);
    assert_int_equal(p.quote.ip_proto, 6);
    assert_int_equal(p.quote.sport, 40000);
    assert_int_equal(p.quote.dport, 12000);
}

static void test_icmp_source_quench_and_parameter_problem_are_errors(void **state)
{
    (void)state;
    static const uint8_t types[] = {4, 12};
    for (size_t i = 0; i < 2; i++) {
        struct frame f = {0};
        icmp_port_unreachable(&f);
        f.b[14 + 20] = types[i];
        struct packet p;
        assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
        assert_true(p.icmp_error);
        assert_true(p.quote.valid);
    }
}

static void test_icmp_error_quoting_too_little_is_malformed(void **state)
{
    (void)state;
    struct frame f = {0};
    ipv4(&f, 1, 8 + 20 + 4, NULL, 0);
    put8(&f, 3);
    put8(&f, 3);
    zeros(&f, 6);
    ipv4(&f, 17, 8, NULL, 0);
    put16(&f, 40000);
    put16(&f, 12000);
    struct packet p;
    assert_int_equal(decode(LINK_RAW, &f, &p), PACKET_MALFORMED);
    assert_false(p.quote.valid);
    assert_int_equal(p.quote.src.family, 4); /* what was there is still filled */
}

static void test_icmp_error_quote_cut_by_snaplen_is_truncated(void **state)
{
    (void)state;
    struct frame f = {0};
    icmp_port_unreachable(&f);
    struct packet p;
    assert_int_equal(decode_packet(LINK_ETHERNET, f.b, f.len - 4, f.len, 0, &p), PACKET_TRUNCATED);
    assert_string_equal(p.why, "ICMP quoted packet truncated");
    assert_false(p.quote.valid);
}

static void icmpv6_error(struct frame *f, uint8_t type)
{
    ethernet(f, 0x86dd);
    ipv6(f, 58, 8 + 40 + 8 + 8);
    put8(f, type);
    put8(f, type == 1 ? 4 : 0); /* code 4: port unreachable */
    zeros(f, 6);
    ipv6(f, 60, 8 + 8 + 5); /* the original, with a destination options header */
    put8(f, 17);
    put8(f, 0);
    put8(f, 1);
    put8(f, 4);
    zeros(f, 4);
    udp(f, 8 + 5);
}

static void test_icmpv6_port_unreachable_quotes_the_udp_flow(void **state)
{
    (void)state;
    struct frame f = {0};
    icmpv6_error(&f, 1);
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_int_equal(p.proto, PROTO_ICMP);
    assert_int_equal(p.ip_proto, 58);
    assert_true(p.icmp_error);
    assert_int_equal(p.icmp_code, 4);
    assert_true(p.quote.valid);
    assert_int_equal(p.quote.ip_proto, 17);
    assert_memory_equal(p.quote.src.bytes, V6_CLIENT, 16);
    assert_memory_equal(p.quote.dst.bytes, V6_SERVER, 16);
    assert_int_equal(p.quote.sport, 40000);
    assert_int_equal(p.quote.dport, 12000);
}

static void test_icmpv6_packet_too_big_time_exceeded_parameter_problem_quote(void **state)
{
    (void)state;
    for (uint8_t type = 2; type <= 4; type++) {
        struct frame f = {0};
        icmpv6_error(&f, type);
        struct packet p;
        assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
        assert_true(p.icmp_error);
        assert_int_equal(p.quote.dport, 12000);
    }
    struct frame f = {0};
    icmpv6_error(&f, 128); /* echo request */
    struct packet p;
    assert_int_equal(decode(LINK_ETHERNET, &f, &p), PACKET_OK);
    assert_false(p.icmp_error);
    assert_false(p.quote.valid);
}

/* ---- every truncation point --------------------------------------------------------- */

/* Decodes f cut at every length from 0 to whole, each copy malloc'd to exactly its length.
 * Below headers_end a needed header is cut (truncated); from there on only payload is
 * missing, which a snaplen makes normal (ok, with payload_caplen what is there from
 * payload_start on). */
static void assert_every_cut(int linktype, const struct frame *f, uint32_t headers_end,
                             uint32_t payload_start, uint32_t ports_end)
{
    struct packet whole;
    assert_int_equal(decode(linktype, f, &whole), PACKET_OK);
    for (uint32_t cut = 0; cut <= f->len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, f->b, cut);
        struct packet p;
        enum packet_status st = decode_packet(linktype, copy, cut, f->len, 7, &p);
        assert_fields_follow_decode(linktype, copy, cut, f->len);
        if (cut < headers_end) {
            assert_int_equal(st, PACKET_TRUNCATED);
            assert_non_null(p.why);
        } else {
            assert_int_equal(st, PACKET_OK);
        }
        assert_int_equal(p.caplen, cut);
        assert_int_equal(p.wirelen, f->len);
        assert_true(p.payload_caplen <= p.payload_len);
        if (p.payload_caplen > 0) {
            assert_true(p.payload >= copy);
            assert_true(p.payload + p.payload_caplen <= copy + cut);
        }
        if (cut >= ports_end) {
            assert_int_equal(p.sport, whole.sport);
            assert_int_equal(p.dport, whole.dport);
        } else {
            assert_int_equal(p.sport, 0);
        }
        if (cut >= headers_end) {
            assert_int_equal(p.payload_len, whole.payload_len);
            assert_int_equal(p.payload_caplen, cut - payload_start);
        }
        free(copy);
    }
}

static void test_every_truncation_point_of_ethernet_ipv4_tcp(void **state)
{
    (void)state;
    static const uint8_t opts[20] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2,
                                     3, 4, 5, 6,    7, 8, 1, 3,  3, 7};
    static const uint8_t ipopts[4] = {0x94, 4, 0, 0};
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4(&f, 6, 40 + 5, ipopts, 4);
    tcp(&f, TCP_SYN, opts, sizeof opts);
    put(&f, HELLO, 5);
    assert_every_cut(LINK_ETHERNET, &f, 14 + 24 + 40, 14 + 24 + 40, 14 + 24 + 4);
}

static void test_every_truncation_point_of_sll2_ipv6_udp_with_extensions(void **state)
{
    (void)state;
    struct frame f = {0};
    put16(&f, 0x86dd);
    zeros(&f, 18);
    ipv6(&f, 0, 8 + 8 + 8 + 5);
    put8(&f, 44);
    put8(&f, 0);
    put8(&f, 1);
    put8(&f, 4);
    zeros(&f, 4);
    put8(&f, 17);
    put8(&f, 0);
    put16(&f, 0);
    put32(&f, 1);
    udp(&f, 8 + 5);
    put(&f, HELLO, 5);
    assert_every_cut(LINK_LINUX_SLL2, &f, 20 + 40 + 16 + 8, 20 + 40 + 16 + 8, 20 + 40 + 16 + 4);
}

static void test_every_truncation_point_of_vlan_icmp_port_unreachable(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x8100);
    put16(&f, 1);
    put16(&f, 0x0800);
    ipv4(&f, 1, 8 + 20 + 8, NULL, 0);
    put8(&f, 3);
    put8(&f, 3);
    zeros(&f, 6);
    ipv4(&f, 17, 13, NULL, 0);
    udp(&f, 13);
    /* No ports at the packet level for ICMP: ports_end past the end. */
    assert_every_cut(LINK_ETHERNET, &f, f.len, 14 + 4 + 20 + 8, f.len + 1);
}

static void test_every_truncation_point_of_null_loopback_ipv4_tcp(void **state)
{
    (void)state;
    struct frame f = {0};
    put(&f, (const uint8_t[4]){2, 0, 0, 0}, 4);
    ipv4(&f, 6, 20 + 5, NULL, 0);
    tcp(&f, TCP_ACK, NULL, 0);
    put(&f, HELLO, 5);
    assert_every_cut(LINK_NULL, &f, 4 + 20 + 20, 4 + 20 + 20, 4 + 20 + 4);
}

/* ---- the field sink ---------------------------------------------------------------- */

/* Every frame of every shipped capture, whole and cut at every length. */
static void test_fields_of_every_shipped_capture_follow_decode_at_every_cut(void **state)
{
    (void)state;
    DIR *d = opendir(SOCKSCOPE_CAPTURES_DIR);
    assert_non_null(d);
    int files = 0, frames = 0, sacks = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".pcap") != 0) continue;
        char path[512], err[256];
        snprintf(path, sizeof path, "%s/%s", SOCKSCOPE_CAPTURES_DIR, e->d_name);
        struct capture_file *cf;
        assert_int_equal(capture_file_open(path, NULL, &cf, err, sizeof err), STATUS_OK);
        int linktype = capture_file_linktype(cf);
        struct capture_frame fr;
        while (capture_file_next(cf, &fr, err, sizeof err) == 1) {
            sacks += assert_fields_follow_decode(linktype, fr.data, fr.caplen, fr.wirelen);
            for (uint32_t cut = 0; cut < fr.caplen; cut++)
                assert_fields_follow_decode(linktype, fr.data, cut, fr.wirelen);
            frames++;
        }
        capture_file_close(cf);
        files++;
    }
    closedir(d);
    assert_true(files >= 10);
    assert_true(frames >= 400);
    assert_true(sacks > 0); /* tcp-loss.pcap: the receiver SACKs what arrived after a loss */
}

static void assert_ids(const struct field_list *l, uint8_t layer, const uint16_t *ids, int n)
{
    int at = 0;
    while (at < l->n && l->f[at].layer != layer) at++;
    for (int i = 0; i < n; i++) {
        assert_true(at + i < l->n);
        assert_int_equal(l->f[at + i].layer, layer);
        assert_int_equal(l->f[at + i].id, ids[i]);
    }
}

static void test_sack_fields_take_the_lengths_decode_accepts(void **state)
{
    (void)state;
    static const uint8_t two[20] = {1, 1, 5, 18, 0, 0, 0, 5, 0, 0, 0, 9,
                                    0, 0, 0, 20, 0, 0, 0, 30};
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, two, sizeof two);
    static struct field_list l;
    struct packet p;
    assert_int_equal(decode_fields(LINK_ETHERNET, f.b, f.len, f.len, &p, &l), PACKET_OK);
    static const uint16_t ids[] = {FIELD_TCP_OPTION_NOP, FIELD_TCP_OPTION_NOP,
                                   FIELD_TCP_OPTION_SACK, FIELD_TCP_OPTION_SACK_BLOCK,
                                   FIELD_TCP_OPTION_SACK_BLOCK};
    int first = (int)(find_field(&l, LAYER_TCP, FIELD_TCP_OPTION_NOP) - l.f);
    for (int i = 0; i < 5; i++)
        assert_int_equal(l.f[first + i].id, ids[i]);
    const struct decode_field *sack = &l.f[first + 2];
    assert_int_equal(sack->offset, 14 + 20 + 20 + 2);
    assert_int_equal(sack->value, 18);
    assert_int_equal(sack[1].value, (uint64_t)5 << 32 | 9);
    assert_int_equal(sack[2].offset, sack->offset + 10);
    assert_int_equal(sack[2].value, (uint64_t)20 << 32 | 30);
    assert_int_equal(sack[3].id, FIELD_PAYLOAD);

    /* length 11 is no whole number of blocks: decode rejects it, and so does the list,
     * at the option, with nothing after the TCP header */
    static const uint8_t odd[12] = {5, 11, 0, 0, 0, 5, 0, 0, 0, 9, 0, 1};
    struct frame g = {0};
    eth_ipv4_tcp(&g, TCP_ACK, odd, sizeof odd);
    assert_int_equal(decode_fields(LINK_ETHERNET, g.b, g.len, g.len, &p, &l), PACKET_MALFORMED);
    const struct decode_field *bad = &l.f[l.n - 1];
    assert_int_equal(bad->id, FIELD_TCP_OPTION_BAD);
    assert_int_equal(bad->stop, STOP_MALFORMED);
    assert_int_equal(bad->offset, 14 + 20 + 20);
    assert_int_equal(bad->size, 11);
    assert_string_equal(bad->why, p.why);
    assert_null(find_field(&l, LAYER_DATA, FIELD_PAYLOAD));
}

static void test_a_field_decode_rejects_ends_the_list_after_its_header(void **state)
{
    (void)state;
    struct frame f = {0};
    eth_ipv4_tcp(&f, TCP_ACK, NULL, 0);
    f.b[14 + 20 + 12] = 0x30; /* data offset 3 */
    static struct field_list l;
    struct packet p;
    assert_int_equal(decode_fields(LINK_ETHERNET, f.b, f.len, f.len, &p, &l), PACKET_MALFORMED);
    const struct decode_field *hl = find_field(&l, LAYER_TCP, FIELD_TCP_HEADER_LENGTH);
    assert_int_equal(hl->stop, STOP_MALFORMED);
    assert_int_equal(hl->value, 3);
    assert_string_equal(hl->why, "TCP data offset below 5");
    assert_int_equal(l.f[l.n - 1].id, FIELD_TCP_URGENT); /* the fixed header, read, ends it */
    assert_null(find_field(&l, LAYER_DATA, FIELD_PAYLOAD));

    /* IPv4 with a bad version: decode reads one byte, the list has one field */
    struct frame g = {0};
    eth_ipv4_tcp(&g, TCP_ACK, NULL, 0);
    g.b[14] = 0x55;
    assert_int_equal(decode_fields(LINK_ETHERNET, g.b, g.len, g.len, &p, &l), PACKET_MALFORMED);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.f[3].id, FIELD_IP_VERSION);
    assert_int_equal(l.f[3].value, 5);
    assert_int_equal(l.f[3].stop, STOP_MALFORMED);
}

static void test_a_header_its_datagram_cuts_short_ends_the_list_as_short_not_truncated(
    void **state)
{
    (void)state;
    /* IPv4 says 20 + 10 bytes: the TCP header ends inside the sequence number... */
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4(&f, 6, 10, NULL, 0);
    tcp(&f, TCP_ACK, NULL, 0);
    static struct field_list l;
    struct packet p;
    assert_int_equal(decode_fields(LINK_ETHERNET, f.b, f.len, f.len, &p, &l), PACKET_MALFORMED);
    const struct decode_field *last = &l.f[l.n - 1];
    assert_int_equal(last->id, FIELD_TCP_ACK);
    assert_int_equal(last->stop, STOP_SHORT);
    assert_int_equal(last->size, 2);
    assert_int_equal(last->want, 4);
    assert_string_equal(last->why, "IP payload too short for a TCP header");
    /* ...while a snaplen there, in a datagram long enough, is a truncation */
    struct frame g = {0};
    ethernet(&g, 0x0800);
    ipv4(&g, 6, 20, NULL, 0);
    tcp(&g, TCP_ACK, NULL, 0);
    assert_int_equal(decode_fields(LINK_ETHERNET, g.b, 14 + 20 + 10, g.len, &p, &l),
                     PACKET_TRUNCATED);
    assert_int_equal(l.f[l.n - 1].id, FIELD_TCP_ACK);
    assert_int_equal(l.f[l.n - 1].stop, STOP_TRUNCATED);
}

static void test_fields_follow_each_link_layer_to_ip(void **state)
{
    (void)state;
    static struct field_list l;
    struct packet p;
    struct frame f = {0};
    ethernet(&f, 0x8100);
    put16(&f, 0xa005); /* priority 5, VLAN 5 */
    put16(&f, 0x0800);
    ipv4(&f, 17, 8, NULL, 0);
    udp(&f, 8);
    assert_int_equal(decode_fields(LINK_ETHERNET, f.b, f.len, f.len, &p, &l), PACKET_OK);
    static const uint16_t vlan[] = {FIELD_VLAN_PRIORITY, FIELD_VLAN_DROP_ELIGIBLE, FIELD_VLAN_ID,
                                    FIELD_ETHERTYPE};
    assert_ids(&l, LAYER_VLAN, vlan, 4);
    assert_int_equal(find_field(&l, LAYER_VLAN, FIELD_VLAN_PRIORITY)->value, 5);
    assert_int_equal(find_field(&l, LAYER_VLAN, FIELD_VLAN_ID)->value, 5);
    assert_int_equal(find_field(&l, LAYER_VLAN, FIELD_ETHERTYPE)->value, 0x0800);
    assert_int_equal(find_field(&l, LAYER_IPV4, FIELD_IP_VERSION)->offset, 18);

    struct frame n = {0};
    put(&n, (const uint8_t[4]){0, 0, 0, 2}, 4); /* written big-endian by the capturer */
    ipv4(&n, 17, 8, NULL, 0);
    udp(&n, 8);
    assert_int_equal(decode_fields(LINK_NULL, n.b, n.len, n.len, &p, &l), PACKET_OK);
    assert_int_equal(l.f[0].id, FIELD_LOOP_FAMILY);
    assert_int_equal(l.f[0].value, 2);
    assert_int_equal(l.f[1].layer, LAYER_IPV4);

    assert_int_equal(decode_fields(LINK_RAW, n.b + 4, n.len - 4, n.len - 4, &p, &l), PACKET_OK);
    assert_int_equal(l.f[0].layer, LAYER_IPV4);
    assert_int_equal(l.f[0].offset, 0);
    assert_int_equal(decode_fields(LINK_RAW, (const uint8_t[1]){0x70}, 1, 1, &p, &l),
                     PACKET_MALFORMED);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.f[0].layer, LAYER_IP);
    assert_int_equal(l.f[0].stop, STOP_MALFORMED);

    struct frame s = {0};
    zeros(&s, 14);
    put16(&s, 0x86dd);
    ipv6(&s, 17, 8);
    udp(&s, 8);
    assert_int_equal(decode_fields(LINK_LINUX_SLL, s.b, s.len, s.len, &p, &l), PACKET_OK);
    static const uint16_t sll[] = {FIELD_SLL_PACKET_TYPE, FIELD_SLL_LINK_TYPE,
                                   FIELD_SLL_ADDRESS_LENGTH, FIELD_SLL_ADDRESS, FIELD_ETHERTYPE};
    assert_ids(&l, LAYER_SLL, sll, 5);
    assert_int_equal(find_field(&l, LAYER_IPV6, FIELD_IP_SOURCE)->size, 16);
    assert_int_equal(find_field(&l, LAYER_UDP, FIELD_SOURCE_PORT)->offset, 16 + 40);
}

static void test_an_icmp_error_lists_the_quoted_headers_then_what_is_left(void **state)
{
    (void)state;
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4(&f, 1, 8 + 20 + 8 + 5, NULL, 0);
    put8(&f, 3);
    put8(&f, 3);
    zeros(&f, 6);
    ipv4(&f, 17, 13, NULL, 0);
    udp(&f, 13);
    put(&f, HELLO, 5);
    static struct field_list l;
    struct packet p;
    assert_int_equal(decode_fields(LINK_ETHERNET, f.b, f.len, f.len, &p, &l), PACKET_OK);
    assert_int_equal(find_field(&l, LAYER_QUOTED_IPV4, FIELD_IP_VERSION)->offset, 14 + 20 + 8);
    static const uint16_t udp_ids[] = {FIELD_SOURCE_PORT, FIELD_DESTINATION_PORT,
                                       FIELD_UDP_LENGTH, FIELD_CHECKSUM};
    assert_ids(&l, LAYER_QUOTED_UDP, udp_ids, 4);
    assert_int_equal(find_field(&l, LAYER_QUOTED_UDP, FIELD_DESTINATION_PORT)->value,
                     p.quote.dport);
    const struct decode_field *rest = &l.f[l.n - 1];
    assert_int_equal(rest->id, FIELD_PAYLOAD);
    assert_int_equal(rest->offset, 14 + 20 + 8 + 20 + 8);
    assert_int_equal(rest->size, 5);
}

/* ---- address formatting ------------------------------------------------------------ */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_ipv4_tcp_decodes_every_field),
        cmocka_unit_test(test_ethernet_padding_is_not_payload),
        cmocka_unit_test(test_vlan_8021q_tag_is_skipped),
        cmocka_unit_test(test_stacked_qinq_8100_and_9100_tags_are_skipped),
        cmocka_unit_test(test_vlan_tag_cut_short_is_truncated),
        cmocka_unit_test(test_arp_is_unsupported_with_a_reason),
        cmocka_unit_test(test_sll_frame_decodes_ipv4_tcp),
        cmocka_unit_test(test_sll2_frame_decodes_ipv6_udp),
        cmocka_unit_test(test_null_loopback_family_in_either_byte_order),
        cmocka_unit_test(test_loop_family_is_network_order),
        cmocka_unit_test(test_raw_link_types_decode_by_version_nibble),
        cmocka_unit_test(test_unknown_link_type_is_unsupported_not_a_crash),
        cmocka_unit_test(test_empty_frame_is_truncated_even_without_a_buffer),
        cmocka_unit_test(test_ipv4_options_are_skipped_by_ihl),
        cmocka_unit_test(test_ipv4_ihl_below_5_is_malformed),
        cmocka_unit_test(test_bad_ip_version_is_malformed),
        cmocka_unit_test(test_ipv4_total_length_beyond_snaplen_gives_partial_payload),
        cmocka_unit_test(test_ipv4_total_length_beyond_the_wire_is_malformed_and_frame_wins),
        cmocka_unit_test(test_ipv4_total_length_zero_uses_frame_length_as_with_tso),
        cmocka_unit_test(test_ipv4_total_length_below_header_is_malformed),
        cmocka_unit_test(test_ipv4_first_fragment_carries_ports),
        cmocka_unit_test(test_ipv4_later_fragment_has_protocol_but_no_ports),
        cmocka_unit_test(test_unknown_ip_protocol_is_unsupported_with_addresses),
        cmocka_unit_test(test_ipv6_every_extension_header_is_walked),
        cmocka_unit_test(test_ipv6_later_fragment_has_protocol_but_no_ports),
        cmocka_unit_test(test_ipv6_extension_chain_longer_than_16_is_malformed_not_a_loop),
        cmocka_unit_test(test_ipv6_extension_header_past_payload_length_is_malformed),
        cmocka_unit_test(test_ipv6_payload_length_zero_uses_frame_length),
        cmocka_unit_test(test_udp_length_zero_in_ipv6_jumbogram_takes_ip_length),
        cmocka_unit_test(test_tcp_every_flag_including_ae_is_reported),
        cmocka_unit_test(test_tcp_syn_options_mss_wscale_sackok_timestamps),
        cmocka_unit_test(test_tcp_nop_nop_timestamps_of_every_linux_segment),
        cmocka_unit_test(test_tcp_option_walk_stops_at_end_of_list),
        cmocka_unit_test(test_tcp_sack_option_gives_up_to_four_blocks),
        cmocka_unit_test(test_tcp_unknown_option_is_skipped_by_its_length),
        cmocka_unit_test(test_tcp_option_length_zero_is_malformed_not_a_loop),
        cmocka_unit_test(test_tcp_option_length_one_is_malformed),
        cmocka_unit_test(test_tcp_option_longer_than_header_is_malformed),
        cmocka_unit_test(test_tcp_option_wrong_length_for_its_kind_is_malformed),
        cmocka_unit_test(test_tcp_data_offset_below_5_is_malformed),
        cmocka_unit_test(test_tcp_data_offset_beyond_ip_payload_is_malformed),
        cmocka_unit_test(test_tcp_header_cut_by_snaplen_is_truncated_with_ports),
        cmocka_unit_test(test_udp_length_below_8_is_malformed),
        cmocka_unit_test(test_udp_length_beyond_ip_payload_is_malformed_and_ip_length_wins),
        cmocka_unit_test(test_udp_length_shorter_than_ip_payload_bounds_the_payload),
        cmocka_unit_test(test_ip_payload_too_short_for_udp_header_is_malformed),
        cmocka_unit_test(test_icmp_echo_is_not_an_error),
        cmocka_unit_test(test_icmp_port_unreachable_quotes_the_udp_flow),
        cmocka_unit_test(test_icmp_time_exceeded_quotes_tcp_ports),
        cmocka_unit_test(test_icmp_source_quench_and_parameter_problem_are_errors),
        cmocka_unit_test(test_icmp_error_quoting_too_little_is_malformed),
        cmocka_unit_test(test_icmp_error_quote_cut_by_snaplen_is_truncated),
        cmocka_unit_test(test_icmpv6_port_unreachable_quotes_the_udp_flow),
        cmocka_unit_test(test_icmpv6_packet_too_big_time_exceeded_parameter_problem_quote),
        cmocka_unit_test(test_every_truncation_point_of_ethernet_ipv4_tcp),
        cmocka_unit_test(test_every_truncation_point_of_sll2_ipv6_udp_with_extensions),
        cmocka_unit_test(test_every_truncation_point_of_vlan_icmp_port_unreachable),
        cmocka_unit_test(test_every_truncation_point_of_null_loopback_ipv4_tcp),
        cmocka_unit_test(test_fields_of_every_shipped_capture_follow_decode_at_every_cut),
        cmocka_unit_test(test_sack_fields_take_the_lengths_decode_accepts),
        cmocka_unit_test(test_a_field_decode_rejects_ends_the_list_after_its_header),
        cmocka_unit_test(test_a_header_its_datagram_cuts_short_ends_the_list_as_short_not_truncated),
        cmocka_unit_test(test_fields_follow_each_link_layer_to_ip),
        cmocka_unit_test(test_an_icmp_error_lists_the_quoted_headers_then_what_is_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
