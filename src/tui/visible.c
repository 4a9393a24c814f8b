/* The visible set: which events the diagram draws once flows are chosen on the flow list or a
 * display filter is set, and which lifelines they need. One array of event indices (4 bytes
 * per visible event, reused between rebuilds); none at all when everything is visible. */
#include <stdlib.h>
#include <string.h>

#include "tui_internal.h"

static bool passes(const struct tui_events *ev, const struct tui_event *e,
                   const struct tui_filter *f, bool chosen)
{
    const struct tui_flow *flow = e->flow == TUI_NO_FLOW ? NULL : &ev->flows[e->flow];
    if (chosen && (!flow || !flow->selected)) return false;
    return tui_filter_match(f, flow, e->flags);
}

static void all_lanes(struct tui_visible *v, const struct tui_events *ev)
{
    v->lanes = ev->lanes;
    for (int i = 0; i < VIEW_MAX_LANES; i++)
        v->lane_map[i] = v->lane_global[i] = (uint8_t)i;
}

int tui_visible_build(struct tui_visible *v, const struct tui_events *ev,
                      const struct tui_filter *f)
{
    v->generation++;
    bool chosen = false;
    for (uint32_t i = 0; i < ev->flow_count && !chosen; i++)
        chosen = ev->flows[i].selected;
    v->restricted = chosen || f->count > 0;
    if (!v->restricted) {
        free(v->index);
        v->index = NULL;
        v->index_cap = 0;
        v->count = ev->count;
        all_lanes(v, ev);
        return TUI_OK;
    }
    if (v->index_cap < ev->count) {
        uint32_t *n = realloc(v->index, sizeof *n * (ev->count ? ev->count : 1));
        if (!n) return TUI_E_RUNTIME;
        v->index = n;
        v->index_cap = ev->count;
    }
    bool used[VIEW_MAX_LANES] = {0};
    v->count = 0;
    for (uint32_t i = 0; i < ev->count; i++) {
        const struct tui_event *e = tui_events_get(ev, i);
        if (!passes(ev, e, f, chosen)) continue;
        v->index[v->count++] = i;
        if (e->bits & TUI_EV_NOTE) continue;
        used[e->lane_a] = used[e->lane_b] = true;
    }
    /* the chosen flows keep their lifelines even when the filter hides all their packets */
    for (uint32_t i = 0; i < ev->flow_count; i++) {
        const struct tui_flow *fl = &ev->flows[i];
        if (!fl->selected || fl->lane_client == TUI_NO_LANE || fl->lane_server == TUI_NO_LANE)
            continue;
        used[fl->lane_client] = used[fl->lane_server] = true;
    }
    view_lanes_init(&v->lanes, VIEW_MAX_LANES);
    memset(v->lane_map, TUI_NO_LANE, sizeof v->lane_map);
    for (int i = 0; i < ev->lanes.count; i++) {
        if (!used[i]) continue;
        int k = v->lanes.count++;
        v->lanes.ep[k] = ev->lanes.ep[i];
        v->lanes.role[k] = ev->lanes.role[i];
        v->lane_map[i] = (uint8_t)k;
        v->lane_global[k] = (uint8_t)i;
    }
    return TUI_OK;
}

void tui_visible_free(struct tui_visible *v)
{
    free(v->index);
    v->index = NULL;
    v->index_cap = v->count = 0;
}

uint32_t tui_visible_upto(const struct tui_visible *v, uint32_t i)
{
    if (i == UINT32_MAX) return 0;
    if (!v->index) return i + 1 < v->count ? i + 1 : v->count;
    uint32_t lo = 0, hi = v->count; /* first position whose event is > i */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v->index[mid] <= i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
