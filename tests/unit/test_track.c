/* Tests of the tracker: hand-built packet views (no decoder involved) fed in capture order,
 * checked against what tshark 4.0 reports for the same exchange. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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

/* Sends a TCP segment; ws < 0 means no window scale option. */
static struct track_info tcp_ws(struct wire *w, int from, uint32_t seq, uint32_t ack,
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
    struct track_info info;
    track_feed(w->tr, &p, ++w->frame, &info);
    return info;
}

static struct track_info tcp(struct wire *w, int from, uint32_t seq, uint32_t ack, uint16_t flags,
                             uint32_t len)
{
    return tcp_ws(w, from, seq, ack, flags, len, 1000, -1);
}

static struct track_info udp(struct wire *w, int from, uint32_t len)
{
    struct packet p = base_packet(w, from, PROTO_UDP);
    p.udp_len = (uint16_t)(8 + len);
    p.payload_len = p.payload_caplen = len;
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
        T(test_udp_streams_have_their_own_counter),
        T(test_icmp_port_unreachable_belongs_to_the_udp_flow),
        T(test_idle_conversation_forgotten_keeps_its_stream),
        T(test_many_short_connections_keep_memory_bounded),
        T(test_names_follow_rfc_9293_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
