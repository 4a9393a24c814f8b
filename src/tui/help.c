/* The help screen: what each screen shows, then its keys, generated from the action table
 * (the same slices that handle the keys and write the footer), and the filter syntax. It
 * opens at the section of the screen it was called from. */
#include <string.h>

#include "tui_internal.h"

static const char *const intro[] = {
    "sockscope open: a capture replayed as a sequence diagram",
    "",
    "  One vertical lifeline per ip:port; clients on the left, servers on the right.",
    "  One arrow per packet, labelled as 'sockscope trace' prints it; TCP state changes",
    "  appear beside the lifelines, and the header shows each end's state at the selection.",
    "  The line under the diagram explains the selected event in plain words.",
};

/* A screen's keys (every slice it always has), or a mode's slice. */
struct section {
    const struct tui_screen *screen;
    const struct tui_keys *mode;
    bool demo; /* a demo's only: a file cannot run a scenario */
    const char *title;
    const char *const *text; /* NULL-terminated lines after the keys */
};

static const char *const filter_text[] = {
    "  Display filter (':' on the diagram), terms separated by spaces, all must hold:",
    "    tcp  udp  stream N (tcp:N, udp:N)  port N  host ADDR  ADDR:PORT  flag SYN[+ACK]",
    "    not TERM (or !TERM).  Examples:  :stream 1   :port 12000 flag SYN   :udp",
    "    An empty line shows every event again.",
    "  Search ('/'): labels and payloads; with a capital letter the case must match.",
    NULL,
};

static const char *const live_text[] = {
    "  Live (demo, live): the diagram follows new events as they come (LIVE in the status",
    "  bar); any movement pauses the following (PAUSED), End follows again. Once the run is",
    "  over, Home shows its first event alone and -> or Space go through the rest.",
    NULL,
};

static const struct section sections[] = {
    {&tui_screen_diagram, NULL, false, "Keys on the diagram:", live_text},
    {NULL, &tui_keys_rerun, true, "A demo's scenarios (sockscope demo):", NULL},
    {&tui_screen_menu, NULL, true, "Keys on the scenario menu (m):", NULL},
    {NULL, &tui_keys_search, false, "After a search (/ then Enter):", NULL},
    {&tui_screen_flows, NULL, false, "Keys on the flow list (f):", NULL},
    {&tui_screen_detail, NULL, false, "Keys on the packet detail (Enter on the diagram):", NULL},
    {NULL, &tui_keys_prompt, false, "While typing after / or ':':", filter_text},
};

#define N_INTRO ((int)(sizeof intro / sizeof intro[0]))
#define N_SECTIONS ((int)(sizeof sections / sizeof sections[0]))

/* Sections of modes the source has not (a file cannot run a scenario) are left out. */
static bool shown(const struct section *s, bool rerun)
{
    return rerun || !s->demo;
}

/* Help line k of a section's keys: a screen's slices that are always on, or the mode's. */
static bool key_line(const struct section *s, int k, char *buf, size_t size)
{
    bool ascii = tui_term_ascii();
    if (s->mode) return tui_actions_help_line(s->mode, k, ascii, buf, size);
    for (const struct tui_keys *const *keys = s->screen->keys; *keys; keys++) {
        if ((*keys)->active) continue; /* a mode: a section of its own */
        if (tui_actions_help_line(*keys, k, ascii, buf, size)) return true;
        k -= (int)(*keys)->count;
    }
    return false;
}

/* The first line: what is on screen. */
static const char *what(const struct tui_source *src)
{
    if (src->rerun) return "sockscope demo: a scenario's packets and socket calls, drawn live";
    if (src->live) return "sockscope live: an interface's packets, drawn as they come";
    return intro[0];
}

/* Line i of the help; *title set for section titles. */
static bool help_line(int i, const struct tui_source *src, char *buf, size_t size, bool *title)
{
    bool rerun = src->rerun != NULL;
    *title = i == 0;
    if (i < N_INTRO) {
        snprintf(buf, size, "%s", i == 0 ? what(src) : intro[i]);
        return true;
    }
    i -= N_INTRO;
    for (int s = 0; s < N_SECTIONS; s++) {
        if (!shown(&sections[s], rerun)) continue;
        if (i == 0) {
            buf[0] = '\0';
            return true;
        }
        if (i == 1) {
            *title = true;
            snprintf(buf, size, "%s", sections[s].title);
            return true;
        }
        i -= 2;
        for (int k = 0;; k++, i--) {
            if (!key_line(&sections[s], k, buf, size)) break;
            if (i == 0) return true;
        }
        for (int k = 0; sections[s].text && sections[s].text[k]; k++, i--)
            if (i == 0) {
                snprintf(buf, size, "%s", sections[s].text[k]);
                return true;
            }
    }
    return false;
}

/* The first line of the section of a screen. */
static int section_line(const struct tui_screen *screen, const struct tui_source *src)
{
    char buf[256];
    bool title, rerun = src->rerun != NULL;
    for (int i = 0, s = -1; help_line(i, src, buf, sizeof buf, &title); i++) {
        if (title && i > 0) /* the next section shown */
            while (!shown(&sections[++s], rerun)) {
            }
        if (title && s >= 0 && sections[s].screen == screen) return i > 0 ? i - 1 : 0;
    }
    return 0;
}

/* The help is text: every size gets it, with the footer on the last line and no status
 * bar, so the app's too-small message never covers it. */
static void draw(struct tui_app *a)
{
    int rows, cols;
    tui_term_size(&rows, &cols);
    a->layout = (struct tui_layout){
        .rows = rows, .cols = cols, .explain_y = -1, .status_y = -1, .footer_y = rows - 1};
    int body = rows - 1;
    int lines = 0;
    char buf[256];
    bool title;
    while (help_line(lines, a->src, buf, sizeof buf, &title))
        lines++;
    if (a->help_top < 0)
        a->help_top = a->help_from == &tui_screen_diagram ? 0 : section_line(a->help_from, a->src);
    if (a->help_top > lines - body) a->help_top = lines - body > 0 ? lines - body : 0;
    for (int y = 0; y < body; y++) {
        if (!help_line(a->help_top + y, a->src, buf, sizeof buf, &title)) break;
        tui_term_text(y, 0, buf, title ? STYLE_HEADER : STYLE_PLAIN, cols);
    }
}

/* ---- keys ---- */

static unsigned close_help(struct tui_app *a, int arg)
{
    (void)arg;
    a->screen = a->help_from ? a->help_from : &tui_screen_diagram; /* back as it was */
    return TUI_REACT_SCREEN;
}

/* Scrolls by arg lines (the drawing keeps the last page full). */
static unsigned scroll(struct tui_app *a, int arg)
{
    a->help_top += arg;
    if (a->help_top < 0) a->help_top = 0;
    return TUI_REACT_SCREEN;
}

static const struct tui_action actions[] = {
    {{'?', 'q', TUI_KEY_ESC, TUI_KEY_ENTER}, "Back", "back to the screen before", close_help, 0},
    {{TUI_KEY_DOWN, 'j', ' ', TUI_KEY_PGDN}, NULL, "scroll the help down", scroll, 1},
    {{TUI_KEY_UP, 'k', TUI_KEY_PGUP}, NULL, "scroll the help up", scroll, -1},
    {{TUI_KEY_WHEEL_DOWN}, NULL, "mouse wheel: scroll the help", scroll, 1},
    {{TUI_KEY_WHEEL_UP}, NULL, "mouse wheel: scroll the help back", scroll, -1},
};

static const struct tui_keys help_keys = TUI_KEYS(actions, NULL);
static const struct tui_keys *const keys[] = {&help_keys, NULL};

const struct tui_screen tui_screen_help = {.name = "help", .draw = draw, .keys = keys};
