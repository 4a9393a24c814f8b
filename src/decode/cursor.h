/* cursor: a bounds-checked view of the captured bytes of one layer, with big-endian
 * accessors that fail instead of reading past the end (netdissect's GET_ macros, as
 * functions). Every decoder reads the frame only through these. */
#ifndef SOCKSCOPE_DECODE_CURSOR_H
#define SOCKSCOPE_DECODE_CURSOR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct cursor {
    const uint8_t *p;
    uint32_t cap; /* captured bytes readable from p */
};

static inline bool cursor_has(struct cursor c, uint32_t off, uint32_t n)
{
    return off <= c.cap && n <= c.cap - off;
}

static inline bool cursor_u8(struct cursor c, uint32_t off, uint8_t *v)
{
    if (!cursor_has(c, off, 1)) return false;
    *v = c.p[off];
    return true;
}

static inline bool cursor_be16(struct cursor c, uint32_t off, uint16_t *v)
{
    if (!cursor_has(c, off, 2)) return false;
    *v = (uint16_t)(c.p[off] << 8 | c.p[off + 1]);
    return true;
}

static inline bool cursor_be32(struct cursor c, uint32_t off, uint32_t *v)
{
    if (!cursor_has(c, off, 4)) return false;
    *v = (uint32_t)c.p[off] << 24 | (uint32_t)c.p[off + 1] << 16 | (uint32_t)c.p[off + 2] << 8 |
         c.p[off + 3];
    return true;
}

static inline bool cursor_le32(struct cursor c, uint32_t off, uint32_t *v)
{
    if (!cursor_has(c, off, 4)) return false;
    *v = (uint32_t)c.p[off + 3] << 24 | (uint32_t)c.p[off + 2] << 16 | (uint32_t)c.p[off + 1] << 8 |
         c.p[off];
    return true;
}

static inline bool cursor_copy(struct cursor c, uint32_t off, void *dst, uint32_t n)
{
    if (!cursor_has(c, off, n)) return false;
    memcpy(dst, c.p + off, n);
    return true;
}

/* The bytes from off on (none if off is past the end). */
static inline struct cursor cursor_from(struct cursor c, uint32_t off)
{
    if (off > c.cap) off = c.cap;
    struct cursor r = {c.p + off, c.cap - off};
    return r;
}

/* The same bytes, cut to at most n (a length field bounding trailing padding). */
static inline struct cursor cursor_limit(struct cursor c, uint32_t n)
{
    if (c.cap > n) c.cap = n;
    return c;
}

#endif
