/* The help screen: what the diagram shows, then every key of the diagram, generated from the
 * action table (the same table that handles the keys and writes the footer). */
#include "tui_internal.h"

static const char *const intro[] = {
    "sockscope open: a capture replayed as a sequence diagram",
    "",
    "  One vertical lifeline per ip:port; clients on the left, servers on the right.",
    "  One arrow per packet, labelled as 'sockscope trace' prints it; TCP state changes",
    "  appear beside the lifelines, and the header shows each end's state at the selection.",
    "  The line under the diagram explains the selected event in plain words.",
    "",
    "Keys on the diagram:",
};

#define N_INTRO ((int)(sizeof intro / sizeof intro[0]))

static bool help_line(int i, char *buf, size_t size)
{
    if (i < N_INTRO) {
        snprintf(buf, size, "%s", intro[i]);
        return true;
    }
    return tui_actions_help_line(TUI_SCREEN_DIAGRAM, i - N_INTRO, tui_term_ascii(), buf, size);
}

void tui_help_draw(struct tui_app *a)
{
    int rows, cols;
    tui_term_size(&rows, &cols);
    tui_layout_compute(&a->layout, rows, cols, 2);
    tui_term_erase();
    int body = rows - 1;
    int lines = 0;
    char buf[256];
    while (help_line(lines, buf, sizeof buf))
        lines++;
    if (a->help_top > lines - body) a->help_top = lines - body > 0 ? lines - body : 0;
    for (int y = 0; y < body; y++) {
        if (!help_line(a->help_top + y, buf, sizeof buf)) break;
        tui_term_text(y, 0, buf, y + a->help_top == 0 ? STYLE_HEADER : STYLE_PLAIN, cols);
    }
    a->layout.footer_y = rows - 1;
    if (rows > 0) tui_actions_footer(a, rows - 1);
}
