/* The visible set: which events the diagram draws once flows are chosen on the flow list or a
 * display filter is set, and which lifelines they need. One array of event indices (4 bytes
 * per visible event, reused between rebuilds); none at all when everything is visible. It
 * grows as the store does (a file still being indexed, a live session). */
#include <stdlib.h>
#include <string.h>

#include "tui_internal.h"

static bool passes(const struct timeline_store *s, const struct timeline_event *e,
                   const struct tui_filter *f, bool chosen)
{
    const struct timeline_flow *flow =
        e->flow == TIMELINE_NO_FLOW ? NULL : timeline_store_flow(s, e->flow);
    if (chosen && (!flow || !flow->selected)) return false;
    if (e->bits & TIMELINE_EV_API) return !chosen && f->count == 0; /* calls: unfiltered only */
    return tui_filter_match(f, flow, e->flags);
}

/* The drawn lanes: the store's lanes the visible events use (all of them when nothing is
 * restricted), clients left and servers right as textbooks draw them. */
static void lay_out(struct tui_visible *v, const struct timeline_snapshot *snap)
{
    lifelines_init(&v->lanes, LIFELINES_MAX);
    memset(v->lane_map, TIMELINE_NO_LANE, sizeof v->lane_map);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < snap->lane_count; i++) {
            if (snap->lane_role[i] != (pass == 0 ? ROLE_CLIENT : ROLE_SERVER)) continue;
            if (v->restricted && !v->used[i]) continue;
            int k = v->lanes.count++;
            v->lanes.ep[k] = snap->lane_ep[i];
            v->lanes.role[k] = (enum role)snap->lane_role[i];
            v->lane_map[i] = (uint8_t)k;
            v->lane_global[k] = (uint8_t)i;
        }
    v->lanes.generation = snap->lane_generation;
    v->lane_generation = snap->lane_generation;
    v->lane_count = snap->lane_count;
    v->generation++; /* labels were fitted to the old lanes */
}

/* Chosen flows are drawn on lifelines of their own endpoints, whether or not the store had a
 * lane for them (a big capture's first 32 endpoints take all its lanes). */
static void lay_out_flows(struct tui_visible *v, struct timeline_store *s,
                          const struct timeline_snapshot *snap)
{
    lifelines_init(&v->lanes, LIFELINES_MAX);
    memset(v->lane_map, TIMELINE_NO_LANE, sizeof v->lane_map);
    for (uint32_t i = 0; i < snap->flows; i++) {
        const struct timeline_flow *f = timeline_store_flow(s, i);
        if (!f->selected) continue;
        lifelines_note(&v->lanes, &f->client, ROLE_CLIENT);
        lifelines_note(&v->lanes, &f->server, ROLE_SERVER);
    }
    lifelines_arrange(&v->lanes);
    v->generation++;
}

bool tui_visible_lanes(const struct tui_visible *v, const struct timeline_store *s,
                       const struct timeline_event *e, int *a, int *b)
{
    if (!v->chosen || (e->bits & TIMELINE_EV_API)) {
        if (e->bits & TIMELINE_EV_NOTE) return false;
        *a = v->lane_map[e->lane_a];
        *b = v->lane_map[e->lane_b];
        return *a != TIMELINE_NO_LANE && *b != TIMELINE_NO_LANE;
    }
    if (e->flow == TIMELINE_NO_FLOW) return false;
    const struct timeline_flow *f = timeline_store_flow(s, e->flow);
    int c = lifelines_find(&v->lanes, &f->client), sv = lifelines_find(&v->lanes, &f->server);
    if (c < 0 || sv < 0 || c == sv) return false;
    bool from_server = e->bits & TIMELINE_EV_FROM_SERVER;
    *a = from_server ? sv : c;
    *b = from_server ? c : sv;
    return true;
}

int tui_visible_extend(struct tui_visible *v, struct timeline_store *s,
                       const struct timeline_snapshot *snap, const struct tui_filter *f)
{
    bool lanes_changed = false;
    if (!v->restricted) {
        v->count = v->scanned = snap->events;
    } else if (v->scanned < snap->events) {
        if (v->index_cap < snap->events) {
            uint32_t cap = v->index_cap ? v->index_cap : 1024;
            while (cap < snap->events)
                cap = cap > UINT32_MAX / 2 ? snap->events : cap * 2;
            uint32_t *n = realloc(v->index, sizeof *n * cap);
            if (!n) return STATUS_E_RUNTIME;
            v->index = n;
            v->index_cap = cap;
        }
        for (uint32_t i = v->scanned; i < snap->events; i++) {
            const struct timeline_event *e = timeline_store_event(s, i);
            if (!passes(s, e, f, v->chosen)) continue;
            v->index[v->count++] = i;
            if (v->chosen || (e->bits & TIMELINE_EV_NOTE)) continue;
            if (!v->used[e->lane_a] || !v->used[e->lane_b]) lanes_changed = true;
            v->used[e->lane_a] = v->used[e->lane_b] = true;
        }
        v->scanned = snap->events;
    }
    if (v->chosen) return STATUS_OK; /* laid out once from the chosen flows */
    if (lanes_changed || v->lane_generation != snap->lane_generation ||
        v->lane_count != snap->lane_count)
        lay_out(v, snap);
    return STATUS_OK;
}

int tui_visible_build(struct tui_visible *v, struct timeline_store *s,
                      const struct timeline_snapshot *snap, const struct tui_filter *f)
{
    v->generation++;
    v->chosen = false;
    for (uint32_t i = 0; i < snap->flows && !v->chosen; i++)
        v->chosen = timeline_store_flow(s, i)->selected;
    v->restricted = v->chosen || f->count > 0;
    v->count = v->scanned = 0;
    memset(v->used, 0, sizeof v->used);
    if (!v->restricted) {
        free(v->index);
        v->index = NULL;
        v->index_cap = 0;
    } else if (v->chosen) {
        /* the chosen flows keep their lifelines even when the filter hides all their packets */
        lay_out_flows(v, s, snap);
    }
    v->lane_count = -1; /* lay the lanes out again */
    return tui_visible_extend(v, s, snap, f);
}

void tui_visible_free(struct tui_visible *v)
{
    free(v->index);
    v->index = NULL;
    v->index_cap = v->count = v->scanned = 0;
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

/* Applies events [from, to) to states[] (0xFF: the lane has not been touched yet). */
static void apply(const struct timeline_store *s, uint32_t from, uint32_t to, uint8_t *states)
{
    for (uint32_t i = from; i < to; i++) {
        const struct timeline_event *e = timeline_store_event(s, i);
        if (e->bits & (TIMELINE_EV_NOTE | TIMELINE_EV_API)) continue;
        states[e->lane_a] = e->states & 0xF;
        states[e->lane_b] = e->states >> 4;
    }
}

void tui_lane_states_at(struct tui_lane_states *ls, const struct timeline_store *s,
                        const struct timeline_snapshot *snap, uint32_t upto,
                        uint8_t out[LIFELINES_MAX])
{
    if (upto > snap->events) upto = snap->events;
    uint32_t k = upto >> TUI_LANE_MARK_SHIFT;
    /* marks are made once, forward, as deep as anyone looks */
    while (ls->count <= k) {
        if (ls->count == ls->cap) {
            uint32_t cap = ls->cap ? ls->cap * 2 : 16;
            uint8_t(*n)[LIFELINES_MAX] = realloc(ls->mark, sizeof *n * cap);
            if (!n) break;
            ls->mark = n;
            ls->cap = cap;
        }
        if (ls->count == 0)
            memset(ls->mark[0], 0xFF, LIFELINES_MAX);
        else {
            memcpy(ls->mark[ls->count], ls->mark[ls->count - 1], LIFELINES_MAX);
            apply(s, (ls->count - 1) << TUI_LANE_MARK_SHIFT, ls->count << TUI_LANE_MARK_SHIFT,
                  ls->mark[ls->count]);
        }
        ls->count++;
    }
    uint32_t from = 0;
    if (ls->count > k) {
        memcpy(out, ls->mark[k], LIFELINES_MAX);
        from = k << TUI_LANE_MARK_SHIFT;
    } else {
        memset(out, 0xFF, LIFELINES_MAX); /* no memory for marks: the slow way */
    }
    apply(s, from, upto, out);
    for (int i = 0; i < LIFELINES_MAX; i++)
        if (out[i] == 0xFF) out[i] = snap->lane_first_state[i];
}

void tui_lane_states_free(struct tui_lane_states *ls)
{
    free(ls->mark);
    *ls = (struct tui_lane_states){0};
}

void tui_visible_flow_states(const struct tui_visible *v, const struct timeline_store *s,
                             uint32_t upto, uint8_t out[LIFELINES_MAX])
{
    memset(out, TCP_STATE_UNKNOWN, LIFELINES_MAX);
    int left = v->lanes.count;
    bool done[LIFELINES_MAX] = {0};
    /* newest first, until every lifeline has its state (or far enough back) */
    for (uint32_t k = 0; upto > 0 && left > 0 && k < TUI_FLOW_STATES_SCAN; k++) {
        const struct timeline_event *e = timeline_store_event(s, tui_visible_event(v, --upto));
        int a, b;
        if ((e->bits & TIMELINE_EV_API) || !tui_visible_lanes(v, s, e, &a, &b)) continue;
        if (!done[a]) {
            done[a] = true;
            out[a] = e->states & 0xF;
            left--;
        }
        if (!done[b]) {
            done[b] = true;
            out[b] = e->states >> 4;
            left--;
        }
    }
}
