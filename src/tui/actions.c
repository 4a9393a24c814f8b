/* The one action table: every key the TUI understands, with its footer label, its help line
 * and its handler. Key dispatch, the footer bar and the help screen are all generated from
 * it, so they cannot disagree (htop's Action.c + FunctionBar.c in one table). */
#include <string.h>

#include "tui_internal.h"

/* ---- handlers ---- */

static int page(const struct tui_app *a)
{
    /* events take one or two rows: a page of events never jumps past what was on screen */
    int n = a->layout.body_rows / 2;
    return n > 1 ? n : 1;
}

static void play(struct tui_app *a)
{
    tui_replay_toggle(&a->replay, tui_now_ns());
}

static void step(struct tui_app *a)
{
    if (!tui_replay_step(&a->replay))
        snprintf(a->message, sizeof a->message, "the end: every event is shown");
}

static void back(struct tui_app *a)
{
    if (!tui_replay_back(&a->replay))
        snprintf(a->message, sizeof a->message, "the start: no event shown yet");
}

static void down(struct tui_app *a)
{
    tui_replay_move(&a->replay, 1);
}

static void up(struct tui_app *a)
{
    tui_replay_move(&a->replay, -1);
}

static void page_down(struct tui_app *a)
{
    tui_replay_move(&a->replay, page(a));
}

static void page_up(struct tui_app *a)
{
    tui_replay_move(&a->replay, -page(a));
}

/* A live source still running: new events keep coming. */
static bool running(const struct tui_app *a)
{
    return a->src->live && !a->snap.done;
}

static void first(struct tui_app *a)
{
    if (!a->src->live || running(a)) {
        tui_replay_first(&a->replay);
        return;
    }
    /* a finished demo or capture starts over like a replay: the first event alone, so that
     * -> and Space show the rest one by one */
    struct tui_replay *r = &a->replay;
    while (r->shown > 1)
        tui_replay_back(r);
    tui_replay_first(r);
}

static void all(struct tui_app *a)
{
    if (running(a))
        tui_replay_follow(&a->replay); /* End while live: follow again */
    else
        tui_replay_all(&a->replay);
}

/* ---- a demo: run again, or another scenario ---- */

static void rerun(struct tui_app *a)
{
    tui_menu_run(a, NULL);
}

static void menu(struct tui_app *a)
{
    tui_menu_open(a);
}

static void menu_down(struct tui_app *a)
{
    tui_menu_move(a, 1);
}

static void menu_up(struct tui_app *a)
{
    tui_menu_move(a, -1);
}

static void menu_first(struct tui_app *a)
{
    tui_menu_move(a, -(int64_t)a->src->scenario_count);
}

static void menu_last(struct tui_app *a)
{
    tui_menu_move(a, (int64_t)a->src->scenario_count);
}

static void menu_choose(struct tui_app *a)
{
    tui_menu_choose(a);
}

static void menu_close(struct tui_app *a)
{
    tui_menu_close(a);
}

static void faster(struct tui_app *a)
{
    tui_replay_faster(&a->replay, tui_now_ns());
}

static void slower(struct tui_app *a)
{
    tui_replay_slower(&a->replay, tui_now_ns());
}

static void help(struct tui_app *a)
{
    a->help_from = a->screen;
    a->screen = TUI_SCREEN_HELP;
    a->help_top = -1; /* help.c opens it at the section of the screen it came from */
}

static void close_help(struct tui_app *a)
{
    a->screen = a->help_from ? a->help_from : TUI_SCREEN_DIAGRAM;
}

static void help_down(struct tui_app *a)
{
    a->help_top++;
}

static void help_up(struct tui_app *a)
{
    if (a->help_top > 0) a->help_top--;
}

static void quit(struct tui_app *a)
{
    a->quit = true;
}

/* ---- screens ---- */

static void to_flows(struct tui_app *a)
{
    tui_flows_refresh(a);
    a->screen = TUI_SCREEN_FLOWS;
}

static void to_diagram(struct tui_app *a)
{
    a->screen = TUI_SCREEN_DIAGRAM;
}

static void to_detail(struct tui_app *a)
{
    a->screen = TUI_SCREEN_DETAIL;
}

/* Tab: diagram -> flows -> detail -> diagram; Shift-Tab the other way. */
static void next_screen(struct tui_app *a)
{
    if (a->screen == TUI_SCREEN_DIAGRAM)
        to_flows(a);
    else if (a->screen == TUI_SCREEN_FLOWS)
        to_detail(a);
    else
        to_diagram(a);
}

static void previous_screen(struct tui_app *a)
{
    if (a->screen == TUI_SCREEN_DIAGRAM)
        to_detail(a);
    else if (a->screen == TUI_SCREEN_DETAIL)
        to_flows(a);
    else
        to_diagram(a);
}

/* ---- diagram: search, filter, mouse ---- */

static void search(struct tui_app *a)
{
    tui_prompt_start(a, TUI_PROMPT_SEARCH);
}

static void next_match(struct tui_app *a)
{
    tui_search_next(a, true);
}

static void previous_match(struct tui_app *a)
{
    tui_search_next(a, false);
}

static void end_search(struct tui_app *a)
{
    a->search[0] = '\0';
}

static void filter(struct tui_app *a)
{
    tui_prompt_start(a, TUI_PROMPT_FILTER);
}

static void click(struct tui_app *a)
{
    int y, x;
    tui_term_mouse(&y, &x);
    uint32_t pos = tui_diagram_hit(a, y);
    if (pos != TUI_ROW_NONE) tui_replay_move(&a->replay, (int64_t)pos - a->replay.selected);
}

static void wheel_down(struct tui_app *a)
{
    tui_replay_move(&a->replay, 3);
}

static void wheel_up(struct tui_app *a)
{
    tui_replay_move(&a->replay, -3);
}

/* ---- flow list ---- */

static int list_page(const struct tui_app *a)
{
    int n = a->layout.body_rows - 2;
    return n > 1 ? n : 1;
}

static void flow_down(struct tui_app *a)
{
    tui_flows_move(a, 1);
}

static void flow_up(struct tui_app *a)
{
    tui_flows_move(a, -1);
}

static void flow_page_down(struct tui_app *a)
{
    tui_flows_move(a, list_page(a));
}

static void flow_page_up(struct tui_app *a)
{
    tui_flows_move(a, -list_page(a));
}

static void flow_first(struct tui_app *a)
{
    tui_flows_move(a, -(int64_t)a->flows.count);
}

static void flow_last(struct tui_app *a)
{
    tui_flows_move(a, a->flows.count);
}

static void flow_wheel_down(struct tui_app *a)
{
    tui_flows_move(a, 3);
}

static void flow_wheel_up(struct tui_app *a)
{
    tui_flows_move(a, -3);
}

static void flow_toggle(struct tui_app *a)
{
    tui_flows_toggle(a);
}

static void flow_all(struct tui_app *a)
{
    for (uint32_t i = 0; i < a->flows.count; i++)
        timeline_store_flow(a->store, a->flows.order[i])->selected = true;
    tui_flows_refresh(a);
}

static void flow_clear(struct tui_app *a)
{
    tui_flows_clear(a);
    tui_app_refilter(a);
    snprintf(a->message, sizeof a->message, "no flow chosen: the diagram draws every flow");
}

static void flow_open(struct tui_app *a)
{
    tui_flows_open(a);
}

static void flow_sort(struct tui_app *a)
{
    a->flows.sort = (a->flows.sort + 1) % TUI_FLOW_COLUMNS;
    tui_flows_refresh(a);
}

static void flow_reverse(struct tui_app *a)
{
    a->flows.descending = !a->flows.descending;
    tui_flows_refresh(a);
}

static void flow_filter(struct tui_app *a)
{
    tui_prompt_start(a, TUI_PROMPT_FLOWS);
}

static void flow_click(struct tui_app *a)
{
    int y, x;
    tui_term_mouse(&y, &x);
    tui_flows_click(a, y);
}

/* ---- packet detail ---- */

static void field_down(struct tui_app *a)
{
    tui_detail_move(a, 1);
}

static void field_up(struct tui_app *a)
{
    tui_detail_move(a, -1);
}

static void field_page_down(struct tui_app *a)
{
    tui_detail_move(a, list_page(a) / 2);
}

static void field_page_up(struct tui_app *a)
{
    tui_detail_move(a, -list_page(a) / 2);
}

static void field_first(struct tui_app *a)
{
    tui_detail_move(a, -TUI_MAX_FIELDS);
}

static void field_last(struct tui_app *a)
{
    tui_detail_move(a, TUI_MAX_FIELDS);
}

static void field_click(struct tui_app *a)
{
    int y, x;
    tui_term_mouse(&y, &x);
    tui_detail_click(a, y, x);
}

static void event_next(struct tui_app *a)
{
    if (a->replay.shown && a->replay.selected + 1 < a->replay.shown)
        tui_replay_move(&a->replay, 1);
    else
        step(a);
}

static void event_previous(struct tui_app *a)
{
    tui_replay_move(&a->replay, -1);
}

/* ---- typing after / or : ---- */

static void prompt_accept(struct tui_app *a)
{
    tui_prompt_accept(a);
}

static void prompt_cancel(struct tui_app *a)
{
    tui_prompt_cancel(a);
}

static void prompt_erase(struct tui_app *a)
{
    tui_prompt_erase(a);
}

/* ---- the table: an action applies on every screen (or mode) whose bit it has; modes come
 * first, so while a search is active n finds the next match instead of stepping ---- */
#define D TUI_SCREEN_DIAGRAM
#define H TUI_SCREEN_HELP
#define F TUI_SCREEN_FLOWS
#define X TUI_SCREEN_DETAIL
#define P TUI_SCREEN_PROMPT
#define S TUI_SCREEN_SEARCHING
#define M TUI_SCREEN_MENU
#define R TUI_SCREEN_RERUN

static const struct tui_action actions[] = {
    {{TUI_KEY_ENTER}, "Apply", "search, filter or keep the text typed", P, prompt_accept},
    {{TUI_KEY_ESC}, "Cancel", "leave the line unchanged", P, prompt_cancel},
    {{TUI_KEY_BACKSPACE}, "Erase", "erase the last character", P, prompt_erase},
    {{'n'}, "Next", "next event matching the search (wraps around)", S, next_match},
    {{'N'}, "Prev", "previous event matching the search", S, previous_match},
    {{TUI_KEY_ESC}, "EndSearch", "end the search: n steps again", S, end_search},
    {{' '}, "Play", "play or pause: events appear one by one, paced per event", D, play},
    {{TUI_KEY_RIGHT, 'n', TUI_KEY_PGDN},
     "Step",
     "step forward: show the next event (PgDn: presenter clickers)",
     D,
     step},
    {{TUI_KEY_LEFT, 'p', 'h', TUI_KEY_PGUP},
     "Back",
     "step back: hide the newest event (PgUp: presenter clickers)",
     D,
     back},
    {{TUI_KEY_DOWN, 'j'}, NULL, "select the next event shown", D, down},
    {{TUI_KEY_UP, 'k'}, NULL, "select the previous event", D, up},
    {{TUI_CTRL('f'), TUI_CTRL('d')}, NULL, "select half a screen further down", D, page_down},
    {{TUI_CTRL('b'), TUI_CTRL('u')}, NULL, "select half a screen further up", D, page_up},
    {{'g', TUI_KEY_HOME},
     NULL,
     "select the first event (once a live run is over: show it alone, to step on)",
     D,
     first},
    {{'G', TUI_KEY_END},
     "All",
     "show every event and select the last (while live: follow new events again)",
     D,
     all},
    /* a demo's: early in the table, so the footer has room for them before the rest */
    {{'r'}, "Again", "run the scenario again: a new capture, the diagram from the start", R, rerun},
    {{'m'}, "Scenarios", "the scenario menu: choose another one to run", R, menu},
    {{'v'}, NULL, "label detail: minimal, normal, full (options, payload)", D,
     tui_classroom_detail},
    {{'t'}, NULL, "theme: dark, light, projector (bold, high contrast), mono", D | F | X,
     tui_classroom_theme},
    {{'l'}, NULL, "legend: the colour and glyph of each kind of segment", D,
     tui_classroom_legend},
    {{'<', ',', TUI_KEY_SLEFT}, NULL, "pan the lifelines one lane left (when they do not fit)", D,
     tui_classroom_pan_left},
    {{'>', '.', TUI_KEY_SRIGHT}, NULL, "pan the lifelines one lane right", D,
     tui_classroom_pan_right},
    {{'z'}, NULL, "fit: narrow the pitch until every lifeline fits (z again: pan)", D,
     tui_classroom_fit},
    {{'+', '='}, "Faster", "replay faster (x1/4 ... x64)", D, faster},
    {{'-', '_'}, "Slower", "replay slower", D, slower},
    {{TUI_KEY_ENTER, 'i'}, "Detail", "packet detail: header fields and hex", D, to_detail},
    {{'f'}, "Flows", "the flow list: choose which conversations to draw", D | X, to_flows},
    {{'/'}, "Search", "search arrow labels and payloads (capital letters: exact case)", D, search},
    {{':'},
     "Filter",
     "display filter: tcp, udp, stream N, port N, host A, flag SYN, not ...",
     D,
     filter},
    {{TUI_KEY_CLICK}, NULL, "mouse: select the arrow clicked", D, click},
    {{TUI_KEY_WHEEL_DOWN}, NULL, "mouse wheel: select further down", D, wheel_down},
    {{TUI_KEY_WHEEL_UP}, NULL, "mouse wheel: select further up", D, wheel_up},
    {{TUI_KEY_DOWN, 'j'}, NULL, "next flow", F, flow_down},
    {{TUI_KEY_UP, 'k'}, NULL, "previous flow", F, flow_up},
    {{TUI_KEY_PGDN, TUI_CTRL('f')}, NULL, "a page of flows down", F, flow_page_down},
    {{TUI_KEY_PGUP, TUI_CTRL('b')}, NULL, "a page of flows up", F, flow_page_up},
    {{'g', TUI_KEY_HOME}, NULL, "first flow", F, flow_first},
    {{'G', TUI_KEY_END}, NULL, "last flow", F, flow_last},
    {{' '},
     "Choose",
     "choose the flow (or leave it): the diagram draws the chosen ones",
     F,
     flow_toggle},
    {{TUI_KEY_ENTER},
     "Draw",
     "the diagram of the chosen flows (none: the one under the cursor)",
     F,
     flow_open},
    {{'a'}, "All", "choose every flow listed (after / to narrow the list)", F, flow_all},
    {{'c'}, "Clear", "choose none: the diagram draws every flow", F, flow_clear},
    {{'s'}, "Sort", "sort by the next column", F, flow_sort},
    {{'S'}, "Reverse", "reverse the order", F, flow_reverse},
    {{'/'},
     "Filter",
     "type words to narrow the list: endpoint, port, tcp or udp, state",
     F,
     flow_filter},
    {{TUI_KEY_CLICK}, NULL, "mouse: put the cursor on the flow clicked", F, flow_click},
    {{TUI_KEY_WHEEL_DOWN}, NULL, "mouse wheel: down the list", F, flow_wheel_down},
    {{TUI_KEY_WHEEL_UP}, NULL, "mouse wheel: up the list", F, flow_wheel_up},
    {{TUI_KEY_DOWN, 'j'}, NULL, "next header field: its bytes light up in the hex", X, field_down},
    {{TUI_KEY_UP, 'k'}, NULL, "previous header field", X, field_up},
    {{TUI_KEY_PGDN, TUI_CTRL('f')}, NULL, "fields further down", X, field_page_down},
    {{TUI_KEY_PGUP, TUI_CTRL('b')}, NULL, "fields further up", X, field_page_up},
    {{'g', TUI_KEY_HOME}, NULL, "first field", X, field_first},
    {{'G', TUI_KEY_END}, NULL, "last field", X, field_last},
    {{TUI_KEY_RIGHT, 'n', 'l'},
     "Next",
     "the next event (the same field stays selected)",
     X,
     event_next},
    {{TUI_KEY_LEFT, 'p', 'h'}, "Prev", "the previous event", X, event_previous},
    {{TUI_KEY_CLICK},
     NULL,
     "mouse: select the field, or the field of the byte, clicked",
     X,
     field_click},
    {{TUI_KEY_WHEEL_DOWN}, NULL, "mouse wheel: next field", X, field_down},
    {{TUI_KEY_WHEEL_UP}, NULL, "mouse wheel: previous field", X, field_up},
    {{TUI_KEY_ESC, 'd'},
     "Diagram",
     "back to the diagram (the chosen flows stay chosen)",
     F,
     to_diagram},
    {{TUI_KEY_ESC, 'd', TUI_KEY_ENTER}, "Diagram", "back to the diagram", X, to_diagram},
    {{TUI_KEY_DOWN, 'j'}, NULL, "next scenario", M, menu_down},
    {{TUI_KEY_UP, 'k'}, NULL, "previous scenario", M, menu_up},
    {{'g', TUI_KEY_HOME}, NULL, "first scenario", M, menu_first},
    {{'G', TUI_KEY_END}, NULL, "last scenario", M, menu_last},
    {{TUI_KEY_ENTER}, "Run", "run the scenario chosen (the diagram starts over)", M, menu_choose},
    {{TUI_KEY_ESC, 'q', 'm'}, "Back", "back to the screen before, nothing run", M, menu_close},
    {{TUI_KEY_TAB}, NULL, "next screen: diagram, flows, packet detail", D | F | X, next_screen},
    {{TUI_KEY_BTAB}, NULL, "previous screen", D | F | X, previous_screen},
    {{'?', 'H'}, "Help", "this help", D | F | X | M, help},
    {{'?', 'q', TUI_KEY_ESC, TUI_KEY_ENTER}, "Back", "back to the screen before", H, close_help},
    {{TUI_KEY_DOWN, 'j', ' ', TUI_KEY_PGDN}, NULL, "scroll the help down", H, help_down},
    {{TUI_KEY_UP, 'k', TUI_KEY_PGUP}, NULL, "scroll the help up", H, help_up},
    {{TUI_KEY_WHEEL_DOWN}, NULL, "mouse wheel: scroll the help", H, help_down},
    {{TUI_KEY_WHEEL_UP}, NULL, "mouse wheel: scroll the help back", H, help_up},
    {{'q', 'Q'}, "Quit", "quit", D | F | X, quit},
};

#define N_ACTIONS (sizeof actions / sizeof actions[0])

/* ---- dispatch, footer, help ---- */

bool tui_actions_dispatch(struct tui_app *a, int key)
{
    unsigned mask = tui_app_keymask(a);
    for (size_t i = 0; i < N_ACTIONS; i++) {
        if (!(actions[i].screens & mask)) continue;
        for (int k = 0; k < 4 && actions[i].keys[k]; k++) {
            if (actions[i].keys[k] == key) {
                actions[i].run(a);
                return true;
            }
        }
    }
    return false;
}

/* Columns an action takes in the footer ("k Label  "). */
static int footer_width(const struct tui_action *act, bool ascii)
{
    char buf[8];
    const char *k = tui_key_name(act->keys[0], ascii, buf);
    int cols = 0;
    for (const char *c = k; *c; c++) /* an arrow is three bytes, one column */
        cols += ((unsigned char)*c & 0xC0) != 0x80;
    return (int)strlen(act->footer) + cols + 3;
}

/* Help and Quit are in every footer: the others take what room is left. */
static bool essential(const struct tui_action *act)
{
    return act->run == help || act->run == quit;
}

void tui_actions_footer(const struct tui_app *a, int y)
{
    bool ascii = tui_term_ascii();
    tui_term_fill(y, TUI_ROLE_FOOTER);
    int x = 0, cols = a->layout.cols, reserved = 0;
    unsigned mask = tui_app_keymask(a);
    for (size_t i = 0; i < N_ACTIONS; i++)
        if ((actions[i].screens & mask) && actions[i].footer && essential(&actions[i]))
            reserved += footer_width(&actions[i], ascii);
    for (size_t i = 0; i < N_ACTIONS && x < cols; i++) {
        if (!(actions[i].screens & mask) || !actions[i].footer) continue;
        char buf[8];
        const char *k = tui_key_name(actions[i].keys[0], ascii, buf);
        int need = footer_width(&actions[i], ascii);
        if (essential(&actions[i]))
            reserved -= need;
        else if (x + need + reserved > cols)
            continue; /* a shorter label further on may still fit */
        if (x + need > cols + 2) continue; /* the last one's two blanks may go */
        x += tui_term_text(y, x, k, TUI_ROLE_BAR_KEY, cols - x);
        x += tui_term_text(y, x, " ", TUI_ROLE_FOOTER, cols - x);
        x += tui_term_text(y, x, actions[i].footer, TUI_ROLE_FOOTER, cols - x);
        x += tui_term_text(y, x, "  ", TUI_ROLE_FOOTER, cols - x);
    }
}

bool tui_actions_help_line(unsigned screen, int i, bool ascii, char *buf, size_t size)
{
    for (size_t n = 0; n < N_ACTIONS; n++) {
        if (!(actions[n].screens & screen)) continue;
        if (i-- > 0) continue;
        char keys[64] = "", tmp[8];
        for (int k = 0; k < 4 && actions[n].keys[k]; k++) {
            size_t len = strlen(keys);
            snprintf(keys + len, sizeof keys - len, "%s%s", k ? " " : "",
                     tui_key_name(actions[n].keys[k], ascii, tmp));
        }
        /* pad by columns, not bytes: arrows are three bytes but one column */
        int cols = 0;
        for (const char *c = keys; *c; c++)
            cols += ((unsigned char)*c & 0xC0) != 0x80;
        snprintf(buf, size, "  %s%*s  %s", keys, cols < 18 ? 18 - cols : 0, "", actions[n].help);
        return true;
    }
    return false;
}
