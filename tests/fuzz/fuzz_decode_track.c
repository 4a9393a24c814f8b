/* libFuzzer target over decode + track. Input: one byte choosing the link type, then frames,
 * each a 2-byte big-endian length (top bit: the frame was cut by a snaplen, so its wire
 * length is longer) and that many bytes. Every frame is copied into a buffer of exactly its
 * length so ASan sees any over-read; decoded packets go through one tracker in order, and
 * each frame is decoded once more with the field sink, whose list is checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/decode.h"
#include "sockscope/track.h"

static const int LINKTYPES[] = {
    LINK_ETHERNET, LINK_LINUX_SLL, LINK_LINUX_SLL2, LINK_NULL, LINK_LOOP,
    LINK_RAW,      LINK_IPV4,      LINK_IPV6,       12,        14,
    147, /* 147: unsupported */
};

enum { MAX_FRAMES = 64 };

static void check_invariants(const struct packet *p, const uint8_t *frame, uint32_t caplen)
{
    if (p->payload_caplen > p->payload_len) __builtin_trap();
    if (p->payload_caplen > 0 &&
        (p->payload < frame || p->payload + p->payload_caplen > frame + caplen))
        __builtin_trap();
    if ((p->status == PACKET_OK) != (p->why == NULL)) __builtin_trap();
    if (p->opt.sack_count > TCP_MAX_SACK_BLOCKS) __builtin_trap();
    char text[48];
    if (ip_address_format(&p->src, text, sizeof text) >= (int)sizeof text ||
        ip_address_format(&p->dst, text, sizeof text) >= (int)sizeof text ||
        ip_address_format(&p->quote.src, text, sizeof text) >= (int)sizeof text)
        __builtin_trap();
}

/* The field sink's list of one frame, checked as it arrives: inside the capture, tiling it
 * bit by bit with no gap or overlap, nothing after a cut entry, a truncated one ending at
 * caplen. */
struct field_check {
    const uint8_t *frame;
    uint32_t caplen;
    uint64_t bit;
    bool cut, truncated;
    uint8_t last_stop;
};

static void check_field(void *ctx, const struct decode_field *f)
{
    struct field_check *c = ctx;
    if (c->cut) __builtin_trap();
    if (f->offset > c->caplen || f->size > c->caplen - f->offset) __builtin_trap();
    if (f->size && f->bytes != c->frame + f->offset) __builtin_trap();
    if ((uint64_t)f->offset * 8 + f->first_bit != c->bit) __builtin_trap();
    if (f->stop != STOP_NONE && f->why == NULL) __builtin_trap();
    c->cut = f->stop == STOP_TRUNCATED || f->stop == STOP_SHORT;
    c->truncated = f->stop == STOP_TRUNCATED;
    /* a cut entry holds what there is of its field: for a truncation, up to caplen */
    if (c->truncated && f->offset + f->size != c->caplen) __builtin_trap();
    if (!c->cut) c->bit += f->bits ? f->bits : (uint64_t)f->size * 8;
    c->last_stop = f->stop;
}

/* Decodes the frame again with the sink: the list follows the rules, ends with a cut entry
 * where decode stopped, and the packet is the one decoded without. */
static void check_fields(int linktype, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
                         const struct packet *plain)
{
    struct field_check c = {.frame = frame, .caplen = caplen};
    struct decode_sink sink = {check_field, &c};
    struct packet p;
    decode_packet_fields(linktype, frame, caplen, wirelen, 1, &p, &sink);
    if (p.status != plain->status || p.why != plain->why || p.payload != plain->payload ||
        p.payload_len != plain->payload_len || p.sport != plain->sport ||
        p.tcp_header_len != plain->tcp_header_len || p.opt.sack_count != plain->opt.sack_count)
        __builtin_trap();
    /* status is decode's first problem: a truncation may follow a lie decode got past, and
     * in the captured part of a truncated header decode may still stop at a lie */
    if (p.status == PACKET_TRUNCATED && c.last_stop != STOP_TRUNCATED &&
        c.last_stop != STOP_MALFORMED)
        __builtin_trap();
    if (c.truncated && p.status != PACKET_TRUNCATED && p.status != PACKET_MALFORMED)
        __builtin_trap();
    if (p.status == PACKET_OK && p.src.family && c.bit != (uint64_t)caplen * 8) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int linktype = LINKTYPES[data[0] % (sizeof LINKTYPES / sizeof LINKTYPES[0])];
    data++;
    size--;

    struct tracker *t = track_new();
    if (t == NULL) return 0;
    for (uint32_t n = 1; n <= MAX_FRAMES && size >= 2; n++) {
        uint32_t len = (uint32_t)(data[0] & 0x7f) << 8 | data[1];
        uint32_t extra = data[0] & 0x80 ? 1000 : 0;
        data += 2;
        size -= 2;
        if (len > size) len = (uint32_t)size;
        uint8_t *frame = malloc(len ? len : 1);
        if (frame == NULL) break;
        memcpy(frame, data, len);
        data += len;
        size -= len;

        struct packet p;
        decode_packet(linktype, len ? frame : NULL, len, len + extra, (uint64_t)n * 1000, &p);
        check_invariants(&p, frame, len);
        check_fields(linktype, len ? frame : NULL, len, len + extra, &p);
        struct track_info info;
        track_feed(t, &p, n, &info);
        free(frame);
    }
    track_free(t);
    return 0;
}
