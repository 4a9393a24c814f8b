/* Lanes: which ip:port lifeline stands in which column. Small captures get one lane per
 * endpoint for the whole diagram, clients left and servers right as textbooks draw them;
 * captures with more endpoints than fit reuse lanes, least recently used first. */
#include "sockscope/view.h"

#include <stdio.h>
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

void view_lanes_init(struct view_lanes *l, int capacity)
{
    memset(l, 0, sizeof *l);
    if (capacity < 2)
        capacity = 2;
    if (capacity > VIEW_MAX_LANES)
        capacity = VIEW_MAX_LANES;
    l->capacity = capacity;
}

void view_lanes_reserve(struct view_lanes *l, enum role r)
{
    if (l->count == l->capacity)
        return;
    memset(&l->ep[l->count], 0, sizeof l->ep[l->count]);
    l->role[l->count] = r;
    l->last_used[l->count] = 0;
    l->count++;
    l->generation++;
}

int view_lanes_find(const struct view_lanes *l, const struct endpoint *e)
{
    for (int i = 0; i < l->count; i++)
        if (endpoint_equal(&l->ep[i], e))
            return i;
    return -1;
}

bool view_lanes_note(struct view_lanes *l, const struct endpoint *e, enum role r)
{
    if (view_lanes_find(l, e) >= 0)
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

void view_lanes_arrange(struct view_lanes *l)
{
    struct view_lanes sorted = *l;
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

int view_lanes_take(struct view_lanes *l, const struct endpoint *e, enum role r, uint64_t clock,
                    bool *changed)
{
    int i = view_lanes_find(l, e);
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

int view_lanes_take_socket(struct view_lanes *l, const struct endpoint *e, enum role r,
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
    return view_lanes_take(l, &n, r, clock, changed);
}

int view_endpoint_name(const struct endpoint *e, char *buf, size_t size)
{
    char addr[64];
    decode_format_address(&e->addr, addr, sizeof addr);
    if (e->addr.family == 6)
        return snprintf(buf, size, "[%s]:%u", addr, e->port);
    return snprintf(buf, size, "%s:%u", addr, e->port);
}
