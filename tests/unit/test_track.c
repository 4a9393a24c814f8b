/* Tests of the tracker: hand-built packet views (no decoder involved) fed in capture order,
 * checked against what tshark 4.0 reports for the same exchange; and snapshots, checked on
 * the real captures (decoded) by resuming a saved tracker beside the original. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "sockscope/capture.h"
#include "sockscope/track.h"

#define MS 1000000ull
#define S (1000 * MS)

static const uint8_t payload_bytes[65536];

/* A two-party exchange: side 0 is A (10.0.0.1:40000 by default), side 1 is B (10.0.0.2:80). */
struct wire {
    struct tracker *tr;
    struct ip_address addr[2];
    uint16_t port[2];
    uint64_t now;
    uint32_t frame;
};

static void wire_init(struct wire *w, struct tracker *tr)
{
    memset(w, 0, sizeof *w);
    w->tr = tr;
    w->addr[0].family = w->addr[1].family = 4;
    w->addr[0].bytes[0] = w->addr[1].bytes[0] = 10;
    w->addr[0].bytes[3] = 1;
    w->addr[1].bytes[3] = 2;
    w->port[0] = 40000;
    w->port[1] = 80;
    w->now = 1700000000 * S;
}

static struct packet base_packet(struct wire *w, int from, enum packet_proto proto)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    w->now += MS;
    p.ts_ns = w->now;
    p.src = w->addr[from];
    p.dst = w->addr[!from];
    p.sport = w->port[from];
    p.dport = w->port[!from];
    p.proto = proto;
    p.ip_proto = proto == PROTO_TCP ? 6 : 17;
    p.payload = payload_bytes;
    return p;
}

/* A TCP segment; ws < 0 means no window scale option. */
static struct packet tcp_packet(struct wire *w, int from, uint32_t seq, uint32_t ack,
                                uint16_t flags, uint32_t len, uint16_t win, int ws)
{
    struct packet p = base_packet(w, from, PROTO_TCP);
    p.seq = seq;
    p.ack = ack;
    p.flags = flags;
    p.window = win;
    p.tcp_header_len = 20;
    p.payload_len = p.payload_caplen = len;
    if (ws >= 0) {
        p.opt.has_wscale = true;
        p.opt.wscale = (uint8_t)ws;
    }
    return p;
}

/* Sends a TCP segment; ws < 0 means no window scale option. */
static struct track_info tcp_ws(struct wire *w, int from, uint32_t seq, uint32_t ack,
                                uint16_t flags, uint32_t len, uint16_t win, int ws)
{
    struct packet p = tcp_packet(w, from, seq, ack, flags, len, win, ws);
    struct track_info info;
    track_feed(w->tr, &p, ++w->frame, &info);
    return info;
}

static struct track_info tcp(struct wire *w, int from, uint32_t seq, uint32_t ack, uint16_t flags,
                             uint32_t len)
{
    return tcp_ws(w, from, seq, ack, flags, len, 1000, -1);
}

static struct packet udp_packet(struct wire *w, int from, uint32_t len)
{
    struct packet p = base_packet(w, from, PROTO_UDP);
    p.udp_len = (uint16_t)(8 + len);
    p.payload_len = p.payload_caplen = len;
    return p;
}

static struct track_info udp(struct wire *w, int from, uint32_t len)
{
    struct packet p = udp_packet(w, from, len);
    struct track_info info;
    track_feed(w->tr, &p, ++w->frame, &info);
    return info;
}

#define A 0
#define B 1
#define ISN_A 1000u
#define ISN_B 5000u
#define SA (TCP_SYN | TCP_ACK)
#define FA (TCP_FIN | TCP_ACK)
#define PA (TCP_PSH | TCP_ACK)

/* SYN, SYN+ACK, ACK with ISNs 1000 (A) and 5000 (B); no window scaling. */
static void handshake(struct wire *w)
{
    tcp(w, A, ISN_A, 0, TCP_SYN, 0);
    tcp(w, B, ISN_B, ISN_A + 1, SA, 0);
    tcp(w, A, ISN_A + 1, ISN_B + 1, TCP_ACK, 0);
}

static int setup(void **state)
{
    *state = track_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    track_free(*state);
    return 0;
}

static void test_syn_ack_acknowledges_client_isn_plus_one(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    struct track_info syn = tcp(&w, A, ISN_A, 0, TCP_SYN, 0);
    struct track_info synack = tcp(&w, B, ISN_B, ISN_A + 1, SA, 0);
    assert_true(syn.has_flow);
    assert_true(syn.new_flow);
    assert_int_equal(syn.seq_rel, 0);
    assert_int_equal(syn.next_seq_rel, 1);
    assert_int_equal(synack.seq_rel, 0);
    assert_int_equal(synack.ack_rel, 1);
    assert_int_equal(synack.dir, ROLE_SERVER);
    assert_int_equal(syn.dir, ROLE_CLIENT);
    assert_int_equal(synack.client.port, 40000);
    assert_int_equal(synack.server.port, 80);
    assert_false(synack.new_flow);
    assert_int_equal(synack.stream, syn.stream);
}

static void test_handshake_moves_both_ends_to_established(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    struct track_info syn = tcp(&w, A, ISN_A, 0, TCP_SYN, 0);
    assert_int_equal(syn.state_src_before, TCP_STATE_CLOSED);
    assert_int_equal(syn.state_src, TCP_STATE_SYN_SENT);
    /* a SYN alone does not tell a listener from a closed port: nothing claimed yet */
    assert_int_equal(syn.state_dst_before, TCP_STATE_UNKNOWN);
    assert_int_equal(syn.state_dst, TCP_STATE_UNKNOWN);
    struct track_info synack = tcp(&w, B, ISN_B, ISN_A + 1, SA, 0);
    /* the SYN+ACK proves the server was listening when the SYN came */
    assert_int_equal(synack.state_src_before, TCP_STATE_LISTEN);
    assert_int_equal(synack.state_src, TCP_STATE_SYN_RECEIVED);
    assert_int_equal(synack.state_dst_before, TCP_STATE_SYN_SENT);
    assert_int_equal(synack.state_dst, TCP_STATE_ESTABLISHED);
    struct track_info ack = tcp(&w, A, ISN_A + 1, ISN_B + 1, TCP_ACK, 0);
    assert_int_equal(ack.state_src, TCP_STATE_ESTABLISHED);
    assert_int_equal(ack.state_dst_before, TCP_STATE_SYN_RECEIVED);
    assert_int_equal(ack.state_dst, TCP_STATE_ESTABLISHED);
    assert_int_equal(ack.seq_rel, 1);
    assert_int_equal(ack.ack_rel, 1);
    assert_int_equal(ack.marks, 0);
}

static void test_active_close_goes_through_fin_wait_and_time_wait(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    struct track_info fin = tcp(&w, A, ISN_A + 1, ISN_B + 1, FA, 0);
    assert_int_equal(fin.state_src, TCP_STATE_FIN_WAIT_1);
    assert_int_equal(fin.state_dst, TCP_STATE_CLOSE_WAIT);
    struct track_info ack = tcp(&w, B, ISN_B + 1, ISN_A + 2, TCP_ACK, 0);
    assert_int_equal(ack.state_dst, TCP_STATE_FIN_WAIT_2);
    assert_int_equal(ack.state_src, TCP_STATE_CLOSE_WAIT);
    struct track_info fin2 = tcp(&w, B, ISN_B + 1, ISN_A + 2, FA, 0);
    assert_int_equal(fin2.state_src, TCP_STATE_LAST_ACK);
    assert_int_equal(fin2.state_dst, TCP_STATE_TIME_WAIT);
    struct track_info last = tcp(&w, A, ISN_A + 2, ISN_B + 2, TCP_ACK, 0);
    assert_int_equal(last.state_src, TCP_STATE_TIME_WAIT);
    assert_int_equal(last.state_dst_before, TCP_STATE_LAST_ACK);
    assert_int_equal(last.state_dst, TCP_STATE_CLOSED);
    assert_int_equal(last.marks, 0);
}

static void test_half_close_lets_the_other_side_keep_sending(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, FA, 0);
    tcp(&w, B, ISN_B + 1, ISN_A + 2, TCP_ACK, 0);
    struct track_info data = tcp(&w, B, ISN_B + 1, ISN_A + 2, PA, 100);
    assert_int_equal(data.state_src, TCP_STATE_CLOSE_WAIT);
    assert_int_equal(data.state_dst, TCP_STATE_FIN_WAIT_2);
    assert_int_equal(data.marks, 0);
    struct track_info ack = tcp(&w, A, ISN_A + 2, ISN_B + 101, TCP_ACK, 0);
    assert_int_equal(ack.state_src, TCP_STATE_FIN_WAIT_2);
    assert_int_equal(ack.acked_frame, 6);
    struct track_info fin = tcp(&w, B, ISN_B + 101, ISN_A + 2, FA, 0);
    assert_int_equal(fin.state_src, TCP_STATE_LAST_ACK);
    assert_int_equal(fin.state_dst, TCP_STATE_TIME_WAIT);
}

static void test_rst_closes_both_ends(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    struct track_info rst = tcp(&w, B, ISN_B + 1, ISN_A + 1, TCP_RST | TCP_ACK, 0);
    assert_int_equal(rst.state_src_before, TCP_STATE_ESTABLISHED);
    assert_int_equal(rst.state_src, TCP_STATE_CLOSED);
    assert_int_equal(rst.state_dst, TCP_STATE_CLOSED);
}

static void test_simultaneous_close_passes_through_closing(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, FA, 0);
    struct track_info fin_b = tcp(&w, B, ISN_B + 1, ISN_A + 1, FA, 0); /* crossed A's FIN */
    assert_int_equal(fin_b.state_src, TCP_STATE_CLOSING);
    assert_int_equal(fin_b.state_dst, TCP_STATE_CLOSING);
    struct track_info ack_a = tcp(&w, A, ISN_A + 2, ISN_B + 2, TCP_ACK, 0);
    assert_int_equal(ack_a.state_dst, TCP_STATE_TIME_WAIT);
    struct track_info ack_b = tcp(&w, B, ISN_B + 2, ISN_A + 2, TCP_ACK, 0);
    assert_int_equal(ack_b.state_dst, TCP_STATE_TIME_WAIT);
    assert_int_equal(ack_b.state_src, TCP_STATE_TIME_WAIT);
}

static void test_simultaneous_open_reaches_established(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    w.port[1] = 40001;
    tcp(&w, A, ISN_A, 0, TCP_SYN, 0);
    struct track_info syn_b = tcp(&w, B, ISN_B, 0, TCP_SYN, 0);
    assert_int_equal(syn_b.state_src, TCP_STATE_SYN_RECEIVED);
    assert_int_equal(syn_b.state_dst, TCP_STATE_SYN_RECEIVED);
    assert_int_equal(syn_b.stream, 0);
    struct track_info sa_a = tcp(&w, A, ISN_A, ISN_B + 1, SA, 0);
    assert_int_equal(sa_a.state_dst, TCP_STATE_ESTABLISHED);
    struct track_info sa_b = tcp(&w, B, ISN_B, ISN_A + 1, SA, 0);
    assert_int_equal(sa_b.state_dst, TCP_STATE_ESTABLISHED);
    assert_int_equal(sa_b.state_src, TCP_STATE_ESTABLISHED);
}

static void test_resent_data_is_a_retransmission(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);
    w.now += 300 * MS;
    struct track_info again = tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);
    assert_int_equal(again.marks, MARK_RETRANSMISSION);
}

static void test_resend_after_two_dup_acks_is_a_fast_retransmission(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);                           /* 4: lost later */
    struct track_info gap = tcp(&w, A, ISN_A + 101, ISN_B + 1, PA, 100); /* 5 */
    assert_int_equal(gap.marks, 0);
    /* B's ACKs repeat the ACK of its SYN+ACK: duplicates from the first one on. */
    struct track_info d1 = tcp(&w, B, ISN_B + 1, ISN_A + 1, TCP_ACK, 0);
    struct track_info d2 = tcp(&w, B, ISN_B + 1, ISN_A + 1, TCP_ACK, 0);
    assert_int_equal(d1.marks, MARK_DUPLICATE_ACK);
    assert_int_equal(d2.dup_ack_count, 2);
    struct track_info fast = tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);
    assert_int_equal(fast.marks, MARK_FAST_RETRANSMISSION);
}

static void test_dup_acks_are_numbered_and_name_the_original(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    /* The SYN+ACK (frame 2) carried ACK 1 first: plain ACKs repeating it are duplicates. */
    for (uint32_t n = 1; n <= 3; n++) {
        struct track_info d = tcp(&w, B, ISN_B + 1, ISN_A + 1, TCP_ACK, 0);
        assert_int_equal(d.marks, MARK_DUPLICATE_ACK);
        assert_int_equal(d.dup_ack_count, n);
        assert_int_equal(d.dup_ack_of_frame, 2);
    }
    struct track_info moved = tcp(&w, B, ISN_B + 1, ISN_A + 1, TCP_ACK, 0);
    assert_int_equal(moved.dup_ack_count, 4);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 10);
    struct track_info fresh = tcp(&w, B, ISN_B + 1, ISN_A + 11, TCP_ACK, 0);
    assert_int_equal(fresh.marks, 0);
    struct track_info again = tcp(&w, B, ISN_B + 1, ISN_A + 11, TCP_ACK, 0);
    assert_int_equal(again.dup_ack_count, 1);
    assert_int_equal(again.dup_ack_of_frame, w.frame - 1);
}

static void test_data_already_acked_is_a_spurious_retransmission(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);
    tcp(&w, B, ISN_B + 1, ISN_A + 101, TCP_ACK, 0);
    struct track_info again = tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);
    assert_int_equal(again.marks, MARK_SPURIOUS_RETRANSMISSION);
}

static void test_late_segment_soon_after_is_out_of_order(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 101, ISN_B + 1, PA, 100); /* arrives first */
    struct track_info late = tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);
    assert_int_equal(late.marks, MARK_OUT_OF_ORDER);
}

static void test_gap_is_a_lost_segment_and_its_ack_an_acked_unseen_segment(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);
    struct track_info gap = tcp(&w, A, ISN_A + 201, ISN_B + 1, PA, 100);
    assert_int_equal(gap.marks, MARK_LOST_SEGMENT);
    struct track_info ack = tcp(&w, B, ISN_B + 1, ISN_A + 401, TCP_ACK, 0);
    assert_int_equal(ack.marks, MARK_ACK_LOST_SEGMENT);
    /* Repeating that ACK is a dup ACK, not a second report of the same loss. */
    struct track_info again = tcp(&w, B, ISN_B + 1, ISN_A + 401, TCP_ACK, 0);
    assert_int_equal(again.marks, MARK_DUPLICATE_ACK);
}

static void test_zero_window_probe_and_its_ack(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);
    struct track_info zw = tcp_ws(&w, B, ISN_B + 1, ISN_A + 101, TCP_ACK, 0, 0, -1);
    assert_int_equal(zw.marks, MARK_ZERO_WINDOW);
    struct track_info probe = tcp(&w, A, ISN_A + 101, ISN_B + 1, TCP_ACK, 1);
    assert_int_equal(probe.marks, MARK_ZERO_WINDOW_PROBE);
    struct track_info pack = tcp_ws(&w, B, ISN_B + 1, ISN_A + 101, TCP_ACK, 0, 0, -1);
    assert_int_equal(pack.marks, MARK_ZERO_WINDOW | MARK_ZERO_WINDOW_PROBE_ACK);
    struct track_info update = tcp_ws(&w, B, ISN_B + 1, ISN_A + 101, TCP_ACK, 0, 2000, -1);
    assert_int_equal(update.marks, MARK_WINDOW_UPDATE);
}

static void test_segment_filling_the_window_is_window_full(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w); /* B advertised 1000 in its SYN+ACK, unscaled */
    tcp(&w, B, ISN_B + 1, ISN_A + 1, TCP_ACK, 0);
    struct track_info full = tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 1000);
    assert_int_equal(full.marks, MARK_WINDOW_FULL);
}

static void test_keep_alive_and_its_ack(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, B, ISN_B + 1, ISN_A + 1, TCP_ACK, 0);
    w.now += 60 * S;
    struct track_info ka = tcp(&w, A, ISN_A, ISN_B + 1, TCP_ACK, 0);
    assert_int_equal(ka.marks, MARK_KEEP_ALIVE);
    struct track_info kaack = tcp(&w, B, ISN_B + 1, ISN_A + 1, TCP_ACK, 0);
    assert_int_equal(kaack.marks, MARK_KEEP_ALIVE_ACK);
}

static void test_ack_rtt_measures_the_segment_it_acknowledges(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);   /* frame 4 */
    tcp(&w, A, ISN_A + 101, ISN_B + 1, PA, 100); /* frame 5 */
    w.now += 9 * MS;
    struct track_info ack = tcp(&w, B, ISN_B + 1, ISN_A + 201, TCP_ACK, 0);
    assert_int_equal(ack.acked_frame, 5);
    assert_int_equal(ack.ack_rtt_ns, 10 * MS);
    struct track_info none = tcp(&w, A, ISN_A + 201, ISN_B + 1, TCP_ACK, 0);
    assert_int_equal(none.acked_frame, 0);
    assert_true(none.ack_rtt_ns < 0);
}

static void test_window_is_scaled_once_both_sides_offer_scaling(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    struct track_info syn = tcp_ws(&w, A, ISN_A, 0, TCP_SYN, 0, 64240, 7);
    assert_int_equal(syn.window, 64240); /* SYN windows are never scaled */
    tcp_ws(&w, B, ISN_B, ISN_A + 1, SA, 0, 65160, 9);
    struct track_info a = tcp_ws(&w, A, ISN_A + 1, ISN_B + 1, TCP_ACK, 0, 502, -1);
    struct track_info b = tcp_ws(&w, B, ISN_B + 1, ISN_A + 1, TCP_ACK, 0, 100, -1);
    assert_int_equal(a.window, 502 << 7);
    assert_int_equal(b.window, 100 << 9);
    assert_false(a.window_scale_unknown);
}

static void test_window_unscaled_when_one_side_lacks_scaling(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    tcp_ws(&w, A, ISN_A, 0, TCP_SYN, 0, 64240, 7);
    tcp_ws(&w, B, ISN_B, ISN_A + 1, SA, 0, 65160, -1);
    struct track_info a = tcp_ws(&w, A, ISN_A + 1, ISN_B + 1, TCP_ACK, 0, 502, -1);
    assert_int_equal(a.window, 502);
    assert_false(a.window_scale_unknown);
}

static void test_mid_stream_start_numbers_from_first_seen_and_leaves_window_raw(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    struct track_info d = tcp_ws(&w, B, 777000, 123000, PA, 50, 300, -1);
    assert_true(d.new_flow);
    assert_int_equal(d.seq_rel, 1);
    assert_int_equal(d.ack_rel, 1);
    assert_int_equal(d.window, 300);
    assert_true(d.window_scale_unknown);
    assert_int_equal(d.client.port, 40000); /* ephemeral port: the client, though B spoke */
    assert_int_equal(d.dir, ROLE_SERVER);
    assert_int_equal(d.state_src_before, TCP_STATE_UNKNOWN);
    assert_int_equal(d.state_src, TCP_STATE_ESTABLISHED);
    struct track_info a = tcp(&w, A, 123000, 777050, TCP_ACK, 0);
    assert_int_equal(a.seq_rel, 1);
    assert_int_equal(a.ack_rel, 51);
}

static void test_new_isn_on_same_ports_opens_a_new_stream(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, FA, 0);
    tcp(&w, B, ISN_B + 1, ISN_A + 2, FA, 0);
    tcp(&w, A, ISN_A + 2, ISN_B + 2, TCP_ACK, 0);
    struct track_info syn = tcp(&w, A, 90000, 0, TCP_SYN, 0);
    assert_int_equal(syn.stream, 1);
    assert_true(syn.new_flow);
    assert_int_equal(syn.marks, MARK_REUSED_PORTS);
    assert_int_equal(syn.state_src, TCP_STATE_SYN_SENT);
    assert_int_equal(syn.seq_rel, 0);
}

static void test_syn_to_a_closed_port_never_claims_a_listener(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    struct track_info syn = tcp(&w, A, ISN_A, 0, TCP_SYN, 0);
    assert_int_not_equal(syn.state_dst, TCP_STATE_LISTEN);
    assert_int_not_equal(syn.state_dst, TCP_STATE_SYN_RECEIVED);
    struct track_info rst = tcp(&w, B, 0, ISN_A + 1, TCP_RST | TCP_ACK, 0);
    assert_int_equal(rst.state_src_before, TCP_STATE_UNKNOWN);
    assert_int_equal(rst.state_src, TCP_STATE_CLOSED);
    assert_int_equal(rst.state_dst, TCP_STATE_CLOSED);
}

static void test_resent_syn_keeps_its_stream(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    tcp(&w, A, ISN_A, 0, TCP_SYN, 0);
    w.now += S;
    struct track_info again = tcp(&w, A, ISN_A, 0, TCP_SYN, 0);
    assert_int_equal(again.stream, 0);
    assert_int_equal(again.marks, MARK_RETRANSMISSION);
}

/* The kind of each arrow is decided here, once: the store and every output take it. */
static void test_segment_kind_names_each_arrow_and_a_suspicion_wins(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    assert_int_equal(tcp(&w, A, ISN_A, 0, TCP_SYN, 0).kind, SEGMENT_SYN);
    assert_int_equal(tcp(&w, B, ISN_B, ISN_A + 1, SA, 0).kind, SEGMENT_SYNACK);
    assert_int_equal(tcp(&w, A, ISN_A + 1, ISN_B + 1, TCP_ACK, 0).kind, SEGMENT_ACK);
    assert_int_equal(tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100).kind, SEGMENT_DATA);
    w.now += 300 * MS;
    struct track_info again = tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 100);
    assert_int_equal(again.marks, MARK_RETRANSMISSION);
    assert_int_equal(again.kind, SEGMENT_SUSPECT);
    assert_int_equal(tcp(&w, A, ISN_A + 101, ISN_B + 1, FA, 0).kind, SEGMENT_FIN);
    assert_int_equal(tcp(&w, B, ISN_B + 1, ISN_A + 102, TCP_RST, 0).kind, SEGMENT_RST);
    assert_int_equal(udp(&w, A, 5).kind, SEGMENT_UDP);
    struct packet other = base_packet(&w, A, PROTO_OTHER);
    struct track_info oi;
    track_feed(w.tr, &other, ++w.frame, &oi);
    assert_false(oi.has_flow);
    assert_int_equal(oi.kind, SEGMENT_OTHER);
}

static void test_udp_streams_have_their_own_counter(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    w.port[1] = 12000;
    struct track_info u1 = udp(&w, A, 5);
    struct track_info u2 = udp(&w, B, 5);
    assert_int_equal(u1.stream, 0);
    assert_int_equal(u1.flow_proto, PROTO_UDP);
    assert_true(u1.new_flow);
    assert_false(u2.new_flow);
    assert_int_equal(u2.dir, ROLE_SERVER);
    assert_int_equal(u1.state_src, TCP_STATE_UNKNOWN);
    w.port[0] = 40002;
    assert_int_equal(udp(&w, A, 5).stream, 1);
    struct track_stats st;
    track_get_stats(w.tr, &st);
    assert_int_equal(st.tcp_streams, 1);
    assert_int_equal(st.udp_streams, 2);
}

static void test_icmp_port_unreachable_belongs_to_the_udp_flow(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    w.port[1] = 12000;
    udp(&w, A, 5);
    struct packet p = base_packet(&w, B, PROTO_ICMP);
    p.ip_proto = 1;
    p.icmp_type = 3;
    p.icmp_code = 3;
    p.icmp_error = true;
    p.quote.valid = true;
    p.quote.ip_proto = 17;
    p.quote.src = w.addr[A];
    p.quote.dst = w.addr[B];
    p.quote.sport = w.port[A];
    p.quote.dport = w.port[B];
    p.payload_len = p.payload_caplen = 36;
    struct track_info info;
    track_feed(w.tr, &p, ++w.frame, &info);
    assert_true(info.has_flow);
    assert_int_equal(info.flow_proto, PROTO_UDP);
    assert_int_equal(info.stream, 0);
    assert_int_equal(info.dir, ROLE_SERVER);
    assert_false(info.new_flow);
}

static void test_idle_conversation_forgotten_keeps_its_stream(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    handshake(&w);
    tcp(&w, A, ISN_A + 1, ISN_B + 1, PA, 10);
    /* Forgetting on time alone starts only once many conversations are held. */
    w.port[1] = 12000;
    for (uint32_t i = 0; i < 9000; i++) {
        w.port[0] = (uint16_t)(20000 + i);
        udp(&w, A, 1);
    }
    w.now += 400 * S;
    w.port[0] = 40001;
    udp(&w, A, 1); /* a packet 400 s later makes the idle ones stale */
    struct track_stats st;
    track_get_stats(w.tr, &st);
    assert_true(st.live_flows <= 8193);
    w.port[0] = 40000;
    w.port[1] = 80;
    struct track_info late = tcp(&w, B, ISN_B + 1, ISN_A + 11, TCP_ACK, 0);
    assert_int_equal(late.stream, 0);
    assert_false(late.new_flow);
    assert_int_equal(late.seq_rel, 1);
    assert_int_equal(late.ack_rel, 11);
    /* and a new SYN on the forgotten ports still opens a new, marked stream */
    struct track_info syn = tcp(&w, A, 77, 0, TCP_SYN, 0);
    assert_int_equal(syn.stream, 1);
    assert_int_equal(syn.marks, MARK_REUSED_PORTS);
    /* a UDP conversation forgotten the same way keeps its number too */
    w.port[0] = 20000;
    w.port[1] = 12000;
    struct track_info u = udp(&w, B, 1);
    assert_int_equal(u.stream, 0);
    assert_false(u.new_flow);
}

static void test_many_short_connections_keep_memory_bounded(void **state)
{
    struct wire w;
    wire_init(&w, *state);
    for (uint32_t i = 0; i < 200000; i++) {
        w.port[0] = (uint16_t)(1024 + i % 60000);
        w.addr[0].bytes[2] = (uint8_t)(i / 60000);
        handshake(&w);
        tcp(&w, A, ISN_A + 1, ISN_B + 1, FA, 0);
        tcp(&w, B, ISN_B + 1, ISN_A + 2, FA, 0);
        tcp(&w, A, ISN_A + 2, ISN_B + 2, TCP_ACK, 0);
    }
    struct track_stats st;
    track_get_stats(w.tr, &st);
    assert_int_equal(st.tcp_streams, 200000);
    assert_true(st.live_flows <= 65536);
}

static void test_names_follow_rfc_9293_and_json(void **state)
{
    (void)state;
    assert_string_equal(track_state_name(TCP_STATE_SYN_RECEIVED), "SYN-RECEIVED");
    assert_string_equal(track_state_name(TCP_STATE_TIME_WAIT), "TIME-WAIT");
    assert_string_equal(track_state_name(TCP_STATE_UNKNOWN), "");
    assert_string_equal(track_mark_name(0), "retransmission");
    assert_string_equal(track_mark_name(6), "duplicate_ack");
    assert_string_equal(track_mark_name(14), "reused_ports");
    assert_string_equal(track_mark_name(MARK_COUNT), "");
    assert_string_equal(track_mark_words(6), "dup ACK");
    for (unsigned i = 0; i < MARK_COUNT; i++)
        assert_true(track_mark_words(i)[0] != '\0');
}

/* ---- snapshots ---- */

static void assert_endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
    assert_int_equal(a->addr.family, b->addr.family);
    assert_memory_equal(a->addr.bytes, b->addr.bytes, sizeof a->addr.bytes);
    assert_int_equal(a->port, b->port);
}

/* Field by field: padding may differ between two equal infos. */
static void assert_info_equal(const struct track_info *a, const struct track_info *b)
{
    assert_int_equal(a->has_flow, b->has_flow);
    assert_int_equal(a->new_flow, b->new_flow);
    assert_int_equal(a->flow_proto, b->flow_proto);
    assert_int_equal(a->stream, b->stream);
    assert_int_equal(a->dir, b->dir);
    assert_endpoint_equal(&a->client, &b->client);
    assert_endpoint_equal(&a->server, &b->server);
    assert_int_equal(a->seq_rel, b->seq_rel);
    assert_int_equal(a->ack_rel, b->ack_rel);
    assert_int_equal(a->next_seq_rel, b->next_seq_rel);
    assert_int_equal(a->window, b->window);
    assert_int_equal(a->window_scale_unknown, b->window_scale_unknown);
    assert_int_equal(a->marks, b->marks);
    assert_int_equal(a->dup_ack_count, b->dup_ack_count);
    assert_int_equal(a->dup_ack_of_frame, b->dup_ack_of_frame);
    assert_int_equal(a->ack_rtt_ns, b->ack_rtt_ns);
    assert_int_equal(a->acked_frame, b->acked_frame);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->acked_segments, b->acked_segments);
    assert_int_equal(a->rtt.sample_ns, b->rtt.sample_ns);
    assert_int_equal(a->rtt.est_ns, b->rtt.est_ns);
    assert_int_equal(a->rtt.dev_ns, b->rtt.dev_ns);
    assert_int_equal(a->rtt.rto_ns, b->rtt.rto_ns);
    assert_int_equal(a->rtt.min_ns, b->rtt.min_ns);
    assert_int_equal(a->rtt.sample_frame, b->rtt.sample_frame);
    assert_int_equal(a->rtt.karn, b->rtt.karn);
    assert_int_equal(a->resent_of_frame, b->resent_of_frame);
    assert_int_equal(a->resent_after_ns, b->resent_after_ns);
    assert_int_equal(a->resent_rto_ns, b->resent_rto_ns);
    assert_int_equal(a->state_src, b->state_src);
    assert_int_equal(a->state_dst, b->state_dst);
    assert_int_equal(a->state_src_before, b->state_src_before);
    assert_int_equal(a->state_dst_before, b->state_dst_before);
}

static void assert_stats_equal(const struct tracker *a, const struct tracker *b)
{
    struct track_stats sa, sb;
    track_get_stats(a, &sa);
    track_get_stats(b, &sb);
    assert_int_equal(sa.tcp_streams, sb.tcp_streams);
    assert_int_equal(sa.udp_streams, sb.udp_streams);
    assert_int_equal(sa.live_flows, sb.live_flows);
}

/* A capture held in memory, decoded again at each feed (packet views point into it). */
struct frames {
    int linktype;
    struct test_frames all;
};

static void frames_load(struct frames *fs, const char *path)
{
    char err[256];
    struct capture_file *cf;
    struct capture_frame fr;
    if (capture_file_open(path, NULL, &cf, err, sizeof err) != STATUS_OK) fail_msg("%s", err);
    memset(fs, 0, sizeof *fs);
    fs->linktype = capture_file_linktype(cf);
    while (capture_file_next(cf, &fr, err, sizeof err) == 1)
        test_frames_push(&fs->all, &fr);
    capture_file_close(cf);
}

static void feed_frame(struct tracker *t, const struct frames *fs, uint32_t i,
                       struct track_info *info)
{
    const struct test_frame *f = &fs->all.f[i];
    struct packet p;
    decode_packet(fs->linktype, f->data, f->caplen, f->wirelen, f->ts_ns, &p);
    track_feed(t, &p, f->number, info);
}

/* Saves t into a temporary file behind other data, as the indexer will, and loads it. */
static struct tracker *round_trip(const struct tracker *t)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int fd = fileno(tmp);
    assert_int_equal(pwrite(fd, "an earlier checkpoint", 21, 0), 21);
    int64_t size = track_save(t, fd, 4096);
    assert_true(size > 0);
    assert_int_equal(lseek(fd, 0, SEEK_END), 4096 + size);
    struct tracker *back = track_load(fd, 4096);
    assert_non_null(back);
    fclose(tmp);
    return back;
}

/* The original tracker is fed the whole capture; before frames 0, 7, 14, ..., the middle
 * and the end it is saved and loaded, and the loaded one fed the rest must say exactly what
 * the original says for those frames. The original carries on after each save and must
 * still say the same (a save leaves it unchanged). */
static void check_resuming_everywhere(const char *path)
{
    struct frames fs;
    frames_load(&fs, path);
    struct track_info *want = calloc(fs.all.n + 1, sizeof *want);
    assert_non_null(want);
    struct tracker *reference = track_new();
    for (uint32_t i = 0; i < fs.all.n; i++)
        feed_frame(reference, &fs, i, &want[i]);

    struct tracker *orig = track_new();
    struct track_info got;
    for (uint32_t cut = 0; cut <= fs.all.n; cut++) {
        if (cut % 7 == 0 || cut == fs.all.n / 2 || cut == fs.all.n) {
            struct tracker *back = round_trip(orig);
            assert_stats_equal(back, orig);
            for (uint32_t i = cut; i < fs.all.n; i++) {
                feed_frame(back, &fs, i, &got);
                assert_info_equal(&got, &want[i]);
            }
            assert_stats_equal(back, reference);
            track_free(back);
        }
        if (cut < fs.all.n) {
            feed_frame(orig, &fs, cut, &got);
            assert_info_equal(&got, &want[cut]);
        }
    }
    assert_stats_equal(orig, reference);
    track_free(orig);
    track_free(reference);
    free(want);
    test_frames_free(&fs.all);
}

static void test_snapshot_resumes_every_capture_where_it_was_cut(void **state)
{
    (void)state;
    DIR *d = opendir(SOCKSCOPE_CAPTURES_DIR);
    assert_non_null(d);
    int checked = 0;
    bool loss = false;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".pcap") != 0) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", SOCKSCOPE_CAPTURES_DIR, e->d_name);
        check_resuming_everywhere(path);
        checked++;
        loss |= strcmp(e->d_name, "tcp-loss.pcap") == 0;
    }
    closedir(d);
    assert_true(checked >= 10);
    assert_true(loss); /* retransmissions, dup ACKs and RTTs cross the cuts */
}

/* Packets built in advance, so two trackers can be fed the very same ones. */
struct script {
    struct packet *p;
    uint32_t n, cap;
};

static void script_add(struct script *s, struct packet p)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->p = realloc(s->p, s->cap * sizeof *s->p);
        assert_non_null(s->p);
    }
    s->p[s->n++] = p;
}

/* Conversation i of the big set: its own client port (and third address byte). */
static void aim(struct wire *w, uint32_t i, uint16_t server_port)
{
    w->port[0] = (uint16_t)(1024 + i % 50000);
    w->addr[0].bytes[2] = (uint8_t)(i / 50000);
    w->port[1] = server_port;
}

static void test_snapshot_of_thousands_of_conversations_resumes_identically(void **state)
{
    enum { TCP_CONNS = 4000, UDP_FLOWS = 8000 };
    struct wire w;
    wire_init(&w, *state);
    struct script before = {0}, after = {0};

    /* Before: connections with data in flight (unacked segments), half of them closed, and
     * UDP flows; then 400 s of silence and a packet, so idle ones become tombs. */
    for (uint32_t i = 0; i < TCP_CONNS; i++) {
        aim(&w, i, 80);
        script_add(&before, tcp_packet(&w, A, ISN_A + i, 0, TCP_SYN, 0, 1000, 7));
        script_add(&before, tcp_packet(&w, B, ISN_B, ISN_A + i + 1, SA, 0, 1000, 7));
        script_add(&before, tcp_packet(&w, A, ISN_A + i + 1, ISN_B + 1, TCP_ACK, 0, 1000, -1));
        script_add(&before, tcp_packet(&w, A, ISN_A + i + 1, ISN_B + 1, PA, 100, 1000, -1));
        script_add(&before, tcp_packet(&w, A, ISN_A + i + 101, ISN_B + 1, PA, 100, 1000, -1));
        if (i % 2) {
            script_add(&before,
                       tcp_packet(&w, B, ISN_B + 1, ISN_A + i + 201, TCP_ACK, 0, 1000, -1));
            script_add(&before, tcp_packet(&w, A, ISN_A + i + 201, ISN_B + 1, FA, 0, 1000, -1));
            script_add(&before, tcp_packet(&w, B, ISN_B + 1, ISN_A + i + 202, FA, 0, 1000, -1));
        }
    }
    for (uint32_t i = 0; i < UDP_FLOWS; i++) {
        aim(&w, i, 12000);
        script_add(&before, udp_packet(&w, A, 10));
    }
    w.now += 400 * S;
    aim(&w, TCP_CONNS, 53);
    script_add(&before, udp_packet(&w, A, 10));

    /* After: acknowledgements (RTTs), the last FINs, late packets on forgotten
     * conversations, reused ports with a new ISN, and more UDP. */
    for (uint32_t i = 0; i < TCP_CONNS; i += 3) {
        aim(&w, i, 80);
        if (i % 2) {
            script_add(&after, tcp_packet(&w, A, ISN_A + i + 202, ISN_B + 2, TCP_ACK, 0, 1000, -1));
            script_add(&after, tcp_packet(&w, A, 9000 + i, 0, TCP_SYN, 0, 1000, -1));
        } else {
            script_add(&after, tcp_packet(&w, B, ISN_B + 1, ISN_A + i + 201, TCP_ACK, 0, 1000, -1));
            script_add(&after, tcp_packet(&w, A, ISN_A + i + 101, ISN_B + 1, PA, 100, 1000, -1));
            script_add(&after, tcp_packet(&w, B, ISN_B + 1, ISN_A + i + 201, TCP_ACK, 0, 1000, -1));
        }
    }
    for (uint32_t i = 0; i < UDP_FLOWS; i += 5) {
        aim(&w, i, 12000);
        script_add(&after, udp_packet(&w, B, 10));
    }

    struct tracker *orig = w.tr;
    struct track_info a, b;
    for (uint32_t i = 0; i < before.n; i++)
        track_feed(orig, &before.p[i], i + 1, &a);
    struct track_stats st;
    track_get_stats(orig, &st);
    assert_true(st.live_flows > 4 * 1024); /* several chunks of flows */
    assert_true(st.tcp_streams + st.udp_streams - st.live_flows > 2 * 1024); /* and of tombs */

    struct tracker *back = round_trip(orig);
    assert_stats_equal(back, orig);
    bool marked = false, timed = false;
    for (uint32_t i = 0; i < after.n; i++) {
        track_feed(orig, &after.p[i], before.n + i + 1, &a);
        track_feed(back, &after.p[i], before.n + i + 1, &b);
        assert_info_equal(&a, &b);
        marked |= a.marks != 0;
        timed |= a.acked_frame != 0;
    }
    assert_true(marked && timed);
    assert_stats_equal(back, orig);
    track_free(back);
    free(before.p);
    free(after.p);
}

/* A real snapshot: tcp-loss.pcap tracked to its middle. Returns its bytes and length; the
 * frames are left in *fs for feeding the rest. */
static uint8_t *loss_snapshot(struct frames *fs, uint32_t *cut, size_t *len)
{
    frames_load(fs, SOCKSCOPE_CAPTURES_DIR "/tcp-loss.pcap");
    struct tracker *t = track_new();
    struct track_info info;
    *cut = fs->all.n / 2;
    for (uint32_t i = 0; i < *cut; i++)
        feed_frame(t, fs, i, &info);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int64_t size = track_save(t, fileno(tmp), 0);
    assert_true(size > 0);
    uint8_t *buf = malloc((size_t)size);
    assert_non_null(buf);
    assert_int_equal(pread(fileno(tmp), buf, (size_t)size, 0), size);
    fclose(tmp);
    track_free(t);
    *len = (size_t)size;
    return buf;
}

static struct tracker *load_bytes(const uint8_t *bytes, size_t len)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    if (len) assert_int_equal(fwrite(bytes, 1, len, tmp), len);
    fflush(tmp);
    struct tracker *t = track_load(fileno(tmp), 0);
    fclose(tmp);
    return t;
}

static void test_snapshot_load_refuses_what_is_not_a_snapshot(void **state)
{
    (void)state;
    struct frames fs;
    uint32_t cut;
    size_t len;
    uint8_t *snap = loss_snapshot(&fs, &cut, &len);
    struct tracker *t = load_bytes(snap, len);
    assert_non_null(t); /* the intact one loads */
    track_free(t);

    /* cut short anywhere */
    const size_t cuts[] = {0, 1, 8, 40, 100, len / 2, len - 8, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
        assert_null(load_bytes(snap, cuts[i]));

    /* zeros, random bytes, and random bytes behind a real header */
    size_t big = 1 << 16;
    uint8_t *junk = calloc(1, big);
    assert_non_null(junk);
    assert_null(load_bytes(junk, big));
    srand(12000);
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < big; i++)
            junk[i] = (uint8_t)rand();
        assert_null(load_bytes(junk, big));
        memcpy(junk, snap, 128);
        assert_null(load_bytes(junk, len));
    }
    free(junk);
    free(snap);
    test_frames_free(&fs.all);
}

/* Every byte of a real snapshot flipped in turn: each damaged copy is refused, or it loads
 * into a tracker that can take the rest of the capture (the sanitizers watch). */
static void test_snapshot_with_any_byte_damaged_loads_safely_or_not_at_all(void **state)
{
    (void)state;
    struct frames fs;
    uint32_t cut;
    size_t len;
    uint8_t *snap = loss_snapshot(&fs, &cut, &len);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int fd = fileno(tmp);
    assert_int_equal(pwrite(fd, snap, len, 0), (ssize_t)len);
    int loaded = 0, refused = 0;
    const uint8_t flips[] = {0x01, 0x80, 0xff};
    for (size_t pos = 0; pos < len; pos++) {
        for (size_t k = 0; k < sizeof flips; k++) {
            uint8_t b = snap[pos] ^ flips[k];
            assert_int_equal(pwrite(fd, &b, 1, (off_t)pos), 1);
            struct tracker *t = track_load(fd, 0);
            if (t) {
                struct track_info info;
                for (uint32_t i = cut; i < fs.all.n; i++)
                    feed_frame(t, &fs, i, &info);
                track_free(t);
                loaded++;
            } else {
                refused++;
            }
        }
        assert_int_equal(pwrite(fd, &snap[pos], 1, (off_t)pos), 1);
    }
    assert_true(loaded > 0 && refused > 0);
    fclose(tmp);
    free(snap);
    test_frames_free(&fs.all);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_syn_ack_acknowledges_client_isn_plus_one),
        T(test_handshake_moves_both_ends_to_established),
        T(test_active_close_goes_through_fin_wait_and_time_wait),
        T(test_half_close_lets_the_other_side_keep_sending),
        T(test_rst_closes_both_ends),
        T(test_simultaneous_close_passes_through_closing),
        T(test_simultaneous_open_reaches_established),
        T(test_resent_data_is_a_retransmission),
        T(test_resend_after_two_dup_acks_is_a_fast_retransmission),
        T(test_dup_acks_are_numbered_and_name_the_original),
        T(test_data_already_acked_is_a_spurious_retransmission),
        T(test_late_segment_soon_after_is_out_of_order),
        T(test_gap_is_a_lost_segment_and_its_ack_an_acked_unseen_segment),
        T(test_zero_window_probe_and_its_ack),
        T(test_segment_filling_the_window_is_window_full),
        T(test_keep_alive_and_its_ack),
        T(test_ack_rtt_measures_the_segment_it_acknowledges),
        T(test_window_is_scaled_once_both_sides_offer_scaling),
        T(test_window_unscaled_when_one_side_lacks_scaling),
        T(test_mid_stream_start_numbers_from_first_seen_and_leaves_window_raw),
        T(test_new_isn_on_same_ports_opens_a_new_stream),
        T(test_syn_to_a_closed_port_never_claims_a_listener),
        T(test_resent_syn_keeps_its_stream),
        T(test_segment_kind_names_each_arrow_and_a_suspicion_wins),
    T(test_udp_streams_have_their_own_counter),
        T(test_icmp_port_unreachable_belongs_to_the_udp_flow),
        T(test_idle_conversation_forgotten_keeps_its_stream),
        T(test_many_short_connections_keep_memory_bounded),
        T(test_names_follow_rfc_9293_and_json),
        T(test_snapshot_resumes_every_capture_where_it_was_cut),
        T(test_snapshot_of_thousands_of_conversations_resumes_identically),
        T(test_snapshot_load_refuses_what_is_not_a_snapshot),
        T(test_snapshot_with_any_byte_damaged_loads_safely_or_not_at_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
