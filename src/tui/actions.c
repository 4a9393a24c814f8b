/* The one action table at work: key dispatch, the footer bar and the help lines, all walked
 * from the same slices (each screen file owns its own; modes add theirs in front), so they
 * cannot disagree (htop's Action.c + FunctionBar.c). Also showing a screen, and the slice every
 * main screen shares: moving between the screens, help and quit. */
#include <string.h>

#include "tui_internal.h"

int64_t tui_action_amount(int arg, int64_t page, int64_t all)
{
    int sign = arg < 0 ? -1 : 1;
    int mag = arg < 0 ? -arg : arg;
    if (mag == TUI_ARG_PAGE) return sign * page;
    if (mag == TUI_ARG_ALL) return sign * all;
    return arg;
}

void tui_screen_show(struct tui_app *a, const struct tui_screen *screen)
{
    a->screen = screen;
    if (screen->enter) screen->enter(a);
}

/* ---- every main screen's keys ---- */

static const struct tui_screen *const cycle[] = {&tui_screen_diagram, &tui_screen_flows,
                                                 &tui_screen_detail};

unsigned tui_action_show(struct tui_app *a, int arg)
{
    tui_screen_show(a, cycle[arg]);
    return TUI_REACT_SCREEN;
}

/* Tab: diagram -> flows -> detail -> diagram; Shift-Tab the other way. */
static unsigned next_screen(struct tui_app *a, int arg)
{
    int at = 0;
    for (int i = 0; i < 3; i++)
        if (a->screen == cycle[i]) at = i;
    return tui_action_show(a, (at + 3 + arg) % 3);
}

unsigned tui_action_help(struct tui_app *a, int arg)
{
    (void)arg;
    a->help_from = a->screen;
    a->help_top = -1; /* help.c opens it at the section of the screen it came from */
    tui_screen_show(a, &tui_screen_help);
    return TUI_REACT_SCREEN;
}

unsigned tui_action_quit(struct tui_app *a, int arg)
{
    (void)a, (void)arg;
    return TUI_REACT_QUIT;
}

static const struct tui_action common[] = {
    {{TUI_KEY_TAB}, NULL, "next screen: diagram, flows, packet detail", next_screen, 1},
    {{TUI_KEY_BTAB}, NULL, "previous screen", next_screen, -1},
    {{'?', 'H'}, "Help", "this help", tui_action_help, 0},
    {{'q', 'Q'}, "Quit", "quit", tui_action_quit, 0},
};

const struct tui_keys tui_keys_common = TUI_KEYS(common, NULL);

/* ---- dispatch, footer, help ---- */

static const struct tui_keys *const prompt_keys[] = {&tui_keys_prompt, NULL};

const struct tui_keys *const *tui_actions_keys(const struct tui_app *a)
{
    return a->prompt ? prompt_keys : a->screen->keys;
}

/* Walks the actions in effect in dispatch order: the first to bind a key is the one run. */
#define EACH_ACTION(a, act)                                                                        \
    for (const struct tui_keys *const *k_ = tui_actions_keys(a); *k_; k_++)                        \
        if (!(*k_)->active || (*k_)->active(a))                                                    \
            for (const struct tui_action *act = (*k_)->actions;                                    \
                 act < (*k_)->actions + (*k_)->count; act++)

const struct tui_action *tui_actions_find(const struct tui_app *a, int key)
{
    EACH_ACTION(a, act)
    {
        for (int k = 0; k < 4 && act->keys[k]; k++)
            if (act->keys[k] == key) return act;
    }
    return NULL;
}

/* Columns of UTF-8 text (an arrow is three bytes, one column). */
static int columns(const char *s)
{
    int cols = 0;
    for (; *s; s++)
        cols += ((unsigned char)*s & 0xC0) != 0x80;
    return cols;
}

/* Columns an action takes in the footer ("k Label  "). */
static int footer_width(const struct tui_action *act, bool ascii)
{
    char buf[8];
    return (int)strlen(act->footer) + columns(tui_key_name(act->keys[0], ascii, buf)) + 3;
}

/* Help and Quit are in every footer: the others take what room is left. */
static bool essential(const struct tui_action *act)
{
    return act->run == tui_action_help || act->run == tui_action_quit;
}

void tui_actions_footer(const struct tui_app *a, int y)
{
    bool ascii = tui_term_ascii();
    tui_term_fill(y, TUI_ROLE_FOOTER);
    int x = 0, cols = a->layout.cols, reserved = 0;
    EACH_ACTION(a, act)
    {
        if (act->footer && essential(act)) reserved += footer_width(act, ascii);
    }
    EACH_ACTION(a, act)
    {
        if (!act->footer || x >= cols) continue;
        char buf[8];
        const char *k = tui_key_name(act->keys[0], ascii, buf);
        int need = footer_width(act, ascii);
        if (essential(act))
            reserved -= need;
        else if (x + need + reserved > cols)
            continue;                      /* a shorter label further on may still fit */
        if (x + need > cols + 2) continue; /* the last one's two blanks may go */
        x += tui_term_text(y, x, k, TUI_ROLE_BAR_KEY, cols - x);
        x += tui_term_text(y, x, " ", TUI_ROLE_FOOTER, cols - x);
        x += tui_term_text(y, x, act->footer, TUI_ROLE_FOOTER, cols - x);
        x += tui_term_text(y, x, "  ", TUI_ROLE_FOOTER, cols - x);
    }
}

bool tui_actions_help_line(const struct tui_keys *k, int i, bool ascii, char *buf, size_t size)
{
    if (i < 0 || (size_t)i >= k->count) return false;
    const struct tui_action *act = &k->actions[i];
    char keys[64] = "", tmp[8];
    for (int n = 0; n < 4 && act->keys[n]; n++) {
        size_t len = strlen(keys);
        snprintf(keys + len, sizeof keys - len, "%s%s", n ? " " : "",
                 tui_key_name(act->keys[n], ascii, tmp));
    }
    /* pad by columns, not bytes: arrows are three bytes but one column */
    int cols = columns(keys);
    snprintf(buf, size, "  %s%*s  %s", keys, cols < 18 ? 18 - cols : 0, "", act->help);
    return true;
}
