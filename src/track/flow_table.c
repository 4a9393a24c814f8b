/* flow_table: conversations by canonical 5-tuple in an open-addressing hash table, their
 * records in chunked pools, and the forgetting that keeps memory bounded.
 *
 * Memory bound. Wireshark keeps every conversation until the file is closed; we cannot
 * (millions of packets, ~100k short connections, 64 MB). A conversation is held in full
 * (struct flow, ~250 bytes + its unacked segments) while it may still matter, then is
 * reduced to a tomb (~80 bytes: key, stream, ISNs, window scales, states):
 *   - fully closed TCP (both ends CLOSED or TIME-WAIT) after 60 s of capture time without
 *     a packet: Linux's TIME-WAIT, beyond which a peer cannot still be retransmitting;
 *   - anything else (open TCP, UDP) after 300 s of capture time without a packet;
 *   - the least recently active (closed ones first) when more than 65536 are held.
 * The two time rules apply only while more than 8192 conversations are held: small
 * captures (the classroom case, and files whose clock jumps back and forth) are never
 * touched, so they agree with tshark exactly.
 * A late packet that finds a tomb revives the conversation with the same stream number and
 * relative numbering, so tshark's numbering holds (only its retransmission/dup-ACK memory is
 * lost); a SYN with a new ISN on a tomb still opens a new stream marked reused_ports.
 * Tombs are dropped oldest first beyond 131072; a packet on a dropped tuple would open a new
 * stream, which needs a tuple silent for longer than ~100k other connections: accepted. */
#include <stdlib.h>
#include <string.h>

#include "track_internal.h"

#define NS_PER_S 1000000000LL
#define IDLE_NS (300 * NS_PER_S)
#define CLOSED_GRACE_NS (60 * NS_PER_S)
#define EVICT_FLOOR 8192u /* below this many held, nothing is forgotten on time alone */
#define LIVE_CAP 65536u
#define TOMB_CAP 131072u
#define INITIAL_SLOTS 1024u

/* ---- pools ---- */

void pool_init(struct pool *p, size_t size)
{
    memset(p, 0, sizeof *p);
    p->size = size;
}

void pool_free(struct pool *p)
{
    for (uint32_t i = 0; i < p->nchunks; i++)
        free(p->chunks[i]);
    free(p->chunks);
    p->chunks = NULL;
    p->nchunks = p->cap_chunks = p->used = p->free_head = p->live = 0;
}

void *pool_at(const struct pool *p, uint32_t index)
{
    return (char *)p->chunks[index >> POOL_CHUNK_SHIFT] + (index & (POOL_CHUNK - 1)) * p->size;
}

/* A free record links to the next free one through a uint32 in its last 8 bytes (every
 * record type is a multiple of 8 bytes long and gets zeroed when handed out again). */
static uint32_t *free_link(const struct pool *p, uint32_t index)
{
    return (uint32_t *)((char *)pool_at(p, index) + p->size - sizeof(uint64_t));
}

uint32_t pool_get(struct pool *p)
{
    uint32_t index;
    if (p->free_head) {
        index = p->free_head - 1;
        p->free_head = *free_link(p, index);
    } else {
        if (p->used == p->nchunks * POOL_CHUNK) {
            if (p->used >= (TOMB_REF - 1) - POOL_CHUNK) return 0;
            if (p->nchunks == p->cap_chunks) {
                uint32_t cap = p->cap_chunks ? p->cap_chunks * 2 : 8;
                void **grown = realloc(p->chunks, cap * sizeof *grown);
                if (!grown) return 0;
                p->chunks = grown;
                p->cap_chunks = cap;
            }
            void *chunk = malloc(POOL_CHUNK * p->size);
            if (!chunk) return 0;
            p->chunks[p->nchunks++] = chunk;
        }
        index = p->used++;
    }
    memset(pool_at(p, index), 0, p->size);
    p->live++;
    return index + 1;
}

void pool_put(struct pool *p, uint32_t ref)
{
    *free_link(p, ref - 1) = p->free_head;
    p->free_head = ref;
    p->live--;
}

/* ---- hash table ---- */

uint32_t flow_key_hash(const struct flow_key *k)
{
    uint64_t w[5] = {0};
    memcpy(w, k, sizeof *k);
    uint64_t h = 0x243f6a8885a308d3ull;
    for (int i = 0; i < 5; i++) {
        h ^= w[i];
        h *= 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    return (uint32_t)(h ^ (h >> 32));
}

bool flow_table_init(struct flow_table *t)
{
    memset(t, 0, sizeof *t);
    t->slots = calloc(INITIAL_SLOTS, sizeof *t->slots);
    if (!t->slots) return false;
    t->mask = INITIAL_SLOTS - 1;
    pool_init(&t->flows, sizeof(struct flow));
    pool_init(&t->tombs, sizeof(struct tomb));
    return true;
}

void flow_table_free(struct flow_table *t)
{
    free(t->slots);
    pool_free(&t->flows);
    pool_free(&t->tombs);
    memset(t, 0, sizeof *t);
}

static const struct flow_key *slot_key(const struct flow_table *t, uint32_t ref)
{
    if (ref & TOMB_REF) return &((struct tomb *)pool_at(&t->tombs, (ref & ~TOMB_REF) - 1))->key;
    return &((struct flow *)pool_at(&t->flows, ref - 1))->key;
}

/* Slot index holding key k, or the empty slot where it would go. */
static uint32_t probe(const struct flow_table *t, const struct flow_key *k, uint32_t hash)
{
    uint32_t i = hash & t->mask;
    for (;;) {
        uint64_t s = t->slots[i];
        if (!s) return i;
        if ((uint32_t)(s >> 32) == hash && !memcmp(slot_key(t, (uint32_t)s), k, sizeof *k))
            return i;
        i = (i + 1) & t->mask;
    }
}

static bool grow(struct flow_table *t)
{
    uint32_t n = (t->mask + 1) * 2;
    uint64_t *slots = calloc(n, sizeof *slots);
    if (!slots) return false;
    for (uint32_t i = 0; i <= t->mask; i++) {
        uint64_t s = t->slots[i];
        if (!s) continue;
        uint32_t j = (uint32_t)(s >> 32) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = s;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = n - 1;
    return true;
}

/* Backward-shift deletion: keeps every probe chain unbroken without markers. */
static void slot_delete(struct flow_table *t, uint32_t i)
{
    uint32_t j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        uint64_t s = t->slots[j];
        if (!s) break;
        uint32_t home = (uint32_t)(s >> 32) & t->mask;
        bool stays = (j > i) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->slots[i] = s;
            i = j;
        }
    }
    t->slots[i] = 0;
    t->count--;
}

static void slot_set_ref(struct flow_table *t, const struct flow_key *k, uint32_t hash,
                         uint32_t ref)
{
    uint32_t i = probe(t, k, hash);
    t->slots[i] = (uint64_t)hash << 32 | ref;
}

struct flow_ref flow_table_find(struct flow_table *t, const struct flow_key *k, uint32_t hash)
{
    struct flow_ref r = {0};
    uint64_t s = t->slots[probe(t, k, hash)];
    if (!s) return r;
    uint32_t ref = (uint32_t)s;
    if (ref & TOMB_REF) {
        r.ref = ref & ~TOMB_REF;
        r.tomb = pool_at(&t->tombs, r.ref - 1);
    } else {
        r.ref = ref;
        r.flow = pool_at(&t->flows, ref - 1);
    }
    return r;
}

static struct flow *flow_at(const struct flow_table *t, uint32_t ref)
{
    return pool_at(&t->flows, ref - 1);
}

static struct tomb *tomb_at(const struct flow_table *t, uint32_t ref)
{
    return pool_at(&t->tombs, ref - 1);
}

struct flow *flow_table_add(struct flow_table *t, const struct flow_key *k, uint32_t hash)
{
    if ((t->count + 1) * 2 > t->mask + 1 && !grow(t)) return NULL;
    uint32_t ref = pool_get(&t->flows);
    if (!ref) return NULL;
    struct flow *f = flow_at(t, ref);
    f->key = *k;
    f->self = ref;
    f->list = UNLINKED;
    uint32_t i = probe(t, k, hash);
    t->slots[i] = (uint64_t)hash << 32 | ref;
    t->count++;
    return f;
}

/* ---- activity lists ---- */

static void list_unlink(struct flow_table *t, struct flow *f)
{
    if (f->list == UNLINKED) return;
    if (f->lru_prev)
        flow_at(t, f->lru_prev)->lru_next = f->lru_next;
    else
        t->head[f->list] = f->lru_next;
    if (f->lru_next)
        flow_at(t, f->lru_next)->lru_prev = f->lru_prev;
    else
        t->tail[f->list] = f->lru_prev;
    f->lru_prev = f->lru_next = 0;
    f->list = UNLINKED;
}

static void list_append(struct flow_table *t, struct flow *f, uint32_t ref, uint8_t list)
{
    f->list = list;
    f->lru_prev = t->tail[list];
    f->lru_next = 0;
    if (t->tail[list])
        flow_at(t, t->tail[list])->lru_next = ref;
    else
        t->head[list] = ref;
    t->tail[list] = ref;
}

static void tomb_unlink(struct flow_table *t, struct tomb *m)
{
    if (m->prev)
        tomb_at(t, m->prev)->next = m->next;
    else
        t->tomb_head = m->next;
    if (m->next)
        tomb_at(t, m->next)->prev = m->prev;
    else
        t->tomb_tail = m->prev;
    m->prev = m->next = 0;
}

static void drop_oldest_tomb(struct flow_table *t)
{
    uint32_t ref = t->tomb_head;
    struct tomb *m = tomb_at(t, ref);
    uint32_t hash = flow_key_hash(&m->key);
    tomb_unlink(t, m);
    slot_delete(t, probe(t, &m->key, hash));
    pool_put(&t->tombs, ref);
}

/* Reduces flow ref to a tomb (or forgets it if even that cannot be had). */
static void bury(struct tracker *tr, uint32_t ref, uint64_t now)
{
    struct flow_table *t = &tr->table;
    struct flow *f = flow_at(t, ref);
    uint32_t hash = flow_key_hash(&f->key);
    list_unlink(t, f);
    tcp_release_segments(tr, f);

    uint32_t tref = pool_get(&t->tombs);
    if (!tref) {
        slot_delete(t, probe(t, &f->key, hash));
        pool_put(&t->flows, ref);
        return;
    }
    struct tomb *m = tomb_at(t, tref);
    m->key = f->key;
    m->stream = f->stream;
    m->client_side = f->client_side;
    for (int i = 0; i < 2; i++) {
        m->static_flags[i] = f->half[i].static_flags;
        m->win_scale[i] = f->half[i].win_scale;
        m->state[i] = f->half[i].state;
        m->base_seq[i] = f->half[i].base_seq;
    }
    m->since = now;
    m->prev = t->tomb_tail;
    if (t->tomb_tail)
        tomb_at(t, t->tomb_tail)->next = tref;
    else
        t->tomb_head = tref;
    t->tomb_tail = tref;
    slot_set_ref(t, &m->key, hash, tref | TOMB_REF);
    pool_put(&t->flows, ref);
    if (t->tombs.live > TOMB_CAP) drop_oldest_tomb(t);
}

struct flow *flow_table_revive(struct flow_table *t, struct flow_ref r, uint32_t hash)
{
    uint32_t ref = pool_get(&t->flows);
    if (!ref) return NULL;
    struct flow *f = flow_at(t, ref);
    struct tomb *m = r.tomb;
    f->key = m->key;
    f->self = ref;
    f->stream = m->stream;
    f->client_side = m->client_side;
    f->list = UNLINKED;
    for (int i = 0; i < 2; i++) {
        struct tcp_half *h = &f->half[i];
        h->static_flags = m->static_flags[i];
        h->win_scale = m->win_scale[i];
        h->state = m->state[i];
        h->base_seq = m->base_seq[i];
        h->window = UINT32_MAX;
    }
    tomb_unlink(t, m);
    slot_set_ref(t, &f->key, hash, ref);
    pool_put(&t->tombs, r.ref);
    return f;
}

static bool stale(const struct flow *f, uint64_t now, int64_t limit)
{
    return (int64_t)(now - f->last_ts) > limit;
}

void flow_table_touch(struct tracker *tr, struct flow *f, uint64_t ts, bool closed)
{
    struct flow_table *t = &tr->table;
    uint32_t ref = f->self;
    uint8_t list = closed ? FLOW_LIST_CLOSED : FLOW_LIST_OPEN;
    /* Consecutive segments of one transfer find the flow already last in its list. */
    if (f->list != list || t->tail[list] != ref) {
        list_unlink(t, f);
        list_append(t, f, ref, list);
    }
    f->last_ts = ts;

    static const int64_t limit[FLOW_LIST_COUNT] = {IDLE_NS, CLOSED_GRACE_NS};
    for (int l = 0; l < FLOW_LIST_COUNT; l++) {
        uint32_t h;
        while (t->flows.live > EVICT_FLOOR && (h = t->head[l]) && h != ref &&
               stale(flow_at(t, h), ts, limit[l]))
            bury(tr, h, ts);
    }
    while (t->flows.live > LIVE_CAP) {
        uint32_t victim = t->head[FLOW_LIST_CLOSED];
        if (!victim || victim == ref) victim = t->head[FLOW_LIST_OPEN];
        if (!victim || victim == ref) break;
        bury(tr, victim, ts);
    }
}
