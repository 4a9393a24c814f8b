/* '/' search in the diagram: the next (n) or previous (N) visible event whose arrow label,
 * payload or socket call holds the text. Labels are not stored, so each search reads the
 * capture again through the app's one re-reader. Smart case: case-insensitive unless the text has a
 * capital, so "HELLO" finds the echo server's reply and not the client's "hello". */
#include <ctype.h>
#include <string.h>

#include "sockscope/capture.h"
#include "sockscope/decode.h"
#include "tui_internal.h"

static bool has_upper(const char *s)
{
    for (; *s; s++)
        if (isupper((unsigned char)*s)) return true;
    return false;
}

static bool holds(const uint8_t *hay, size_t n, const char *needle, bool exact)
{
    size_t m = strlen(needle);
    if (m == 0 || m > n) return false;
    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && (exact ? hay[i + k] == (uint8_t)needle[k]
                               : tolower(hay[i + k]) == tolower((unsigned char)needle[k])))
            k++;
        if (k == m) return true;
    }
    return false;
}

struct found {
    uint32_t first, last, after, before, count; /* positions; UINT32_MAX: none */
};

static void note_match(struct found *r, uint32_t pos, uint32_t cur)
{
    r->count++;
    if (r->first == UINT32_MAX) r->first = pos;
    r->last = pos;
    if (cur != UINT32_MAX && pos > cur && r->after == UINT32_MAX) r->after = pos;
    if (cur != UINT32_MAX && pos < cur) r->before = pos;
}

/* Every visible event in order, as the store numbers them: a socket call matches on its
 * label (it is not in the file), a frame on its payload or arrow label, read again through
 * the labels' re-reader (the one reader of the app), which steps over frames the store
 * never saw (a live ring's drops) and numbers frames by their event, not by their place in
 * the file. */
static bool scan(struct tui_app *a, uint32_t cur, struct found *r, char *err, size_t errlen)
{
    const struct tui_visible *v = &a->vis;
    *r = (struct found){UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, 0};
    if (v->count == 0) return true;
    struct tui_labels *c = &a->labels;
    if (!c->reader &&
        timeline_reread_open(a->store, c->path, c->bpf, &c->reader, err, errlen) != STATUS_OK)
        return false;
    bool exact = has_upper(a->search);
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    char label[TUI_LABEL_MAX];
    bool ok = true;
    for (uint32_t pos = 0; pos < v->count && ok; pos++) {
        uint32_t want = tui_visible_event(v, pos);
        const struct timeline_event *e = timeline_store_event(a->store, want);
        bool match;
        if (e->bits & TIMELINE_EV_API) {
            view_api_label(timeline_store_call(a->store, e->frame), label, sizeof label);
            match = holds((const uint8_t *)label, strlen(label), a->search, exact);
        } else {
            if (timeline_reread_seek(c->reader, want, err, errlen) != STATUS_OK) {
                ok = false;
                break;
            }
            uint32_t got = 0;
            int n;
            do
                n = timeline_reread_next(c->reader, &got, &fr, &pkt, &info, err, errlen);
            while (n > 0 && got < want);
            if (n <= 0 || got != want) {
                if (n == 0) snprintf(err, errlen, "frame %u is not in the file (yet)", e->frame);
                ok = false;
                break;
            }
            match = pkt.payload && holds(pkt.payload, pkt.payload_caplen, a->search, exact);
            if (!match && info.has_flow) {
                view_arrow_label(&pkt, &info, &c->opt, TUI_LABEL_MAX - 1, label, sizeof label);
                match = holds((const uint8_t *)label, strlen(label), a->search, exact);
            }
        }
        if (match) note_match(r, pos, cur);
    }
    if (!ok) {
        /* the labels open the reader again from scratch next time (a growing file) */
        timeline_reread_close(c->reader);
        c->reader = NULL;
        return false;
    }
    if (cur == UINT32_MAX) r->after = r->first;
    return true;
}

void tui_search_next(struct tui_app *a, bool forward)
{
    if (!a->search[0]) {
        snprintf(a->message, sizeof a->message, "no search yet: / then the text");
        return;
    }
    struct tui_replay *r = &a->replay;
    uint32_t cur = r->shown ? r->selected : UINT32_MAX;
    struct found f;
    char err[256];
    if (!scan(a, cur, &f, err, sizeof err)) {
        snprintf(a->message, sizeof a->message, "search: %.200s", err);
        return;
    }
    if (!f.count) {
        snprintf(a->message, sizeof a->message, "\"%s\" not found", a->search);
        return;
    }
    uint32_t m = forward ? f.after : f.before;
    bool wrapped = m == UINT32_MAX;
    if (wrapped) m = forward ? f.first : f.last;
    if (m >= r->shown) r->shown = m + 1; /* a match not replayed yet is shown with its past */
    r->selected = m;
    r->playing = false;
    snprintf(a->message, sizeof a->message, "\"%s\": %u match%s%s", a->search, f.count,
             f.count == 1 ? "" : "es",
             wrapped && f.count > 1 ? (forward ? ", wrapped to the top" : ", wrapped to the end")
                                    : "");
}
