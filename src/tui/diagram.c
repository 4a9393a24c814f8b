/* The diagram screen: the lifeline header with each end's current TCP state, the arrows of
 * the events shown so far (the same view rows `trace` prints), the selected event reversed
 * and explained in one plain sentence; and its keys: the replay (step, play, select), the
 * way to the other screens, search and filter. */
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
        view_row_arrow(&a->row, &a->geo, la, lb, text,
                       view_segment_style((enum segment_kind)e->kind), ascii);
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
        if (!l && a->labels.growing) a->stale = true; /* not in the file yet */
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
        if (line + 1 < a->layout.explain_rows && tui_text_columns(text) > width) {
            cut = text_prefix(text, width);
            for (int k = cut; k > width / 2; k--)
                if (text[k] == ' ') {
                    cut = k;
                    break;
                }
        }
        char part[TUI_EXPLAIN_MAX + 256];
        bool last = line + 1 == a->layout.explain_rows;
        if (last && tui_text_columns(text) > width) {
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

/* The visible position under screen row y, TUI_ROW_NONE if none. */
static uint32_t hit(const struct tui_app *a, int y)
{
    if (y < a->layout.body_y || y >= a->layout.body_y + a->layout.body_rows || y >= TUI_MAX_ROWS)
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

static void draw(struct tui_app *a)
{
    int rows, cols;
    tui_term_size(&rows, &cols);
    tui_diagram_pan(a, a->pan);
    int header = view_header_rows(a->header, &a->geo, &a->vis.lanes, "time");
    if (a->present)
        tui_layout_compute_present(&a->layout, rows, cols, header + 1);
    else
        tui_layout_compute(&a->layout, rows, cols, header + 1);
    if (a->layout.too_small) return;
    for (int i = 0; i < a->layout.header_rows && i < header; i++)
        paint(a, a->layout.header_y + i, &a->header[i], false);
    if (a->layout.header_rows > header) state_line(a, a->layout.header_y + header);

    char err[256] = "";
    const struct tui_label *sel = NULL;
    body(a, &sel, err, sizeof err);
    if (a->legend) tui_legend_draw(a);
    if (a->layout.explain_y >= 0) explanation(a, sel, err);
}

/* ---- keys: the replay ---- */

/* Events take one or two rows: a page of events never jumps past what was on screen. */
static int64_t page(const struct tui_app *a)
{
    int n = a->layout.body_rows / 2;
    return n > 1 ? n : 1;
}

static unsigned play(struct tui_app *a, int arg)
{
    (void)arg;
    tui_replay_toggle(&a->replay, tui_now_ns());
    return TUI_REACT_SCREEN;
}

/* arg 1: show the next event; -1: hide the newest. */
static unsigned step(struct tui_app *a, int arg)
{
    if (arg > 0 ? tui_replay_step(&a->replay) : tui_replay_back(&a->replay))
        return TUI_REACT_SCREEN;
    snprintf(a->message, sizeof a->message, "%s",
             arg > 0 ? "the end: every event is shown" : "the start: no event shown yet");
    return TUI_REACT_BARS; /* paused, nothing else moved */
}

/* Moves the selection among the shown events by arg (lines, TUI_ARG_PAGE). */
static unsigned select_by(struct tui_app *a, int arg)
{
    tui_replay_move(&a->replay, tui_action_amount(arg, page(a), a->replay.shown));
    return TUI_REACT_SCREEN;
}

/* A live source still running: new events keep coming. */
static bool running(const struct tui_app *a)
{
    return a->src->live && !a->snap.done;
}

static unsigned first(struct tui_app *a, int arg)
{
    (void)arg;
    if (!a->src->live || running(a)) {
        tui_replay_first(&a->replay);
        return TUI_REACT_SCREEN;
    }
    /* a finished demo or capture starts over like a replay: the first event alone, so that
     * -> and Space show the rest one by one */
    struct tui_replay *r = &a->replay;
    while (r->shown > 1)
        tui_replay_back(r);
    tui_replay_first(r);
    return TUI_REACT_SCREEN;
}

static unsigned all(struct tui_app *a, int arg)
{
    (void)arg;
    if (running(a))
        tui_replay_follow(&a->replay); /* End while live: follow again */
    else
        tui_replay_all(&a->replay);
    return TUI_REACT_SCREEN;
}

/* arg 1: faster; -1: slower. The speed is in the status bar. */
static unsigned speed(struct tui_app *a, int arg)
{
    if (arg > 0)
        tui_replay_faster(&a->replay, tui_now_ns());
    else
        tui_replay_slower(&a->replay, tui_now_ns());
    return TUI_REACT_BARS;
}

/* ---- keys: search, filter, mouse ---- */

static unsigned next_match(struct tui_app *a, int arg)
{
    tui_search_next(a, arg > 0);
    return TUI_REACT_SCREEN;
}

static unsigned end_search(struct tui_app *a, int arg)
{
    (void)arg;
    a->search[0] = '\0';
    return TUI_REACT_BARS; /* the footer loses n and N */
}

static unsigned click(struct tui_app *a, int arg)
{
    (void)arg;
    int y, x;
    tui_term_mouse(&y, &x);
    uint32_t pos = hit(a, y);
    if (pos == TUI_ROW_NONE) return TUI_REACT_NONE;
    tui_replay_move(&a->replay, (int64_t)pos - a->replay.selected);
    return TUI_REACT_SCREEN;
}

/* ---- the diagram's slices of the action table ---- */

static bool searching(const struct tui_app *a)
{
    return a->search[0] != '\0';
}

/* in front of the rest while a search is on: n finds the next match instead of stepping */
static const struct tui_action search_actions[] = {
    {{'n'}, "Next", "next event matching the search (wraps around)", next_match, 1},
    {{'N'}, "Prev", "previous event matching the search", next_match, -1},
    {{TUI_KEY_ESC}, "EndSearch", "end the search: n steps again", end_search, 0},
};

const struct tui_keys tui_keys_search = TUI_KEYS(search_actions, searching);

static const struct tui_action replay_actions[] = {
    {{' '}, "Play", "play or pause: events appear one by one, paced per event", play, 0},
    {{TUI_KEY_RIGHT, 'n', TUI_KEY_PGDN},
     "Step",
     "step forward: show the next event (PgDn: presenter clickers)",
     step,
     1},
    {{TUI_KEY_LEFT, 'p', 'h', TUI_KEY_PGUP},
     "Back",
     "step back: hide the newest event (PgUp: presenter clickers)",
     step,
     -1},
    {{TUI_KEY_DOWN, 'j'}, NULL, "select the next event shown", select_by, 1},
    {{TUI_KEY_UP, 'k'}, NULL, "select the previous event", select_by, -1},
    {{TUI_CTRL('f'), TUI_CTRL('d')},
     NULL,
     "select half a screen further down",
     select_by,
     TUI_ARG_PAGE},
    {{TUI_CTRL('b'), TUI_CTRL('u')},
     NULL,
     "select half a screen further up",
     select_by,
     -TUI_ARG_PAGE},
    {{'g', TUI_KEY_HOME},
     NULL,
     "select the first event (once a live run is over: show it alone, to step on)",
     first,
     0},
    {{'G', TUI_KEY_END},
     "All",
     "show every event and select the last (while live: follow new events again)",
     all,
     0},
};

static const struct tui_action diagram_actions[] = {
    {{'+', '='}, "Faster", "replay faster (x1/4 ... x64)", speed, 1},
    {{'-', '_'}, "Slower", "replay slower", speed, -1},
    {{TUI_KEY_ENTER, 'i'},
     "Detail",
     "packet detail: header fields and hex",
     tui_action_show,
     TUI_SHOW_DETAIL},
    {{'f'},
     "Flows",
     "the flow list: choose which conversations to draw",
     tui_action_show,
     TUI_SHOW_FLOWS},
    {{'/'},
     "Search",
     "search arrow labels and payloads (capital letters: exact case)",
     tui_prompt_start,
     TUI_PROMPT_SEARCH},
    {{':'},
     "Filter",
     "display filter: tcp, udp, stream N, port N, host A, flag SYN, not ...",
     tui_prompt_start,
     TUI_PROMPT_FILTER},
    {{TUI_KEY_CLICK}, NULL, "mouse: select the arrow clicked", click, 0},
    {{TUI_KEY_WHEEL_DOWN}, NULL, "mouse wheel: select further down", select_by, 3},
    {{TUI_KEY_WHEEL_UP}, NULL, "mouse wheel: select further up", select_by, -3},
};

static const struct tui_keys replay_keys = TUI_KEYS(replay_actions, NULL);
static const struct tui_keys diagram_keys = TUI_KEYS(diagram_actions, NULL);

/* a demo's r and m early, so the footer has room for them before the rest */
static const struct tui_keys *const keys[] = {
    &tui_keys_search,    &replay_keys,  &tui_keys_rerun,  &tui_keys_theme,
    &tui_keys_classroom, &diagram_keys, &tui_keys_common, NULL,
};

const struct tui_screen tui_screen_diagram = {.name = NULL, .draw = draw, .keys = keys};
