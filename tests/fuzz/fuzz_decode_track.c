/* libFuzzer target over decode + track. Input: one byte choosing the link type, then frames,
 * each a 2-byte big-endian length (top bit: the frame was cut by a snaplen, so its wire
 * length is longer) and that many bytes. Every frame is copied into a buffer of exactly its
 * length so ASan sees any over-read; decoded packets go through one tracker in order. */
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
        struct track_info info;
        track_feed(t, &p, n, &info);
        free(frame);
    }
    track_free(t);
    return 0;
}
