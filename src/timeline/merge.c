/* The hold-back merge of a live session: packets arrive from the capture thread in capture
 * order, API events from the probe a little late; both leave in timestamp order once older
 * than the horizon. Frame bytes live in a FIFO byte ring (frames never overtake each other),
 * so nothing is allocated per packet. */
#include "sockscope/timeline.h"

#include <stdlib.h>
#include <string.h>

struct slot {
    enum timeline_kind kind;
    uint64_t ts_ns;
    union {
        struct {
            uint32_t caplen, wirelen, number;
            size_t offset;      /* into data */
            int64_t file_offset; /* the capture's: where the frame is in the -w file */
        } frame;
        struct api_event api;
    } u;
};

struct timeline_merge {
    struct slot *slots;
    unsigned capacity, head, count;
    uint8_t *data;
    size_t data_size, data_head, data_used; /* FIFO of frame bytes */
};

struct timeline_merge *timeline_merge_new(unsigned capacity, size_t data_bytes)
{
    struct timeline_merge *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->slots = calloc(capacity, sizeof *m->slots);
    m->data = malloc(data_bytes);
    if (!m->slots || !m->data) {
        timeline_merge_free(m);
        return NULL;
    }
    m->capacity = capacity;
    m->data_size = data_bytes;
    return m;
}

void timeline_merge_free(struct timeline_merge *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m->data);
    free(m);
}

static struct slot *at(struct timeline_merge *m, unsigned i)
{
    return &m->slots[(m->head + i) % m->capacity];
}

/* Opens a slot at position pos (0 = oldest), shifting the younger ones back. */
static struct slot *insert_at(struct timeline_merge *m, unsigned pos)
{
    for (unsigned i = m->count; i > pos; i--)
        *at(m, i) = *at(m, i - 1);
    m->count++;
    return at(m, pos);
}

bool timeline_merge_push_api(struct timeline_merge *m, const struct api_event *ev)
{
    if (m->count == m->capacity)
        return false;
    unsigned pos = m->count;
    while (pos > 0 && at(m, pos - 1)->ts_ns > ev->ts_ns)
        pos--;
    struct slot *s = insert_at(m, pos);
    s->kind = TIMELINE_API;
    s->ts_ns = ev->ts_ns;
    s->u.api = *ev;
    return true;
}

/* Where the next frame's bytes go: contiguous, wrapping to 0 when the tail has no room. */
static bool reserve_bytes(struct timeline_merge *m, size_t n, size_t *offset)
{
    size_t tail = (m->data_head + m->data_used) % m->data_size;
    if (m->data_used + n > m->data_size)
        return false;
    if (tail >= m->data_head || m->data_used == 0) {
        if (m->data_used == 0)
            m->data_head = tail = 0;
        if (tail + n <= m->data_size) {
            *offset = tail;
            m->data_used += n;
            return true;
        }
        /* skip the end of the buffer; the wasted bytes count as used until popped */
        size_t waste = m->data_size - tail;
        if (m->data_used + waste + n > m->data_size || n > m->data_head)
            return false;
        m->data_used += waste + n;
        *offset = 0;
        return true;
    }
    if (tail + n > m->data_head)
        return false;
    *offset = tail;
    m->data_used += n;
    return true;
}

bool timeline_merge_push_frame(struct timeline_merge *m, const struct capture_frame *f)
{
    size_t offset;
    if (m->count == m->capacity || !reserve_bytes(m, f->caplen ? f->caplen : 1, &offset))
        return false;
    memcpy(m->data + offset, f->data, f->caplen);
    unsigned pos = m->count;
    while (pos > 0 && at(m, pos - 1)->kind == TIMELINE_API && at(m, pos - 1)->ts_ns > f->ts_ns)
        pos--;
    struct slot *s = insert_at(m, pos);
    s->kind = TIMELINE_FRAME;
    s->ts_ns = f->ts_ns;
    s->u.frame.caplen = f->caplen;
    s->u.frame.wirelen = f->wirelen;
    s->u.frame.number = f->number;
    s->u.frame.offset = offset;
    s->u.frame.file_offset = f->offset;
    return true;
}

bool timeline_merge_pop(struct timeline_merge *m, uint64_t horizon_ns, struct timeline_item *out)
{
    if (!m->count)
        return false;
    struct slot *s = at(m, 0);
    if (horizon_ns != UINT64_MAX && s->ts_ns >= horizon_ns)
        return false;
    out->kind = s->kind;
    out->ts_ns = s->ts_ns;
    if (s->kind == TIMELINE_FRAME) {
        size_t n = s->u.frame.caplen ? s->u.frame.caplen : 1;
        out->frame.data = m->data + s->u.frame.offset;
        out->frame.caplen = s->u.frame.caplen;
        out->frame.wirelen = s->u.frame.wirelen;
        out->frame.number = s->u.frame.number;
        out->frame.offset = s->u.frame.file_offset;
        out->frame.ts_ns = s->ts_ns;
        /* release this frame's bytes (and any skipped end of the buffer before them) */
        size_t consumed = s->u.frame.offset >= m->data_head
                              ? s->u.frame.offset - m->data_head + n
                              : m->data_size - m->data_head + s->u.frame.offset + n;
        m->data_used -= consumed;
        m->data_head = (s->u.frame.offset + n) % m->data_size;
        /* The data stays readable until the next push overwrites it: callers pop, use, then
         * push again, as the live loop does. */
    } else {
        out->api = s->u.api;
    }
    m->head = (m->head + 1) % m->capacity;
    m->count--;
    return true;
}

unsigned timeline_merge_count(const struct timeline_merge *m)
{
    return m->count;
}
