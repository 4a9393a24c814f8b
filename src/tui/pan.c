/* Horizontal pan and fit: how wide the diagram is drawn and which part of it the screen
 * shows. Lifelines keep a readable pitch and the screen pans by one lane (sngrep's fixed
 * pitch had no pan at all); fit mode squeezes them onto the screen instead. Pure arithmetic
 * over view's geometry, tested without a terminal. */
#include "sockscope/tui.h"
#include "sockscope/view.h"

void tui_pan_compute(struct tui_pan *p, struct view_geometry *g, int cols, int time_width,
                     int lanes, int min_pitch, bool fit, int pan)
{
    if (lanes < 2) lanes = 2;
    if (lanes > LIFELINES_MAX) lanes = LIFELINES_MAX;
    int width = cols;
    /* the lanes fit when min_pitch apart even without the state margins (as trace decides) */
    if (!fit && time_width + 2 + (lanes - 1) * min_pitch > cols)
        width = time_width + 2 * VIEW_STATE_MARGIN + 1 + (lanes - 1) * min_pitch;
    if (width > VIEW_MAX_WIDTH) width = VIEW_MAX_WIDTH;
    view_geometry_init(g, width, time_width, lanes);
    /* the state margins took what the pitch needed: widen and pan rather than squeeze */
    if (!fit && g->pitch < min_pitch && width < VIEW_MAX_WIDTH) {
        width = time_width + 2 * VIEW_STATE_MARGIN + 1 + (lanes - 1) * min_pitch;
        if (width > VIEW_MAX_WIDTH) width = VIEW_MAX_WIDTH;
        view_geometry_init(g, width, time_width, lanes);
    }
    /* fit with too many lanes: the pitch stops at 4 columns and the last ones overflow */
    int right = g->x[lanes - 1] + 1;
    if (right > g->width) g->width = right > VIEW_MAX_WIDTH ? VIEW_MAX_WIDTH : right;
    int hidden = g->width > cols ? g->width - cols : 0;
    p->width = g->width;
    p->pitch = g->pitch;
    p->max_pan = hidden ? (hidden + g->pitch - 1) / g->pitch : 0;
    p->pan = pan < 0 ? 0 : pan > p->max_pan ? p->max_pan : pan;
    p->offset = p->pan * g->pitch < hidden ? p->pan * g->pitch : hidden;
}
