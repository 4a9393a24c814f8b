/* names: the words the tracker's enums are shown with: RFC 9293 state names, the JSON names
 * of analysis marks, and the short phrases people read in the diagram. */
#include "sockscope/track.h"

static const char *const state_names[TCP_STATE_COUNT] = {
    [TCP_STATE_UNKNOWN] = "",
    [TCP_STATE_LISTEN] = "LISTEN",
    [TCP_STATE_SYN_SENT] = "SYN-SENT",
    [TCP_STATE_SYN_RECEIVED] = "SYN-RECEIVED",
    [TCP_STATE_ESTABLISHED] = "ESTABLISHED",
    [TCP_STATE_FIN_WAIT_1] = "FIN-WAIT-1",
    [TCP_STATE_FIN_WAIT_2] = "FIN-WAIT-2",
    [TCP_STATE_CLOSE_WAIT] = "CLOSE-WAIT",
    [TCP_STATE_CLOSING] = "CLOSING",
    [TCP_STATE_LAST_ACK] = "LAST-ACK",
    [TCP_STATE_TIME_WAIT] = "TIME-WAIT",
    [TCP_STATE_CLOSED] = "CLOSED",
};

/* Indexed by bit number of MARK_*. */
static const char *const mark_names[MARK_COUNT] = {
    "retransmission",
    "fast_retransmission",
    "spurious_retransmission",
    "out_of_order",
    "lost_segment",
    "ack_lost_segment",
    "duplicate_ack",
    "zero_window",
    "zero_window_probe",
    "zero_window_probe_ack",
    "window_update",
    "window_full",
    "keep_alive",
    "keep_alive_ack",
    "reused_ports",
};

static const char *const mark_words[MARK_COUNT] = {
    "retransmission",
    "fast retransmission",
    "spurious retransmission",
    "out of order",
    "previous segment not captured",
    "ACKs unseen segment",
    "dup ACK",
    "zero window",
    "zero-window probe",
    "zero-window probe ACK",
    "window update",
    "window full",
    "keep-alive",
    "keep-alive ACK",
    "ports reused",
};

const char *track_state_name(enum tcp_state s)
{
    if ((unsigned)s >= TCP_STATE_COUNT) return "";
    return state_names[s];
}

const char *track_mark_name(unsigned mark_bit_index)
{
    return mark_bit_index < MARK_COUNT ? mark_names[mark_bit_index] : "";
}

const char *track_mark_words(unsigned mark_bit_index)
{
    return mark_bit_index < MARK_COUNT ? mark_words[mark_bit_index] : "";
}
