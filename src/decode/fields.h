/* fields: how the decoders of src/decode/ tell a field sink where each field they read sits.
 * Each call first tests the sink pointer inline; in the decoders' no-sink variants (see
 * layers.h) the pointer is a constant NULL, so the calls fold away. */
#ifndef SOCKSCOPE_DECODE_FIELDS_H
#define SOCKSCOPE_DECODE_FIELDS_H

#include "cursor.h"
#include "sockscope/decode.h"

struct field_out {
    const struct decode_sink *sink;
    const uint8_t *frame;
    uint32_t caplen;  /* the frame's captured length: what ends by the capture */
    uint32_t covered; /* frame offset the fields so far reach */
    uint32_t ip_end;  /* where the outer IP datagram ends in the frame; 0: no IP */
    bool stopped;     /* a field ended the list */
};

/* One fixed-position field of a header layout. */
struct field_spec {
    uint16_t id;
    uint8_t off, size; /* from the header's start; bytes it touches */
    uint8_t first_bit, bits;
    bool number; /* its value is a number (else bytes: addresses) */
};

/* Where the captured bytes of a header stop a field: the capture, or the length of the
 * header around it (for a header that, unlike the link and IP headers, has one). */
enum { FIELDS_NO_LENGTH = UINT32_MAX };

/* The emitters are cold: they serve the packet detail, one frame at a time, not the
 * capture's stream of frames. */
#define FIELDS_COLD __attribute__((cold, noinline))

FIELDS_COLD void fields_header_emit(struct field_out *fo, uint8_t layer, struct cursor h,
                                    uint32_t len, const struct field_spec *specs, int count,
                                    int bad, const char *why_bad, const char *why_truncated,
                                    const char *why_short);
FIELDS_COLD void fields_put_emit(struct field_out *fo, uint8_t layer, struct cursor h, uint32_t off,
                                 uint32_t size, uint16_t id, bool has_value, uint64_t value);
FIELDS_COLD void fields_cut_emit(struct field_out *fo, uint8_t layer, struct cursor h, uint32_t off,
                                 uint32_t want, uint16_t id, uint8_t stop, const char *why);
FIELDS_COLD void fields_tail_emit(struct field_out *fo, const struct packet *p, uint32_t caplen);
/* The options of the IPv4 header at h (len: its length per the enclosing header, or
 * FIELDS_NO_LENGTH). */
FIELDS_COLD void fields_ipv4_options_emit(struct field_out *fo, uint8_t layer, struct cursor h,
                                          uint32_t header_len, uint32_t len);

/* The first count fields of a header layout starting at h, whose header is len bytes long
 * as the enclosing header says (FIELDS_NO_LENGTH: only the capture bounds it). A field the
 * bytes end inside ends the list, as truncated (why_truncated) or short (why_short); the
 * field at index bad (-1: none) is the one decode rejected (why_bad), and ends the list
 * after the layout. */
static inline void fields_header(struct field_out *fo, uint8_t layer, struct cursor h, uint32_t len,
                                 const struct field_spec *specs, int count, int bad,
                                 const char *why_bad, const char *why_truncated,
                                 const char *why_short)
{
    if (__builtin_expect(fo != NULL, 0))
        fields_header_emit(fo, layer, h, len, specs, count, bad, why_bad, why_truncated, why_short);
}

/* A field of size captured bytes at h + off. */
static inline void fields_put(struct field_out *fo, uint8_t layer, struct cursor h, uint32_t off,
                              uint32_t size, uint16_t id, bool has_value, uint64_t value)
{
    if (__builtin_expect(fo != NULL, 0))
        fields_put_emit(fo, layer, h, off, size, id, has_value, value);
}

/* The field at h + off that needs want bytes and ends the list (stop: enum decode_stop). */
static inline void fields_cut(struct field_out *fo, uint8_t layer, struct cursor h, uint32_t off,
                              uint32_t want, uint16_t id, uint8_t stop, const char *why)
{
    if (__builtin_expect(fo != NULL, 0)) fields_cut_emit(fo, layer, h, off, want, id, stop, why);
}

/* After the headers: the payload decode found, then any bytes after the datagram. */
static inline void fields_tail(struct field_out *fo, const struct packet *p, uint32_t caplen)
{
    if (__builtin_expect(fo != NULL, 0)) fields_tail_emit(fo, p, caplen);
}

/* Where the outer IP datagram ends: h is its header, len its length. */
static inline void fields_ip_end(struct field_out *fo, struct cursor h, uint32_t len)
{
    if (__builtin_expect(fo != NULL, 0) && fo->frame)
        fo->ip_end = (uint32_t)(h.p - fo->frame) + len;
}

#endif
