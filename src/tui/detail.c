/* The packet detail: every header field of the selected event with its byte offset and size,
 * and the frame as hex + ASCII with the bytes of the field under the cursor highlighted, so
 * a student can see where "UDP length" sits and how long it is. The frame is read again from
 * the file and decoded once, with decode's field sink (view names and formats the fields). */
#include <string.h>

#include "tui_internal.h"

struct detail_layout {
    int title_y, explain_y; /* explain_y -1: hidden */
    int fields_title_y, fields_y, fields_rows;
    int hex_title_y, hex_y, hex_rows, per_line;
    int sentence_y; /* -1: hidden */
};

static void compute(const struct tui_app *a, struct detail_layout *d)
{
    const struct tui_layout *l = &a->layout;
    int y = 0, bottom = l->status_y;
    d->title_y = y++;
    d->explain_y = l->rows >= 20 ? y++ : -1;
    d->sentence_y = l->explain_y >= 0 ? --bottom : -1;
    d->per_line = l->cols >= 76 ? 16 : 8;
    int room = bottom - y - 2; /* two title rows */
    uint32_t caplen = a->detail.frame.number ? a->detail.frame.caplen : 0;
    int need = (int)((caplen + (uint32_t)d->per_line - 1) / (uint32_t)d->per_line);
    int hex = room / 3 > 2 ? room / 3 : 2;
    if (room >= 24) hex = room / 2;
    if (hex > need) hex = need > 0 ? need : 1;
    if (hex > room - 2) hex = room - 2 > 1 ? room - 2 : 1;
    d->fields_title_y = y++;
    d->fields_y = y;
    d->fields_rows = room - hex;
    if (d->fields_rows < 1) d->fields_rows = 1;
    y += d->fields_rows;
    d->hex_title_y = y++;
    d->hex_y = y;
    d->hex_rows = hex;
}

/* Reads and walks the selected event's frame when it changed; false when there is none. */
static bool load(struct tui_app *a)
{
    struct tui_detail *d = &a->detail;
    if (a->replay.shown == 0 || a->vis.count == 0) {
        snprintf(d->error, sizeof d->error,
                 "No event is selected yet: step with n (or Space) on the diagram first.");
        return false;
    }
    uint32_t event = tui_visible_event(&a->vis, a->replay.selected);
    if (event == d->event && d->frame.number) return true;
    const struct timeline_event *e = timeline_store_event(a->store, event);
    d->event = event;
    d->count = 0;
    d->error[0] = '\0';
    if (e->bits & TIMELINE_EV_API) {
        char label[120];
        view_api_label(timeline_store_call(a->store, e->frame), label, sizeof label);
        snprintf(d->error, sizeof d->error,
                 "%s is a socket API call, not a packet: it has no header fields. Select an "
                 "arrow (n, j, k) for its packet.",
                 label);
        return false;
    }
    if (tui_frame_read(&d->frame, a->store, &a->labels.reader, a->src->path, a->src->bpf, event,
                       d->error, sizeof d->error) != STATUS_OK)
        return false;
    d->count = view_fields_decode(d->frame.linktype, d->frame.bytes, d->frame.caplen,
                                  d->frame.wirelen, d->frame.ts_ns, &d->pkt, d->fields,
                                  TUI_MAX_FIELDS);
    /* the cursor stays on the same field, so stepping shows how one field changes */
    if (d->cursor >= d->count) d->cursor = d->count ? d->count - 1 : 0;
    return true;
}

static void field_line(const struct tui_app *a, const struct view_field *f, bool layer_col,
                       char *buf, size_t size)
{
    char where[24], len[24];
    snprintf(where, sizeof where, "%u", f->offset);
    if (f->bits)
        snprintf(len, sizeof len, "%u bit%s", f->bits, f->bits == 1 ? "" : "s");
    else
        snprintf(len, sizeof len, "%u byte%s", f->size, f->size == 1 ? "" : "s");
    int cols = a->layout.cols;
    int value_w = cols - (layer_col ? 11 : 0) - 23 - 18 - 2;
    if (value_w < 8) value_w = 8;
    if (layer_col)
        snprintf(buf, size, " %-10.10s %-22.22s %-*.*s %7s %-9s", f->layer, f->name, value_w,
                 value_w, f->value, where, len);
    else
        snprintf(buf, size, " %-22.22s %-*.*s %7s %-9s", f->name, value_w, value_w, f->value, where,
                 len);
}

static void hex_line(const struct tui_app *a, const struct detail_layout *dl, int y, uint32_t at,
                     const struct view_field *sel)
{
    const struct tui_frame *fr = &a->detail.frame;
    char buf[16];
    snprintf(buf, sizeof buf, " %04x ", at);
    int x = tui_term_text(y, 0, buf, STYLE_DIM, a->layout.cols);
    int gap = dl->per_line == 16 ? 1 : 0; /* 16 bytes a line: two groups of 8 */
    int ascii_x = x + dl->per_line * 3 + gap + 2;
    for (int i = 0; i < dl->per_line; i++) {
        uint32_t b = at + (uint32_t)i;
        if (b >= fr->caplen) break;
        bool hit = sel && b >= sel->offset && b < sel->offset + sel->size;
        int role = hit ? TUI_ROLE_SELECT : STYLE_PLAIN;
        int bx = x + i * 3 + (i >= 8 ? gap : 0);
        snprintf(buf, sizeof buf, "%02x", fr->bytes[b]);
        tui_term_text(y, bx + 1, buf, role, a->layout.cols - bx - 1);
        char c[2] = {fr->bytes[b] >= 0x20 && fr->bytes[b] < 0x7f ? (char)fr->bytes[b] : '.', 0};
        tui_term_text(y, ascii_x + i, c, role, a->layout.cols - ascii_x - i);
    }
}

static void draw_fields(struct tui_app *a, const struct detail_layout *dl)
{
    struct tui_detail *d = &a->detail;
    bool layer_col = a->layout.cols >= 90;
    char buf[512];
    if (layer_col)
        snprintf(buf, sizeof buf, " %-10s %-22s %-*s %7s %-9s", "Layer", "Field",
                 a->layout.cols - 11 - 23 - 18 - 2, "Value", "Offset", "Size");
    else
        snprintf(buf, sizeof buf, " %-22s %-*s %7s %-9s", "Field", a->layout.cols - 23 - 18 - 2,
                 "Value", "Offset", "Size");
    tui_term_fill(dl->fields_title_y, TUI_ROLE_TITLE);
    tui_term_text(dl->fields_title_y, 0, buf, TUI_ROLE_TITLE, a->layout.cols);
    if (d->cursor < d->top) d->top = d->cursor;
    if (d->cursor >= d->top + dl->fields_rows) d->top = d->cursor - dl->fields_rows + 1;
    for (int r = 0; r < dl->fields_rows && d->top + r < d->count; r++) {
        const struct view_field *f = &d->fields[d->top + r];
        field_line(a, f, layer_col, buf, sizeof buf);
        bool cur = d->top + r == d->cursor;
        int y = dl->fields_y + r;
        if (cur) tui_term_fill(y, TUI_ROLE_SELECT);
        tui_term_text(y, 0, buf,
                      cur            ? TUI_ROLE_SELECT
                      : f->truncated ? TUI_ROLE_MESSAGE
                                     : STYLE_PLAIN,
                      a->layout.cols);
    }
}

static void draw_hex(struct tui_app *a, const struct detail_layout *dl)
{
    struct tui_detail *d = &a->detail;
    const struct view_field *sel = d->count ? &d->fields[d->cursor] : NULL;
    char buf[160];
    snprintf(buf, sizeof buf, " %u bytes captured of %u on the wire%s", d->frame.caplen,
             d->frame.wirelen, sel ? "; the field under the cursor is highlighted" : "");
    tui_term_fill(dl->hex_title_y, TUI_ROLE_TITLE);
    tui_term_text(dl->hex_title_y, 0, buf, TUI_ROLE_TITLE, a->layout.cols);
    uint32_t lines = (d->frame.caplen + (uint32_t)dl->per_line - 1) / (uint32_t)dl->per_line;
    /* the highlighted bytes stay in view: the field's first line, at most a third down */
    uint32_t first = 0;
    if (sel && lines > (uint32_t)dl->hex_rows) {
        uint32_t want = sel->offset / (uint32_t)dl->per_line;
        first = want > (uint32_t)dl->hex_rows / 3 ? want - (uint32_t)dl->hex_rows / 3 : 0;
        if (first + (uint32_t)dl->hex_rows > lines) first = lines - (uint32_t)dl->hex_rows;
    }
    for (int r = 0; r < dl->hex_rows && first + (uint32_t)r < lines; r++)
        hex_line(a, dl, dl->hex_y + r, (first + (uint32_t)r) * (uint32_t)dl->per_line, sel);
}

/* The field clicked, or the smallest field holding the byte clicked. */
static void select_at(struct tui_app *a, int y, int x)
{
    struct detail_layout dl;
    compute(a, &dl);
    struct tui_detail *d = &a->detail;
    if (y >= dl.fields_y && y < dl.fields_y + dl.fields_rows) {
        int i = d->top + (y - dl.fields_y);
        if (i < d->count) d->cursor = i;
        return;
    }
    /* a byte of the hex dump: the smallest field that holds it */
    if (y < dl.hex_y || y >= dl.hex_y + dl.hex_rows || x < 6) return;
    int gap = dl.per_line == 16 ? 1 : 0, ascii_x = 6 + dl.per_line * 3 + gap + 2;
    int col = x >= ascii_x ? x - ascii_x : (x - 6 - (x > 6 + 8 * 3 ? gap : 0)) / 3;
    if (col < 0 || col >= dl.per_line) return;
    uint32_t lines = (d->frame.caplen + (uint32_t)dl.per_line - 1) / (uint32_t)dl.per_line;
    uint32_t first = 0;
    if (d->count && lines > (uint32_t)dl.hex_rows) {
        uint32_t want = d->fields[d->cursor].offset / (uint32_t)dl.per_line;
        first = want > (uint32_t)dl.hex_rows / 3 ? want - (uint32_t)dl.hex_rows / 3 : 0;
        if (first + (uint32_t)dl.hex_rows > lines) first = lines - (uint32_t)dl.hex_rows;
    }
    uint32_t b = (first + (uint32_t)(y - dl.hex_y)) * (uint32_t)dl.per_line + (uint32_t)col;
    int best = -1;
    for (int i = 0; i < d->count; i++) {
        const struct view_field *f = &d->fields[i];
        if (b >= f->offset && b < f->offset + f->size &&
            (best < 0 || f->size <= d->fields[best].size))
            best = i;
    }
    if (best >= 0) d->cursor = best;
}

/* The frame that could not be read is a packet's, in a file still being written: another
 * look later may find it. */
static bool may_come(const struct tui_app *a)
{
    if (!a->labels.growing || !a->replay.shown || !a->vis.count) return false;
    return !(timeline_store_event(a->store, a->detail.event)->bits & TIMELINE_EV_API);
}

static void draw(struct tui_app *a)
{
    if (a->layout.too_small) return;
    int cols = a->layout.cols;
    struct tui_detail *d = &a->detail;
    bool ok = load(a);
    if (!ok && may_come(a)) a->stale = true;
    struct detail_layout dl;
    compute(a, &dl);
    char buf[512];
    if (ok) {
        snprintf(buf, sizeof buf, " Packet detail: frame %u, event %u of %u shown%s%s",
                 d->frame.number, a->replay.selected + 1, a->replay.shown,
                 d->pkt.status != PACKET_OK && d->pkt.why ? "; " : "",
                 d->pkt.status != PACKET_OK && d->pkt.why ? d->pkt.why : "");
        tui_term_text(dl.title_y, 0, buf, STYLE_HEADER, cols);
        if (dl.explain_y >= 0) {
            char err[256] = "";
            uint32_t sel = a->replay.selected;
            const struct tui_label *l = tui_labels_get(&a->labels, a->store, &a->vis, &a->geo, sel,
                                                       sel, sel, err, sizeof err);
            tui_term_fill(dl.explain_y, TUI_ROLE_EXPLAIN);
            tui_term_text(dl.explain_y, 1, l ? l->explain : err, TUI_ROLE_EXPLAIN, cols - 2);
        }
        draw_fields(a, &dl);
        draw_hex(a, &dl);
        if (dl.sentence_y >= 0 && d->count) {
            view_field_describe(&d->fields[d->cursor], buf, sizeof buf);
            tui_term_fill(dl.sentence_y, TUI_ROLE_EXPLAIN);
            tui_term_text(dl.sentence_y, 1, buf, TUI_ROLE_EXPLAIN, cols - 2);
        }
    } else {
        tui_term_text(0, 0, " Packet detail", STYLE_HEADER, cols);
        tui_term_text(2, 1, d->error, TUI_ROLE_MESSAGE, cols - 2);
    }
}

/* ---- keys ---- */

/* Moves the cursor by arg fields (TUI_ARG_PAGE: half the rows a list would have). */
static unsigned move(struct tui_app *a, int arg)
{
    struct tui_detail *d = &a->detail;
    int64_t page = (a->layout.body_rows - 2 > 1 ? a->layout.body_rows - 2 : 1) / 2;
    int64_t c = d->cursor + tui_action_amount(arg, page, TUI_MAX_FIELDS);
    if (c >= d->count) c = d->count - 1;
    if (c < 0) c = 0;
    d->cursor = (int)c;
    return TUI_REACT_SCREEN;
}

static unsigned click(struct tui_app *a, int arg)
{
    (void)arg;
    int y, x;
    tui_term_mouse(&y, &x);
    select_at(a, y, x);
    return TUI_REACT_SCREEN;
}

/* arg 1: the next event (shown next if it is not yet); -1: the previous one. */
static unsigned event(struct tui_app *a, int arg)
{
    struct tui_replay *r = &a->replay;
    if (arg < 0 || (r->shown && r->selected + 1 < r->shown)) {
        tui_replay_move(r, arg);
        return TUI_REACT_SCREEN;
    }
    if (tui_replay_step(r)) return TUI_REACT_SCREEN;
    snprintf(a->message, sizeof a->message, "the end: every event is shown");
    return TUI_REACT_BARS;
}

static const struct tui_action actions[] = {
    {{'f'},
     "Flows",
     "the flow list: choose which conversations to draw",
     tui_action_show,
     TUI_SHOW_FLOWS},
    {{TUI_KEY_DOWN, 'j'}, NULL, "next header field: its bytes light up in the hex", move, 1},
    {{TUI_KEY_UP, 'k'}, NULL, "previous header field", move, -1},
    {{TUI_KEY_PGDN, TUI_CTRL('f')}, NULL, "fields further down", move, TUI_ARG_PAGE},
    {{TUI_KEY_PGUP, TUI_CTRL('b')}, NULL, "fields further up", move, -TUI_ARG_PAGE},
    {{'g', TUI_KEY_HOME}, NULL, "first field", move, -TUI_ARG_ALL},
    {{'G', TUI_KEY_END}, NULL, "last field", move, TUI_ARG_ALL},
    {{TUI_KEY_RIGHT, 'n', 'l'}, "Next", "the next event (the same field stays selected)", event, 1},
    {{TUI_KEY_LEFT, 'p', 'h'}, "Prev", "the previous event", event, -1},
    {{TUI_KEY_CLICK}, NULL, "mouse: select the field, or the field of the byte, clicked", click, 0},
    {{TUI_KEY_WHEEL_DOWN}, NULL, "mouse wheel: next field", move, 1},
    {{TUI_KEY_WHEEL_UP}, NULL, "mouse wheel: previous field", move, -1},
    {{TUI_KEY_ESC, 'd', TUI_KEY_ENTER},
     "Diagram",
     "back to the diagram",
     tui_action_show,
     TUI_SHOW_DIAGRAM},
};

static const struct tui_keys detail_keys = TUI_KEYS(actions, NULL);
static const struct tui_keys *const keys[] = {&tui_keys_rerun, &tui_keys_theme, &detail_keys,
                                              &tui_keys_common, NULL};

const struct tui_screen tui_screen_detail = {.name = "detail", .draw = draw, .keys = keys};
