/* The event store of `open`: the capture is decoded and tracked once, and each frame leaves a
 * 24-byte record (time, frame number, conversation, lanes, style, TCP states and flags) in
 * chunked arrays, and each conversation one row of the flow table. Labels are not kept:
 * labels.c rebuilds them by reading the file again. This is the seed of
 * DESIGN.md's timeline/ store and belongs there once timeline/ takes it over. */
#include <stdlib.h>
#include <string.h>

#include "sockscope/capture.h"
#include "sockscope/decode.h"
#include "tui_internal.h"

_Static_assert(sizeof(struct tui_event) <= 24, "the issue asks for < 32 bytes per packet");

#define NO_LANE TUI_NO_LANE

/* The flow of (proto, stream): tshark numbers each protocol's streams from 0 in order of
 * appearance, so a dense map per protocol finds it; the map lives only while loading. */
struct stream_maps {
    uint32_t *map[2];
    uint32_t cap[2];
};

static uint32_t flow_of(struct tui_events *ev, struct stream_maps *m, const struct track_info *ti,
                        uint64_t ts)
{
    int k = ti->flow_proto == PROTO_UDP;
    if (ti->stream >= m->cap[k]) {
        uint32_t cap = m->cap[k] ? m->cap[k] : 64;
        while (cap <= ti->stream && cap < UINT32_MAX / 2)
            cap *= 2;
        uint32_t *n = realloc(m->map[k], sizeof *n * cap);
        if (!n) return TUI_NO_FLOW;
        for (uint32_t i = m->cap[k]; i < cap; i++)
            n[i] = TUI_NO_FLOW;
        m->map[k] = n;
        m->cap[k] = cap;
    }
    uint32_t *slot = &m->map[k][ti->stream];
    if (*slot != TUI_NO_FLOW) return *slot;
    if (ev->flow_count == ev->flow_cap) {
        uint32_t cap = ev->flow_cap ? ev->flow_cap * 2 : 64;
        struct tui_flow *n = realloc(ev->flows, sizeof *n * cap);
        if (!n) return TUI_NO_FLOW;
        ev->flows = n;
        ev->flow_cap = cap;
    }
    struct tui_flow *f = &ev->flows[ev->flow_count];
    *f = (struct tui_flow){.stream = ti->stream,
                           .proto = (uint8_t)ti->flow_proto,
                           .lane_client = NO_LANE,
                           .lane_server = NO_LANE,
                           .client = ti->client,
                           .server = ti->server,
                           .first_ns = ts,
                           .last_ns = ts};
    return *slot = ev->flow_count++;
}

static void count_flow(struct tui_events *ev, struct tui_event *rec, const struct packet *p,
                       const struct track_info *ti, uint32_t wirelen)
{
    struct tui_flow *f = &ev->flows[rec->flow];
    f->packets++;
    f->bytes += wirelen;
    if (p->ts_ns > f->last_ns) f->last_ns = p->ts_ns;
    if (p->ts_ns < f->first_ns) f->first_ns = p->ts_ns;
    if (ti->flow_proto == PROTO_TCP && (ti->state_src || ti->state_dst)) {
        bool from_client = ti->dir == ROLE_CLIENT;
        f->state_client = (uint8_t)(from_client ? ti->state_src : ti->state_dst);
        f->state_server = (uint8_t)(from_client ? ti->state_dst : ti->state_src);
    }
    if (rec->bits & TUI_EV_NOTE) return;
    f->lane_client = ti->dir == ROLE_CLIENT ? rec->lane_a : rec->lane_b;
    f->lane_server = ti->dir == ROLE_CLIENT ? rec->lane_b : rec->lane_a;
}

static struct tui_event *append(struct tui_events *ev)
{
    uint32_t c = ev->count / TUI_CHUNK_EVENTS;
    if (c == ev->chunks) {
        if (ev->chunks == ev->chunk_cap) {
            uint32_t cap = ev->chunk_cap ? ev->chunk_cap * 2 : 16;
            struct tui_event **n = realloc(ev->chunk, sizeof *n * cap);
            if (!n) return NULL;
            ev->chunk = n;
            ev->chunk_cap = cap;
        }
        ev->chunk[c] = malloc(sizeof(struct tui_event) * TUI_CHUNK_EVENTS);
        if (!ev->chunk[c]) return NULL;
        ev->chunks++;
    }
    if (ev->count == UINT32_MAX) return NULL;
    return &ev->chunk[c][ev->count++ % TUI_CHUNK_EVENTS];
}

/* Lane of an endpoint in the planning order (clients and servers mixed), NO_LANE when the
 * diagram has no room for it. */
static uint8_t note_lane(struct tui_events *ev, const struct endpoint *e, enum role r)
{
    if (!view_lanes_note(&ev->lanes, e, r)) return NO_LANE;
    return (uint8_t)view_lanes_find(&ev->lanes, e);
}

static void record_lanes(struct tui_events *ev, struct tui_event *rec, const struct packet *p,
                         const struct track_info *ti)
{
    const struct endpoint *src = ti->dir == ROLE_CLIENT ? &ti->client : &ti->server;
    const struct endpoint *dst = ti->dir == ROLE_CLIENT ? &ti->server : &ti->client;
    enum role rs = ti->dir == ROLE_CLIENT ? ROLE_CLIENT : ROLE_SERVER;
    rec->lane_a = note_lane(ev, src, rs);
    rec->lane_b = note_lane(ev, dst, rs == ROLE_CLIENT ? ROLE_SERVER : ROLE_CLIENT);
    if (rec->lane_a == NO_LANE || rec->lane_b == NO_LANE || rec->lane_a == rec->lane_b) {
        rec->bits = TUI_EV_NOTE;
        ev->no_lane++;
        return;
    }
    rec->style = (uint8_t)view_packet_style(p, ti);
    rec->states = (uint8_t)((ti->state_src & 0xF) | (ti->state_dst & 0xF) << 4);
    rec->states_before =
        (uint8_t)((ti->state_src_before & 0xF) | (ti->state_dst_before & 0xF) << 4);
    if (ti->state_src != ti->state_src_before && ti->state_src) rec->bits |= TUI_EV_SRC_CHANGED;
    if (ti->state_dst != ti->state_dst_before && ti->state_dst) rec->bits |= TUI_EV_DST_CHANGED;
}

static void record(struct tui_events *ev, struct stream_maps *m, struct tui_event *rec,
                   const struct packet *p, const struct track_info *ti, uint32_t frame,
                   uint32_t wirelen)
{
    memset(rec, 0, sizeof *rec);
    rec->ts_ns = p->ts_ns;
    rec->frame = frame;
    rec->flow = TUI_NO_FLOW;
    rec->lane_a = rec->lane_b = NO_LANE;
    if (p->proto == PROTO_TCP) rec->flags = p->flags;
    switch (p->proto) {
    case PROTO_TCP:
        ev->tcp++;
        break;
    case PROTO_UDP:
        ev->udp++;
        break;
    default:
        ev->other++;
        break;
    }
    if (!ti->has_flow) {
        rec->bits = TUI_EV_NOTE;
        return;
    }
    rec->flow = flow_of(ev, m, ti, p->ts_ns);
    if (rec->flow == TUI_NO_FLOW) { /* out of memory for the flow table: a note then */
        rec->bits = TUI_EV_NOTE;
        return;
    }
    record_lanes(ev, rec, p, ti);
    count_flow(ev, rec, p, ti, wirelen);
}

/* Lanes were numbered as endpoints appeared; the diagram puts clients left and servers right,
 * so renumber every record once the whole capture is known. */
static void arrange(struct tui_events *ev)
{
    struct view_lanes before = ev->lanes;
    uint8_t map[VIEW_MAX_LANES];
    view_lanes_arrange(&ev->lanes);
    for (int i = 0; i < before.count; i++)
        map[i] = (uint8_t)view_lanes_find(&ev->lanes, &before.ep[i]);
    for (uint32_t i = 0; i < ev->flow_count; i++) {
        struct tui_flow *f = &ev->flows[i];
        if (f->lane_client != NO_LANE) f->lane_client = map[f->lane_client];
        if (f->lane_server != NO_LANE) f->lane_server = map[f->lane_server];
    }
    bool seen[VIEW_MAX_LANES] = {0};
    for (uint32_t i = 0; i < ev->count; i++) {
        struct tui_event *e = &ev->chunk[i / TUI_CHUNK_EVENTS][i % TUI_CHUNK_EVENTS];
        if (e->bits & TUI_EV_NOTE) continue;
        e->lane_a = map[e->lane_a];
        e->lane_b = map[e->lane_b];
        if (!seen[e->lane_a]) {
            seen[e->lane_a] = true;
            ev->lane_first_state[e->lane_a] = e->states_before & 0xF;
        }
        if (!seen[e->lane_b]) {
            seen[e->lane_b] = true;
            ev->lane_first_state[e->lane_b] = e->states_before >> 4;
        }
    }
}

int tui_events_load(struct tui_events *ev, const char *path, const char *bpf, char *err,
                    size_t errlen)
{
    memset(ev, 0, sizeof *ev);
    view_lanes_init(&ev->lanes, VIEW_MAX_LANES);
    struct timeline_pass *pass;
    int rc = timeline_pass_open(path, bpf, &pass, err, errlen);
    if (rc != CAPTURE_OK) return rc == CAPTURE_E_BAD_INPUT ? TUI_E_BAD_INPUT : TUI_E_RUNTIME;
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    struct stream_maps maps = {0};
    char why[256];
    rc = TUI_OK;
    for (;;) {
        int got = timeline_pass_next(pass, &fr, &pkt, &info, why, sizeof why);
        if (got == 0) break;
        if (got < 0) {
            if (ev->count == 0) {
                snprintf(err, errlen, "%s: no readable frame: %s", path, why);
                rc = TUI_E_BAD_INPUT;
            } else {
                snprintf(ev->warning, sizeof ev->warning, "%s", why);
            }
            break;
        }
        struct tui_event *rec = append(ev);
        if (!rec) {
            snprintf(err, errlen, "%s: out of memory after %u frames", path, ev->count);
            rc = TUI_E_RUNTIME;
            break;
        }
        if (ev->count == 1) ev->first_ts = pkt.ts_ns;
        record(ev, &maps, rec, &pkt, &info, fr.number, fr.wirelen);
    }
    free(maps.map[0]);
    free(maps.map[1]);
    timeline_pass_close(pass);
    if (rc != TUI_OK) {
        tui_events_free(ev);
        return rc;
    }
    arrange(ev);
    return TUI_OK;
}

void tui_events_free(struct tui_events *ev)
{
    for (uint32_t i = 0; i < ev->chunks; i++)
        free(ev->chunk[i]);
    free(ev->chunk);
    free(ev->flows);
    ev->chunk = NULL;
    ev->flows = NULL;
    ev->chunks = ev->chunk_cap = ev->count = 0;
    ev->flow_count = ev->flow_cap = 0;
}

enum tcp_state tui_events_lane_state(const struct tui_events *ev, int lane, uint32_t upto)
{
    if (upto > ev->count) upto = ev->count;
    /* newest first: the lane's last event is usually a few rows up */
    for (uint32_t i = upto; i-- > 0;) {
        const struct tui_event *e = tui_events_get(ev, i);
        if (e->bits & TUI_EV_NOTE) continue;
        if (e->lane_a == lane) return (enum tcp_state)(e->states & 0xF);
        if (e->lane_b == lane) return (enum tcp_state)(e->states >> 4);
    }
    return (enum tcp_state)ev->lane_first_state[lane];
}
