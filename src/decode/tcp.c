/* TCP: ports, sequence numbers, the 12-bit flags field, window, and the options a teacher
 * points at (MSS, window scale, SACK, timestamps). Options are walked by their lengths;
 * a length that cannot be right stops the walk as malformed, so it can never loop. */
#include "layers.h"

enum {
    TCP_MIN_HEADER = 20,
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_MSS = 2,
    OPT_WSCALE = 3,
    OPT_SACK_PERMITTED = 4,
    OPT_SACK = 5,
    OPT_TIMESTAMPS = 8,
};

/* Checks an option's length against what its kind requires. */
static bool option_length_ok(uint8_t kind, uint32_t len)
{
    switch (kind) {
    case OPT_MSS:
        return len == 4;
    case OPT_WSCALE:
        return len == 3;
    case OPT_SACK_PERMITTED:
        return len == 2;
    case OPT_SACK:
        return len >= 10 && (len - 2) % 8 == 0;
    case OPT_TIMESTAMPS:
        return len == 10;
    default:
        return true;
    }
}

static void decode_option(uint8_t kind, struct cursor o, struct tcp_options *opt)
{
    switch (kind) {
    case OPT_MSS:
        opt->has_mss = cursor_be16(o, 2, &opt->mss);
        break;
    case OPT_WSCALE:
        opt->has_wscale = cursor_u8(o, 2, &opt->wscale);
        break;
    case OPT_SACK_PERMITTED:
        opt->sack_permitted = true;
        break;
    case OPT_SACK:
        /* Blocks beyond TCP_MAX_SACK_BLOCKS (only possible with two SACK options) are
         * dropped. */
        for (uint32_t b = 2; b + 8 <= o.cap && opt->sack_count < TCP_MAX_SACK_BLOCKS; b += 8) {
            if (!cursor_be32(o, b, &opt->sack_left[opt->sack_count]) ||
                !cursor_be32(o, b + 4, &opt->sack_right[opt->sack_count]))
                break;
            opt->sack_count++;
        }
        break;
    case OPT_TIMESTAMPS:
        opt->has_timestamps = cursor_be32(o, 2, &opt->ts_val) && cursor_be32(o, 6, &opt->ts_ecr);
        break;
    }
}

/* o covers the captured option bytes, end is the option area's length per the data
 * offset. Options cut by the capture are left out (the header is already truncated). */
static void decode_options(struct cursor o, uint32_t end, struct packet *out)
{
    /* Linux puts NOP, NOP, timestamps on every segment after the handshake: read that
     * layout in one step, as the kernel's own parser does. */
    uint32_t first;
    if (end == 12 && cursor_has(o, 0, 12) && cursor_be32(o, 0, &first) && first == 0x0101080a &&
        cursor_be32(o, 4, &out->opt.ts_val) && cursor_be32(o, 8, &out->opt.ts_ecr)) {
        out->opt.has_timestamps = true;
        return;
    }
    uint32_t off = 0;
    while (off < end) {
        uint8_t kind, len;
        if (!cursor_u8(o, off, &kind)) return;
        if (kind == OPT_EOL) return;
        if (kind == OPT_NOP) {
            off++;
            continue;
        }
        if (off + 1 >= end) {
            decode_mark(out, PACKET_MALFORMED, "TCP option length runs past the header");
            return;
        }
        if (!cursor_u8(o, off + 1, &len)) return;
        if (len < 2) {
            decode_mark(out, PACKET_MALFORMED, "TCP option length below 2");
            return;
        }
        if (len > end - off) {
            decode_mark(out, PACKET_MALFORMED, "TCP option runs past the header");
            return;
        }
        if (!option_length_ok(kind, len)) {
            decode_mark(out, PACKET_MALFORMED, "TCP option has the wrong length for its kind");
            return;
        }
        if (!cursor_has(o, off, len)) return;
        decode_option(kind, cursor_limit(cursor_from(o, off), len), &out->opt);
        off += len;
    }
}

void decode_tcp(struct cursor c, uint32_t len, struct packet *out)
{
    out->proto = PROTO_TCP;
    /* Fill what the capture holds, so a short snaplen still names the flow. */
    uint8_t offset_byte = 0, flags_low = 0;
    bool have_ports = cursor_be16(c, 0, &out->sport) && cursor_be16(c, 2, &out->dport);
    bool have_fixed = have_ports && cursor_be32(c, 4, &out->seq) && cursor_be32(c, 8, &out->ack) &&
                      cursor_u8(c, 12, &offset_byte) && cursor_u8(c, 13, &flags_low) &&
                      cursor_be16(c, 14, &out->window) && cursor_has(c, 0, TCP_MIN_HEADER);
    if (!have_ports) out->sport = out->dport = 0;
    if (c.cap >= 14) {
        out->flags = (uint16_t)((offset_byte & 0x0f) << 8 | flags_low);
        out->tcp_header_len = (uint8_t)((offset_byte >> 4) * 4);
    }
    if (!have_fixed) {
        decode_short(out, c, len, "TCP header truncated", "IP payload too short for a TCP header");
        return;
    }

    uint32_t header_len = out->tcp_header_len;
    if (header_len < TCP_MIN_HEADER) {
        decode_mark(out, PACKET_MALFORMED, "TCP data offset below 5");
        return;
    }
    if (header_len > len) {
        decode_mark(out, PACKET_MALFORMED, "TCP header longer than the IP payload");
        return;
    }
    if (!cursor_has(c, 0, header_len)) decode_mark(out, PACKET_TRUNCATED, "TCP options truncated");
    decode_options(cursor_limit(cursor_from(c, TCP_MIN_HEADER), header_len - TCP_MIN_HEADER),
                   header_len - TCP_MIN_HEADER, out);
    decode_set_payload(out, cursor_from(c, header_len), len - header_len);
}
