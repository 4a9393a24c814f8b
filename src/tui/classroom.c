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
