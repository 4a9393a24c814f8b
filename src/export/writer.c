/* The buffered output writer shared by every exporter: one fwrite per 64 KiB, integers and
 * timestamps formatted by hand because printf dominates the JSON path otherwise. */
#include "sockscope/export.h"

#include <string.h>

void out_init(struct out *o, FILE *fp)
{
    o->fp = fp;
    o->len = 0;
    o->failed = false;
}

void out_flush(struct out *o)
{
    if (o->len && !o->failed && fwrite(o->buf, 1, o->len, o->fp) != o->len)
        o->failed = true;
    o->len = 0;
    if (!o->failed && fflush(o->fp) != 0)
        o->failed = true;
}

static void drain(struct out *o)
{
    if (!o->failed && fwrite(o->buf, 1, o->len, o->fp) != o->len)
        o->failed = true;
    o->len = 0;
}

char *out_reserve(struct out *o, size_t n)
{
    if (sizeof o->buf - o->len < n)
        drain(o);
    return o->buf + o->len;
}

void out_commit(struct out *o, char *end)
{
    o->len = (size_t)(end - o->buf);
}

void out_bytes(struct out *o, const char *s, size_t n)
{
    if (n <= sizeof o->buf - o->len) {
        memcpy(o->buf + o->len, s, n);
        o->len += n;
        return;
    }
    while (n) {
        size_t room = sizeof o->buf - o->len;
        size_t k = n < room ? n : room;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
        if (o->len == sizeof o->buf)
            drain(o);
    }
}

void out_str(struct out *o, const char *s)
{
    out_bytes(o, s, strlen(s));
}

void out_char(struct out *o, char c)
{
    if (o->len == sizeof o->buf)
        drain(o);
    o->buf[o->len++] = c;
}

void out_u64(struct out *o, uint64_t v)
{
    char tmp[VIEW_U64_DIGITS];
    int i = view_u64_digits(v, tmp);
    out_bytes(o, tmp + i, sizeof tmp - (size_t)i);
}

void out_i64(struct out *o, int64_t v)
{
    if (v < 0) {
        out_char(o, '-');
        out_u64(o, (uint64_t)0 - (uint64_t)v);
    } else {
        out_u64(o, (uint64_t)v);
    }
}

void out_timestamp(struct out *o, uint64_t ts_ns)
{
    char frac[10];
    uint64_t ns = ts_ns % 1000000000u;
    out_u64(o, ts_ns / 1000000000u);
    frac[0] = '.';
    for (int i = 9; i >= 1; i--) {
        frac[i] = (char)('0' + ns % 10);
        ns /= 10;
    }
    out_bytes(o, frac, sizeof frac);
}

void out_json_escaped(struct out *o, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out_char(o, (char)c);
            continue;
        }
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        switch (c) {
        case '"': out_bytes(o, "\\\"", 2); break;
        case '\\': out_bytes(o, "\\\\", 2); break;
        case '\n': out_bytes(o, "\\n", 2); break;
        case '\r': out_bytes(o, "\\r", 2); break;
        case '\t': out_bytes(o, "\\t", 2); break;
        default: out_bytes(o, esc, sizeof esc); break;
        }
    }
}
