/* tcp_analysis: Wireshark's TCP sequence analysis (tcp_analyze_sequence_number in
 * packet-tcp.c, tshark 4.0 with default preferences), reimplemented: the analysis marks,
 * duplicate-ACK numbering, and which earlier segment an ACK covers with its RTT. */
#include "track_internal.h"

/* Wireshark's limit on remembered unacked segments per direction. */
#define MAX_UNACKED_PER_HALF 10000u
/* Ours across all conversations (24 bytes each): past it new segments are not remembered,
 * which only costs RTTs for a capture that shows data but never its ACKs. */
#define MAX_UNACKED_TOTAL (512u * 1024u)

#define FAST_RETRANS_WINDOW_NS 20000000ull /* dup ACKs this recent make a fast retransmit */
#define OOO_DEFAULT_NS 3000000ull          /* out-of-order window before a handshake RTT */

/* Serial-number comparisons (RFC 1982), as Wireshark's GT_SEQ & co. */
static bool gt_seq(uint32_t a, uint32_t b)
{
    return (int32_t)(b - a) < 0;
}
static bool lt_seq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}
static bool le_seq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

static struct segment *seg_at(struct tracker *tr, uint32_t ref)
{
    return pool_at(&tr->segments, ref - 1);
}

void tcp_release_segments(struct tracker *tr, struct flow *f)
{
    for (int i = 0; i < 2; i++) {
        uint32_t ref = f->half[i].seg_head;
        while (ref) {
            uint32_t next = seg_at(tr, ref)->next;
            pool_put(&tr->segments, ref);
            ref = next;
        }
        f->half[i].seg_head = 0;
        f->half[i].seg_count = 0;
    }
}

static void remember_segment(struct tracker *tr, struct tcp_half *fwd,
                             const struct tcp_segment_info *s, uint32_t nextseq, bool sent_twice)
{
    if (tr->segments.live >= MAX_UNACKED_TOTAL) return;
    uint32_t ref = pool_get(&tr->segments);
    if (!ref) return;
    struct segment *g = seg_at(tr, ref);
    g->seq = s->seq;
    g->nextseq = nextseq;
    g->frame = s->frame;
    g->ts = s->ts;
    g->sent_twice = sent_twice ? 1 : 0;
    g->next = fwd->seg_head;
    fwd->seg_head = ref;
    fwd->seg_count++;
}

/* One SampleRTT into the estimate of the direction whose segment it times (RFC 6298 2.2 and
 * 2.3: RTTVAR from the old SRTT first, then SRTT). */
/* The largest sample or estimate the arithmetic below takes without overflow (292 years / 8:
 * only a clock gone wrong or a damaged snapshot gets near it). */
#define RTT_LIMIT_NS (INT64_MAX / 8)

static bool estimate_sane(const struct tcp_half *h)
{
    return h->rtt_samples && h->srtt_ns >= 0 && h->srtt_ns <= RTT_LIMIT_NS && h->rttvar_ns >= 0 &&
           h->rttvar_ns <= RTT_LIMIT_NS;
}

static void take_rtt_sample(struct tcp_half *h, int64_t r, uint32_t frame, struct track_info *info)
{
    if (r > RTT_LIMIT_NS) return;
    if (!estimate_sane(h)) h->rtt_samples = 0;
    if (!h->rtt_samples) {
        h->srtt_ns = r;
        h->rttvar_ns = r / 2;
        h->min_rtt_ns = r;
    } else {
        int64_t d = h->srtt_ns > r ? h->srtt_ns - r : r - h->srtt_ns;
        h->rttvar_ns = (3 * h->rttvar_ns + d) / 4;
        h->srtt_ns = (7 * h->srtt_ns + r) / 8;
        if (r < h->min_rtt_ns || h->min_rtt_ns < 0) h->min_rtt_ns = r;
    }
    h->rtt_samples++;
    info->rtt.sample_ns = r;
    info->rtt.est_ns = h->srtt_ns;
    info->rtt.dev_ns = h->rttvar_ns;
    info->rtt.rto_ns = h->srtt_ns + 4 * h->rttvar_ns;
    info->rtt.min_ns = h->min_rtt_ns;
    info->rtt.sample_frame = frame;
}

/* Drops what ack covers from the other direction's unacked list; an exact match of a
 * segment's end gives the ACK RTT (the oldest such segment wins, as in Wireshark), and a
 * SampleRTT when nothing the ACK covers was sent twice (Karn). */
static void process_ack(struct tracker *tr, struct tcp_half *rev, const struct tcp_segment_info *s,
                        struct track_info *info)
{
    uint32_t ack = s->ack;
    uint32_t prev = 0, ref = rev->seg_head;
    bool twice = false;
    while (ref) {
        struct segment *g = seg_at(tr, ref);
        if (ack == g->nextseq) {
            info->acked_frame = g->frame;
            info->ack_rtt_ns = (int64_t)(s->ts - g->ts);
        } else if (gt_seq(ack, g->seq) && le_seq(ack, g->nextseq)) {
            twice |= g->sent_twice != 0;
            g->seq = ack; /* partly acknowledged: keep the rest */
            continue;
        } else if (gt_seq(g->nextseq, ack)) {
            prev = ref;
            ref = g->next;
            continue;
        }
        twice |= g->sent_twice != 0;
        if (g->sent_twice == 0) info->acked_segments++;
        uint32_t next = g->next;
        if (prev)
            seg_at(tr, prev)->next = next;
        else
            rev->seg_head = next;
        pool_put(&tr->segments, ref);
        rev->seg_count--;
        ref = next;
    }
    if (!info->acked_frame) return;
    if (twice)
        info->rtt.karn = true;
    else if (info->ack_rtt_ns >= 0) /* a capture clock that goes back times nothing */
        take_rtt_sample(rev, info->ack_rtt_ns, info->acked_frame, info);
}

/* A segment that resends bytes still unacknowledged: every copy it overlaps is marked sent
 * twice (no RTT sample from their ACK), and the newest of them is the copy it repeats. */
static void note_resend(struct tracker *tr, struct tcp_half *fwd, const struct tcp_segment_info *s,
                        uint32_t end, struct track_info *info)
{
    bool found = false;
    for (uint32_t ref = fwd->seg_head; ref; ref = seg_at(tr, ref)->next) {
        struct segment *g = seg_at(tr, ref);
        if (!lt_seq(s->seq, g->nextseq) || !lt_seq(g->seq, end)) continue;
        g->sent_twice = 1;
        if (found) continue;
        found = true;
        info->resent_of_frame = g->frame;
        info->resent_after_ns = (int64_t)(s->ts - g->ts);
    }
    info->resent_rto_ns = estimate_sane(fwd) ? fwd->srtt_ns + 4 * fwd->rttvar_ns : -1;
}

/* Retransmission, fast retransmission, spurious retransmission or out-of-order, for a
 * segment that carries data, SYN or FIN. */
static uint32_t classify_resend(const struct flow *f, const struct tcp_half *fwd,
                                const struct tcp_half *rev, const struct tcp_segment_info *s,
                                uint32_t marks)
{
    bool syn_fin = s->flags & (TCP_SYN | TCP_FIN);
    bool not_advanced = fwd->nextseq && lt_seq(s->seq, fwd->nextseq);

    if (marks & MARK_KEEP_ALIVE) return 0;
    /* One byte behind but bringing new data: after a zero-window probe, not a resend. */
    if (s->len > 1 && fwd->nextseq - 1 == s->seq) not_advanced = false;

    if (s->len > 0 && rev->lastack && le_seq(s->seq + s->len, rev->lastack))
        return MARK_SPURIOUS_RETRANSMISSION;

    /* tshark default: fast retransmission takes precedence over out-of-order. */
    uint64_t since_ack = s->ts - rev->lastacktime;
    if (not_advanced && rev->dupacknum >= 2 && rev->lastack == s->seq &&
        since_ack < FAST_RETRANS_WINDOW_NS)
        return MARK_FAST_RETRANSMISSION;

    uint64_t since_next = s->ts - fwd->nextseqtime;
    uint64_t threshold = f->ts_first_rtt ? f->ts_first_rtt : OOO_DEFAULT_NS;
    if (not_advanced && since_next < threshold &&
        fwd->nextseq != s->seq + s->len + (syn_fin ? 1u : 0u))
        return MARK_OUT_OF_ORDER;

    return not_advanced ? MARK_RETRANSMISSION : 0;
}

/* Marks a packet that only repeats the previous ACK can get: keep-alive ACK, zero-window
 * probe ACK, or else duplicate ACK #n. */
static void check_repeated_ack(struct tcp_half *fwd, const struct tcp_half *rev,
                               const struct tcp_segment_info *s, struct track_info *info)
{
    bool plain = s->len == 0 && !(s->flags & (TCP_SYN | TCP_FIN | TCP_RST)) &&
                 s->seq == fwd->nextseq && s->ack == fwd->lastack;
    if (!plain) return;
    if (s->window && s->window == fwd->window && (rev->lastsegmentflags & MARK_KEEP_ALIVE)) {
        info->marks |= MARK_KEEP_ALIVE_ACK;
        return;
    }
    if (s->window == 0 && fwd->window == 0 && (rev->lastsegmentflags & MARK_ZERO_WINDOW_PROBE)) {
        info->marks |= MARK_ZERO_WINDOW_PROBE_ACK;
        return;
    }
    if (s->window && s->window == fwd->window) {
        fwd->dupacknum = fwd->dupacknum == -1 ? 1 : fwd->dupacknum + 1;
        info->marks |= MARK_DUPLICATE_ACK;
        info->dup_ack_count = (uint32_t)fwd->dupacknum;
        info->dup_ack_of_frame = fwd->lastnondupack;
    }
}

void tcp_analyze(struct tracker *tr, struct flow *f, int side, const struct tcp_segment_info *s,
                 struct track_info *info)
{
    struct tcp_half *fwd = &f->half[side], *rev = &f->half[!side];
    uint16_t fl = s->flags;
    uint32_t seq = s->seq, ack = s->ack, len = s->len;

    /* Relative numbering bases: a SYN's seq, else one before the first seq seen; the
     * other side's from the first ACK (ack - 1). */
    if (!(fwd->static_flags & HALF_BASE_SEQ_SET)) {
        if (fl & TCP_SYN) {
            fwd->base_seq = seq;
            fwd->static_flags |= (fl & TCP_ACK) ? HALF_SAW_SYNACK : HALF_SAW_SYN;
        } else {
            fwd->base_seq = seq - 1;
        }
        fwd->static_flags |= HALF_BASE_SEQ_SET;
    }
    if (!(rev->static_flags & HALF_BASE_SEQ_SET) && (fl & TCP_ACK)) {
        rev->base_seq = ack - 1;
        rev->static_flags |= HALF_BASE_SEQ_SET;
    }

    bool no_sfr = !(fl & (TCP_SYN | TCP_FIN | TCP_RST));
    if (len == 1 && seq == fwd->nextseq && rev->window == 0) {
        info->marks |= MARK_ZERO_WINDOW_PROBE;
        goto finished_fwd;
    }
    if (s->window == 0 && no_sfr) info->marks |= MARK_ZERO_WINDOW;
    if (fwd->nextseq && gt_seq(seq, fwd->nextseq) && !(fl & TCP_RST))
        info->marks |= MARK_LOST_SEGMENT;
    if (len <= 1 && seq == fwd->nextseq - 1 && no_sfr) info->marks |= MARK_KEEP_ALIVE;
    if (len == 0 && s->window && s->window != fwd->window && seq == fwd->nextseq &&
        ack == fwd->lastack && no_sfr)
        info->marks |= MARK_WINDOW_UPDATE;
    if (len > 0 && rev->win_scale != WSCALE_UNKNOWN && no_sfr) {
        int shift = (rev->is_first_ack || rev->win_scale == WSCALE_NONE) ? 0 : rev->win_scale;
        if (seq + len == rev->lastack + (uint32_t)(rev->window << shift))
            info->marks |= MARK_WINDOW_FULL;
    }
    check_repeated_ack(fwd, rev, s, info);

finished_fwd:
    if (ack != fwd->lastack) {
        fwd->lastnondupack = s->frame;
        fwd->dupacknum = 0;
    }

    /* An ACK beyond anything seen from the other side: a segment went by uncaptured. Report
     * it once, not again for the ACKs that repeat it. */
    if (rev->maxseqtobeacked && gt_seq(ack, rev->maxseqtobeacked) && (fl & TCP_ACK)) {
        if (rev->maxseqtobeacked > rev->nextseq) {
            rev->maxseqtobeacked = rev->nextseq;
            info->marks |= MARK_ACK_LOST_SEGMENT;
        } else {
            if (rev->dupacknum == 0) info->marks |= MARK_ACK_LOST_SEGMENT;
            rev->dupacknum = -1;
        }
    }

    bool occupies = len > 0 || (fl & (TCP_SYN | TCP_FIN));
    if (occupies) info->marks |= classify_resend(f, fwd, rev, s, info->marks);

    uint32_t nextseq = seq + len + ((fl & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
    bool resend = occupies && fwd->nextseq && lt_seq(seq, fwd->nextseq) &&
                  !(info->marks & MARK_ZERO_WINDOW_PROBE);
    if (resend) note_resend(tr, fwd, s, nextseq, info);
    if (occupies && fwd->seg_count < MAX_UNACKED_PER_HALF)
        remember_segment(tr, fwd, s, nextseq, resend);
    if (!occupies) nextseq = seq + len;
    bool zwp = info->marks & MARK_ZERO_WINDOW_PROBE;
    if ((gt_seq(nextseq, fwd->nextseq) || !fwd->nextseq) && !zwp) {
        fwd->nextseq = nextseq;
        fwd->nextseqframe = s->frame;
        fwd->nextseqtime = s->ts;
    }
    if ((seq == fwd->maxseqtobeacked || !fwd->maxseqtobeacked) && !zwp)
        fwd->maxseqtobeacked = fwd->nextseq;

    fwd->window = s->window;
    fwd->lastack = ack;
    fwd->lastacktime = s->ts;
    fwd->lastsegmentflags = info->marks;

    process_ack(tr, rev, s, info);
}
