/* What one frame or one socket API call leaves in the event store: a 24-byte record, the
 * conversation's row (created on its first packet, counted on every one), and lanes for the
 * endpoints it touches. Runs on the producer's thread only. */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define NO_LANE TIMELINE_NO_LANE

static uint32_t *stream_slot(struct store_writer *w, int k, uint32_t stream)
{
    if (stream >= w->stream_cap[k]) {
        uint32_t cap = w->stream_cap[k] ? w->stream_cap[k] : 64;
        while (cap <= stream && cap < UINT32_MAX / 2)
            cap *= 2;
        if (cap <= stream) return NULL;
        uint32_t *n = realloc(w->stream_map[k], sizeof *n * cap);
        if (!n) return NULL;
        for (uint32_t i = w->stream_cap[k]; i < cap; i++)
            n[i] = TIMELINE_NO_FLOW;
        w->stream_map[k] = n;
        w->stream_cap[k] = cap;
    }
    return &w->stream_map[k][stream];
}

/* Lane of an endpoint, taking a free one (or the one kept for its role); NO_LANE when every
 * lane is taken. Lanes are never reused: a lane stands for one endpoint for the whole store. */
static uint8_t lane_of(struct store_writer *w, const struct endpoint *e, enum role r)
{
    bool changed;
    int i = lifelines_take(&w->lanes, e, r, ++w->clock, &changed);
    return i < 0 ? NO_LANE : (uint8_t)i;
}

static void first_state(struct store_writer *w, uint8_t lane, unsigned state)
{
    if (lane == NO_LANE || w->lane_seen[lane]) return;
    w->lane_seen[lane] = true;
    w->lane_first_state[lane] = (uint8_t)state;
}

/* The conversation's row, created on its first packet with the lanes that packet got. */
static uint32_t new_flow(struct timeline_store *s, const struct track_info *ti,
                         const struct timeline_event *rec, uint64_t ts)
{
    struct timeline_flow *f = store_append_flow(s);
    if (!f) return TIMELINE_NO_FLOW;
    bool from_client = ti->dir == ROLE_CLIENT;
    bool arrow = !(rec->bits & TIMELINE_EV_NOTE);
    memset(f, 0, sizeof *f);
    f->stream = ti->stream;
    f->proto = (uint8_t)ti->flow_proto;
    f->lane_client = arrow ? (from_client ? rec->lane_a : rec->lane_b) : NO_LANE;
    f->lane_server = arrow ? (from_client ? rec->lane_b : rec->lane_a) : NO_LANE;
    f->client = ti->client;
    f->server = ti->server;
    f->first_ns = ts;
    atomic_init(&f->last_ns, ts);
    return s->w.flows - 1;
}

static void count_flow(struct timeline_flow *f, const struct packet *p, const struct track_info *ti,
                       uint32_t wirelen)
{
    /* one writer: relaxed load + store is an increment nobody else races with */
    atomic_store_explicit(&f->packets, atomic_load_explicit(&f->packets, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    atomic_store_explicit(&f->bytes,
                          atomic_load_explicit(&f->bytes, memory_order_relaxed) + wirelen,
                          memory_order_relaxed);
    if (p->ts_ns > atomic_load_explicit(&f->last_ns, memory_order_relaxed))
        atomic_store_explicit(&f->last_ns, p->ts_ns, memory_order_relaxed);
    if (ti->flow_proto == PROTO_TCP && (ti->state_src || ti->state_dst)) {
        bool from_client = ti->dir == ROLE_CLIENT;
        atomic_store_explicit(&f->state_client,
                              (uint8_t)(from_client ? ti->state_src : ti->state_dst),
                              memory_order_relaxed);
        atomic_store_explicit(&f->state_server,
                              (uint8_t)(from_client ? ti->state_dst : ti->state_src),
                              memory_order_relaxed);
    }
}

/* What the arrow is, even without a lane here (a diagram of chosen flows draws it). */
static void record_kind(struct timeline_event *rec, const struct track_info *ti)
{
    rec->kind = (uint8_t)ti->kind;
    rec->states = (uint8_t)((ti->state_src & 0xF) | (ti->state_dst & 0xF) << 4);
    rec->states_before =
        (uint8_t)((ti->state_src_before & 0xF) | (ti->state_dst_before & 0xF) << 4);
    if (ti->dir != ROLE_CLIENT) rec->bits |= TIMELINE_EV_FROM_SERVER;
    if (ti->state_src != ti->state_src_before && ti->state_src)
        rec->bits |= TIMELINE_EV_SRC_CHANGED;
    if (ti->state_dst != ti->state_dst_before && ti->state_dst)
        rec->bits |= TIMELINE_EV_DST_CHANGED;
}

/* Lanes of the first packet of a conversation: taken (or found) by endpoint. The rest of
 * its packets reuse them from the flow row: no lookup per packet. */
static void take_lanes(struct store_writer *w, struct timeline_event *rec,
                       const struct track_info *ti)
{
    const struct endpoint *src = ti->dir == ROLE_CLIENT ? &ti->client : &ti->server;
    const struct endpoint *dst = ti->dir == ROLE_CLIENT ? &ti->server : &ti->client;
    enum role rs = ti->dir == ROLE_CLIENT ? ROLE_CLIENT : ROLE_SERVER;
    rec->lane_a = lane_of(w, src, rs);
    rec->lane_b = lane_of(w, dst, rs == ROLE_CLIENT ? ROLE_SERVER : ROLE_CLIENT);
}

static void flow_lanes(struct timeline_event *rec, const struct timeline_flow *f,
                       const struct track_info *ti)
{
    bool from_client = ti->dir == ROLE_CLIENT;
    rec->lane_a = from_client ? f->lane_client : f->lane_server;
    rec->lane_b = from_client ? f->lane_server : f->lane_client;
}

bool timeline_store_add_frame(struct timeline_store *s, const struct packet *p,
                              const struct track_info *ti, uint32_t frame, uint32_t wirelen)
{
    struct store_writer *w = &s->w;
    struct timeline_event *rec = store_append_event(s);
    if (!rec) return false;
    if (w->events == 1) w->first_ts = p->ts_ns;
    memset(rec, 0, sizeof *rec);
    rec->ts_ns = p->ts_ns;
    rec->frame = frame;
    rec->flow = TIMELINE_NO_FLOW;
    rec->lane_a = rec->lane_b = NO_LANE;
    if (p->proto == PROTO_TCP) rec->flags = p->flags;
    switch (p->proto) {
    case PROTO_TCP:
        w->tcp++;
        break;
    case PROTO_UDP:
        w->udp++;
        break;
    default:
        w->other++;
        break;
    }
    if (!ti->has_flow) {
        rec->bits = TIMELINE_EV_NOTE;
        return true;
    }
    record_kind(rec, ti);
    uint32_t *slot = stream_slot(w, ti->flow_proto == PROTO_UDP, ti->stream);
    bool known = slot && *slot != TIMELINE_NO_FLOW;
    if (known)
        flow_lanes(rec, timeline_store_flow(s, *slot), ti);
    else
        take_lanes(w, rec, ti);
    if (rec->lane_a == NO_LANE || rec->lane_b == NO_LANE || rec->lane_a == rec->lane_b) {
        rec->bits |= TIMELINE_EV_NOTE;
        w->no_lane++;
    } else if (!known) {
        first_state(w, rec->lane_a, ti->state_src_before);
        first_state(w, rec->lane_b, ti->state_dst_before);
    }
    if (known)
        rec->flow = *slot;
    else if (slot)
        rec->flow = *slot = new_flow(s, ti, rec, p->ts_ns);
    if (rec->flow == TIMELINE_NO_FLOW) { /* out of memory for the flow table: a note then */
        rec->bits = TIMELINE_EV_NOTE;
        return true;
    }
    count_flow(timeline_store_flow(s, rec->flow), p, ti, wirelen);
    return true;
}

bool timeline_store_add_call(struct timeline_store *s, const struct api_event *ev)
{
    struct store_writer *w = &s->w;
    struct api_event *c = store_append_call(s);
    if (!c) return false;
    struct timeline_event *rec = store_append_event(s);
    if (!rec) {
        w->calls--;
        return false;
    }
    *c = *ev;
    if (w->events == 1) w->first_ts = ev->ts_ns;
    memset(rec, 0, sizeof *rec);
    rec->ts_ns = ev->ts_ns;
    rec->frame = w->calls - 1;
    rec->flow = TIMELINE_NO_FLOW;
    rec->bits = TIMELINE_EV_API;
    rec->lane_a = rec->lane_b = NO_LANE;
    if (!ev->local.addr.family) {
        rec->bits |= TIMELINE_EV_NOTE;
        return true;
    }
    /* A socket bound below the ephemeral range is a server's, even before listen() says so
     * (Linux hands clients ports from 32768 up), as the text diagram reads it. */
    bool server = ev->listening || (ev->local.port && ev->local.port < 32768);
    bool changed;
    int lane = lifelines_take_socket(&w->lanes, &ev->local, server ? ROLE_SERVER : ROLE_CLIENT,
                                      ++w->clock, &changed);
    if (lane < 0) {
        rec->bits |= TIMELINE_EV_NOTE;
        return true;
    }
    rec->lane_a = rec->lane_b = (uint8_t)lane;
    /* several threads calling on one lifeline: say which one ("[thread 2]") */
    if (!w->lane_thread[lane]) w->lane_thread[lane] = ev->thread;
    if (w->lane_thread[lane] != ev->thread) w->lane_multi[lane] = true;
    rec->states = w->lane_multi[lane]; /* the label says "[thread N]" */
    return true;
}

void timeline_store_reserve_lane(struct timeline_store *s, enum role r)
{
    lifelines_reserve(&s->w.lanes, r);
}
