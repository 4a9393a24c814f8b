/* address formatting: dotted quad for IPv4, RFC 5952 text for IPv6 (longest run of two or
 * more zero groups compressed, lowercase hex, IPv4-mapped addresses as ::ffff:a.b.c.d). */
#include <string.h>

#include "sockscope/model.h"

/* Longest run of >= 2 zero groups, the first one on ties (RFC 5952 4.2). */
static void longest_zero_run(const uint16_t g[8], int *start, int *len)
{
    *start = -1;
    *len = 0;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i >= 2 && j - i > *len) {
            *start = i;
            *len = j - i;
        }
        i = j;
    }
}

/* Hand-made hex and decimal: sprintf dominated JSON output of IPv6 captures. */
static int put_hex(char *out, uint16_t v)
{
    static const char hex[] = "0123456789abcdef";
    int n = 0;
    for (int shift = 12; shift >= 0; shift -= 4)
        if (v >> shift || shift == 0 || n)
            out[n++] = hex[(v >> shift) & 15];
    return n;
}

static int put_dec(char *out, uint8_t v)
{
    int n = 0;
    if (v >= 100)
        out[n++] = (char)('0' + v / 100);
    if (v >= 10)
        out[n++] = (char)('0' + v / 10 % 10);
    out[n++] = (char)('0' + v % 10);
    return n;
}

static int format_ipv4(const uint8_t b[4], char *out)
{
    int n = 0;
    for (int i = 0; i < 4; i++) {
        if (i)
            out[n++] = '.';
        n += put_dec(out + n, b[i]);
    }
    out[n] = '\0';
    return n;
}

static int format_ipv6(const uint8_t b[16], char *out)
{
    static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped_prefix, 12) == 0) {
        memcpy(out, "::ffff:", 7);
        return 7 + format_ipv4(b + 12, out + 7);
    }

    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
    int run, run_len;
    longest_zero_run(g, &run, &run_len);

    int n = 0;
    for (int i = 0; i < 8; i++) {
        if (i == run) {
            out[n++] = ':';
            if (i == 0) out[n++] = ':';
            i += run_len - 1;
            continue;
        }
        n += put_hex(out + n, g[i]);
        if (i < 7) out[n++] = ':';
    }
    out[n] = '\0';
    return n;
}

int ip_address_format(const struct ip_address *a, char *buf, int bufsize)
{
    char text[48]; /* longest: 8 groups of 4 hex digits and 7 colons */
    int n;
    if (a->family == 4) {
        n = format_ipv4(a->bytes, text);
    } else if (a->family == 6) {
        n = format_ipv6(a->bytes, text);
    } else {
        n = 0;
        text[0] = '\0';
    }
    if (bufsize > 0) {
        int copy = n < bufsize ? n : bufsize - 1;
        memcpy(buf, text, (size_t)copy);
        buf[copy] = '\0';
    }
    return n;
}
