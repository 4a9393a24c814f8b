/* export: the JSON Lines object of a frame (tshark's field meanings) and the text diagram
 * of a handshake, drawn from hand-built packets and tracker results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sockscope/export.h"

struct capture_out {
    char *text;
    size_t len;
    FILE *fp;
    struct out o;
};

static void open_out(struct capture_out *c)
{
    c->fp = open_memstream(&c->text, &c->len);
    assert_non_null(c->fp);
    out_init(&c->o, c->fp);
}

static void close_out(struct capture_out *c)
{
    out_flush(&c->o);
    fclose(c->fp);
}

static struct endpoint v4(uint8_t last, uint16_t port)
{
    struct endpoint e = {.addr = {.family = 4, .bytes = {127, 0, 0, last}}, .port = port};
    return e;
}

/* A TCP packet from src to dst with the tracker's view of it. */
static void tcp(struct packet *p, struct track_info *ti, bool from_client, uint16_t flags,
                uint32_t seq_rel, uint32_t ack_rel, const char *payload)
{
    struct endpoint client = v4(1, 42410), server = v4(1, 12000);
    memset(p, 0, sizeof *p);
    memset(ti, 0, sizeof *ti);
    p->ts_ns = 1700000000123456789ull + seq_rel * 1000u + (from_client ? 0 : 500u);
    p->status = PACKET_OK;
    p->proto = PROTO_TCP;
    p->src = from_client ? client.addr : server.addr;
    p->dst = from_client ? server.addr : client.addr;
    p->sport = from_client ? client.port : server.port;
    p->dport = from_client ? server.port : client.port;
    p->flags = flags;
    p->tcp_header_len = 20;
    p->seq = 1348297386u + seq_rel;
    p->ack = ack_rel ? 77u + ack_rel : 0;
    if (payload) {
        p->payload = (const uint8_t *)payload;
        p->payload_len = p->payload_caplen = (uint32_t)strlen(payload);
    }
    ti->has_flow = true;
    ti->flow_proto = PROTO_TCP;
    ti->dir = from_client ? ROLE_CLIENT : ROLE_SERVER;
    ti->client = client;
    ti->server = server;
    ti->seq_rel = seq_rel;
    ti->ack_rel = ack_rel;
    ti->window = 65495;
    ti->ack_rtt_ns = -1;
}

static void test_json_line_of_a_syn_has_tshark_fields(void **state)
{
    (void)state;
    struct capture_out c;
    struct packet p;
    struct track_info ti;
    tcp(&p, &ti, true, TCP_SYN, 0, 0, NULL);
    ti.state_src = TCP_STATE_SYN_SENT;
    ti.state_dst = TCP_STATE_SYN_RECEIVED;
    struct export_frame f = {.number = 1, .pkt = &p, .info = &ti};
    open_out(&c);
    export_json_frame(&c.o, &f);
    close_out(&c);
    assert_non_null(strstr(c.text, "{\"kind\":\"packet\",\"frame\":1,\"ts\":\"1700000000.123456789\","
                                   "\"proto\":\"tcp\",\"stream\":0,\"src\":\"127.0.0.1:42410\","
                                   "\"dst\":\"127.0.0.1:12000\",\"flags\":\"SYN\",\"flags_bits\":2,"
                                   "\"seq\":0,\"ack\":0,\"seq_raw\":1348297386,\"ack_raw\":0,"
                                   "\"len\":0,\"win\":65495,\"analysis\":[],\"ack_rtt\":null"));
    assert_non_null(strstr(c.text, "\"status\":\"ok\"}\n"));
    assert_non_null(strstr(c.text, "\"state_src\":\"SYN-SENT\""));
    free(c.text);
}

static void test_json_ipv6_endpoints_are_bracketed_and_payload_escaped(void **state)
{
    (void)state;
    struct capture_out c;
    struct packet p;
    struct track_info ti;
    tcp(&p, &ti, true, TCP_PSH | TCP_ACK, 1, 1, "a\"b\\\n\x01");
    memset(&p.src, 0, sizeof p.src);
    p.src.family = 6;
    p.src.bytes[15] = 1;
    struct export_frame f = {.number = 4, .pkt = &p, .info = &ti};
    open_out(&c);
    export_json_frame(&c.o, &f);
    close_out(&c);
    assert_non_null(strstr(c.text, "\"src\":\"[::1]:42410\""));
    assert_non_null(strstr(c.text, "\"payload\":\"a\\\"b\\\\\\n\\u0001\""));
    assert_non_null(strstr(c.text, "\"flags_bits\":24"));
    free(c.text);
}

static void test_json_marks_and_rtt(void **state)
{
    (void)state;
    struct capture_out c;
    struct packet p;
    struct track_info ti;
    tcp(&p, &ti, false, TCP_ACK, 1, 16, NULL);
    ti.marks = MARK_DUPLICATE_ACK | MARK_WINDOW_UPDATE;
    ti.dup_ack_count = 3;
    ti.dup_ack_of_frame = 7;
    ti.ack_rtt_ns = 1234567;
    ti.acked_frame = 5;
    struct export_frame f = {.number = 9, .pkt = &p, .info = &ti};
    open_out(&c);
    export_json_frame(&c.o, &f);
    close_out(&c);
    assert_non_null(strstr(c.text, "\"analysis\":[\"duplicate_ack\",\"window_update\"]"));
    assert_non_null(strstr(c.text, "\"dup_ack\":{\"n\":3,\"of\":7}"));
    assert_non_null(strstr(c.text, "\"ack_rtt\":0.001234567,\"acks_frame\":5"));
    free(c.text);
}

static void test_json_frame_outside_any_flow_says_why(void **state)
{
    (void)state;
    struct capture_out c;
    struct packet p = {.status = PACKET_TRUNCATED, .why = "TCP header truncated",
                       .proto = PROTO_OTHER};
    struct track_info ti = {.ack_rtt_ns = -1};
    struct export_frame f = {.number = 2, .pkt = &p, .info = &ti};
    open_out(&c);
    export_json_frame(&c.o, &f);
    close_out(&c);
    assert_non_null(strstr(c.text, "\"proto\":\"other\",\"stream\":null,\"src\":null"));
    assert_non_null(strstr(c.text, "\"status\":\"truncated\",\"why\":\"TCP header truncated\""));
    free(c.text);
}

static void test_text_diagram_of_a_loopback_handshake(void **state)
{
    (void)state;
    struct capture_out c;
    struct packet p[3];
    struct track_info ti[3];
    tcp(&p[0], &ti[0], true, TCP_SYN, 0, 0, NULL);
    ti[0].new_flow = true;
    ti[0].state_src_before = TCP_STATE_UNKNOWN;
    ti[0].state_src = TCP_STATE_SYN_SENT;
    tcp(&p[1], &ti[1], false, TCP_SYN | TCP_ACK, 0, 1, NULL);
    ti[1].state_src_before = TCP_STATE_LISTEN;
    ti[1].state_src = TCP_STATE_SYN_RECEIVED;
    ti[1].state_dst_before = TCP_STATE_SYN_SENT;
    ti[1].state_dst = TCP_STATE_ESTABLISHED;
    tcp(&p[2], &ti[2], true, TCP_ACK, 1, 1, NULL);
    ti[2].state_src_before = ti[2].state_src = TCP_STATE_ESTABLISHED;
    ti[2].state_dst_before = TCP_STATE_SYN_RECEIVED;
    ti[2].state_dst = TCP_STATE_ESTABLISHED;

    struct lifelines lanes;
    lifelines_init(&lanes, 8);
    lifelines_note(&lanes, &ti[0].client, ROLE_CLIENT);
    lifelines_note(&lanes, &ti[0].server, ROLE_SERVER);
    struct export_options opt = {.time = TIME_REL, .ascii = true, .width = 80};
    open_out(&c);
    struct text_export *t = export_text_new(&c.o, &opt, &lanes);
    for (int i = 0; i < 3; i++) {
        struct export_frame f = {.number = (uint32_t)i + 1, .pkt = &p[i], .info = &ti[i]};
        export_text_frame(t, &f);
    }
    export_text_finish(t);
    export_text_free(t);
    close_out(&c);

    /* header names both lifelines; client left, server right */
    char *client = strstr(c.text, "127.0.0.1:42410");
    char *server = strstr(c.text, "127.0.0.1:12000");
    assert_non_null(client);
    assert_non_null(server);
    assert_true(client < server);
    /* the three arrows in the right directions, states where they change */
    char *syn = strstr(c.text, "|-- SYN seq=0 win=65495 ---");
    char *synack = strstr(c.text, "|<---");
    char *ack = strstr(c.text, "|-- ACK seq=1 ack=1");
    assert_non_null(syn);
    assert_non_null(synack);
    assert_non_null(ack);
    assert_true(syn < synack && synack < ack);
    assert_null(strstr(c.text, "LISTEN"));
    assert_non_null(strstr(synack, "SYN+ACK seq=0 ack=1 win=65495 --|"));
    assert_non_null(strstr(c.text, "SYN-SENT |"));
    assert_non_null(strstr(c.text, "| SYN-RECEIVED"));
    assert_non_null(strstr(c.text, "ESTABLISHED |"));
    assert_non_null(strstr(c.text, "3 frames: 3 TCP, 0 UDP"));
    /* no line longer than the width asked for */
    for (char *line = c.text; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        assert_true(nl - line <= 80);
        line = nl + 1;
    }
    free(c.text);
}

static void test_json_api_event_names_its_socket_and_call(void **state)
{
    (void)state;
    struct capture_out c;
    struct api_event ev = {.ts_ns = 1700000000000000001ull, .call = API_ACCEPT,
                           .phase = API_PHASE_RETURN, .fd = 3, .result = 5, .thread = 2,
                           .sock_type = SOCK_STREAM, .local = v4(1, 12000),
                           .peer = v4(1, 42410)};
    open_out(&c);
    export_json_api(&c.o, &ev);
    ev.call = API_CONNECT;
    ev.result = -1;
    ev.error = 111; /* ECONNREFUSED */
    memset(&ev.local, 0, sizeof ev.local);
    export_json_api(&c.o, &ev);
    close_out(&c);
    assert_non_null(strstr(c.text, "{\"kind\":\"api\",\"ts\":\"1700000000.000000001\","
                                   "\"endpoint\":\"127.0.0.1:12000\",\"peer\":\"127.0.0.1:42410\","
                                   "\"proto\":\"tcp\",\"call\":\"accept\",\"phase\":\"return\","
                                   "\"fd\":3,\"result\":5,\"thread\":2}\n"));
    assert_non_null(strstr(c.text, "\"endpoint\":null"));
    assert_non_null(strstr(c.text, "\"result\":-1,\"error\":\"Connection refused\""));
    free(c.text);
}

static void test_text_api_call_stands_on_the_lifeline_of_its_socket(void **state)
{
    (void)state;
    struct capture_out c;
    struct lifelines lanes;
    lifelines_init(&lanes, 4);
    lanes.dynamic = true;
    struct export_options opt = {.time = TIME_REL, .ascii = true, .width = 80};
    struct api_event listen_ev = {.ts_ns = 1000, .call = API_LISTEN, .phase = API_PHASE_RETURN,
                                  .sock_type = SOCK_STREAM, .listening = true};
    listen_ev.local.addr.family = 4; /* bound to 0.0.0.0:12000 */
    listen_ev.local.port = 12000;
    struct api_event connect_ev = {.ts_ns = 2000, .call = API_CONNECT,
                                   .phase = API_PHASE_CALL, .sock_type = SOCK_STREAM,
                                   .local = v4(1, 42410), .peer = v4(1, 12000)};
    struct packet p;
    struct track_info ti;
    tcp(&p, &ti, true, TCP_SYN, 0, 0, NULL);
    p.ts_ns = 3000;
    struct export_frame f = {.number = 1, .pkt = &p, .info = &ti};

    open_out(&c);
    struct text_export *t = export_text_new(&c.o, &opt, &lanes);
    export_text_api(t, &listen_ev);
    export_text_api(t, &connect_ev);
    export_text_frame(t, &f);
    export_text_free(t);
    close_out(&c);
    /* the welcoming socket's lane (0.0.0.0:12000) became the server's 127.0.0.1:12000, so the
     * SYN arrives on the lifeline where listen() was called */
    assert_int_equal(lanes.count, 2);
    assert_int_equal(lifelines_find(&lanes, &ti.server), 0);
    assert_non_null(strstr(c.text, "* listen()"));
    assert_non_null(strstr(c.text, "connect(127.0.0.1:12000)"));
    char *syn = strstr(c.text, "-- SYN seq=0 win=65495 --|");
    assert_non_null(syn);
    assert_non_null(strstr(c.text, "|<---"));
    assert_true(strstr(c.text, "connect(") < syn);
    free(c.text);
}

static void test_writer_formats_numbers_and_timestamps(void **state)
{
    (void)state;
    struct capture_out c;
    open_out(&c);
    out_u64(&c.o, 0);
    out_char(&c.o, ' ');
    out_u64(&c.o, UINT64_MAX);
    out_char(&c.o, ' ');
    out_i64(&c.o, INT64_MIN);
    out_char(&c.o, ' ');
    out_timestamp(&c.o, 5000000007ull);
    close_out(&c);
    assert_string_equal(c.text, "0 18446744073709551615 -9223372036854775808 5.000000007");
    free(c.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_line_of_a_syn_has_tshark_fields),
        cmocka_unit_test(test_json_ipv6_endpoints_are_bracketed_and_payload_escaped),
        cmocka_unit_test(test_json_marks_and_rtt),
        cmocka_unit_test(test_json_frame_outside_any_flow_says_why),
        cmocka_unit_test(test_text_diagram_of_a_loopback_handshake),
        cmocka_unit_test(test_json_api_event_names_its_socket_and_call),
        cmocka_unit_test(test_text_api_call_stands_on_the_lifeline_of_its_socket),
        cmocka_unit_test(test_writer_formats_numbers_and_timestamps),
    };
    return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
