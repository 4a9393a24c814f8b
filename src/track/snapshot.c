/* snapshot: the tracker's whole state written to a file and read back, so the TUI can keep
 * checkpoints of a long capture on disk and resume tracking at any of them. The tracker is
 * index-based (no pointers between records), so its pools and hash slots are written as they
 * are, a few big vectored writes; loading checks every index before the tracker is used. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "track_internal.h"

/* "SSTRACK!" read as one integer, so a snapshot from a machine of the other byte order is
 * refused too. Bump the version when a record's layout changes. */
#define SNAPSHOT_MAGIC 0x214b434152545353ull
#define SNAPSHOT_VERSION 1u
#define IO_BATCH 64 /* chunks per preadv/pwritev: far below any system's IOV_MAX */


struct pool_header {
    uint32_t used, free_head, live;
};

struct snapshot_header {
    uint64_t magic;
    uint32_t version;
    uint32_t flow_size, tomb_size, segment_size, chunk_records;
    uint32_t slot_count, table_count;
    struct pool_header flows, tombs, segments;
    uint32_t head[FLOW_LIST_COUNT], tail[FLOW_LIST_COUNT];
    uint32_t tomb_head, tomb_tail;
    uint32_t tcp_streams, udp_streams;
    uint64_t payload_bytes; /* what follows: slots, then flows, tombs and segments */
};

/* ---- transfers ---- */

/* One vectored transfer per IO_BATCH pieces, repeated until every byte has moved. */
struct io_batch {
    struct iovec iov[IO_BATCH];
    int n;
    int fd;
    uint64_t offset;
    bool write;
};

static bool batch_flush(struct io_batch *b)
{
    int first = 0;
    while (first < b->n) {
        ssize_t done = b->write ? pwritev(b->fd, b->iov + first, b->n - first, (off_t)b->offset)
                                : preadv(b->fd, b->iov + first, b->n - first, (off_t)b->offset);
        if (done < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (done == 0) {
            errno = b->write ? EIO : EINVAL; /* reading: the snapshot stops short */
            return false;
        }
        b->offset += (uint64_t)done;
        for (size_t left = (size_t)done; left;) {
            struct iovec *v = &b->iov[first];
            size_t step = left < v->iov_len ? left : v->iov_len;
            v->iov_base = (char *)v->iov_base + step;
            v->iov_len -= step;
            left -= step;
            if (!v->iov_len) first++;
        }
        while (first < b->n && !b->iov[first].iov_len)
            first++;
    }
    b->n = 0;
    return true;
}

static bool batch_add(struct io_batch *b, void *base, size_t len)
{
    if (!len) return true;
    if (b->n == IO_BATCH && !batch_flush(b)) return false;
    b->iov[b->n].iov_base = base;
    b->iov[b->n].iov_len = len;
    b->n++;
    return true;
}

/* The records handed out so far, chunk by chunk. */
static bool batch_add_pool(struct io_batch *b, const struct pool *p)
{
    for (uint32_t first = 0; first < p->used; first += POOL_CHUNK) {
        uint32_t n = p->used - first < POOL_CHUNK ? p->used - first : POOL_CHUNK;
        if (!batch_add(b, p->chunks[first >> POOL_CHUNK_SHIFT], (size_t)n * p->size)) return false;
    }
    return true;
}

/* ---- writing ---- */

static struct pool_header pool_header_of(const struct pool *p)
{
    return (struct pool_header){.used = p->used, .free_head = p->free_head, .live = p->live};
}

static uint64_t expected_payload(const struct snapshot_header *h)
{
    return (uint64_t)h->slot_count * sizeof(uint64_t) +
           (uint64_t)h->flows.used * sizeof(struct flow) +
           (uint64_t)h->tombs.used * sizeof(struct tomb) +
           (uint64_t)h->segments.used * sizeof(struct segment);
}

int64_t track_save(const struct tracker *t, int fd, uint64_t offset)
{
    const struct flow_table *ft = &t->table;
    struct snapshot_header h = {
        .magic = SNAPSHOT_MAGIC,
        .version = SNAPSHOT_VERSION,
        .flow_size = sizeof(struct flow),
        .tomb_size = sizeof(struct tomb),
        .segment_size = sizeof(struct segment),
        .chunk_records = POOL_CHUNK,
        .slot_count = ft->mask + 1,
        .table_count = ft->count,
        .flows = pool_header_of(&ft->flows),
        .tombs = pool_header_of(&ft->tombs),
        .segments = pool_header_of(&t->segments),
        .tomb_head = ft->tomb_head,
        .tomb_tail = ft->tomb_tail,
        .tcp_streams = t->tcp_streams,
        .udp_streams = t->udp_streams,
    };
    for (int l = 0; l < FLOW_LIST_COUNT; l++) {
        h.head[l] = ft->head[l];
        h.tail[l] = ft->tail[l];
    }
    h.payload_bytes = expected_payload(&h);
    uint64_t total = sizeof h + h.payload_bytes;
    if (offset > (uint64_t)INT64_MAX - total) {
        errno = EFBIG;
        return -1;
    }

    struct io_batch b = {.fd = fd, .offset = offset, .write = true};
    if (!batch_add(&b, &h, sizeof h) ||
        !batch_add(&b, ft->slots, (size_t)h.slot_count * sizeof *ft->slots) ||
        !batch_add_pool(&b, &ft->flows) || !batch_add_pool(&b, &ft->tombs) ||
        !batch_add_pool(&b, &t->segments) || !batch_flush(&b))
        return -1;
    return (int64_t)total;
}

/* ---- reading ---- */

static bool header_ok(const struct snapshot_header *h)
{
    const struct pool_header *pools[] = {&h->flows, &h->tombs, &h->segments};
    if (h->magic != SNAPSHOT_MAGIC || h->version != SNAPSHOT_VERSION ||
        h->flow_size != sizeof(struct flow) || h->tomb_size != sizeof(struct tomb) ||
        h->segment_size != sizeof(struct segment) || h->chunk_records != POOL_CHUNK)
        return false;
    for (size_t i = 0; i < sizeof pools / sizeof *pools; i++) {
        const struct pool_header *p = pools[i];
        if (p->used >= TOMB_REF || p->live > p->used || p->free_head > p->used) return false;
    }
    /* A power of two at most half full, as grow() keeps it: probing always meets a hole. */
    uint32_t n = h->slot_count;
    return n >= 2 && n <= TOMB_REF && !(n & (n - 1)) && h->table_count <= n / 2 &&
           h->table_count == h->flows.live + h->tombs.live &&
           h->payload_bytes == expected_payload(h);
}

/* Allocates the chunks that hold used records and reads them. */
static bool read_pool(struct io_batch *b, struct pool *p, const struct pool_header *ph)
{
    uint32_t nchunks = (ph->used + POOL_CHUNK - 1) / POOL_CHUNK;
    if (nchunks) {
        p->chunks = calloc(nchunks, sizeof *p->chunks);
        if (!p->chunks) return false;
        p->cap_chunks = nchunks;
    }
    for (uint32_t c = 0; c < nchunks; c++) {
        p->chunks[c] = malloc(POOL_CHUNK * p->size);
        if (!p->chunks[c]) return false;
        p->nchunks++;
        uint32_t first = c * POOL_CHUNK;
        uint32_t n = ph->used - first < POOL_CHUNK ? ph->used - first : POOL_CHUNK;
        if (!batch_add(b, p->chunks[c], (size_t)n * p->size)) return false;
    }
    p->used = ph->used;
    p->free_head = ph->free_head;
    p->live = ph->live;
    return true;
}

/* One bit per record of a pool: which ones a walk has already met. */
struct seen {
    uint64_t *bits;
    uint32_t count; /* bits set */
};

static bool seen_init(struct seen *s, uint32_t records)
{
    s->count = 0;
    s->bits = calloc((size_t)records / 64 + 1, sizeof *s->bits);
    return s->bits != NULL;
}

static void seen_clear(struct seen *s, uint32_t records)
{
    memset(s->bits, 0, ((size_t)records / 64 + 1) * sizeof *s->bits);
    s->count = 0;
}

static bool seen_test(const struct seen *s, uint32_t index)
{
    return s->bits[index >> 6] >> (index & 63) & 1;
}

/* false if index was met already. */
static bool seen_mark(struct seen *s, uint32_t index)
{
    if (seen_test(s, index)) return false;
    s->bits[index >> 6] |= 1ull << (index & 63);
    s->count++;
    return true;
}

/* Walks the free list (its link is the uint32 in a record's last 8 bytes, as pool_put
 * leaves it): exactly used - live records, each within the pool and met once. */
static bool free_list_ok(const struct pool *p, struct seen *s)
{
    uint32_t ref = p->free_head;
    while (ref) {
        if (ref > p->used || s->count == p->used - p->live || !seen_mark(s, ref - 1)) return false;
        memcpy(&ref, (const char *)pool_at(p, ref - 1) + p->size - sizeof(uint64_t), sizeof ref);
    }
    return s->count == p->used - p->live;
}

/* A live record of pool p, given its ref (index + 1): not on the free list. */
static bool live_ref(const struct pool *p, const struct seen *free_list, uint32_t ref)
{
    return ref && ref <= p->used && !seen_test(free_list, ref - 1);
}

/* bool fields are read as bytes: a bool holding anything but 0 or 1 is undefined. */
static bool byte_bool_ok(const bool *b)
{
    uint8_t v;
    memcpy(&v, b, 1);
    return v <= 1;
}

static bool key_ok(const struct flow_key *k)
{
    return (k->family == 4 || k->family == 6) && (k->proto == PROTO_TCP || k->proto == PROTO_UDP);
}

static bool win_scale_ok(int8_t s)
{
    return s >= WSCALE_NONE && s <= MAX_WSCALE;
}

/* A flow's place on the activity lists, copied out in pool order: walking the lists over
 * these instead of the flows themselves keeps the walk in the cache. */
struct lru_link {
    uint32_t prev, next;
    uint8_t list;
};

/* The state every check below shares. */
struct check {
    struct tracker *t;
    struct seen free_flows, free_tombs, free_segments;
    struct seen flows, tombs, segments;
    struct lru_link *lru; /* by flow index */
};

/* One direction's fields, and its unacked segments: each live, owned by this half alone. */
static bool half_ok(struct check *c, const struct tcp_half *h)
{
    if (!byte_bool_ok(&h->is_first_ack) || !byte_bool_ok(&h->fin_sent) ||
        h->state >= TCP_STATE_COUNT || !win_scale_ok(h->win_scale) || h->dupacknum < -1 ||
        h->dupacknum == INT32_MAX)
        return false;
    const struct pool *segs = &c->t->segments;
    uint32_t n = 0;
    for (uint32_t ref = h->seg_head; ref; n++) {
        if (!live_ref(segs, &c->free_segments, ref) || !seen_mark(&c->segments, ref - 1))
            return false;
        ref = ((const struct segment *)pool_at(segs, ref - 1))->next;
    }
    return n == h->seg_count;
}

/* Every hash slot names a live record no other slot names (the records are not read: they
 * are checked in pool order below, which is far kinder to the cache). */
static bool slots_ok(struct check *c)
{
    struct flow_table *ft = &c->t->table;
    uint32_t used_slots = 0;
    for (uint32_t i = 0; i <= ft->mask; i++) {
        uint32_t ref = (uint32_t)ft->slots[i];
        if (!ft->slots[i]) continue;
        used_slots++;
        bool ok = (ref & TOMB_REF)
                      ? live_ref(&ft->tombs, &c->free_tombs, ref & ~TOMB_REF) &&
                            seen_mark(&c->tombs, (ref & ~TOMB_REF) - 1)
                      : live_ref(&ft->flows, &c->free_flows, ref) && seen_mark(&c->flows, ref - 1);
        if (!ok) return false;
    }
    /* Then every live record has its slot, and the table keeps a hole (a lookup ends). */
    return used_slots == ft->count && c->flows.count == ft->flows.live &&
           c->tombs.count == ft->tombs.live;
}

/* A lookup of the record's key finds the record: its slot holds the key's hash, on the
 * key's probe chain, before any other record with the same key. */
static bool findable(struct flow_table *ft, const struct flow_key *k, uint32_t ref, bool tomb)
{
    if (!key_ok(k)) return false;
    struct flow_ref found = flow_table_find(ft, k, flow_key_hash(k));
    return found.ref == ref && !found.tomb == !tomb;
}

static bool flows_ok(struct check *c)
{
    struct flow_table *ft = &c->t->table;
    uint32_t linked = 0;
    for (uint32_t i = 0; i < ft->flows.used; i++) {
        if (seen_test(&c->free_flows, i)) continue;
        const struct flow *f = pool_at(&ft->flows, i);
        if (f->self != i + 1 || f->client_side > 1 ||
            (f->list >= FLOW_LIST_COUNT && f->list != UNLINKED) ||
            !findable(ft, &f->key, i + 1, false) || !half_ok(c, &f->half[0]) ||
            !half_ok(c, &f->half[1]))
            return false;
        if (f->list != UNLINKED) linked++;
        c->lru[i] = (struct lru_link){.prev = f->lru_prev, .next = f->lru_next, .list = f->list};
    }
    if (c->segments.count != c->t->segments.live) return false;

    /* The activity lists: doubly linked, each flow on the one its list field names. */
    seen_clear(&c->flows, ft->flows.used);
    for (int l = 0; l < FLOW_LIST_COUNT; l++) {
        uint32_t prev = 0;
        for (uint32_t ref = ft->head[l]; ref;) {
            if (!live_ref(&ft->flows, &c->free_flows, ref) || !seen_mark(&c->flows, ref - 1))
                return false;
            const struct lru_link *k = &c->lru[ref - 1];
            if (k->list != l || k->prev != prev) return false;
            prev = ref;
            ref = k->next;
        }
        if (ft->tail[l] != prev) return false;
    }
    return c->flows.count == linked;
}

static bool tombs_ok(struct check *c)
{
    struct flow_table *ft = &c->t->table;
    for (uint32_t i = 0; i < ft->tombs.used; i++) {
        if (seen_test(&c->free_tombs, i)) continue;
        const struct tomb *m = pool_at(&ft->tombs, i);
        if (m->client_side > 1 || !findable(ft, &m->key, i + 1, true)) return false;
        for (int s = 0; s < 2; s++)
            if (m->state[s] >= TCP_STATE_COUNT || !win_scale_ok(m->win_scale[s])) return false;
    }
    /* The burial order: one doubly linked list of them all. */
    seen_clear(&c->tombs, ft->tombs.used);
    uint32_t prev = 0;
    for (uint32_t ref = ft->tomb_head; ref;) {
        if (!live_ref(&ft->tombs, &c->free_tombs, ref) || !seen_mark(&c->tombs, ref - 1))
            return false;
        const struct tomb *m = pool_at(&ft->tombs, ref - 1);
        if (m->prev != prev) return false;
        prev = ref;
        ref = m->next;
    }
    return ft->tomb_tail == prev && c->tombs.count == ft->tombs.live;
}

/* Every index a later feed may follow, checked; false with errno EINVAL (or ENOMEM). */
static bool tracker_ok(struct tracker *t)
{
    struct flow_table *ft = &t->table;
    struct check c = {.t = t};
    bool ok =
        seen_init(&c.free_flows, ft->flows.used) && seen_init(&c.free_tombs, ft->tombs.used) &&
        seen_init(&c.free_segments, t->segments.used) && seen_init(&c.flows, ft->flows.used) &&
        seen_init(&c.tombs, ft->tombs.used) && seen_init(&c.segments, t->segments.used) &&
        (c.lru = malloc(((size_t)ft->flows.used + 1) * sizeof *c.lru));
    if (!ok) {
        errno = ENOMEM;
    } else {
        ok = free_list_ok(&ft->flows, &c.free_flows) && free_list_ok(&ft->tombs, &c.free_tombs) &&
             free_list_ok(&t->segments, &c.free_segments) && slots_ok(&c) && flows_ok(&c) &&
             tombs_ok(&c);
        if (!ok) errno = EINVAL;
    }
    struct seen *all[] = {&c.free_flows, &c.free_tombs, &c.free_segments,
                          &c.flows,      &c.tombs,      &c.segments};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]->bits);
    free(c.lru);
    return ok;
}

/* Before allocating what a header asks for: a regular file must hold it all. */
static bool fits_in_file(int fd, uint64_t offset, uint64_t total)
{
    struct stat st;
    if (offset > (uint64_t)INT64_MAX - total) return false;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return true; /* the reads will tell */
    return offset + total <= (uint64_t)st.st_size;
}

struct tracker *track_load(int fd, uint64_t offset)
{
    struct snapshot_header h;
    struct io_batch b = {.fd = fd, .offset = offset};
    if (offset > INT64_MAX || !batch_add(&b, &h, sizeof h) || !batch_flush(&b)) return NULL;
    if (!header_ok(&h) || !fits_in_file(fd, offset, sizeof h + h.payload_bytes)) {
        errno = EINVAL;
        return NULL;
    }

    struct tracker *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    struct flow_table *ft = &t->table;
    pool_init(&ft->flows, sizeof(struct flow));
    pool_init(&ft->tombs, sizeof(struct tomb));
    pool_init(&t->segments, sizeof(struct segment));
    ft->slots = malloc((size_t)h.slot_count * sizeof *ft->slots);
    if (!ft->slots || !batch_add(&b, ft->slots, (size_t)h.slot_count * sizeof *ft->slots) ||
        !read_pool(&b, &ft->flows, &h.flows) || !read_pool(&b, &ft->tombs, &h.tombs) ||
        !read_pool(&b, &t->segments, &h.segments) || !batch_flush(&b))
        goto fail;
    ft->mask = h.slot_count - 1;
    ft->count = h.table_count;
    for (int l = 0; l < FLOW_LIST_COUNT; l++) {
        ft->head[l] = h.head[l];
        ft->tail[l] = h.tail[l];
    }
    ft->tomb_head = h.tomb_head;
    ft->tomb_tail = h.tomb_tail;
    t->tcp_streams = h.tcp_streams;
    t->udp_streams = h.udp_streams;
    if (!tracker_ok(t)) goto fail;
    return t;

fail:;
    int saved = errno;
    track_free(t);
    errno = saved;
    return NULL;
}
