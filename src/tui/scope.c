/* What the diagram draws: every event, or those of the flows chosen on the flow list that
 * pass the display filter. Changing either rebuilds the visible set and keeps the replay's
 * place in it. */
#include "tui_internal.h"

void tui_scope_clear_flows(struct tui_app *a)
{
    for (uint32_t i = 0; i < a->snap.flows; i++)
        timeline_store_flow(a->store, i)->selected = false;
    a->flows.chosen = 0;
}

void tui_scope_refilter(struct tui_app *a)
{
    struct tui_replay *r = &a->replay;
    uint32_t last = r->shown ? tui_visible_event(&a->vis, r->shown - 1) : UINT32_MAX;
    uint32_t sel = r->shown ? tui_visible_event(&a->vis, r->selected) : UINT32_MAX;
    if (tui_visible_build(&a->vis, a->store, &a->snap, &a->filter) != STATUS_OK) {
        snprintf(a->message, sizeof a->message, "out of memory: every event is drawn");
        tui_scope_clear_flows(a);
        a->filter = (struct tui_filter){0};
        tui_visible_build(&a->vis, a->store, &a->snap, &a->filter);
    }
    r->total = a->vis.count;
    r->shown = tui_visible_upto(&a->vis, last);
    uint32_t s = tui_visible_upto(&a->vis, sel);
    r->selected = s ? s - 1 : 0;
    if (r->shown && r->selected >= r->shown) r->selected = r->shown - 1;
    r->playing = false;
    r->follow = false;
    a->top = 0;
}
