/* The scenario menu of `sockscope demo` (m): every scenario with its one-line summary, the
 * one on screen marked; Enter runs the chosen one. Also the re-run itself (r, and Enter
 * here): the source runs the scenario into a new store, and the screen starts over on it;
 * r and m are a demo's slice of the keys of the other screens. */
#include <string.h>

#include "tui_internal.h"

/* The scenario on screen: the source is named "demo NAME" (perhaps with a note after). */
static size_t running(const struct tui_app *a)
{
    const char *name = a->src->name;
    if (strncmp(name, "demo ", 5) == 0) name += 5;
    for (size_t i = 0; i < a->src->scenario_count; i++) {
        size_t n = strlen(a->src->scenarios[i]);
        if (!strncmp(name, a->src->scenarios[i], n) && (name[n] == '\0' || name[n] == ' '))
            return i;
    }
    return SIZE_MAX;
}

static void run_scenario(struct tui_app *a, const char *scenario);

static unsigned open_menu(struct tui_app *a, int arg)
{
    (void)arg;
    if (!a->src->rerun || !a->src->scenario_count) {
        snprintf(a->message, sizeof a->message, "this source has no scenarios to run");
        return TUI_REACT_BARS;
    }
    a->menu_from = a->screen;
    tui_screen_show(a, &tui_screen_menu);
    size_t cur = running(a);
    a->menu_cursor = cur == SIZE_MAX ? 0 : cur;
    return TUI_REACT_SCREEN;
}

static unsigned close_menu(struct tui_app *a, int arg)
{
    (void)arg;
    a->screen = a->menu_from ? a->menu_from : &tui_screen_diagram; /* back as it was */
    return TUI_REACT_SCREEN;
}

/* Moves the cursor by arg scenarios (TUI_ARG_ALL: to the first or the last). */
static unsigned move(struct tui_app *a, int arg)
{
    int64_t n = (int64_t)a->src->scenario_count;
    int64_t c = (int64_t)a->menu_cursor + tui_action_amount(arg, 1, n);
    if (c >= n) c = n - 1;
    if (c < 0) c = 0;
    a->menu_cursor = (size_t)c;
    return TUI_REACT_SCREEN;
}

static unsigned choose(struct tui_app *a, int arg)
{
    (void)arg;
    if (a->menu_cursor >= a->src->scenario_count) return TUI_REACT_NONE;
    run_scenario(a, a->src->scenarios[a->menu_cursor]);
    return TUI_REACT_SCREEN;
}

static unsigned again(struct tui_app *a, int arg)
{
    (void)arg;
    run_scenario(a, NULL);
    return TUI_REACT_SCREEN;
}

/* Runs scenario (NULL: the same one again) through the source into a new store, and draws
 * that one from its start, following it. */
static void run_scenario(struct tui_app *a, const char *scenario)
{
    if (!a->src->rerun) return;
    char err[160] = "";
    /* what reads the old run's capture goes first: the source deletes that file */
    enum view_detail detail = a->labels.detail;
    bool had_labels = a->labels.rows != NULL;
    tui_labels_free(&a->labels);
    tui_frame_free(&a->detail.frame);
    int rc = a->src->rerun(a->src->ctx, a->src, scenario, err, sizeof err);
    /* the new store, or (when the run could not start) the old one again */
    int attached = tui_app_attach(a);
    if (had_labels) a->labels.detail = detail; /* v's choice outlives the run */
    tui_screen_show(a, &tui_screen_diagram);
    if (rc != STATUS_OK)
        snprintf(a->message, sizeof a->message, "cannot run %.40s: %s",
                 scenario ? scenario : "the scenario again", err);
    else if (attached != STATUS_OK)
        snprintf(a->message, sizeof a->message, "out of memory: the labels are not drawn");
    else
        snprintf(a->message, sizeof a->message, "%.200s: running", a->src->name);
}

static void draw(struct tui_app *a)
{
    if (a->layout.too_small) return;
    int cols = a->layout.cols;
    const struct tui_source *src = a->src;
    tui_term_text(0, 0,
                  " Scenarios: Enter runs the one chosen (the diagram starts over), Esc goes back",
                  STYLE_HEADER, cols);
    size_t width = 0, now = running(a);
    for (size_t i = 0; i < src->scenario_count; i++)
        if (strlen(src->scenarios[i]) > width) width = strlen(src->scenarios[i]);
    int list_y = 2, end = a->layout.status_y;
    int list_rows = end - list_y > 0 ? end - list_y : 1;
    if (a->menu_cursor < a->menu_top) a->menu_top = a->menu_cursor;
    if (a->menu_cursor >= a->menu_top + (size_t)list_rows)
        a->menu_top = a->menu_cursor - (size_t)list_rows + 1;
    char buf[512];
    for (int y = 0; y < list_rows && a->menu_top + (size_t)y < src->scenario_count; y++) {
        size_t i = a->menu_top + (size_t)y;
        bool cur = i == a->menu_cursor;
        const char *summary = src->scenario_summaries ? src->scenario_summaries[i] : "";
        snprintf(buf, sizeof buf, " %s %-*s  %s%s", cur ? ">" : " ", (int)width, src->scenarios[i],
                 summary, i == now ? "  (on screen)" : "");
        if (cur) tui_term_fill(list_y + y, TUI_ROLE_SELECT);
        tui_term_text(list_y + y, 0, buf, cur ? TUI_ROLE_SELECT : STYLE_PLAIN, cols);
    }
}

/* ---- keys: on the menu, and a demo's on the other screens ---- */

static const struct tui_action actions[] = {
    {{TUI_KEY_DOWN, 'j'}, NULL, "next scenario", move, 1},
    {{TUI_KEY_UP, 'k'}, NULL, "previous scenario", move, -1},
    {{'g', TUI_KEY_HOME}, NULL, "first scenario", move, -TUI_ARG_ALL},
    {{'G', TUI_KEY_END}, NULL, "last scenario", move, TUI_ARG_ALL},
    {{TUI_KEY_ENTER}, "Run", "run the scenario chosen (the diagram starts over)", choose, 0},
    {{TUI_KEY_ESC, 'q', 'm'}, "Back", "back to the screen before, nothing run", close_menu, 0},
    {{'?', 'H'}, "Help", "this help", tui_action_help, 0},
};

static bool rerun(const struct tui_app *a)
{
    return a->src->rerun != NULL;
}

static const struct tui_action rerun_actions[] = {
    {{'r'}, "Again", "run the scenario again: a new capture, the diagram from the start", again, 0},
    {{'m'}, "Scenarios", "the scenario menu: choose another one to run", open_menu, 0},
};

const struct tui_keys tui_keys_rerun = TUI_KEYS(rerun_actions, rerun);

static const struct tui_keys menu_keys = TUI_KEYS(actions, NULL);
static const struct tui_keys *const keys[] = {&menu_keys, NULL};

const struct tui_screen tui_screen_menu = {.name = "scenarios", .draw = draw, .keys = keys};
