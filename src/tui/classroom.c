/* The presenter's controls of the diagram: how much the labels say (v), the theme (t), the
 * legend (l), horizontal pan and fit. Each is one action of the table in actions.c. */
#include "tui_internal.h"

void tui_classroom_detail(struct tui_app *a)
{
    a->labels.detail = view_detail_next(a->labels.detail);
    snprintf(a->message, sizeof a->message, "labels: %s (v: %s)",
             view_detail_name(a->labels.detail),
             view_detail_name(view_detail_next(a->labels.detail)));
}

void tui_classroom_theme(struct tui_app *a)
{
    if (a->opt->no_color) {
        snprintf(a->message, sizeof a->message, "NO_COLOR is set: the theme stays mono");
        return;
    }
    a->theme = (enum tui_theme)((a->theme + 1) % (TUI_THEME_MONO + 1));
    tui_term_set_theme(a->theme);
    snprintf(a->message, sizeof a->message, "theme: %s (t: next)", tui_theme_name(a->theme));
}

void tui_classroom_legend(struct tui_app *a)
{
    a->legend = !a->legend;
}
