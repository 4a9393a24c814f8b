/* The wire's impairment engine: for each frame, in order, the named drops, burst loss, random
 * loss, the rate's bounded queue, then delay, jitter, duplication and reordering. A pure
 * function of the frames, their arrival times and the seed: the same run gives the same
 * fates. Frames are read by the one dissector (decode). */
#include "wire_internal.h"

#include <stdlib.h>
#include <string.h>

#include "sockscope/decode.h"

/* splitmix64: small, fast, and the same sequence on every machine */
static uint64_t prng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double prng_unit(uint64_t *s)
{
    return (double)(prng_next(s) >> 11) * 0x1.0p-53;
}

static bool chance(uint64_t *s, double p)
{
    if (p <= 0) return false;
    if (p >= 1) return true;
    return prng_unit(s) < p;
}

int wire_impair_init(struct wire_impairer *im, const struct wire_config *c)
{
    memset(im, 0, sizeof *im);
    for (int d = 0; d < 2; d++) {
        struct wire_direction *dir = &im->dir[d];
        dir->cfg = c->dir[d];
        /* two streams, one per direction: what one side sends does not move the other's */
        dir->prng = c->seed ^ (0xd1b54a32d192ed03ull * (uint64_t)(d + 1));
        if (dir->cfg.rate_bps) {
            dir->qcap = dir->cfg.queue ? dir->cfg.queue : WIRE_DEFAULT_QUEUE;
            dir->queue = calloc(dir->qcap, sizeof *dir->queue);
            if (!dir->queue) {
                wire_impair_free(im);
                return -1;
            }
        }
    }
    im->ndrops = c->ndrops < WIRE_MAX_DROPS ? c->ndrops : WIRE_MAX_DROPS;
    memcpy(im->drops, c->drops, im->ndrops * sizeof im->drops[0]);
    for (size_t i = 0; i < WIRE_MAX_DROPS; i++)
        atomic_init(&im->matched[i], false);
    return 0;
}

void wire_impair_free(struct wire_impairer *im)
{
    for (int d = 0; d < 2; d++) {
        free(im->dir[d].queue);
        im->dir[d].queue = NULL;
    }
}

static bool seq_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

/* The sender's connection of this segment; a new one replaces the least recently used. */
static struct wire_flow *flow_of(struct wire_direction *dir, const struct packet *p,
                                 uint64_t now_ns, bool *fresh)
{
    uint8_t key[36];
    memcpy(key, p->src.bytes, 16);
    memcpy(key + 16, p->dst.bytes, 16);
    memcpy(key + 32, &p->sport, 2);
    memcpy(key + 34, &p->dport, 2);
    struct wire_flow *oldest = &dir->flows[0];
    for (size_t i = 0; i < WIRE_FLOWS; i++) {
        struct wire_flow *f = &dir->flows[i];
        if (f->used && memcmp(f->key, key, sizeof key) == 0) {
            f->last_ns = now_ns;
            *fresh = false;
            return f;
        }
        if (!f->used || (oldest->used && f->last_ns < oldest->last_ns)) oldest = f;
    }
    memset(oldest, 0, sizeof *oldest);
    oldest->used = true;
    memcpy(oldest->key, key, sizeof key);
    oldest->last_ns = now_ns;
    *fresh = true;
    return oldest;
}

/* Which kinds this frame is a new one of (a bit per enum wire_drop_kind). */
static unsigned new_kinds(struct wire_direction *dir, const struct packet *p, uint64_t now_ns)
{
    if (p->status != PACKET_OK) return 0;
    if (p->proto == PROTO_UDP) return (!p->fragment || p->first_fragment) ? 1u << WIRE_DROP_UDP : 0;
    if (p->proto != PROTO_TCP) return 0;
    unsigned kinds = 0;
    uint16_t fl = p->flags;
    if (fl & TCP_RST) kinds |= 1u << WIRE_DROP_RST;
    if (!(fl & (TCP_SYN | TCP_FIN | TCP_RST)) && (fl & TCP_ACK) && p->payload_len == 0)
        kinds |= 1u << WIRE_DROP_ACK;
    bool fresh;
    struct wire_flow *f = flow_of(dir, p, now_ns, &fresh);
    uint32_t end = p->seq + p->payload_len + ((fl & TCP_SYN) ? 1 : 0) + ((fl & TCP_FIN) ? 1 : 0);
    if (fl & TCP_SYN) {
        /* a new initial sequence number is a new connection; the same one is a retransmission */
        if (fresh || !f->syn_seen || f->isn != p->seq) {
            kinds |= 1u << ((fl & TCP_ACK) ? WIRE_DROP_SYNACK : WIRE_DROP_SYN);
            f->syn_seen = true;
            f->isn = p->seq;
            f->high = end;
            f->fin_seen = false;
        }
        return kinds;
    }
    if (p->payload_len > 0) {
        /* a connection met mid-way: its first segment seen is new */
        uint32_t data_end = p->seq + p->payload_len;
        if (fresh || seq_after(data_end, f->high)) {
            kinds |= 1u << WIRE_DROP_DATA;
            f->high = data_end;
        }
    }
    if ((fl & TCP_FIN) && !f->fin_seen) {
        kinds |= 1u << WIRE_DROP_FIN;
        f->fin_seen = true;
    }
    if (seq_after(end, f->high) && !(fl & TCP_RST)) f->high = end;
    return kinds;
}

/* The first drop rule of this sender whose count this frame reaches, or -1. Every rule's
 * counter moves, so a frame that is both data and FIN counts for both. */
static int match_drop(struct wire_impairer *im, enum role from, unsigned kinds)
{
    struct wire_direction *dir = &im->dir[from];
    for (unsigned k = 0; k <= WIRE_DROP_UDP; k++)
        if (kinds & (1u << k)) dir->counts[k]++;
    int hit = -1;
    for (size_t i = 0; i < im->ndrops; i++) {
        const struct wire_drop *d = &im->drops[i];
        if (d->sender != from || !(kinds & (1u << d->kind))) continue;
        if (dir->counts[d->kind] != d->nth) continue;
        atomic_store(&im->matched[i], true);
        if (hit < 0) hit = (int)i;
    }
    return hit;
}

static uint64_t serialization_ns(uint64_t rate_bps, uint32_t len)
{
    return (uint64_t)((unsigned __int128)len * 8 * 1000000000u / rate_bps);
}

void wire_impair_decide(struct wire_impairer *im, enum role from, const uint8_t *frame,
                        uint32_t len, uint64_t now_ns, struct wire_verdict *v)
{
    struct wire_direction *dir = &im->dir[from];
    const struct wire_impair *c = &dir->cfg;
    memset(v, 0, sizeof *v);
    v->drop_rule = -1;

    if (im->ndrops) {
        struct packet p;
        decode_packet(LINK_ETHERNET, frame, len, len, 0, &p);
        int rule = match_drop(im, from, new_kinds(dir, &p, now_ns));
        if (rule >= 0) {
            v->fate = WIRE_FATE_LOST;
            v->cause = WIRE_CAUSE_DROP_RULE;
            v->drop_rule = rule;
            return;
        }
    }
    if (c->burst.on) {
        /* the state moves once per frame, then the state's loss applies */
        dir->burst_bad =
            dir->burst_bad ? !chance(&dir->prng, c->burst.r) : chance(&dir->prng, c->burst.p);
        if (chance(&dir->prng, dir->burst_bad ? c->burst.bad_loss : c->burst.good_loss)) {
            v->fate = WIRE_FATE_LOST;
            v->cause = WIRE_CAUSE_BURST;
            return;
        }
    }
    if (chance(&dir->prng, c->loss)) {
        v->fate = WIRE_FATE_LOST;
        v->cause = WIRE_CAUSE_RANDOM;
        return;
    }

    uint64_t t = now_ns;
    if (c->rate_bps) {
        /* frames that finished on the link have left the queue */
        while (dir->qlen && dir->queue[dir->qhead] <= now_ns) {
            dir->qhead = (dir->qhead + 1) % dir->qcap;
            dir->qlen--;
        }
        if (dir->qlen == dir->qcap) {
            v->fate = WIRE_FATE_QUEUE_DROP;
            v->cause = WIRE_CAUSE_QUEUE_FULL;
            return;
        }
        uint64_t start = dir->link_free_ns > now_ns ? dir->link_free_ns : now_ns;
        t = start + serialization_ns(c->rate_bps, len);
        dir->link_free_ns = t;
        dir->queue[(dir->qhead + dir->qlen) % dir->qcap] = t;
        dir->qlen++;
    }
    int64_t d = (int64_t)c->delay_ns;
    if (c->jitter_ns) {
        d += (int64_t)((prng_unit(&dir->prng) * 2 - 1) * (double)c->jitter_ns);
        if (d < 0) d = 0;
    }
    t += (uint64_t)d;
    if (t < dir->last_out_ns) t = dir->last_out_ns;

    v->fate = WIRE_FATE_DELIVERED;
    v->copies = 1;
    if (chance(&dir->prng, c->duplicate)) {
        v->copies = 2;
        v->flags |= WIRE_FLAG_DUPLICATED;
    }
    if (chance(&dir->prng, c->reorder)) {
        /* held back, and not holding back the frames behind it: they may pass it */
        v->flags |= WIRE_FLAG_HELD;
        v->out_ns[0] = v->out_ns[1] = t + WIRE_REORDER_HOLD_NS;
    } else {
        dir->last_out_ns = t;
        v->out_ns[0] = v->out_ns[1] = t;
    }
    if (v->out_ns[0] > now_ns) v->flags |= WIRE_FLAG_DELAYED;
}
