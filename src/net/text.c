/* What the modules do to messages and how they log them: the uppercase reply of the
 * textbook servers, and short escaped previews in one-line log entries. */
#include "net_internal.h"

#include <stdarg.h>

void net_uppercase(char *buf, size_t n)
{
    /* ASCII only, as Python's bytes.upper(): UTF-8 text passes through unchanged */
    for (size_t i = 0; i < n; i++)
        if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = (char)(buf[i] - 'a' + 'A');
}

void net_preview(const void *data, size_t n, char *buf, size_t bufsize)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = data;
    size_t o = 0, limit = bufsize > 8 ? bufsize - 8 : 0; /* room for "...\"" and NUL */
    if (bufsize < 8) {
        if (bufsize) buf[0] = 0;
        return;
    }
    buf[o++] = '"';
    size_t i = 0;
    for (; i < n && o + 4 <= limit; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else if (c < 0x20 || c >= 0x7f) {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    if (i < n) {
        buf[o++] = '.';
        buf[o++] = '.';
        buf[o++] = '.';
    }
    buf[o] = 0;
}

void net_log(FILE *log, const char *fmt, ...)
{
    if (!log) return;
    va_list ap;
    va_start(ap, fmt);
    flockfile(log);
    vfprintf(log, fmt, ap);
    fputc('\n', log);
    fflush(log);
    funlockfile(log);
    va_end(ap);
}
