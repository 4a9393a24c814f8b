/* Arrow labels and explanations for a window of visible events around what is on screen. The
 * event store keeps no text (24 bytes a frame), so the labels are rebuilt by reading the
 * capture again through decode and track, from the checkpoint before the window (the tracker
 * as the first pass had it there), which makes relative numbers and marks exactly those of
 * the first pass. A window holds TUI_LABEL_WINDOW visible events; a jump to any depth reads
 * at most one checkpoint interval. API calls come from the store. */
#include <stdlib.h>
#include <string.h>

#include "sockscope/capture.h"
#include "sockscope/decode.h"
#include "tui_internal.h"

int tui_labels_init(struct tui_labels *c, const char *path, const char *bpf,
                    const struct label_options *opt)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    c->bpf = bpf;
    c->opt = *opt;
    c->rows = malloc(sizeof *c->rows * TUI_LABEL_WINDOW);
    return c->rows ? STATUS_OK : STATUS_E_RUNTIME;
}

void tui_labels_free(struct tui_labels *c)
{
    timeline_reread_close(c->reader);
    c->reader = NULL;
    free(c->rows);
    c->rows = NULL;
    c->count = 0;
}

static void note_text(const struct packet *p, const struct track_info *ti, uint32_t frame,
                      char *buf, size_t size)
{
    if (!ti->has_flow) {
        const char *what = p->status == PACKET_OK ? "not TCP or UDP" : "not decoded";
        snprintf(buf, size, "frame %u: %s%s%s", frame, what, p->why ? ": " : "",
                 p->why ? p->why : "");
        return;
    }
    char a[64], b[64]; /* "[IPv6]:port" is at most 47 */
    endpoint_format(ti->dir == ROLE_CLIENT ? &ti->client : &ti->server, a, sizeof a);
    endpoint_format(ti->dir == ROLE_CLIENT ? &ti->server : &ti->client, b, sizeof b);
    /* the flow list draws any conversation on lifelines of its own */
    snprintf(buf, size, "frame %u: %s -> %s (no lane free: draw it from the flow list, f)", frame,
             a, b);
}

static void build(struct tui_labels *c, const struct timeline_store *s,
                  const struct timeline_event *e, const struct tui_visible *v,
                  const struct view_geometry *g, const struct packet *p,
                  const struct track_info *ti, struct tui_label *out)
{
    view_explain(p, ti, e->frame, out->explain, sizeof out->explain);
    int la, lb;
    if (!tui_visible_lanes(v, s, e, &la, &lb)) {
        note_text(p, ti, e->frame, out->label, sizeof out->label);
        return;
    }
    int room = view_arrow_label_room(g, la, lb);
    if (room > TUI_LABEL_MAX - 1) room = TUI_LABEL_MAX - 1;
    view_arrow_label_detail(p, ti, &c->opt, c->detail, room, out->label, sizeof out->label);
}

/* A socket API call: its label on the lifeline ("[thread N]" when several threads call on
 * it) and what it means. */
static void build_call(const struct timeline_store *s, const struct timeline_event *e,
                       struct tui_label *out)
{
    const struct api_event *call = timeline_store_call(s, e->frame);
    int n = view_api_label(call, out->label, sizeof out->label);
    if (e->states && n > 0 && (size_t)n < sizeof out->label)
        snprintf(out->label + n, sizeof out->label - (size_t)n, " [thread %u]", call->thread);
    view_explain_api(call, out->explain, sizeof out->explain);
}

/* Fills the window of visible positions [start, start + TUI_LABEL_WINDOW) by reading the
 * capture again from the checkpoint before its first event (or on from where the reader
 * stands). */
static int refill(struct tui_labels *c, struct timeline_store *ev, const struct tui_visible *v,
                  const struct view_geometry *g, uint32_t start, char *err, size_t errlen)
{
    uint32_t vend = start + TUI_LABEL_WINDOW;
    if (vend > v->count) vend = v->count;
    c->width = 0;
    c->count = 0;
    c->rereads++;
    if (!c->reader &&
        timeline_reread_open(ev, c->path, c->bpf, &c->reader, err, errlen) != STATUS_OK)
        return STATUS_E_RUNTIME;
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    int rc = STATUS_OK;
    for (uint32_t pos = start; pos < vend && rc == STATUS_OK; pos++) {
        uint32_t want = tui_visible_event(v, pos);
        const struct timeline_event *e = timeline_store_event(ev, want);
        if (e->bits & TIMELINE_EV_API) { /* not in the file: the store holds the call */
            build_call(ev, e, &c->rows[pos - start]);
            continue;
        }
        /* reads on when the event is near; jumps to a checkpoint when it is far (a chosen
         * flow's events may lie millions of frames apart) */
        if (timeline_reread_seek(c->reader, want, err, errlen) != STATUS_OK) {
            rc = STATUS_E_RUNTIME;
            break;
        }
        uint32_t got = 0;
        do {
            int n = timeline_reread_next(c->reader, &got, &fr, &pkt, &info, err, errlen);
            if (n <= 0) {
                if (n == 0)
                    snprintf(err, errlen, "%s: frame %u is not in the file (yet)", c->path,
                             e->frame);
                rc = STATUS_E_RUNTIME;
                break;
            }
        } while (got < want);
        if (rc == STATUS_OK) build(c, ev, e, v, g, &pkt, &info, &c->rows[pos - start]);
    }
    if (rc != STATUS_OK) {
        /* start over next time (a growing file needs a fresh look at its size) */
        timeline_reread_close(c->reader);
        c->reader = NULL;
        return rc;
    }
    c->first = start;
    c->count = vend - start;
    c->width = g->width;
    c->generation = v->generation;
    c->built = c->detail;
    return STATUS_OK;
}

const struct tui_label *tui_labels_get(struct tui_labels *c, struct timeline_store *ev,
                                       const struct tui_visible *v, const struct view_geometry *g,
                                       uint32_t i, uint32_t first, uint32_t last, char *err,
                                       size_t errlen)
{
    if (c->broken) snprintf(err, errlen, "%s", c->error);
    if (i >= v->count || c->broken) return NULL;
    if (c->width == g->width && c->generation == v->generation && c->built == c->detail &&
        i >= c->first && i - c->first < c->count)
        return &c->rows[i - c->first];
    /* centre the window on what is wanted, so small moves either way stay inside it */
    if (last < first) last = first;
    uint32_t span = last - first + 1;
    if (span > TUI_LABEL_WINDOW) span = TUI_LABEL_WINDOW;
    uint32_t margin = (TUI_LABEL_WINDOW - span) / 2;
    uint32_t start = first > margin ? first - margin : 0;
    if (v->count <= TUI_LABEL_WINDOW)
        start = 0;
    else if (start > v->count - TUI_LABEL_WINDOW)
        start = v->count - TUI_LABEL_WINDOW;
    if (i < start || i - start >= TUI_LABEL_WINDOW) start = i;
    if (refill(c, ev, v, g, start, err, errlen) != STATUS_OK) {
        /* a file being written (a live session) may just not hold the frame yet: try again
         * at the next drawing; a finished file that fails will fail again */
        if (c->growing) return NULL;
        c->broken = true;
        snprintf(c->error, sizeof c->error, "%s", err);
        return NULL;
    }
    return &c->rows[i - c->first];
}
