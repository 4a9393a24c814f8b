/* One plain-language sentence per event, for the line under the diagram: what the packet
 * does and why its numbers are what they are, in the words a teacher would use. Heuristic
 * analysis marks are called "suspected", never stated as fact. */
#include "sockscope/view.h"

#include <stdarg.h>
#include <stdio.h>

struct line {
    char *buf;
    size_t size, len;
};

static void say(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct line *l, const char *fmt, ...)
{
    if (l->len + 1 >= l->size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
    va_end(ap);
    if (n > 0) l->len += (size_t)n < l->size - l->len ? (size_t)n : l->size - l->len - 1;
}

/* Linux never sets a retransmission timer below 200 ms (TCP_RTO_MIN); other stacks wait
 * longer still. */
#define RTO_MIN_NS 200000000ll

static const char *sender(const struct track_info *ti)
{
    return ti->dir == ROLE_CLIENT ? "client" : "server";
}

static const char *receiver(const struct track_info *ti)
{
    return ti->dir == ROLE_CLIENT ? "server" : "client";
}

static double ms(int64_t ns)
{
    return (double)ns / 1e6;
}

/* A resend that is not a fast retransmission. Its timer is named only when the wait since
 * the copy it repeats is at least the shortest timeout a stack sets and at least the
 * TimeoutInterval estimated from this flow's samples: sooner, something else made the sender
 * resend (SACK recovery, a tail-loss probe), and the capture cannot say what. */
static void explain_resend(struct line *l, const struct track_info *ti)
{
    say(l, "Suspected retransmission: the %s sends seq %u again", sender(ti), ti->seq_rel);
    if (!ti->resent_of_frame) {
        say(l, " (its first copy is not in the capture)");
        return;
    }
    int64_t wait = ti->resent_after_ns;
    say(l, ", %.3f ms after the copy in frame %u", ms(wait), ti->resent_of_frame);
    if (wait >= RTO_MIN_NS && (ti->resent_rto_ns < 0 || wait >= ti->resent_rto_ns)) {
        if (ti->resent_rto_ns >= 0)
            say(l,
                ", longer than the TimeoutInterval estimated so far (%.3f ms): no ACK came in "
                "time, so its retransmission timer ran out",
                ms(ti->resent_rto_ns));
        else
            say(l, ": no ACK came in time, so its retransmission timer ran out");
    } else {
        say(l, ", sooner than a retransmission timer runs out");
    }
}

/* Analysis marks first: they are why a teacher stops on this packet. True if one was said. */
static bool explain_marks(struct line *l, const struct packet *p, const struct track_info *ti)
{
    uint32_t m = ti->marks;
    uint32_t first = ti->seq_rel, last = ti->seq_rel + p->payload_len - 1;
    if (m & MARK_FAST_RETRANSMISSION)
        say(l,
            "Suspected fast retransmission: the %s resends bytes %u-%u after duplicate ACKs "
            "told it they were missing, without waiting for its timer",
            sender(ti), first, last);
    else if (m & MARK_SPURIOUS_RETRANSMISSION)
        say(l,
            "Suspected spurious retransmission: the %s resends bytes the %s had already "
            "acknowledged",
            sender(ti), receiver(ti));
    else if (m & MARK_RETRANSMISSION)
        explain_resend(l, ti);
    else if (m & MARK_DUPLICATE_ACK)
        say(l,
            "Suspected duplicate ACK #%u (repeats frame %u): the %s still expects byte %u, "
            "so a segment before the data it got seems missing",
            ti->dup_ack_count, ti->dup_ack_of_frame, sender(ti), ti->ack_rel);
    else if (m & MARK_LOST_SEGMENT)
        say(l, "Suspected lost segment before this one: the sequence numbers jump, bytes are "
               "missing from the capture");
    else if (m & MARK_OUT_OF_ORDER)
        say(l,
            "Suspected out-of-order segment: seq %u arrives after bytes that come later in "
            "the stream",
            ti->seq_rel);
    else if (m & MARK_ZERO_WINDOW)
        say(l,
            "Zero window: the %s's receive buffer is full; the %s must wait until it "
            "announces room again",
            sender(ti), receiver(ti));
    else if (m & MARK_ZERO_WINDOW_PROBE)
        say(l, "Zero-window probe: the %s checks whether the %s has room again", sender(ti),
            receiver(ti));
    else if (m & MARK_WINDOW_UPDATE)
        say(l,
            "Window update: the %s now offers a receive window of %lld bytes (no data, no new "
            "ack), so the %s knows how much it may send",
            sender(ti), (long long)ti->window, receiver(ti));
    else if (m & MARK_KEEP_ALIVE)
        say(l, "Keep-alive: an empty probe from the %s to check that the %s is still there",
            sender(ti), receiver(ti));
    else if (m & MARK_REUSED_PORTS)
        say(l, "Port reuse: a new connection with the same addresses and ports as an earlier "
               "one");
    else
        return false;
    return true;
}

/* What an ACK tells about the round-trip time: a SampleRTT only where Karn's rule allows one,
 * the estimate it leads to, and what may have stretched it (said as a possibility, since
 * only the receiver knows why it waited). */
static void explain_rtt(struct line *l, const struct track_info *ti)
{
    const struct track_rtt *r = &ti->rtt;
    if (r->karn) {
        say(l, "; no RTT sample: it acknowledges bytes that were sent twice, and nobody can tell "
               "which copy it answers (Karn's rule)");
        return;
    }
    if (r->sample_ns < 0) return;
    say(l, "; SampleRTT %.3f ms (frame %u to here)", ms(r->sample_ns), r->sample_frame);
    if (ti->acked_segments > 1)
        say(l, ", a cumulative ACK of %u segments: it times the last one", ti->acked_segments);
    if (r->sample_ns >= 4 * r->min_ns && r->sample_ns - r->min_ns >= 1000000)
        say(l,
            ", far above the shortest sample so far (%.3f ms): it may include the receiver's "
            "wait before acknowledging (delayed ACK)",
            ms(r->min_ns));
    say(l, "; EstimatedRTT %.3f, DevRTT %.3f, TimeoutInterval %.3f ms", ms(r->est_ns),
        ms(r->dev_ns), ms(r->rto_ns));
    if (r->rto_ns < RTO_MIN_NS) say(l, " (Linux waits at least 200)");
}

static void explain_tcp(struct line *l, const struct packet *p, const struct track_info *ti)
{
    uint16_t f = p->flags;
    const char *me = sender(ti), *peer = receiver(ti);
    if ((f & TCP_SYN) && !(f & TCP_ACK)) {
        say(l,
            "SYN: the %s asks to open a connection and picks its initial sequence number "
            "(ISN %u, shown as seq=0)",
            me, p->seq);
        if (p->opt.has_mss)
            say(l, "; MSS=%u: it takes at most %u data bytes per segment (headers not counted)",
                p->opt.mss, p->opt.mss);
        return;
    }
    if ((f & TCP_SYN) && (f & TCP_ACK)) {
        say(l,
            "SYN+ACK: the %s accepts; its ack %u = the %s's initial sequence number + 1, "
            "and seq 0 is its own ISN (%u)",
            me, ti->ack_rel, peer, p->seq);
        return;
    }
    if (f & TCP_RST) {
        if (ti->state_dst_before == TCP_STATE_SYN_SENT)
            say(l,
                "RST: nothing listens on port %u, so the connection is refused; the %s's "
                "connect() fails",
                ti->server.port, peer);
        else
            say(l,
                "RST: the %s aborts the connection at once: no goodbye, and data not yet "
                "delivered is thrown away",
                me);
        return;
    }
    if (f & TCP_FIN) {
        if (ti->state_src == TCP_STATE_LAST_ACK)
            say(l, "FIN: the %s closes its side too (LAST-ACK) and waits for the last ACK", me);
        else
            say(l,
                "FIN: the %s has nothing more to send and closes its side; it can still "
                "receive until the %s closes too",
                me, peer);
        if (p->payload_len) say(l, " (with %u last bytes of data)", p->payload_len);
        return;
    }
    if (p->payload_len) {
        say(l,
            "Data: the %s sends %u bytes (bytes %u-%u of its stream); the %s's ACK of them "
            "says ack %u, or more if one ACK covers later segments too",
            me, p->payload_len, ti->seq_rel, ti->seq_rel + p->payload_len - 1, peer,
            ti->next_seq_rel);
        if (ti->marks & MARK_WINDOW_FULL)
            say(l,
                "; it fills the %s's receive window (window full): the %s can send no more "
                "until an ACK or a window update makes room",
                peer, me);
        return;
    }
    if (f & TCP_ACK) {
        if (ti->state_dst_before == TCP_STATE_SYN_RECEIVED &&
            ti->state_dst == TCP_STATE_ESTABLISHED) {
            say(l,
                "ACK: the %s acknowledges the %s's SYN (ack %u = the %s's ISN + 1); the "
                "three-way handshake is complete",
                me, peer, ti->ack_rel, peer);
        } else if (ti->state_dst != ti->state_dst_before &&
                   (ti->state_dst == TCP_STATE_CLOSED || ti->state_dst == TCP_STATE_FIN_WAIT_2)) {
            say(l,
                "ACK: the %s acknowledges the %s's FIN (a FIN counts as one sequence "
                "number, so ack %u)",
                me, peer, ti->ack_rel);
        } else {
            say(l,
                "ACK: the %s confirms it got every byte before %u (ack %u = the next byte "
                "it expects); no data",
                me, ti->ack_rel, ti->ack_rel);
        }
        explain_rtt(l, ti);
        return;
    }
    say(l, "TCP segment from the %s without ACK, SYN, FIN or RST", me);
}

static void explain_icmp(struct line *l, const struct packet *p, const struct track_info *ti)
{
    bool v6 = p->src.family == 6;
    bool port_unreachable =
        v6 ? p->icmp_type == 1 && p->icmp_code == 4 : p->icmp_type == 3 && p->icmp_code == 3;
    if (port_unreachable && p->quote.valid)
        say(l,
            "ICMP port unreachable: nothing listens on %s port %u, so the %s's datagram is "
            "dropped and the host says so",
            p->quote.ip_proto == 17 ? "UDP" : "that", p->quote.dport, receiver(ti));
    else
        say(l,
            "ICMP error (type %u, code %u) about this conversation: a host or router could "
            "not deliver one of its packets",
            p->icmp_type, p->icmp_code);
}

int view_explain(const struct packet *p, const struct track_info *ti, uint32_t frame, char *buf,
                 size_t size)
{
    struct line l = {buf, size, 0};
    if (!size) return 0;
    buf[0] = '\0';
    if (!ti->has_flow) {
        if (p->status != PACKET_OK && p->status != PACKET_UNSUPPORTED)
            say(&l, "Frame %u could not be decoded%s%s", frame, p->why ? ": " : "",
                p->why ? p->why : "");
        else
            say(&l,
                "Frame %u is neither TCP nor UDP: sockscope draws TCP and UDP "
                "conversations only",
                frame);
        return (int)l.len;
    }
    if (p->proto == PROTO_ICMP) {
        explain_icmp(&l, p, ti);
        return (int)l.len;
    }
    if (p->proto == PROTO_UDP) {
        say(&l,
            "UDP datagram: the %s sends %u bytes to the %s; no connection and no "
            "acknowledgement: if it is lost, UDP does not send it again (the application "
            "may)",
            sender(ti), p->payload_len, receiver(ti));
        return (int)l.len;
    }
    if (p->proto == PROTO_TCP && !explain_marks(&l, p, ti)) explain_tcp(&l, p, ti);
    if (p->status == PACKET_TRUNCATED) say(&l, " (frame cut short by the capture)");
    return (int)l.len;
}
