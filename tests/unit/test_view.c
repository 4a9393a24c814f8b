/* view: labels in words, arrow rows that point the right way even when both ends share one
 * address (loopback). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sockscope/view.h"

static void row_text(const struct view_row *r, char *buf, size_t size)
{
    /* ASCII rows only: one byte per cell */
    size_t n = 0;
    for (int i = 0; i < r->width && n + 1 < size; i++)
        buf[n++] = (char)r->cells[i].ch;
    while (n && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
}

static void test_flags_are_named_as_people_say_them(void **state)
{
    (void)state;
    char b[64];
    view_tcp_flags_name(TCP_SYN | TCP_ACK, b, sizeof b);
    assert_string_equal(b, "SYN+ACK");
    view_tcp_flags_name(TCP_FIN | TCP_ACK, b, sizeof b);
    assert_string_equal(b, "FIN+ACK");
    view_tcp_flags_name(TCP_PSH | TCP_ACK, b, sizeof b);
    assert_string_equal(b, "PSH+ACK");
    view_tcp_flags_name(TCP_RST, b, sizeof b);
    assert_string_equal(b, "RST");
    view_tcp_flags_name(TCP_SYN | TCP_ECE | TCP_CWR | TCP_AE, b, sizeof b);
    assert_string_equal(b, "SYN+ECE+CWR+AE");
    view_tcp_flags_name(0, b, sizeof b);
    assert_string_equal(b, "none");
}

static void fill_data_packet(struct packet *p, struct track_info *ti, const char *payload)
{
    memset(p, 0, sizeof *p);
    memset(ti, 0, sizeof *ti);
    p->proto = PROTO_TCP;
    p->tcp_header_len = 20;
    p->flags = TCP_PSH | TCP_ACK;
    p->seq = 1000;
    p->ack = 2000;
    p->payload = (const uint8_t *)payload;
    p->payload_len = p->payload_caplen = (uint32_t)strlen(payload);
    ti->has_flow = true;
    ti->seq_rel = 1;
    ti->ack_rel = 1;
    ti->window = 65536;
    ti->ack_rtt_ns = -1;
}

static void test_label_of_data_segment_shows_relative_numbers_and_preview(void **state)
{
    (void)state;
    struct packet p;
    struct track_info ti;
    struct label_options opt = {0};
    char b[256];
    fill_data_packet(&p, &ti, "hello tcp world");
    view_arrow_label(&p, &ti, &opt, 200, b, sizeof b);
    assert_string_equal(b, "PSH+ACK seq=1 ack=1 len=15 win=65536 \"hello tcp world\"");
    opt.raw_seq = true;
    view_arrow_label(&p, &ti, &opt, 200, b, sizeof b);
    assert_string_equal(b, "PSH+ACK seq=1000 ack=2000 len=15 win=65536 \"hello tcp world\"");
}

static void test_label_escapes_control_bytes_and_terminal_escapes(void **state)
{
    (void)state;
    struct packet p;
    struct track_info ti;
    struct label_options opt = {0};
    char b[256];
    fill_data_packet(&p, &ti, "hi\x1b[2J\r\n\"");
    view_arrow_label(&p, &ti, &opt, 200, b, sizeof b);
    assert_non_null(strstr(b, "\"hi\\x1b[2J\\r\\n\\\"\""));
    assert_null(strchr(b, 0x1b));
}

static void test_label_drops_window_then_shortens_preview_to_fit(void **state)
{
    (void)state;
    struct packet p;
    struct track_info ti;
    struct label_options opt = {.ascii = true};
    char b[256];
    fill_data_packet(&p, &ti, "hello tcp world");
    int n = view_arrow_label(&p, &ti, &opt, 44, b, sizeof b);
    assert_string_equal(b, "PSH+ACK seq=1 ack=1 len=15 \"hello tcp world\"");
    assert_int_equal(n, 44);
    assert_null(strstr(b, "win="));
    assert_non_null(strstr(b, "len=15"));
    n = view_arrow_label(&p, &ti, &opt, 36, b, sizeof b);
    assert_true(n <= 36);
    assert_string_equal(b, "PSH+ACK seq=1 ack=1 len=15 \"hell...\"");
    n = view_arrow_label(&p, &ti, &opt, 10, b, sizeof b);
    assert_int_equal(n, 10);
    assert_int_equal(strlen(b), 10);
    assert_int_equal(b[9], '~');
}

static void test_marks_are_words_and_heuristics_say_suspected(void **state)
{
    (void)state;
    struct packet p;
    struct track_info ti;
    struct label_options opt = {0};
    char b[256];
    fill_data_packet(&p, &ti, "x");
    ti.marks = MARK_RETRANSMISSION;
    view_arrow_label(&p, &ti, &opt, 200, b, sizeof b);
    assert_non_null(strstr(b, "[suspected "));
    assert_int_equal(view_segment_style(SEGMENT_SUSPECT), STYLE_MARK);
    ti.marks = MARK_DUPLICATE_ACK;
    ti.dup_ack_count = 2;
    view_arrow_label(&p, &ti, &opt, 200, b, sizeof b);
    assert_non_null(strstr(b, "[dup ACK #2]"));
}

static void test_loopback_arrows_point_both_ways(void **state)
{
    (void)state;
    struct view_geometry g;
    struct view_row r;
    char b[VIEW_MAX_WIDTH + 1];
    view_geometry_init(&g, 80, 12, 2);
    assert_true(g.x[1] > g.x[0]);

    view_row_lifelines(&r, &g, true);
    view_row_arrow(&r, &g, 0, 1, "SYN seq=0", STYLE_SYN, true);
    row_text(&r, b, sizeof b);
    assert_int_equal(b[g.x[0]], '|');
    assert_int_equal(b[g.x[1] - 1], '>');
    assert_non_null(strstr(b, "-- SYN seq=0 -"));

    view_row_lifelines(&r, &g, true);
    view_row_arrow(&r, &g, 1, 0, "SYN+ACK seq=0 ack=1", STYLE_SYNACK, true);
    row_text(&r, b, sizeof b);
    assert_int_equal(b[g.x[0] + 1], '<');
    assert_int_equal(b[g.x[1]], '|');
    /* the label sits next to the sender, on the right */
    char *label = strstr(b, " SYN+ACK seq=0 ack=1 ");
    assert_non_null(label);
    assert_ptr_equal(label + strlen(" SYN+ACK seq=0 ack=1 ") - 1, b + g.x[1] - 3);
}

static void test_arrow_crossing_a_lifeline_marks_the_crossing(void **state)
{
    (void)state;
    struct view_geometry g;
    struct view_row r;
    view_geometry_init(&g, 100, 12, 3);
    view_row_lifelines(&r, &g, false);
    view_row_arrow(&r, &g, 0, 2, "", STYLE_ACK, false);
    assert_int_equal(r.cells[g.x[1]].ch, view_glyph(GLYPH_CROSS, false));
    assert_int_equal(r.cells[g.x[2] - 1].ch, view_glyph(GLYPH_HEAD_RIGHT, false));
}

static void test_label_too_long_for_arrow_is_not_drawn_over_lifelines(void **state)
{
    (void)state;
    struct view_geometry g;
    struct view_row r;
    view_geometry_init(&g, 60, 12, 4);
    view_row_lifelines(&r, &g, true);
    view_row_arrow(&r, &g, 0, 1, "a label far longer than the pitch between lanes", STYLE_DATA,
                   true);
    for (int i = 1; i < 4; i++)
        assert_int_equal(r.cells[g.x[i]].ch, '|');
}

static void test_state_names_sit_outside_the_outer_lifelines(void **state)
{
    (void)state;
    struct view_geometry g;
    struct view_row r;
    char b[VIEW_MAX_WIDTH + 1];
    view_geometry_init(&g, 100, 12, 2);
    view_row_lifelines(&r, &g, true);
    view_row_state(&r, &g, 0, "SYN-SENT");
    view_row_state(&r, &g, 1, "SYN-RECEIVED");
    row_text(&r, b, sizeof b);
    char *left = strstr(b, "SYN-SENT |");
    assert_non_null(left);
    assert_int_equal(left + 9 - b, g.x[0]);
    assert_non_null(strstr(b, "| SYN-RECEIVED"));
}

static void test_escape_preview_counts_escapes_in_its_limit(void **state)
{
    (void)state;
    char b[16];
    assert_true(view_escape_preview((const uint8_t *)"\x01\x02\x03", 3, b, 9));
    assert_string_equal(b, "\\x01\\x02");
    assert_false(view_escape_preview((const uint8_t *)"ok", 2, b, 9));
    assert_string_equal(b, "ok");
}

/* ---- the explanation line ---- */

static void test_syn_ack_explained_as_client_isn_plus_one(void **state)
{
    (void)state;
    struct packet p = {.proto = PROTO_TCP, .flags = TCP_SYN | TCP_ACK, .seq = 777};
    struct track_info ti = {
        .has_flow = true, .flow_proto = PROTO_TCP, .dir = ROLE_SERVER, .ack_rel = 1};
    char b[320];
    view_explain(&p, &ti, 2, b, sizeof b);
    assert_non_null(strstr(b, "SYN+ACK: the server accepts; its ack 1 = the client's initial "
                              "sequence number + 1"));
}

static void test_marks_are_called_suspected(void **state)
{
    (void)state;
    struct packet p = {.proto = PROTO_TCP, .flags = TCP_ACK | TCP_PSH, .payload_len = 10};
    struct track_info ti = {.has_flow = true,
                            .flow_proto = PROTO_TCP,
                            .dir = ROLE_CLIENT,
                            .seq_rel = 101,
                            .marks = MARK_RETRANSMISSION};
    char b[320];
    view_explain(&p, &ti, 9, b, sizeof b);
    assert_true(strncmp(b, "Suspected retransmission", 24) == 0);
    char tiny[8];
    view_explain(&p, &ti, 9, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), 7);
}

/* Lifeline headers never run names or roles into each other, whatever the number of
 * lifelines and the width: each word on a header row is a whole role, a short role, a whole
 * ip:port or a ":port" of a lane, with blanks between. */
static void test_header_words_never_touch_at_any_width(void **state)
{
    (void)state;
    for (int lanes = 2; lanes <= 12; lanes++) {
        struct lifelines l;
        lifelines_init(&l, lanes);
        for (int i = 0; i < lanes; i++) {
            struct endpoint e = {.addr = {.family = 4, .bytes = {127, 0, 0, 1}},
                                 .port = (uint16_t)(i == lanes - 1 ? 12000 : 51500 + 11 * i)};
            lifelines_note(&l, &e, i == lanes - 1 ? ROLE_SERVER : ROLE_CLIENT);
        }
        for (int width = 40; width <= 200; width++) {
            struct view_geometry g;
            view_geometry_init(&g, width, 12, lanes);
            struct view_row rows[VIEW_HEADER_MAX_ROWS];
            int n = view_header_rows(rows, &g, &l, "time");
            for (int k = 0; k < n; k++) {
                char line[VIEW_MAX_WIDTH + 1];
                row_text(&rows[k], line, sizeof line);
                char *save = NULL;
                for (char *w = strtok_r(line + (k == 0 ? 5 : 0), " ", &save); w;
                     w = strtok_r(NULL, " ", &save)) {
                    bool ok = !strcmp(w, "client") || !strcmp(w, "server") || !strcmp(w, "cli") ||
                              !strcmp(w, "srv") || !strcmp(w, "c") || !strcmp(w, "s");
                    for (int i = 0; i < lanes && !ok; i++) {
                        char name[64], port[16];
                        endpoint_format(&l.ep[i], name, sizeof name);
                        snprintf(port, sizeof port, ":%u", l.ep[i].port);
                        ok = !strcmp(w, name) || !strcmp(w, port);
                    }
                    if (!ok)
                        fail_msg("%d lanes, width %d, header row %d: '%s' is no name", lanes, width,
                                 k, w);
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags_are_named_as_people_say_them),
        cmocka_unit_test(test_header_words_never_touch_at_any_width),
        cmocka_unit_test(test_label_of_data_segment_shows_relative_numbers_and_preview),
        cmocka_unit_test(test_label_escapes_control_bytes_and_terminal_escapes),
        cmocka_unit_test(test_label_drops_window_then_shortens_preview_to_fit),
        cmocka_unit_test(test_marks_are_words_and_heuristics_say_suspected),
        cmocka_unit_test(test_loopback_arrows_point_both_ways),
        cmocka_unit_test(test_arrow_crossing_a_lifeline_marks_the_crossing),
        cmocka_unit_test(test_label_too_long_for_arrow_is_not_drawn_over_lifelines),
        cmocka_unit_test(test_state_names_sit_outside_the_outer_lifelines),
        cmocka_unit_test(test_escape_preview_counts_escapes_in_its_limit),
        cmocka_unit_test(test_syn_ack_explained_as_client_isn_plus_one),
        cmocka_unit_test(test_marks_are_called_suspected),
    };
    return cmocka_run_group_tests_name("view", tests, NULL, NULL);
}
