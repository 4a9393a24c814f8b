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

/* Which lifelines the screen shows after a pan, in the status bar's message. */
static void say_lanes(struct tui_app *a, const char *edge)
{
    int lanes = a->vis.lanes.count < 2 ? 2 : a->vis.lanes.count, rows, cols, first = -1, last = -1;
    tui_term_size(&rows, &cols);
    for (int i = 0; i < lanes && i < a->geo.lanes; i++) {
        int x = a->geo.x[i] - a->hpan.offset;
        if (x < a->geo.time_width || x >= cols) continue;
        if (first < 0) first = i;
        last = i;
    }
    if (a->hpan.max_pan == 0)
        snprintf(a->message, sizeof a->message, "every lifeline fits: nothing to pan");
    else
        snprintf(a->message, sizeof a->message, "%slifelines %d-%d of %d (< > pan, z fits all)",
                 edge, first + 1, last + 1, lanes);
}

/* The pan takes effect at the next drawing; recompute it now so the message is right. */
static void pan_by(struct tui_app *a, int delta)
{
    int before = a->pan;
    tui_diagram_pan(a, a->pan + delta);
    bool moved = a->pan != before;
    say_lanes(a, moved || !delta ? "" : delta < 0 ? "the left end: " : "the right end: ");
}

void tui_classroom_pan_left(struct tui_app *a)
{
    pan_by(a, -1);
}

void tui_classroom_pan_right(struct tui_app *a)
{
    pan_by(a, 1);
}

void tui_classroom_fit(struct tui_app *a)
{
    a->fit = !a->fit;
    pan_by(a, 0);
    if (a->fit && a->hpan.max_pan == 0)
        snprintf(a->message, sizeof a->message, "fit: every lifeline on screen (z: pan again)");
    else if (!a->fit)
        snprintf(a->message, sizeof a->message, "%s",
                 a->hpan.max_pan ? "fit off: < and > pan the lifelines (z fits them again)"
                                 : "fit off: every lifeline fits anyway");
}
