/* Endpoints (one lifeline each): equality and the ip:port text every output prints. */
#include <stdio.h>
#include <string.h>

#include "sockscope/model.h"

bool endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
    int n = a->addr.family == 6 ? 16 : 4;
    return a->addr.family == b->addr.family && a->port == b->port &&
           !memcmp(a->addr.bytes, b->addr.bytes, (size_t)n);
}

int endpoint_format(const struct endpoint *e, char *buf, size_t size)
{
    char addr[64];
    ip_address_format(&e->addr, addr, sizeof addr);
    if (e->addr.family == 6) return snprintf(buf, size, "[%s]:%u", addr, e->port);
    return snprintf(buf, size, "%s:%u", addr, e->port);
}
