/* Lifelines: which ip:port stands in which column. Small captures get one lifeline per
 * endpoint for the whole diagram, clients left and servers right as textbooks draw them;
 * captures with more endpoints than fit reuse lifelines, least recently used first. */
#include "sockscope/model.h"

#include <string.h>

/* ::ffff:a.b.c.d is a.b.c.d: a dual-stack socket names IPv4 peers that way. */
static struct endpoint normalized(const struct endpoint *e)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    struct endpoint n = *e;
    if (e->addr.family == 6 && !memcmp(e->addr.bytes, mapped, sizeof mapped)) {
        memset(&n.addr, 0, sizeof n.addr);
        n.addr.family = 4;
        memcpy(n.addr.bytes, e->addr.bytes + 12, 4);
    }
    return n;
}

static bool wildcard(const struct endpoint *e)
{
    static const uint8_t zero[16];
    return !memcmp(e->addr.bytes, zero, e->addr.family == 4 ? 4 : 16);
}

void lifelines_init(struct lifelines *l, int capacity)
{
    memset(l, 0, sizeof *l);
    if (capacity < 2)
        capacity = 2;
    if (capacity > LIFELINES_MAX)
        capacity = LIFELINES_MAX;
    l->capacity = capacity;
}

void lifelines_reserve(struct lifelines *l, enum role r)
{
    if (l->count == l->capacity)
        return;
    memset(&l->ep[l->count], 0, sizeof l->ep[l->count]);
    l->role[l->count] = r;
    l->last_used[l->count] = 0;
    l->count++;
    l->generation++;
}

int lifelines_find(const struct lifelines *l, const struct endpoint *e)
{
    for (int i = 0; i < l->count; i++)
        if (endpoint_equal(&l->ep[i], e))
            return i;
    return -1;
}

bool lifelines_note(struct lifelines *l, const struct endpoint *e, enum role r)
{
    if (lifelines_find(l, e) >= 0)
        return true;
    if (l->count == l->capacity) {
        l->dynamic = true;
        return false;
    }
    l->ep[l->count] = *e;
    l->role[l->count] = r;
    l->count++;
    return true;
}

void lifelines_arrange(struct lifelines *l)
{
    struct lifelines sorted = *l;
    int n = 0;
    for (int pass = 0; pass < 2; pass++) {
        enum role want = pass == 0 ? ROLE_CLIENT : ROLE_SERVER;
        for (int i = 0; i < l->count; i++) {
            if (l->role[i] != want)
                continue;
            sorted.ep[n] = l->ep[i];
            sorted.role[n] = l->role[i];
            n++;
        }
    }
    *l = sorted;
}

int lifelines_take(struct lifelines *l, const struct endpoint *e, enum role r, uint64_t clock,
                    bool *changed)
{
    int i = lifelines_find(l, e);
    *changed = false;
    if (i < 0) {
        /* a socket bound to all addresses drew this lane first: it is this endpoint */
        for (int k = 0; k < l->count; k++) {
            if (l->ep[k].port == e->port && wildcard(&l->ep[k]) &&
                l->ep[k].addr.family == e->addr.family) {
                l->ep[k] = *e; /* the same lifeline, now with its address: not news */
                l->last_used[k] = clock;
                l->generation++;
                return k;
            }
        }
    }
    if (i < 0) {
        /* a lane kept for this role, else a new one, else any kept lane, else the oldest */
        for (int k = 0; k < l->count && i < 0; k++)
            if (!l->ep[k].addr.family && l->role[k] == r)
                i = k;
        if (i < 0 && l->count < l->capacity)
            i = l->count++;
        for (int k = 0; k < l->count && i < 0; k++)
            if (!l->ep[k].addr.family)
                i = k;
        if (i < 0) {
            if (!l->dynamic)
                return -1;
            i = 0;
            for (int k = 1; k < l->count; k++)
                if (l->last_used[k] < l->last_used[i])
                    i = k;
        }
        l->ep[i] = *e;
        l->role[i] = r;
        l->generation++;
        *changed = true;
    }
    l->last_used[i] = clock;
    return i;
}

int lifelines_take_socket(struct lifelines *l, const struct endpoint *e, enum role r,
                           uint64_t clock, bool *changed)
{
    struct endpoint n = normalized(e);
    *changed = false;
    if (wildcard(&n)) {
        for (int i = 0; i < l->count; i++) {
            if (l->ep[i].port == n.port) {
                l->last_used[i] = clock;
                return i;
            }
        }
    }
    return lifelines_take(l, &n, r, clock, changed);
}
