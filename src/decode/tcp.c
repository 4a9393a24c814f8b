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

/* The fixed header as the sink sees it; decode_tcp reads the same offsets. */
static const struct field_spec TCP_FIELDS[] = {
    {FIELD_SOURCE_PORT, 0, 2, 0, 0, true},
    {FIELD_DESTINATION_PORT, 2, 2, 0, 0, true},
    {FIELD_TCP_SEQ, 4, 4, 0, 0, true},
    {FIELD_TCP_ACK, 8, 4, 0, 0, true},
    {FIELD_TCP_HEADER_LENGTH, 12, 1, 0, 4, true},
    {FIELD_TCP_FLAGS, 12, 2, 4, 12, true},
    {FIELD_TCP_WINDOW, 14, 2, 0, 0, true},
    {FIELD_CHECKSUM, 16, 2, 0, 0, true},
    {FIELD_TCP_URGENT, 18, 2, 0, 0, true},
};
enum { TCP_FIELD_COUNT = sizeof TCP_FIELDS / sizeof TCP_FIELDS[0], TCP_FIELD_HEADER_LENGTH = 4 };

static uint16_t option_field(uint8_t kind)
{
    switch (kind) {
    case OPT_MSS:
        return FIELD_TCP_OPTION_MSS;
    case OPT_WSCALE:
        return FIELD_TCP_OPTION_WSCALE;
    case OPT_SACK_PERMITTED:
        return FIELD_TCP_OPTION_SACK_PERMITTED;
    case OPT_SACK:
        return FIELD_TCP_OPTION_SACK;
    case OPT_TIMESTAMPS:
        return FIELD_TCP_OPTION_TIMESTAMPS;
    default:
        return FIELD_TCP_OPTION;
    }
}

/* The TCP header around the option area o: option fields count their bytes from the
 * header's start, as the fixed fields do (its 20 fixed bytes are captured when options are
 * walked). */
static struct cursor tcp_header_of(struct cursor o)
{
    struct cursor h = {o.p - TCP_MIN_HEADER, o.cap + TCP_MIN_HEADER};
    return h;
}

/* One option decode accepted, at off of the option area o, len bytes (all captured): a
 * number for what it carries; SACK as its kind and length, then one field per block. */
static __attribute__((cold)) void option_fields(struct field_out *fo, struct cursor o, uint32_t off,
                                                uint8_t kind, uint32_t len)
{
    struct cursor h = tcp_header_of(o);
    uint64_t v = kind;
    uint8_t u8 = 0;
    uint16_t u16 = 0;
    uint32_t a = 0, b = 0;
    switch (kind) {
    case OPT_MSS:
        cursor_be16(o, off + 2, &u16);
        v = u16;
        break;
    case OPT_WSCALE:
        cursor_u8(o, off + 2, &u8);
        v = u8;
        break;
    case OPT_SACK_PERMITTED:
        v = 0;
        break;
    case OPT_SACK:
        fields_put_emit(fo, LAYER_TCP, h, TCP_MIN_HEADER + off, 2, FIELD_TCP_OPTION_SACK, true,
                        len);
        for (uint32_t at = off + 2; at + 8 <= off + len; at += 8) {
            cursor_be32(o, at, &a);
            cursor_be32(o, at + 4, &b);
            fields_put_emit(fo, LAYER_TCP, h, TCP_MIN_HEADER + at, 8, FIELD_TCP_OPTION_SACK_BLOCK,
                            true, (uint64_t)a << 32 | b);
        }
        return;
    case OPT_TIMESTAMPS:
        cursor_be32(o, off + 2, &a);
        cursor_be32(o, off + 6, &b);
        v = (uint64_t)a << 32 | b;
        break;
    }
    fields_put_emit(fo, LAYER_TCP, h, TCP_MIN_HEADER + off, len, option_field(kind),
                    kind != OPT_SACK_PERMITTED, v);
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

/* An option decode stops at: the rest of the option area, as far as captured. */
DECODE_INLINE void option_stop(struct packet *out, struct field_out *fo, struct cursor o,
                               uint32_t off, uint32_t want, uint8_t kind, uint8_t stop,
                               const char *why)
{
    if (stop == STOP_MALFORMED) decode_mark(out, PACKET_MALFORMED, why);
    if (!fo) return;
    fields_cut_emit(fo, LAYER_TCP, tcp_header_of(o), TCP_MIN_HEADER + off, want,
                    stop == STOP_MALFORMED ? FIELD_TCP_OPTION_BAD : option_field(kind), stop, why);
}

/* o covers the captured option bytes, end is the option area's length per the data
 * offset. Options cut by the capture are left out (the header is already truncated). */
DECODE_INLINE void decode_options(struct cursor o, uint32_t end, struct packet *out,
                                  struct field_out *fo)
{
    /* Linux puts NOP, NOP, timestamps on every segment after the handshake: read that
     * layout in one step, as the kernel's own parser does. */
    struct cursor h = fo ? tcp_header_of(o) : o;
    uint32_t first;
    if (end == 12 && cursor_has(o, 0, 12) && cursor_be32(o, 0, &first) && first == 0x0101080a &&
        cursor_be32(o, 4, &out->opt.ts_val) && cursor_be32(o, 8, &out->opt.ts_ecr)) {
        out->opt.has_timestamps = true;
        if (fo) {
            fields_put_emit(fo, LAYER_TCP, h, 20, 1, FIELD_TCP_OPTION_NOP, false, 0);
            fields_put_emit(fo, LAYER_TCP, h, 21, 1, FIELD_TCP_OPTION_NOP, false, 0);
            fields_put_emit(fo, LAYER_TCP, h, 22, 10, FIELD_TCP_OPTION_TIMESTAMPS, true,
                            (uint64_t)out->opt.ts_val << 32 | out->opt.ts_ecr);
        }
        return;
    }
    static const char why_cut[] = "TCP options truncated";
    uint32_t off = 0;
    while (off < end) {
        uint8_t kind, len;
        if (!cursor_u8(o, off, &kind)) {
            fields_cut(fo, LAYER_TCP, h, TCP_MIN_HEADER + off, 1, FIELD_TCP_OPTION, STOP_TRUNCATED,
                       why_cut);
            return;
        }
        if (kind == OPT_EOL) {
            if (fo && !cursor_has(o, off, end - off))
                fields_cut_emit(fo, LAYER_TCP, h, TCP_MIN_HEADER + off, end - off,
                                FIELD_TCP_OPTION_END, STOP_TRUNCATED, why_cut);
            else
                fields_put(fo, LAYER_TCP, h, TCP_MIN_HEADER + off, end - off, FIELD_TCP_OPTION_END,
                           false, 0);
            return;
        }
        if (kind == OPT_NOP) {
            fields_put(fo, LAYER_TCP, h, TCP_MIN_HEADER + off, 1, FIELD_TCP_OPTION_NOP, false, 0);
            off++;
            continue;
        }
        if (off + 1 >= end) {
            option_stop(out, fo, o, off, end - off, kind, STOP_MALFORMED,
                        "TCP option length runs past the header");
            return;
        }
        if (!cursor_u8(o, off + 1, &len)) {
            fields_cut(fo, LAYER_TCP, h, TCP_MIN_HEADER + off, 2, option_field(kind),
                       STOP_TRUNCATED, why_cut);
            return;
        }
        if (len < 2) {
            option_stop(out, fo, o, off, end - off, kind, STOP_MALFORMED,
                        "TCP option length below 2");
            return;
        }
        if (len > end - off) {
            option_stop(out, fo, o, off, end - off, kind, STOP_MALFORMED,
                        "TCP option runs past the header");
            return;
        }
        if (!option_length_ok(kind, len)) {
            option_stop(out, fo, o, off, len, kind, STOP_MALFORMED,
                        "TCP option has the wrong length for its kind");
            return;
        }
        if (!cursor_has(o, off, len)) {
            fields_cut(fo, LAYER_TCP, h, TCP_MIN_HEADER + off, len, option_field(kind),
                       STOP_TRUNCATED, why_cut);
            return;
        }
        decode_option(kind, cursor_limit(cursor_from(o, off), len), &out->opt);
        if (fo) option_fields(fo, o, off, kind, len);
        off += len;
    }
}

DECODE_INLINE void tcp_body(struct cursor c, uint32_t len, struct packet *out, struct field_out *fo)
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
    static const char why_truncated[] = "TCP header truncated",
                      why_short[] = "IP payload too short for a TCP header";
    if (!have_fixed) {
        decode_short(out, c, len, why_truncated, why_short);
        fields_header(fo, LAYER_TCP, c, len, TCP_FIELDS, TCP_FIELD_COUNT, -1, NULL, why_truncated,
                      why_short);
        return;
    }

    uint32_t header_len = out->tcp_header_len;
    const char *bad = header_len < TCP_MIN_HEADER ? "TCP data offset below 5"
                      : header_len > len          ? "TCP header longer than the IP payload"
                                                  : NULL;
    fields_header(fo, LAYER_TCP, c, len, TCP_FIELDS, TCP_FIELD_COUNT,
                  bad ? TCP_FIELD_HEADER_LENGTH : -1, bad, why_truncated, why_short);
    if (bad) {
        decode_mark(out, PACKET_MALFORMED, bad);
        return;
    }
    if (!cursor_has(c, 0, header_len)) decode_mark(out, PACKET_TRUNCATED, "TCP options truncated");
    decode_options(cursor_limit(cursor_from(c, TCP_MIN_HEADER), header_len - TCP_MIN_HEADER),
                   header_len - TCP_MIN_HEADER, out, fo);
    decode_set_payload(out, cursor_from(c, header_len), len - header_len);
}

void decode_tcp(struct cursor c, uint32_t len, struct packet *out)
{
    tcp_body(c, len, out, NULL);
}

void decode_tcp_fields(struct cursor c, uint32_t len, struct packet *out, struct field_out *fo)
{
    tcp_body(c, len, out, fo);
}
