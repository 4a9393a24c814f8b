/* The flow list screen: one row per conversation (stream, protocol, client and server
 * ip:port, packets, bytes, final TCP states, duration), sorted by any column, narrowed by
 * typed words; Space chooses flows and Enter draws only them; and its keys. Narrow terminals
 * drop the least needed columns first. */
#include <stdlib.h>
#include <string.h>

#include "tui_internal.h"

#define MARK_WIDTH 4

struct column {
    enum tui_flow_column id;
    int width, priority; /* lower priority: dropped first when the screen is narrow */
    bool right;          /* numbers align right */
};

static const struct timeline_flow *flow_at(const void *ctx, uint32_t i)
{
    return timeline_store_flow(ctx, i);
}

/* Columns an endpoint column needs for the flows listed (measured at refresh). */
static int endpoint_width(const struct tui_app *a, bool server)
{
    int w = server ? a->flows.server_width : a->flows.client_width;
    if (w < 15) w = 15;
    return w > 47 ? 47 : w;
}

/* The columns that fit in cols, in display order; returns how many. */
static int columns(const struct tui_app *a, int cols, struct column *out)
{
    struct column all[TUI_FLOW_COLUMNS] = {
        {TUI_FLOW_STREAM, 7, 9, true},
        {TUI_FLOW_PROTO, 5, 8, false},
        {TUI_FLOW_CLIENT, endpoint_width(a, false), 7, false},
        {TUI_FLOW_SERVER, endpoint_width(a, true), 6, false},
        {TUI_FLOW_PACKETS, 7, 5, true},
        {TUI_FLOW_BYTES, 9, 2, true},
        {TUI_FLOW_STATE, 25, 3, false},
        {TUI_FLOW_DURATION, 10, 1, true},
    };
    bool keep[TUI_FLOW_COLUMNS] = {0};
    int used = MARK_WIDTH;
    for (int prio = 9; prio >= 0; prio--)
        for (int i = 0; i < TUI_FLOW_COLUMNS; i++)
            if (all[i].priority == prio && used + all[i].width + 1 <= cols) {
                keep[i] = true;
                used += all[i].width + 1;
            }
    int n = 0;
    for (int i = 0; i < TUI_FLOW_COLUMNS; i++)
        if (keep[i]) out[n++] = all[i];
    return n;
}

static void cell_text(const struct tui_app *a, const struct timeline_flow *f,
                      enum tui_flow_column c, char *buf, size_t size)
{
    switch (c) {
    case TUI_FLOW_STREAM:
        snprintf(buf, size, "%u", f->stream);
        break;
    case TUI_FLOW_PROTO:
        snprintf(buf, size, "%s", f->proto == PROTO_UDP ? "UDP" : "TCP");
        break;
    case TUI_FLOW_CLIENT:
        endpoint_format(&f->client, buf, size);
        break;
    case TUI_FLOW_SERVER:
        endpoint_format(&f->server, buf, size);
        break;
    case TUI_FLOW_PACKETS:
        snprintf(buf, size, "%u", f->packets);
        break;
    case TUI_FLOW_BYTES:
        snprintf(buf, size, "%llu", (unsigned long long)f->bytes);
        break;
    case TUI_FLOW_STATE:
        tui_flow_state_text(f, buf, size);
        break;
    case TUI_FLOW_DURATION:
        view_time_since(f->last_ns, f->first_ns, buf, size);
        break;
    default:
        buf[0] = '\0';
    }
    (void)a;
}

/* One line of the list (or the titles when f is NULL) into buf. */
static void line(const struct tui_app *a, const struct column *col, int n,
                 const struct timeline_flow *f, bool cursor, char *buf, size_t size)
{
    size_t len = 0;
    /* the cursor is marked in text too: reverse video alone vanishes in mono and in dumps */
    len += (size_t)snprintf(buf, size, "%s%s", cursor ? ">" : " ",
                            f ? (f->selected ? "[x]" : "[ ]") : "   ");
    for (int i = 0; i < n && len < size; i++) {
        char text[96];
        if (f) {
            cell_text(a, f, col[i].id, text, sizeof text);
        } else {
            const char *arrow = a->flows.descending ? "v" : "^";
            snprintf(text, sizeof text, "%s%s", col[i].id == a->flows.sort ? arrow : "",
                     tui_flow_column_name(col[i].id));
        }
        len += (size_t)snprintf(buf + len, size - len, col[i].right ? " %*.*s" : " %-*.*s",
                                col[i].width, col[i].width, text);
    }
}

/* The list again, after flows changed or the sort or the filter did. */
static void refresh(struct tui_app *a)
{
    struct tui_flows_ui *u = &a->flows;
    uint32_t at = u->cursor < u->count ? u->order[u->cursor] : TIMELINE_NO_FLOW;
    if (u->cap < a->snap.flows) {
        uint32_t *n = realloc(u->order, sizeof *n * a->snap.flows);
        if (!n) {
            snprintf(a->message, sizeof a->message, "out of memory for the flow list");
            return;
        }
        u->order = n;
        u->cap = a->snap.flows;
    }
    u->count = 0;
    u->chosen = 0;
    for (uint32_t i = 0; i < a->snap.flows; i++) {
        const struct timeline_flow *f = timeline_store_flow(a->store, i);
        if (f->selected) u->chosen++;
        if (!tui_flow_matches(f, u->filter)) continue;
        u->order[u->count++] = i;
        char buf[80];
        int c = endpoint_format(&f->client, buf, sizeof buf);
        int sv = endpoint_format(&f->server, buf, sizeof buf);
        if (c > u->client_width) u->client_width = c;
        if (sv > u->server_width) u->server_width = sv;
    }
    tui_flows_sort(u->order, u->count, flow_at, a->store, u->sort, u->descending);
    u->listed_flows = a->snap.flows;
    snprintf(u->listed_filter, sizeof u->listed_filter, "%s", u->filter);
    u->cursor = 0;
    for (uint32_t i = 0; i < u->count; i++)
        if (u->order[i] == at) u->cursor = i;
}

/* Moves the cursor by arg rows (TUI_ARG_PAGE, TUI_ARG_ALL). */
static unsigned move(struct tui_app *a, int arg)
{
    struct tui_flows_ui *u = &a->flows;
    if (u->count == 0) return TUI_REACT_NONE;
    int64_t page = a->layout.body_rows - 2 > 1 ? a->layout.body_rows - 2 : 1;
    int64_t c = (int64_t)u->cursor + tui_action_amount(arg, page, u->count);
    if (c < 0) c = 0;
    if (c >= (int64_t)u->count) c = u->count - 1;
    u->cursor = (uint32_t)c;
    return TUI_REACT_SCREEN;
}

static unsigned toggle(struct tui_app *a, int arg)
{
    (void)arg;
    struct tui_flows_ui *u = &a->flows;
    if (u->cursor >= u->count) return TUI_REACT_NONE;
    struct timeline_flow *f = timeline_store_flow(a->store, u->order[u->cursor]);
    f->selected = !f->selected;
    u->chosen += f->selected ? 1 : (uint32_t)-1;
    move(a, 1);
    return TUI_REACT_SCREEN;
}

static unsigned choose_all(struct tui_app *a, int arg)
{
    (void)arg;
    for (uint32_t i = 0; i < a->flows.count; i++)
        timeline_store_flow(a->store, a->flows.order[i])->selected = true;
    refresh(a);
    return TUI_REACT_SCREEN;
}

static unsigned clear(struct tui_app *a, int arg)
{
    (void)arg;
    tui_scope_clear_flows(a);
    tui_scope_refilter(a);
    snprintf(a->message, sizeof a->message, "no flow chosen: the diagram draws every flow");
    return TUI_REACT_SCREEN;
}

/* Enter: the diagram of the chosen flows (the one under the cursor if none is chosen). */
static unsigned open_chosen(struct tui_app *a, int arg)
{
    (void)arg;
    struct tui_flows_ui *u = &a->flows;
    if (u->chosen == 0 && u->cursor < u->count) {
        timeline_store_flow(a->store, u->order[u->cursor])->selected = true;
        u->chosen = 1;
    }
    tui_scope_refilter(a);
    tui_screen_show(a, &tui_screen_diagram);
    snprintf(a->message, sizeof a->message, "%u flow%s chosen: %u events; f changes, c clears",
             u->chosen, u->chosen == 1 ? "" : "s", a->vis.count);
    return TUI_REACT_SCREEN;
}

static unsigned sort(struct tui_app *a, int arg)
{
    (void)arg;
    a->flows.sort = (a->flows.sort + 1) % TUI_FLOW_COLUMNS;
    refresh(a);
    return TUI_REACT_SCREEN;
}

static unsigned reverse(struct tui_app *a, int arg)
{
    (void)arg;
    a->flows.descending = !a->flows.descending;
    refresh(a);
    return TUI_REACT_SCREEN;
}

static unsigned click(struct tui_app *a, int arg)
{
    (void)arg;
    int y, x;
    tui_term_mouse(&y, &x);
    /* rows: title, column titles, then the list */
    if (y < 2) return TUI_REACT_NONE;
    uint32_t i = a->flows.top + (uint32_t)(y - 2);
    if (i >= a->flows.count) return TUI_REACT_NONE;
    a->flows.cursor = i;
    return TUI_REACT_SCREEN;
}

/* The list follows what changed under it: the words typed at once, new conversations at
 * most once a second (a re-sort moves the rows under the reader's eyes). */
static void follow(struct tui_app *a)
{
    struct tui_flows_ui *u = &a->flows;
    uint64_t now = tui_now_ns();
    if (strcmp(u->filter, u->listed_filter) != 0) {
        refresh(a);
    } else if (a->snap.flows != u->listed_flows &&
               (a->snap.done || now - u->followed_ns > 1000000000u)) {
        u->followed_ns = now;
        refresh(a);
    }
}

static void draw(struct tui_app *a)
{
    if (a->layout.too_small) return;
    follow(a);
    int cols = a->layout.cols;
    struct tui_flows_ui *u = &a->flows;
    char buf[512];
    uint32_t tcp = 0;
    for (uint32_t i = 0; i < a->snap.flows; i++)
        tcp += timeline_store_flow(a->store, i)->proto == PROTO_TCP;
    snprintf(buf, sizeof buf, " Flows: %u conversation%s (%u TCP, %u UDP), %u shown, %u chosen",
             a->snap.flows, a->snap.flows == 1 ? "" : "s", tcp, a->snap.flows - tcp, u->count,
             u->chosen);
    tui_term_text(0, 0, buf, STYLE_HEADER, cols);
    struct column col[TUI_FLOW_COLUMNS];
    int n = columns(a, cols, col);
    line(a, col, n, NULL, false, buf, sizeof buf);
    tui_term_fill(1, TUI_ROLE_TITLE);
    tui_term_text(1, 0, buf, TUI_ROLE_TITLE, cols);

    int list_y = 2, end = a->layout.explain_y >= 0 ? a->layout.explain_y : a->layout.status_y;
    int list_rows = end - list_y;
    if (list_rows < 1) list_rows = 1;
    if (u->cursor < u->top) u->top = u->cursor;
    if (u->cursor >= u->top + (uint32_t)list_rows) u->top = u->cursor - (uint32_t)list_rows + 1;
    if (u->top + (uint32_t)list_rows > u->count)
        u->top = u->count > (uint32_t)list_rows ? u->count - (uint32_t)list_rows : 0;
    for (int y = 0; y < list_rows && u->top + (uint32_t)y < u->count; y++) {
        uint32_t i = u->top + (uint32_t)y;
        bool cur = i == u->cursor;
        line(a, col, n, timeline_store_flow(a->store, u->order[i]), cur, buf, sizeof buf);
        if (cur) tui_term_fill(list_y + y, TUI_ROLE_SELECT);
        tui_term_text(list_y + y, 0, buf, cur ? TUI_ROLE_SELECT : STYLE_PLAIN, cols);
    }
    if (u->count == 0)
        tui_term_text(list_y, 1,
                      a->snap.flows ? "No flow matches the filter (/ to change it)."
                                    : "This capture holds no TCP or UDP conversation.",
                      STYLE_DIM, cols - 1);
    if (a->layout.explain_y >= 0) {
        int y = a->layout.explain_y;
        for (int k = 0; k < a->layout.explain_rows; k++)
            tui_term_fill(y + k, TUI_ROLE_EXPLAIN);
        tui_term_text(y, 1,
                      "Space chooses, Enter draws the chosen flows (or the one under the cursor); "
                      "s sorts, / filters.",
                      TUI_ROLE_EXPLAIN, cols - 2);
    }
}

static const struct tui_action actions[] = {
    {{TUI_KEY_DOWN, 'j'}, NULL, "next flow", move, 1},
    {{TUI_KEY_UP, 'k'}, NULL, "previous flow", move, -1},
    {{TUI_KEY_PGDN, TUI_CTRL('f')}, NULL, "a page of flows down", move, TUI_ARG_PAGE},
    {{TUI_KEY_PGUP, TUI_CTRL('b')}, NULL, "a page of flows up", move, -TUI_ARG_PAGE},
    {{'g', TUI_KEY_HOME}, NULL, "first flow", move, -TUI_ARG_ALL},
    {{'G', TUI_KEY_END}, NULL, "last flow", move, TUI_ARG_ALL},
    {{' '},
     "Choose",
     "choose the flow (or leave it): the diagram draws the chosen ones",
     toggle,
     0},
    {{TUI_KEY_ENTER},
     "Draw",
     "the diagram of the chosen flows (none: the one under the cursor)",
     open_chosen,
     0},
    {{'a'}, "All", "choose every flow listed (after / to narrow the list)", choose_all, 0},
    {{'c'}, "Clear", "choose none: the diagram draws every flow", clear, 0},
    {{'s'}, "Sort", "sort by the next column", sort, 0},
    {{'S'}, "Reverse", "reverse the order", reverse, 0},
    {{'/'},
     "Filter",
     "type words to narrow the list: endpoint, port, tcp or udp, state",
     tui_prompt_start,
     TUI_PROMPT_FLOWS},
    {{TUI_KEY_CLICK}, NULL, "mouse: put the cursor on the flow clicked", click, 0},
    {{TUI_KEY_WHEEL_DOWN}, NULL, "mouse wheel: down the list", move, 3},
    {{TUI_KEY_WHEEL_UP}, NULL, "mouse wheel: up the list", move, -3},
    {{TUI_KEY_ESC, 'd'},
     "Diagram",
     "back to the diagram (the chosen flows stay chosen)",
     tui_action_show,
     TUI_SHOW_DIAGRAM},
};

static const struct tui_keys flow_keys = TUI_KEYS(actions, NULL);
static const struct tui_keys *const keys[] = {&tui_keys_rerun, &tui_keys_theme, &flow_keys,
                                              &tui_keys_common, NULL};

const struct tui_screen tui_screen_flows = {
    .name = "flows", .draw = draw, .enter = refresh, .keys = keys};
