/* How much an arrow label says: minimal (flags, relative seq/ack, length: what a room reads
 * from a projector), normal (plus the window) or full (plus TCP options and the payload, as
 * `trace` prints). The TUI's `v` cycles them; the parts come from view_arrow_label itself,
 * fed a packet without the parts a level leaves out, so all three read the same way. */
#include "sockscope/view.h"

#include <stdio.h>
#include <string.h>

const char *view_detail_name(enum view_detail d)
{
    static const char *const names[VIEW_DETAIL_COUNT] = {"minimal", "normal", "full"};
    return d < VIEW_DETAIL_COUNT ? names[d] : "full";
}

enum view_detail view_detail_next(enum view_detail d)
{
    return (enum view_detail)((d + 1) % VIEW_DETAIL_COUNT);
}

/* Drops a trailing " win=N" (the window is always the last part without options and
 * payload). */
static int drop_window(char *buf, int n)
{
    char *w = strstr(buf, " win=");
    if (!w && !strncmp(buf, "win=", 4)) w = buf;
    if (!w || strchr(w + 1, ' ')) return n;
    int cut = (int)strlen(w);
    *w = '\0';
    return n - cut;
}

int view_arrow_label_detail(const struct packet *p, const struct track_info *ti,
                            const struct label_options *opt, enum view_detail d, int max_chars,
                            char *buf, size_t size)
{
    if (d >= VIEW_DETAIL_FULL) return view_arrow_label(p, ti, opt, max_chars, buf, size);
    struct packet q = *p;
    memset(&q.opt, 0, sizeof q.opt);
    q.payload_caplen = 0; /* len= stays: it comes from payload_len */
    if (d == VIEW_DETAIL_NORMAL || q.proto != PROTO_TCP)
        return view_arrow_label(&q, ti, opt, max_chars, buf, size);
    /* minimal: measure without a limit, then cut the window off before fitting */
    char whole[256];
    int n = view_arrow_label(&q, ti, opt, (int)sizeof whole - 1, whole, sizeof whole);
    n = drop_window(whole, n);
    if (n <= max_chars) {
        snprintf(buf, size, "%s", whole);
        return n;
    }
    return view_arrow_label(&q, ti, opt, max_chars, buf, size);
}
