/* The field sink's side of decode: turns the positions a decoder read into decode_field
 * entries, reading values through the same bounds-checked cursor, and keeps the list
 * ending where decode stopped. */
#include "fields.h"

static uint32_t frame_offset(const struct field_out *fo, struct cursor h, uint32_t off)
{
    return (fo->frame && h.p ? (uint32_t)(h.p - fo->frame) : 0) + off;
}

static void send(struct field_out *fo, struct decode_field *f)
{
    fo->covered = f->offset + f->size;
    if (f->stop != STOP_NONE) fo->stopped = true;
    fo->sink->field(fo->sink->ctx, f);
}

/* A big-endian number of up to 8 bytes the caller has checked are captured. */
static uint64_t number(struct cursor h, uint32_t off, uint32_t size)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < size && i < 8; i++)
        v = v << 8 | h.p[off + i];
    return v;
}

void fields_put_emit(struct field_out *fo, uint8_t layer, struct cursor h, uint32_t off,
                     uint32_t size, uint16_t id, bool has_value, uint64_t value)
{
    if (fo->stopped || !cursor_has(h, off, size)) return;
    struct decode_field f = {
        .bytes = h.p ? h.p + off : NULL,
        .value = value,
        .offset = frame_offset(fo, h, off),
        .size = size,
        .layer_offset = frame_offset(fo, h, 0),
        .id = id,
        .layer = layer,
        .has_value = has_value,
    };
    send(fo, &f);
}

/* first_bit: where in its first byte a cut bit field starts, so the cut entry takes up
 * exactly the bits the fields before it left. */
static void cut(struct field_out *fo, uint8_t layer, struct cursor h, uint32_t off, uint32_t want,
                uint16_t id, uint8_t stop, const char *why, uint8_t first_bit)
{
    if (fo->stopped) return;
    if (off >= h.cap) first_bit = 0;
    uint32_t at = off < h.cap ? off : h.cap;
    uint32_t have = h.cap - at < want ? h.cap - at : want;
    struct decode_field f = {
        .bytes = h.p ? h.p + at : NULL,
        .why = why,
        .offset = frame_offset(fo, h, at),
        .size = have,
        .want = want,
        .layer_offset = frame_offset(fo, h, 0),
        .id = id,
        .layer = layer,
        .first_bit = first_bit,
        .stop = stop,
    };
    send(fo, &f);
}

void fields_cut_emit(struct field_out *fo, uint8_t layer, struct cursor h, uint32_t off,
                     uint32_t want, uint16_t id, uint8_t stop, const char *why)
{
    cut(fo, layer, h, off, want, id, stop, why, 0);
}

void fields_header_emit(struct field_out *fo, uint8_t layer, struct cursor h, uint32_t len,
                        const struct field_spec *specs, int count, int bad, const char *why_bad,
                        const char *why_truncated, const char *why_short)
{
    for (int i = 0; i < count && !fo->stopped; i++) {
        const struct field_spec *s = &specs[i];
        if (!cursor_has(h, s->off, s->size)) {
            bool capture = len == FIELDS_NO_LENGTH || h.cap < len;
            cut(fo, layer, h, s->off, s->size, s->id, capture ? STOP_TRUNCATED : STOP_SHORT,
                capture ? why_truncated : why_short, s->first_bit);
            return;
        }
        uint64_t v = s->number ? number(h, s->off, s->size) : 0;
        if (s->bits) v = v >> (s->size * 8u - s->first_bit - s->bits) & ((1ull << s->bits) - 1);
        struct decode_field f = {
            .bytes = h.p + s->off,
            .why = i == bad ? why_bad : NULL,
            .value = v,
            .offset = frame_offset(fo, h, s->off),
            .size = s->size,
            .layer_offset = frame_offset(fo, h, 0),
            .id = s->id,
            .layer = layer,
            .bits = s->bits,
            .first_bit = s->first_bit,
            .stop = i == bad ? STOP_MALFORMED : STOP_NONE,
            .has_value = s->number,
        };
        /* a rejected field still lets the rest of its layout through: decode read it */
        fo->covered = f.offset + f.size;
        fo->sink->field(fo->sink->ctx, &f);
    }
    if (bad >= 0) fo->stopped = true;
}

/* IPv4 options are not needed for decoding (IHL skips them), so only the sink walks them:
 * each by its length, a length that cannot be right covering the rest of the options. */
void fields_ipv4_options_emit(struct field_out *fo, uint8_t layer, struct cursor h,
                              uint32_t header_len, uint32_t len)
{
    bool capture = len == FIELDS_NO_LENGTH || h.cap < len;
    uint8_t stop = capture ? STOP_TRUNCATED : STOP_SHORT;
    const char *why = capture ? "IPv4 options truncated" : "the IPv4 header runs past its datagram";
    uint32_t off = 20;
    while (off < header_len && !fo->stopped) {
        uint8_t kind, olen;
        if (!cursor_u8(h, off, &kind)) {
            fields_cut_emit(fo, layer, h, off, header_len - off, FIELD_IPV4_OPTION, stop, why);
            return;
        }
        if (kind == 0 || kind == 1) {
            uint32_t size = kind == 0 ? header_len - off : 1;
            uint16_t id = kind == 0 ? FIELD_IPV4_OPTION_END : FIELD_IPV4_OPTION_NOP;
            if (!cursor_has(h, off, size)) {
                fields_cut_emit(fo, layer, h, off, size, id, stop, why);
                return;
            }
            fields_put_emit(fo, layer, h, off, size, id, false, 0);
            off += size;
            continue;
        }
        uint32_t size = header_len - off;
        if (off + 1 < header_len) {
            if (!cursor_u8(h, off + 1, &olen)) {
                fields_cut_emit(fo, layer, h, off, 2, FIELD_IPV4_OPTION, stop, why);
                return;
            }
            if (olen >= 2 && olen <= header_len - off) size = olen;
        }
        if (!cursor_has(h, off, size)) {
            fields_cut_emit(fo, layer, h, off, size, FIELD_IPV4_OPTION, stop, why);
            return;
        }
        fields_put_emit(fo, layer, h, off, size, FIELD_IPV4_OPTION, true, kind);
        off += size;
    }
}

void fields_tail_emit(struct field_out *fo, const struct packet *p, uint32_t caplen)
{
    if (fo->stopped || !fo->frame) return;
    if (p->payload && (p->payload_len || p->payload_caplen)) {
        uint32_t start = (uint32_t)(p->payload - fo->frame), end = start + p->payload_caplen;
        /* an ICMP error's quoted headers already cover the start of its payload */
        uint32_t from = fo->covered > start ? fo->covered : start;
        if (from <= end && (from < end || p->payload_len > from - start)) {
            struct decode_field f = {
                .bytes = fo->frame + from,
                .value = p->payload_len - (from - start),
                .offset = from,
                .size = end - from,
                .layer_offset = from,
                .id = FIELD_PAYLOAD,
                .layer = LAYER_DATA,
                .has_value = true,
            };
            send(fo, &f);
        }
    }
    if (fo->ip_end && fo->covered < caplen) {
        struct decode_field f = {
            .bytes = fo->frame + fo->covered,
            .value = caplen - fo->covered,
            .offset = fo->covered,
            .size = caplen - fo->covered,
            .layer_offset = fo->covered,
            .id = FIELD_PADDING,
            .layer = LAYER_TRAILER,
            .has_value = true,
        };
        send(fo, &f);
    }
}
