/* The flow list's pure parts: sorting conversations by a column and matching them against
 * the words typed into the list's filter. No terminal, so the tests drive them directly. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/tui.h"
#include "sockscope/view.h"

static const char *const column_names[TUI_FLOW_COLUMNS] = {
    "Stream", "Proto", "Client", "Server", "Packets", "Bytes", "State", "Duration",
};

const char *tui_flow_column_name(enum tui_flow_column c)
{
    return c < TUI_FLOW_COLUMNS ? column_names[c] : "";
}

void tui_flow_state_text(const struct timeline_flow *f, char *buf, size_t size)
{
    if (f->proto != PROTO_TCP) {
        snprintf(buf, size, "%s", "");
        return;
    }
    const char *c = track_state_name((enum tcp_state)f->state_client);
    const char *s = track_state_name((enum tcp_state)f->state_server);
    snprintf(buf, size, "%s/%s", *c ? c : "?", *s ? s : "?");
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_endpoint(const struct endpoint *a, const struct endpoint *b)
{
    if (a->addr.family != b->addr.family) return a->addr.family < b->addr.family ? -1 : 1;
    int c = memcmp(a->addr.bytes, b->addr.bytes, a->addr.family == 6 ? 16 : 4);
    if (c) return c < 0 ? -1 : 1;
    return cmp_u64(a->port, b->port);
}

static int compare(const struct timeline_flow *a, const struct timeline_flow *b,
                   enum tui_flow_column by)
{
    switch (by) {
    case TUI_FLOW_STREAM:
        if (a->stream != b->stream) return cmp_u64(a->stream, b->stream);
        return cmp_u64(a->proto, b->proto);
    case TUI_FLOW_PROTO:
        return cmp_u64(a->proto, b->proto);
    case TUI_FLOW_CLIENT:
        return cmp_endpoint(&a->client, &b->client);
    case TUI_FLOW_SERVER:
        return cmp_endpoint(&a->server, &b->server);
    case TUI_FLOW_PACKETS:
        return cmp_u64(a->packets, b->packets);
    case TUI_FLOW_BYTES:
        return cmp_u64(a->bytes, b->bytes);
    case TUI_FLOW_STATE:
        if (a->state_client != b->state_client) return cmp_u64(a->state_client, b->state_client);
        return cmp_u64(a->state_server, b->state_server);
    case TUI_FLOW_DURATION:
        return cmp_u64(a->last_ns - a->first_ns, b->last_ns - b->first_ns);
    default:
        return 0;
    }
}

struct sort_by {
    tui_flow_at at;
    const void *ctx;
    enum tui_flow_column by;
    bool descending;
};

static bool before(const struct sort_by *s, uint32_t x, uint32_t y)
{
    int c = compare(s->at(s->ctx, x), s->at(s->ctx, y), s->by);
    bool descending = s->descending;
    if (descending) c = -c;
    return c ? c < 0 : x < y;
}

/* Bottom-up merge sort through a scratch array; insertion sort when it cannot be had. */
void tui_flows_sort(uint32_t *order, uint32_t n, tui_flow_at at, const void *ctx,
                    enum tui_flow_column by, bool descending)
{
    const struct sort_by sb = {at, ctx, by, descending};
    uint32_t *tmp = n > 1 ? malloc(sizeof *tmp * n) : NULL;
    if (!tmp) {
        for (uint32_t i = 1; i < n; i++)
            for (uint32_t j = i; j > 0 && before(&sb, order[j], order[j - 1]); j--) {
                uint32_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        return;
    }
    for (uint32_t width = 1; width < n; width *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = lo + width < n ? lo + width : n;
            uint32_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = before(&sb, order[j], order[i]) ? order[j++] : order[i++];
            while (i < mid)
                tmp[k++] = order[i++];
            while (j < hi)
                tmp[k++] = order[j++];
        }
        memcpy(order, tmp, sizeof *tmp * n);
    }
    free(tmp);
}

static bool contains_word(const char *hay, const char *word, size_t n)
{
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)word[i]))
            i++;
        if (i == n) return true;
    }
    return false;
}

bool tui_flow_matches(const struct timeline_flow *f, const char *text)
{
    char row[320], c[80], s[80], state[40];
    endpoint_format(&f->client, c, sizeof c);
    endpoint_format(&f->server, s, sizeof s);
    tui_flow_state_text(f, state, sizeof state);
    const char *proto = f->proto == PROTO_UDP ? "udp" : "tcp";
    snprintf(row, sizeof row, "%s %s:%u %s %s %s", proto, proto, f->stream, c, s, state);
    while (*text) {
        while (*text == ' ')
            text++;
        size_t n = strcspn(text, " ");
        if (n && !contains_word(row, text, n)) return false;
        text += n;
    }
    return true;
}
