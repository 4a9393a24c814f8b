/* The text sequence diagram of `sockscope trace`: a header naming each lifeline, one arrow
 * per packet, state changes beside the lifelines, notes for frames that belong to no
 * conversation. Rows come from view/'s layout; this file only turns cells into UTF-8 (or
 * ASCII) and ANSI colour. */
#include "sockscope/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct text_export {
    struct out *o;
    struct export_options opt;
    struct lifelines *lanes;
    struct view_geometry geo;
    struct label_options label;
    bool header_done;
    uint64_t first_ts, prev_ts;
    uint64_t frames, tcp, udp, icmp, other, truncated, malformed, marked, api_events;
    uint64_t clock; /* one tick per row drawn: the age of a lane for reuse */
    struct view_row row;
    struct view_row template; /* lifelines only */
    struct view_row header[VIEW_HEADER_MAX_ROWS];
    int template_lanes; /* lanes in use when the template was made; -1: none yet */
    uint64_t template_generation;
    /* per lane: the first thread seen calling on it; once another thread calls there too
     * (the threaded server), calls on that lane name their thread */
    uint32_t lane_thread[LIFELINES_MAX];
    bool lane_threads[LIFELINES_MAX];
    struct endpoint lane_owner[LIFELINES_MAX];
};

static const char *const sgr[STYLE_COUNT] = {
    [STYLE_PLAIN] = "0", [STYLE_DIM] = "2",       [STYLE_HEADER] = "1", [STYLE_TIME] = "2",
    [STYLE_SYN] = "32",  [STYLE_SYNACK] = "32;1", [STYLE_ACK] = "0",    [STYLE_DATA] = "36;1",
    [STYLE_FIN] = "33",  [STYLE_RST] = "31;1",    [STYLE_UDP] = "35",   [STYLE_ICMP] = "35;1",
    [STYLE_MARK] = "31", [STYLE_STATE] = "34;1",  [STYLE_NOTE] = "2",   [STYLE_API] = "33;1",
};

/* One row as UTF-8 (and SGR colour codes), written straight into the output buffer. */
static void emit(struct text_export *t, const struct view_row *r)
{
    int end = r->width;
    while (end > 0 && r->cells[end - 1].ch == ' ')
        end--;
    /* at most 3 bytes a cell, plus a colour change (at most 9 bytes) a cell */
    char *w = out_reserve(t->o, (size_t)end * 12 + 8);
    int style = -1;
    for (int i = 0; i < end; i++) {
        if (t->opt.color && r->cells[i].style != style) {
            style = r->cells[i].style;
            size_t n = strlen(sgr[style]);
            *w++ = '\x1b';
            *w++ = '[';
            memcpy(w, sgr[style], n);
            w += n;
            *w++ = 'm';
        }
        uint32_t cp = r->cells[i].ch;
        if (cp < 0x80) {
            *w++ = (char)cp;
        } else if (cp < 0x800) {
            *w++ = (char)(0xC0 | (cp >> 6));
            *w++ = (char)(0x80 | (cp & 0x3F));
        } else {
            *w++ = (char)(0xE0 | (cp >> 12));
            *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *w++ = (char)(0x80 | (cp & 0x3F));
        }
    }
    if (t->opt.color && style > 0) {
        memcpy(w, "\x1b[0m", 4);
        w += 4;
    }
    *w++ = '\n';
    out_commit(t->o, w);
}

static void emit_row(struct text_export *t)
{
    emit(t, &t->row);
}

/* The frame-number column: up to 7 digits and a space (wider numbers push the time right). */
#define NUMBER_WIDTH 8

static int time_width(const struct export_options *opt)
{
    return (opt->time == TIME_ABS ? 17 : 12) + (opt->number ? NUMBER_WIDTH : 0);
}

int export_text_max_lanes(const struct export_options *opt)
{
    return view_geometry_max_lanes(opt->width, time_width(opt));
}

/* The time column, after the frame number when --number asks for it (frame 0: a socket call,
 * which has no frame number). */
static void format_time(struct text_export *t, uint64_t ts, uint32_t frame, char *buf, size_t size)
{
    if (t->opt.number) {
        int n = frame ? snprintf(buf, size, "%*u ", NUMBER_WIDTH - 1, frame)
                      : snprintf(buf, size, "%*s", NUMBER_WIDTH, "");
        if (n < 0 || (size_t)n >= size) return;
        buf += n;
        size -= (size_t)n;
    }
    if (t->opt.time == TIME_ABS) {
        time_t sec = (time_t)(ts / 1000000000u);
        struct tm tm;
        localtime_r(&sec, &tm);
        snprintf(buf, size, "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (unsigned)(ts % 1000000000u / 1000u));
        return;
    }
    view_time_since(ts, t->opt.time == TIME_DELTA ? t->prev_ts : t->first_ts, buf, size);
}

/* A row with the lifelines of the lanes in use (copied from a template made when the number
 * of lanes in use changes: this runs for every row). */
static void lifelines(struct text_export *t)
{
    if (t->template_generation != t->lanes->generation || t->template_lanes < 0) {
        view_row_lifelines(&t->template, &t->geo, t->opt.ascii);
        for (int i = 0; i < t->geo.lanes; i++)
            if (i >= t->lanes->count || !t->lanes->ep[i].addr.family)
                t->template.cells[t->geo.x[i]].ch = ' ';
        t->template_lanes = t->lanes->count;
        t->template_generation = t->lanes->generation;
    }
    t->row.width = t->template.width;
    memcpy(t->row.cells, t->template.cells, sizeof t->row.cells[0] * (size_t)t->row.width);
}

/* Header rows: role and ip:port over each lane (only over `only` when >= 0: a lifeline that
 * joins a diagram already drawn; the others keep their lifelines running). */
static void header_lanes(struct text_export *t, uint64_t ts, int only)
{
    if (only < 0 || !t->header_done) {
        char title[64];
        if (t->opt.time == TIME_ABS) {
            time_t sec = (time_t)(ts / 1000000000u);
            struct tm tm;
            localtime_r(&sec, &tm);
            strftime(title, sizeof title, "%Y-%m-%d", &tm);
        } else {
            snprintf(title, sizeof title, "%s", t->opt.time == TIME_DELTA ? "delta" : "time");
        }
        char both[sizeof title + NUMBER_WIDTH];
        if (t->opt.number) snprintf(both, sizeof both, "%*s %s", NUMBER_WIDTH - 1, "frame", title);
        const char *shown = t->opt.number ? both : title;
        int n = view_header_rows(t->header, &t->geo, t->lanes, t->header_done ? NULL : shown);
        for (int i = 0; i < n; i++)
            emit(t, &t->header[i]);
        t->header_done = true;
        return;
    }
    char name[80];
    endpoint_format(&t->lanes->ep[only], name, sizeof name);
    lifelines(t);
    view_row_center(&t->row, &t->geo, only,
                    t->lanes->role[only] == ROLE_SERVER ? "server" : "client", STYLE_HEADER);
    emit_row(t);
    lifelines(t);
    view_row_center(&t->row, &t->geo, only, name, STYLE_HEADER);
    emit_row(t);
}

static void header(struct text_export *t, uint64_t ts)
{
    header_lanes(t, ts, -1);
}

/* Dynamic lanes: when an endpoint joins beyond the lifelines laid out, lay out again with one
 * more (up to the capacity) and say so with a full header. Returns true if it did. */
static bool widen(struct text_export *t, uint64_t ts)
{
    if (t->lanes->count <= t->geo.lanes) return false;
    view_geometry_init(&t->geo, t->geo.width, t->geo.time_width, t->lanes->count);
    t->template_lanes = -1;
    header(t, ts);
    return true;
}

struct text_export *export_text_new(struct out *o, const struct export_options *opt,
                                    struct lifelines *lanes)
{
    struct text_export *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->o = o;
    t->opt = *opt;
    t->lanes = lanes;
    t->label.raw_seq = opt->raw_seq;
    t->label.ascii = opt->ascii;
    t->template_lanes = -1;
    int width = opt->width < 40 ? 40 : opt->width;
    /* Dynamic lanes start with room for two lifelines and widen as endpoints join. */
    int lanes_n = lanes->dynamic ? 2 : lanes->count;
    view_geometry_init(&t->geo, width, time_width(opt), lanes_n < 2 ? 2 : lanes_n);
    return t;
}

static void note_row(struct text_export *t, const char *time_text, const char *text)
{
    lifelines(t);
    view_row_text(&t->row, 1, time_text, STYLE_TIME);
    view_row_note(&t->row, &t->geo, text);
    emit_row(t);
}

static void state_row(struct text_export *t, int lane_src, int lane_dst,
                      const struct track_info *ti)
{
    bool src_changed = ti->state_src != ti->state_src_before && ti->state_src;
    bool dst_changed = ti->state_dst != ti->state_dst_before && ti->state_dst;
    if (!src_changed && !dst_changed) return;
    lifelines(t);
    if (src_changed) view_row_state(&t->row, &t->geo, lane_src, track_state_name(ti->state_src));
    if (dst_changed) view_row_state(&t->row, &t->geo, lane_dst, track_state_name(ti->state_dst));
    emit_row(t);
}

static void count(struct text_export *t, const struct packet *p, const struct track_info *ti)
{
    t->frames++;
    switch (p->proto) {
    case PROTO_TCP:
        t->tcp++;
        break;
    case PROTO_UDP:
        t->udp++;
        break;
    case PROTO_ICMP:
        t->icmp++;
        break;
    default:
        t->other++;
        break;
    }
    if (p->status == PACKET_TRUNCATED) t->truncated++;
    if (p->status == PACKET_MALFORMED) t->malformed++;
    if (ti->marks) t->marked++;
}

void export_text_frame(struct text_export *t, const struct export_frame *f)
{
    const struct packet *p = f->pkt;
    const struct track_info *ti = f->info;
    char when[40], label[512];

    if (t->frames == 0 && t->api_events == 0) t->first_ts = t->prev_ts = p->ts_ns;
    count(t, p, ti);
    format_time(t, p->ts_ns, f->number, when, sizeof when);
    t->prev_ts = p->ts_ns;

    if (!t->header_done && !t->lanes->dynamic) header(t, p->ts_ns);

    if (!ti->has_flow) {
        const char *what = p->status == PACKET_OK ? "not TCP or UDP" : "not decoded";
        char text[256];
        snprintf(text, sizeof text, "frame %u: %s%s%s", f->number, what, p->why ? ": " : "",
                 p->why ? p->why : "");
        note_row(t, when, text);
        return;
    }

    const struct endpoint *src = ti->dir == ROLE_CLIENT ? &ti->client : &ti->server;
    const struct endpoint *dst = ti->dir == ROLE_CLIENT ? &ti->server : &ti->client;
    enum role src_role = ti->dir == ROLE_CLIENT ? ROLE_CLIENT : ROLE_SERVER;
    bool changed_a, changed_b;
    t->clock++;
    int a = lifelines_take(t->lanes, src, src_role, t->clock, &changed_a);
    int b = lifelines_take(t->lanes, dst, src_role == ROLE_CLIENT ? ROLE_SERVER : ROLE_CLIENT,
                           t->clock, &changed_b);
    if (a < 0 || b < 0 || a == b) {
        char text[300], name[80];
        endpoint_format(src, name, sizeof name);
        int n = snprintf(text, sizeof text, "frame %u: %s -> ", f->number, name);
        endpoint_format(dst, name, sizeof name);
        snprintf(text + n, sizeof text - (size_t)n, "%s (no lane free)", name);
        note_row(t, when, text);
        return;
    }
    if (widen(t, p->ts_ns)) {
    } else if (!t->header_done) {
        header(t, p->ts_ns);
    } else {
        if (changed_a) header_lanes(t, p->ts_ns, a);
        if (changed_b) header_lanes(t, p->ts_ns, b);
    }

    int room = view_arrow_label_room(&t->geo, a, b);
    view_arrow_label(p, ti, &t->label, room, label, sizeof label);
    lifelines(t);
    view_row_text(&t->row, 1, when, STYLE_TIME);
    view_row_arrow(&t->row, &t->geo, a, b, label, view_segment_style(ti->kind), t->opt.ascii);
    emit_row(t);
    state_row(t, a, b, ti);
}

void export_text_api(struct text_export *t, const struct api_event *ev)
{
    char when[40], label[256];
    if (t->frames == 0 && t->api_events == 0) t->first_ts = t->prev_ts = ev->ts_ns;
    t->api_events++;
    format_time(t, ev->ts_ns, 0, when, sizeof when);
    view_api_label(ev, label, sizeof label);

    if (!ev->local.addr.family) {
        note_row(t, when, label);
        return;
    }
    /* A socket bound to a port below the ephemeral range is a server's, even before listen()
     * says so (Linux hands clients ports from 32768 up); the tracker reads ports the same way. */
    bool server = ev->listening || (ev->local.port && ev->local.port < 32768);
    bool changed;
    int lane = lifelines_take_socket(t->lanes, &ev->local, server ? ROLE_SERVER : ROLE_CLIENT,
                                     ++t->clock, &changed);
    if (lane < 0) {
        note_row(t, when, label);
        return;
    }
    if (widen(t, ev->ts_ns)) {
    } else if (!t->header_done) {
        header(t, ev->ts_ns);
    } else if (changed) {
        header_lanes(t, ev->ts_ns, lane);
    }
    if (!endpoint_equal(&t->lane_owner[lane], &t->lanes->ep[lane])) {
        t->lane_owner[lane] = t->lanes->ep[lane];
        t->lane_thread[lane] = ev->thread;
        t->lane_threads[lane] = false;
    }
    if (ev->thread != t->lane_thread[lane]) t->lane_threads[lane] = true;
    if (t->lane_threads[lane]) {
        size_t n = strlen(label);
        snprintf(label + n, sizeof label - n, " [thread %u]", ev->thread);
    }
    lifelines(t);
    view_row_text(&t->row, 1, when, STYLE_TIME);
    view_row_api(&t->row, &t->geo, lane, label, t->opt.ascii);
    emit_row(t);
}

void export_text_finish(struct text_export *t)
{
    char line[512];
    int n = snprintf(line, sizeof line,
                     "%llu frames: %llu TCP, %llu UDP, %llu ICMP, %llu other; %llu with analysis "
                     "marks",
                     (unsigned long long)t->frames, (unsigned long long)t->tcp,
                     (unsigned long long)t->udp, (unsigned long long)t->icmp,
                     (unsigned long long)t->other, (unsigned long long)t->marked);
    if (t->truncated && n > 0 && (size_t)n < sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, "; %llu truncated",
                      (unsigned long long)t->truncated);
    if (t->malformed && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, "; %llu malformed",
                 (unsigned long long)t->malformed);
    if (t->opt.color) out_str(t->o, "\x1b[2m");
    out_char(t->o, ' ');
    out_str(t->o, line);
    if (t->opt.color) out_str(t->o, "\x1b[0m");
    out_char(t->o, '\n');
}

void export_text_free(struct text_export *t)
{
    free(t);
}
