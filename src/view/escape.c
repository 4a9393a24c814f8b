/* Payload previews as escaped text: what a student sent, readable, and safe to print on a
 * terminal (no control byte or escape sequence from the capture ever reaches it raw). */
#include "sockscope/view.h"

#include <stdio.h>

bool view_escape_preview(const uint8_t *s, size_t n, char *buf, size_t max_chars)
{
    static const char hex[] = "0123456789abcdef";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        char esc[5];
        size_t k = 0;
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            esc[k++] = (char)c;
        } else {
            esc[k++] = '\\';
            switch (c) {
            case '"': esc[k++] = '"'; break;
            case '\\': esc[k++] = '\\'; break;
            case '\n': esc[k++] = 'n'; break;
            case '\r': esc[k++] = 'r'; break;
            case '\t': esc[k++] = 't'; break;
            default:
                esc[k++] = 'x';
                esc[k++] = hex[c >> 4];
                esc[k++] = hex[c & 15];
            }
        }
        if (used + k > max_chars) {
            buf[used] = '\0';
            return true;
        }
        for (size_t j = 0; j < k; j++)
            buf[used++] = esc[j];
    }
    buf[used] = '\0';
    return false;
}
