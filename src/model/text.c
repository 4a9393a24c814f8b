/* Text that comes from outside (file and interface names, arguments echoed in errors, a
 * server's reply, a payload) made safe for a terminal: control bytes, C1 controls, the bidi
 * controls that reorder what is shown (U+202E), line separators and bytes that are not UTF-8
 * are written as escapes; everything else, accents and other scripts included, stays. */
#include <stdio.h>
#include <string.h>

#include "sockscope/model.h"

/* Length of the UTF-8 sequence at s (at most n bytes) and its code point, or 0 when the bytes
 * are not well-formed UTF-8 (overlong forms, surrogates and values past U+10FFFF included). */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    int len;
    uint32_t c, min;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        len = 2, c = s[0] & 0x1F, min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, c = s[0] & 0x0F, min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, c = s[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)len > n) return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

static bool unsafe_code_point(uint32_t c)
{
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E ||
           c == 0x200F || (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
           c == 0xFEFF;
}

size_t text_sanitize(const char *in, size_t n, char *out, size_t size)
{
    size_t w = 0;
    if (!size) return 0;
    const unsigned char *s = (const unsigned char *)in;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int len = utf8_decode(s + i, n - i, &cp);
        char esc[16];
        const char *piece;
        size_t plen;
        if (len == 0) {
            snprintf(esc, sizeof esc, "\\x%02X", s[i]);
            piece = esc, plen = strlen(esc), len = 1;
        } else if (cp == '\\') {
            piece = "\\\\", plen = 2;
        } else if (unsafe_code_point(cp)) {
            if (cp < 0x80)
                snprintf(esc, sizeof esc, "\\x%02X", (unsigned)cp);
            else
                snprintf(esc, sizeof esc, "\\u%04X", (unsigned)cp);
            piece = esc, plen = strlen(esc);
        } else {
            piece = (const char *)s + i, plen = (size_t)len;
        }
        if (w + plen >= size) break; /* whole pieces only: never half a sequence */
        memcpy(out + w, piece, plen);
        w += plen;
        i += (size_t)len;
    }
    out[w] = '\0';
    return w;
}
