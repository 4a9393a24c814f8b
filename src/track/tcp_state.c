/* tcp_state: the RFC 9293 state of both ends of a TCP conversation, inferred from the
 * segments that cross the wire (each one taken as delivered the moment it is seen). */
#include "track_internal.h"

static bool covers(uint32_t ack, uint32_t seq)
{
    return (int32_t)(ack - seq) > 0;
}

static bool gone(uint8_t st)
{
    return st == TCP_STATE_CLOSED || st == TCP_STATE_TIME_WAIT;
}

bool tcp_flow_closed(const struct flow *f)
{
    return gone(f->half[0].state) && gone(f->half[1].state);
}

/* A SYN without ACK: a connection request (or the second half of a simultaneous open).
 * The receiver's state is not guessed: a SYN reaches a listener and a closed port alike,
 * and only the answer (SYN+ACK or RST) tells which. */
static void on_syn(struct tcp_half *snd, struct tcp_half *rcv)
{
    if (snd->state == TCP_STATE_SYN_SENT) return; /* retransmitted SYN */
    if (rcv->state == TCP_STATE_SYN_SENT) {
        /* Simultaneous open: each end sent a SYN before seeing the other's. */
        snd->state = TCP_STATE_SYN_RECEIVED;
        rcv->state = TCP_STATE_SYN_RECEIVED;
        return;
    }
    snd->state = TCP_STATE_SYN_SENT;
}

static void on_syn_ack(struct tcp_half *snd, struct tcp_half *rcv)
{
    if (snd->state != TCP_STATE_ESTABLISHED) snd->state = TCP_STATE_SYN_RECEIVED;
    if (rcv->state == TCP_STATE_SYN_SENT || rcv->state == TCP_STATE_SYN_RECEIVED ||
        rcv->state == TCP_STATE_UNKNOWN)
        rcv->state = TCP_STATE_ESTABLISHED;
}

/* The sender of a FIN. rcv_fin_acked: this segment acknowledges the receiver's own FIN. */
static void on_fin_sent(struct tcp_half *snd, const struct tcp_half *rcv, bool rcv_fin_acked)
{
    switch (snd->state) {
    case TCP_STATE_CLOSE_WAIT:
        /* Normally the passive close; a FIN that does not acknowledge the other's FIN was
         * sent before that FIN arrived: simultaneous close. */
        snd->state = (rcv->fin_sent && !rcv_fin_acked) ? TCP_STATE_CLOSING : TCP_STATE_LAST_ACK;
        break;
    case TCP_STATE_FIN_WAIT_1:
    case TCP_STATE_FIN_WAIT_2:
    case TCP_STATE_CLOSING:
    case TCP_STATE_LAST_ACK:
    case TCP_STATE_TIME_WAIT:
    case TCP_STATE_CLOSED:
        break; /* retransmitted FIN, or one after the end */
    default:
        snd->state = TCP_STATE_FIN_WAIT_1;
        break;
    }
}

/* The receiver's own FIN has just been acknowledged. */
static void on_fin_acked(struct tcp_half *rcv)
{
    switch (rcv->state) {
    case TCP_STATE_FIN_WAIT_1:
        rcv->state = TCP_STATE_FIN_WAIT_2;
        break;
    case TCP_STATE_CLOSING:
        rcv->state = TCP_STATE_TIME_WAIT;
        break;
    case TCP_STATE_LAST_ACK:
        rcv->state = TCP_STATE_CLOSED;
        break;
    default:
        break;
    }
}

static void on_fin_received(struct tcp_half *rcv)
{
    switch (rcv->state) {
    case TCP_STATE_FIN_WAIT_1:
        rcv->state = TCP_STATE_CLOSING;
        break;
    case TCP_STATE_FIN_WAIT_2:
        rcv->state = TCP_STATE_TIME_WAIT;
        break;
    case TCP_STATE_UNKNOWN:
    case TCP_STATE_SYN_RECEIVED:
    case TCP_STATE_ESTABLISHED:
        rcv->state = TCP_STATE_CLOSE_WAIT;
        break;
    default:
        break;
    }
}

void tcp_state_update(struct flow *f, int side, const struct tcp_segment_info *s,
                      struct track_info *info)
{
    struct tcp_half *snd = &f->half[side], *rcv = &f->half[!side];
    uint16_t fl = s->flags;

    /* The first SYN of a conversation: the client was CLOSED. */
    if ((fl & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN && snd->state == TCP_STATE_UNKNOWN &&
        rcv->state == TCP_STATE_UNKNOWN)
        snd->state = TCP_STATE_CLOSED;
    /* A SYN+ACK answering that SYN proves its sender was listening when the SYN came. */
    if ((fl & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
        snd->state == TCP_STATE_UNKNOWN && rcv->state == TCP_STATE_SYN_SENT)
        snd->state = TCP_STATE_LISTEN;
    info->state_src_before = (enum tcp_state)snd->state;
    info->state_dst_before = (enum tcp_state)rcv->state;

    if (fl & TCP_RST) {
        snd->state = rcv->state = TCP_STATE_CLOSED;
    } else if ((fl & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
        on_syn(snd, rcv);
    } else if (fl & TCP_SYN) {
        on_syn_ack(snd, rcv);
    } else {
        bool acks = fl & TCP_ACK;
        /* Mid-stream start: whatever flows means both ends are connected. */
        if (snd->state == TCP_STATE_UNKNOWN) snd->state = TCP_STATE_ESTABLISHED;
        if (rcv->state == TCP_STATE_UNKNOWN && acks) rcv->state = TCP_STATE_ESTABLISHED;
        /* The handshake's last ACK: it covers the SYN the receiver sent (its base). */
        if (acks && rcv->state == TCP_STATE_SYN_RECEIVED && covers(s->ack, rcv->base_seq))
            rcv->state = TCP_STATE_ESTABLISHED;
        if (snd->state == TCP_STATE_SYN_SENT || snd->state == TCP_STATE_SYN_RECEIVED)
            snd->state = TCP_STATE_ESTABLISHED;

        bool rcv_fin_acked = acks && rcv->fin_sent && covers(s->ack, rcv->fin_seq);
        if (fl & TCP_FIN) {
            on_fin_sent(snd, rcv, rcv_fin_acked);
            if (!snd->fin_sent) {
                snd->fin_sent = true;
                snd->fin_seq = s->seq + s->len;
            }
        }
        if (rcv_fin_acked) on_fin_acked(rcv);
        if (fl & TCP_FIN) on_fin_received(rcv);
    }
    info->state_src = (enum tcp_state)snd->state;
    info->state_dst = (enum tcp_state)rcv->state;
}
