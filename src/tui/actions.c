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

static void first(struct tui_app *a)
{
    tui_replay_first(&a->replay);
}

static void all(struct tui_app *a)
{
    tui_replay_all(&a->replay);
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
    a->screen = TUI_SCREEN_HELP;
    a->help_top = 0;
}

static void close_help(struct tui_app *a)
{
    a->screen = TUI_SCREEN_DIAGRAM;
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

/* ---- the table ---- */
#define D TUI_SCREEN_DIAGRAM
#define H TUI_SCREEN_HELP

static const struct tui_action actions[] = {
    {{' '}, "Play", "play or pause: events appear one by one, paced per event", D, play},
    {{TUI_KEY_RIGHT, 'n', 'l', TUI_KEY_PGDN},
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
    {{'g', TUI_KEY_HOME}, NULL, "select the first event", D, first},
    {{'G', TUI_KEY_END}, "All", "show every event and select the last", D, all},
    {{'+', '='}, "Faster", "replay faster (x1/4 ... x64)", D, faster},
    {{'-', '_'}, "Slower", "replay slower", D, slower},
    {{'?', 'H'}, "Help", "this help", D, help},
    {{'?', 'q', TUI_KEY_ESC, TUI_KEY_ENTER}, "Back", "back to the diagram", H, close_help},
    {{TUI_KEY_DOWN, 'j', ' ', TUI_KEY_PGDN}, NULL, "scroll the help down", H, help_down},
    {{TUI_KEY_UP, 'k', TUI_KEY_PGUP}, NULL, "scroll the help up", H, help_up},
    {{'q', 'Q'}, "Quit", "quit", D, quit},
};

#define N_ACTIONS (sizeof actions / sizeof actions[0])

/* ---- keys by name ---- */
static const struct {
    int key;
    const char *name, *glyph;
} named[] = {
    {' ', "Space", "Space"},        {TUI_KEY_UP, "Up", "↑"},
    {TUI_KEY_DOWN, "Down", "↓"},    {TUI_KEY_LEFT, "Left", "←"},
    {TUI_KEY_RIGHT, "Right", "→"},  {TUI_KEY_PGUP, "PgUp", "PgUp"},
    {TUI_KEY_PGDN, "PgDn", "PgDn"}, {TUI_KEY_HOME, "Home", "Home"},
    {TUI_KEY_END, "End", "End"},    {TUI_KEY_ENTER, "Enter", "Enter"},
    {TUI_KEY_ESC, "Esc", "Esc"},
};

const char *tui_key_name(int key, bool ascii, char buf[8])
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].key == key) return ascii ? named[i].name : named[i].glyph;
    if (key > 0 && key < 0x20) {
        buf[0] = '^';
        buf[1] = (char)(key + '@');
        buf[2] = '\0';
    } else if (key > 0x20 && key < 0x7f) {
        buf[0] = (char)key;
        buf[1] = '\0';
    } else {
        buf[0] = '?';
        buf[1] = '\0';
    }
    return buf;
}

int tui_key_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strcmp(named[i].name, name)) return named[i].key;
    if (name[0] == '^' && name[1] >= '@' && name[1] <= '_' && !name[2]) return name[1] - '@';
    if (name[0] == '^' && name[1] >= 'a' && name[1] <= 'z' && !name[2]) return TUI_CTRL(name[1]);
    if (name[0] > 0x20 && name[0] < 0x7f && !name[1]) return name[0];
    return TUI_KEY_NONE;
}

/* ---- dispatch, footer, help ---- */

bool tui_actions_dispatch(struct tui_app *a, int key)
{
    for (size_t i = 0; i < N_ACTIONS; i++) {
        if (!(actions[i].screens & a->screen)) continue;
        for (int k = 0; k < 4 && actions[i].keys[k]; k++) {
            if (actions[i].keys[k] == key) {
                actions[i].run(a);
                return true;
            }
        }
    }
    return false;
}

void tui_actions_footer(const struct tui_app *a, int y)
{
    bool ascii = tui_term_ascii();
    tui_term_fill(y, TUI_ROLE_FOOTER);
    int x = 0, cols = a->layout.cols;
    for (size_t i = 0; i < N_ACTIONS && x < cols; i++) {
        if (!(actions[i].screens & a->screen) || !actions[i].footer) continue;
        char buf[8];
        const char *k = tui_key_name(actions[i].keys[0], ascii, buf);
        int need = (int)strlen(actions[i].footer) + 3;
        if (x + need > cols) break;
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
