/* The diagram screen: the lifeline header with each end's current TCP state, the arrows of
 * the events shown so far (the same view rows `trace` prints), the selected event reversed
 * and explained in one plain sentence, a status bar and the footer of keys. */
#include <string.h>

#include "tui_internal.h"

#define TIME_WIDTH 12

/* A row of the diagram through the horizontal pan (the time column stays). */
static void paint(const struct tui_app *a, int y, const struct view_row *r, bool selected)
{
    tui_term_row_panned(y, r, selected, TIME_WIDTH, a->hpan.offset);
}

/* An arrow with a state change takes a second row for the new state names. */
static bool has_states_row(const struct tui_app *a, const struct timeline_event *e)
{
    int la, lb;
    return (e->bits & (TIMELINE_EV_SRC_CHANGED | TIMELINE_EV_DST_CHANGED)) &&
           !(e->bits & TIMELINE_EV_API) && tui_visible_lanes(&a->vis, a->store, e, &la, &lb);
}

static int event_height(void *ctx, uint32_t i)
{
    const struct tui_app *a = ctx;
    const struct timeline_event *e = timeline_store_event(a->store, tui_visible_event(&a->vis, i));
    int h = has_states_row(a, e) ? 2 : 1;
    return a->present ? h + 1 : h; /* a blank row under each arrow, for the back row */
}

/* The header's last line: each lane's TCP state after the selected event. */
static void state_line(struct tui_app *a, int y)
{
    bool ascii = tui_term_ascii();
    view_row_lifelines(&a->row, &a->geo, ascii);
    uint32_t upto = a->replay.shown ? tui_visible_event(&a->vis, a->replay.selected) + 1 : 0;
    uint8_t states[LIFELINES_MAX];
    if (a->vis.chosen)
        tui_visible_flow_states(&a->vis, a->store, a->replay.shown ? a->replay.selected + 1 : 0,
                                states);
    else
        tui_lane_states_at(&a->lane_states, a->store, &a->snap, upto, states);
    for (int i = 0; i < a->vis.lanes.count && i < a->geo.lanes; i++) {
        enum tcp_state s = (enum tcp_state)states[a->vis.chosen ? i : a->vis.lane_global[i]];
        if (s != TCP_STATE_UNKNOWN)
            view_row_center(&a->row, &a->geo, i, track_state_name(s), STYLE_STATE);
    }
    paint(a, y, &a->row, false);
}

static void arrow_row(struct tui_app *a, const struct timeline_event *e, const struct tui_label *l)
{
    bool ascii = tui_term_ascii();
    char when[32];
    view_row_lifelines(&a->row, &a->geo, ascii);
    view_time_since(e->ts_ns, a->snap.first_ts, when, sizeof when);
    view_row_text(&a->row, 1, when, STYLE_TIME);
    const char *text = l ? l->label : "";
    int la, lb;
    if (!tui_visible_lanes(&a->vis, a->store, e, &la, &lb))
        view_row_note(&a->row, &a->geo, text);
    else if (e->bits & TIMELINE_EV_API)
        view_row_api(&a->row, &a->geo, la, text, ascii);
    else
        view_row_arrow(&a->row, &a->geo, la, lb, text, view_segment_style((enum segment_kind)e->kind), ascii);
}

static void states_row(struct tui_app *a, const struct timeline_event *e)
{
    view_row_lifelines(&a->row, &a->geo, tui_term_ascii());
    int la, lb;
    if (!tui_visible_lanes(&a->vis, a->store, e, &la, &lb)) return;
    if (e->bits & TIMELINE_EV_SRC_CHANGED)
        view_row_state(&a->row, &a->geo, la, track_state_name(e->states & 0xF));
    if (e->bits & TIMELINE_EV_DST_CHANGED)
        view_row_state(&a->row, &a->geo, lb, track_state_name(e->states >> 4));
}

static void body(struct tui_app *a, const struct tui_label **selected_label, char *err,
                 size_t errlen)
{
    const struct tui_layout *lay = &a->layout;
    struct tui_replay *r = &a->replay;
    a->top = tui_layout_top(a->top, r->selected, r->shown, lay->body_rows, event_height, a);
    int y = lay->body_y, end = lay->body_y + lay->body_rows;
    uint32_t last = a->top + (uint32_t)lay->body_rows;
    for (int k = 0; k < TUI_MAX_ROWS; k++)
        a->row_pos[k] = TUI_ROW_NONE;
    for (uint32_t i = a->top; i < r->shown && y < end; i++) {
        const struct tui_label *l =
            tui_labels_get(&a->labels, a->store, &a->vis, &a->geo, i, a->top, last, err, errlen);
        bool sel = i == r->selected;
        if (sel) *selected_label = l;
        const struct timeline_event *e =
            timeline_store_event(a->store, tui_visible_event(&a->vis, i));
        arrow_row(a, e, l);
        if (y < TUI_MAX_ROWS) a->row_pos[y] = i;
        paint(a, y++, &a->row, sel);
        if (y < end && has_states_row(a, e)) {
            states_row(a, e);
            if (y < TUI_MAX_ROWS) a->row_pos[y] = i;
            paint(a, y++, &a->row, false);
        }
        if (a->present && y < end) {
            view_row_lifelines(&a->row, &a->geo, tui_term_ascii());
            if (y < TUI_MAX_ROWS) a->row_pos[y] = i;
            paint(a, y++, &a->row, false);
        }
    }
    /* lifelines run down to the bottom of the body */
    view_row_lifelines(&a->row, &a->geo, tui_term_ascii());
    while (y < end)
        paint(a, y++, &a->row, false);
}

/* Columns of UTF-8 text (one per code point: the text is ASCII plus arrows and dashes). */
static int text_columns(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Bytes taken by the first cols columns of s. */
static int text_prefix(const char *s, int cols)
{
    int i = 0, c = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80) continue;
        if (c == cols) break;
        c++;
    }
    return i;
}

static void explanation(const struct tui_app *a, const struct tui_label *l, const char *err)
{
    int y = a->layout.explain_y;
    const char *text;
    if (err[0])
        text = err;
    else if (a->snap.events == 0)
        text = "This capture holds no frames.";
    else if (a->vis.count == 0)
        text = "No event passes the filter: : then an empty line shows every event again.";
    else if (a->replay.shown == 0)
        text = "Press Space to play the capture, or n (or PgDn) to show one event at a time; "
               "? lists every key.";
    else
        text = l ? l->explain : "";
    int role = err[0] ? TUI_ROLE_MESSAGE : TUI_ROLE_EXPLAIN, width = a->layout.cols - 2;
    for (int line = 0; line < a->layout.explain_rows; line++) {
        tui_term_fill(y + line, TUI_ROLE_EXPLAIN);
        /* wrap at the last space that fits; the last line takes the rest, clipped */
        int n = (int)strlen(text), cut = n;
        if (line + 1 < a->layout.explain_rows && text_columns(text) > width) {
            cut = text_prefix(text, width);
            for (int k = cut; k > width / 2; k--)
                if (text[k] == ' ') {
                    cut = k;
                    break;
                }
        }
        char part[TUI_EXPLAIN_MAX + 256];
        bool last = line + 1 == a->layout.explain_rows;
        if (last && text_columns(text) > width) {
            /* the rest does not fit: end on a visible mark, never on a half number */
            bool ascii = tui_term_ascii();
            cut = text_prefix(text, width - (ascii ? 3 : 1));
            snprintf(part, sizeof part, "%.*s%s", cut, text, ascii ? "..." : "\u2026");
        } else {
            snprintf(part, sizeof part, "%.*s", cut, text);
        }
        tui_term_text(y + line, 1, part, role, width);
        text += cut;
        while (*text == ' ')
            text++;
    }
}

uint32_t tui_diagram_hit(const struct tui_app *a, int y)
{
    if (a->screen != TUI_SCREEN_DIAGRAM || y < a->layout.body_y ||
        y >= a->layout.body_y + a->layout.body_rows || y >= TUI_MAX_ROWS)
        return TUI_ROW_NONE;
    return a->row_pos[y];
}

void tui_diagram_pan(struct tui_app *a, int pan)
{
    int rows, cols;
    tui_term_size(&rows, &cols);
    int width = cols > VIEW_MAX_WIDTH ? VIEW_MAX_WIDTH : cols;
    int lanes = a->vis.lanes.count < 2 ? 2 : a->vis.lanes.count;
    tui_pan_compute(&a->hpan, &a->geo, width < TUI_MIN_COLS ? TUI_MIN_COLS : width, TIME_WIDTH,
                    lanes, a->present ? TUI_PRESENT_PITCH : VIEW_MIN_PITCH, a->fit, pan);
    a->pan = a->hpan.pan; /* clamped: a resize may have narrowed what there is to pan */
}

void tui_diagram_draw(struct tui_app *a)
{
    int rows, cols;
    tui_term_size(&rows, &cols);
    tui_diagram_pan(a, a->pan);
    int header = view_header_rows(a->header, &a->geo, &a->vis.lanes, "time");
    if (a->present)
        tui_layout_compute_present(&a->layout, rows, cols, header + 1);
    else
        tui_layout_compute(&a->layout, rows, cols, header + 1);
    tui_term_erase();
    if (a->layout.too_small) {
        tui_app_too_small(a);
        return;
    }
    for (int i = 0; i < a->layout.header_rows && i < header; i++)
        paint(a, a->layout.header_y + i, &a->header[i], false);
    if (a->layout.header_rows > header) state_line(a, a->layout.header_y + header);

    char err[256] = "";
    const struct tui_label *sel = NULL;
    body(a, &sel, err, sizeof err);
    if (a->legend) tui_legend_draw(a);
    if (a->layout.explain_y >= 0) explanation(a, sel, err);
    if (a->prompt)
        tui_prompt_draw(a, a->layout.status_y);
    else
        tui_app_status(a, a->layout.status_y, NULL);
    if (a->layout.footer_y >= 0) tui_actions_footer(a, a->layout.footer_y);
}
