/* The presenter's controls: the theme (t, on every main screen), and on the diagram how much
 * the labels say (v), the legend (l), horizontal pan and fit; two slices of the action table
 * that sit among the screens' keys. */
#include "tui_internal.h"

static unsigned detail(struct tui_app *a, int arg)
{
    (void)arg;
    a->labels.detail = view_detail_next(a->labels.detail);
    snprintf(a->message, sizeof a->message, "labels: %s (v: %s)",
             view_detail_name(a->labels.detail),
             view_detail_name(view_detail_next(a->labels.detail)));
    return TUI_REACT_SCREEN;
}

static unsigned theme(struct tui_app *a, int arg)
{
    (void)arg;
    if (a->opt->no_color) {
        snprintf(a->message, sizeof a->message, "NO_COLOR is set: the theme stays mono");
        return TUI_REACT_BARS;
    }
    a->theme = (enum tui_theme)((a->theme + 1) % (TUI_THEME_MONO + 1));
    tui_term_set_theme(a->theme);
    snprintf(a->message, sizeof a->message, "theme: %s (t: next)", tui_theme_name(a->theme));
    return TUI_REACT_SCREEN;
}

static unsigned legend(struct tui_app *a, int arg)
{
    (void)arg;
    a->legend = !a->legend;
    return TUI_REACT_SCREEN;
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

/* The pan takes effect at the next drawing; recompute it now so the message is right.
 * arg: lanes to pan (negative: to the left). */
static unsigned pan_by(struct tui_app *a, int arg)
{
    int before = a->pan;
    tui_diagram_pan(a, a->pan + arg);
    bool moved = a->pan != before;
    say_lanes(a, moved || !arg ? "" : arg < 0 ? "the left end: " : "the right end: ");
    return moved ? TUI_REACT_SCREEN : TUI_REACT_BARS;
}

static unsigned fit(struct tui_app *a, int arg)
{
    (void)arg;
    a->fit = !a->fit;
    pan_by(a, 0);
    if (a->fit && a->hpan.max_pan == 0)
        snprintf(a->message, sizeof a->message, "fit: every lifeline on screen (z: pan again)");
    else if (!a->fit)
        snprintf(a->message, sizeof a->message, "%s",
                 a->hpan.max_pan ? "fit off: < and > pan the lifelines (z fits them again)"
                                 : "fit off: every lifeline fits anyway");
    return TUI_REACT_SCREEN;
}

static const struct tui_action actions[] = {
    {{'v'}, NULL, "label detail: minimal, normal, full (options, payload)", detail, 0},
    {{'l'}, NULL, "legend: the colour and glyph of each kind of segment", legend, 0},
    {{'<', ',', TUI_KEY_SLEFT},
     NULL,
     "pan the lifelines one lane left (when they do not fit)",
     pan_by,
     -1},
    {{'>', '.', TUI_KEY_SRIGHT}, NULL, "pan the lifelines one lane right", pan_by, 1},
    {{'z'}, NULL, "fit: narrow the pitch until every lifeline fits (z again: pan)", fit, 0},
};

const struct tui_keys tui_keys_classroom = TUI_KEYS(actions, NULL);

static const struct tui_action theme_actions[] = {
    {{'t'}, NULL, "theme: dark, light, projector (bold, high contrast), mono", theme, 0},
};

const struct tui_keys tui_keys_theme = TUI_KEYS(theme_actions, NULL);
