/* view: labels in words, arrow rows that point the right way even when both ends share one
 * address (loopback), and the packet detail's header fields (decode's sink, in words). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "sockscope/capture.h"
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

/* ---- header fields of the packet detail ---- */

/* Ethernet + IPv4 + UDP carrying "hello udp world" (15 bytes): 57 bytes. */
static size_t udp_frame(uint8_t *f)
{
    static const uint8_t head[] = {
        0,    0,    0,    0,    0,    0,    0,    0,    0,  0,  0, 0, 0x08, 0x00, /* Ethernet */
        0x45, 0,    0,    43,   0x12, 0x34, 0x40, 0,    64, 17, 0, 0, 127,  0,
        0,    1,    127,  0,    0,    1,                /* IPv4 */
        0xb0, 0x00, 0x2e, 0xe0, 0,    23,   0xab, 0xcd, /* UDP */
    };
    memcpy(f, head, sizeof head);
    memcpy(f + sizeof head, "hello udp world", 15);
    return sizeof head + 15;
}

static const struct view_field *find(const struct view_field *f, int n, const char *layer,
                                     const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(f[i].layer, layer) && !strcmp(f[i].name, name)) return &f[i];
    return NULL;
}

static void test_fields_of_a_udp_datagram_have_their_offsets_and_sizes(void **state)
{
    (void)state;
    uint8_t frame[64];
    size_t len = udp_frame(frame);
    struct packet p;
    decode_packet(LINK_ETHERNET, frame, (uint32_t)len, (uint32_t)len, 0, &p);
    struct view_field f[64];
    int n = view_fields_walk(&p, frame, f, 64);
    const struct view_field *ul = find(f, n, "UDP", "Length");
    assert_non_null(ul);
    assert_int_equal(ul->offset, 38);
    assert_int_equal(ul->size, 2);
    assert_string_equal(ul->value, "23");
    char s[200];
    view_field_describe(ul, s, sizeof s);
    assert_string_equal(s, "UDP Length: 2 bytes at offset 38 (byte 4 of the UDP header) = 23");
    assert_int_equal(find(f, n, "UDP", "Source port")->offset, 34);
    assert_string_equal(find(f, n, "UDP", "Source port")->value, "45056");
    assert_int_equal(find(f, n, "UDP", "Checksum")->offset, 40);
    const struct view_field *ihl = find(f, n, "IPv4", "Header length");
    assert_int_equal(ihl->offset, 14);
    assert_int_equal(ihl->bits, 4);
    assert_int_equal(ihl->first_bit, 4);
    assert_string_equal(ihl->value, "5 (20 bytes)");
    assert_string_equal(find(f, n, "IPv4", "Protocol")->value, "17 (UDP)");
    assert_string_equal(find(f, n, "Ethernet", "Destination")->value, "00:00:00:00:00:00");
    const struct view_field *data = &f[n - 1];
    assert_string_equal(data->name, "Payload");
    assert_int_equal(data->offset, 42);
    assert_int_equal(data->size, 15);
    assert_non_null(strstr(data->value, "hello udp world"));
}

static void test_fields_stop_where_a_truncated_frame_ends(void **state)
{
    (void)state;
    uint8_t frame[64];
    udp_frame(frame);
    struct packet p;
    struct view_field f[64];
    /* the capture ends inside the UDP length field: ports listed, then the cut */
    decode_packet(LINK_ETHERNET, frame, 39, 57, 0, &p);
    int n = view_fields_walk(&p, frame, f, 64);
    assert_non_null(find(f, n, "UDP", "Destination port"));
    const struct view_field *last = &f[n - 1];
    assert_true(last->truncated);
    assert_string_equal(last->name, "Length");
    assert_int_equal(last->offset, 38);
    assert_int_equal(last->size, 1);
    assert_non_null(strstr(last->value, "1 of 2 bytes"));
    for (int i = 0; i < n; i++)
        assert_true(f[i].offset + f[i].size <= 39);
    /* inside the Ethernet header, and nothing at all */
    decode_packet(LINK_ETHERNET, frame, 5, 57, 0, &p);
    n = view_fields_walk(&p, frame, f, 64);
    assert_int_equal(n, 1);
    assert_true(f[0].truncated);
    assert_int_equal(f[0].size, 5);
    decode_packet(LINK_ETHERNET, frame, 0, 57, 0, &p);
    n = view_fields_walk(&p, frame, f, 64);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].size, 0);
    /* room for three fields only: three, no overrun */
    decode_packet(LINK_ETHERNET, frame, 57, 57, 0, &p);
    assert_int_equal(view_fields_walk(&p, frame, f, 3), 3);
}

static void test_fields_of_a_tcp_syn_list_flags_and_each_option(void **state)
{
    (void)state;
    /* Linux SLL2 (20 bytes) + IPv4 + TCP SYN with MSS, SACK_PERM, NOP, WS: header 32 bytes */
    uint8_t fr[20 + 20 + 32] = {0x08, 0x00, [4] = 0, 0, 0, 1};
    uint8_t *ip = fr + 20, *tcp = ip + 20;
    const uint8_t iph[] = {0x45, 0, 0, 52, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    memcpy(ip, iph, sizeof iph);
    const uint8_t th[] = {0xc9, 0x88, 0x2e, 0xe0, 0,    0, 0, 100, 0, 0, 0,
                          0,    0x80, 0x02, 0xfa, 0xf0, 0, 0, 0,   0, 2, 4,
                          0x05, 0xb4, 4,    2,    1,    3, 3, 7,   0, 0};
    memcpy(tcp, th, sizeof th);
    struct packet p;
    decode_packet(LINK_LINUX_SLL2, fr, sizeof fr, sizeof fr, 0, &p);
    assert_int_equal(p.status, PACKET_OK);
    struct view_field f[64];
    int n = view_fields_walk(&p, fr, f, 64);
    assert_string_equal(find(f, n, "Linux SLL2", "Protocol")->value, "0x0800 (IPv4)");
    assert_int_equal(find(f, n, "TCP", "Source port")->offset, 40);
    assert_string_equal(find(f, n, "TCP", "Source port")->value, "51592");
    const struct view_field *fl = find(f, n, "TCP", "Flags");
    assert_int_equal(fl->offset, 52);
    assert_int_equal(fl->size, 2);
    assert_int_equal(fl->bits, 12);
    assert_string_equal(fl->value, "0x002 SYN");
    char s[200];
    view_field_describe(fl, s, sizeof s);
    assert_non_null(strstr(s, "TCP Flags: 12 bits at offset 52, bits 4-15 (byte 12"));
    assert_string_equal(find(f, n, "TCP", "Header length")->value, "8 (32 bytes)");
    assert_int_equal(find(f, n, "TCP", "MSS")->offset, 60);
    assert_string_equal(find(f, n, "TCP", "MSS")->value, "1460");
    assert_int_equal(find(f, n, "TCP", "SACK permitted")->offset, 64);
    assert_int_equal(find(f, n, "TCP", "NOP")->offset, 66);
    assert_string_equal(find(f, n, "TCP", "Window scale")->value, "7 (x128)");
    assert_int_equal(find(f, n, "TCP", "End of options")->offset, 70);
    assert_null(find(f, n, "Data", "Payload")); /* a SYN carries no data */
}

/* Every frame of every shipped capture, whole and cut at every header byte: the list has
 * one entry per field decode reports, at decode's offsets, each with a name and a value in
 * words; the TCP header length reads as decode's; a cut frame's last entry says where the
 * capture ends. */
struct sink_copy {
    struct decode_field f[256];
    int n;
};

static void copy_field(void *ctx, const struct decode_field *f)
{
    struct sink_copy *c = ctx;
    if (c->n < 256) c->f[c->n++] = *f;
}

static void assert_view_follows_decode(int linktype, const uint8_t *bytes, uint32_t caplen,
                                       uint32_t wirelen)
{
    uint8_t *frame = malloc(caplen ? caplen : 1);
    assert_non_null(frame);
    memcpy(frame, bytes, caplen);
    static struct sink_copy want;
    want.n = 0;
    struct decode_sink sink = {copy_field, &want};
    struct packet p, q;
    decode_packet_fields(linktype, frame, caplen, wirelen, 0, &q, &sink);
    static struct view_field f[256];
    int n = view_fields_decode(linktype, frame, caplen, wirelen, 0, &p, f, 256);
    assert_int_equal(n, want.n);
    assert_int_equal(p.status, q.status);
    for (int i = 0; i < n; i++) {
        assert_int_equal(f[i].offset, want.f[i].offset);
        assert_int_equal(f[i].size, want.f[i].size);
        assert_int_equal(f[i].bits, want.f[i].bits);
        assert_int_equal(f[i].first_bit, want.f[i].first_bit);
        assert_int_equal(f[i].layer_offset, want.f[i].layer_offset);
        assert_string_not_equal(f[i].layer, "?");
        assert_string_not_equal(f[i].name, "Field");
        assert_true(f[i].value[0] != '\0');
        assert_int_equal(f[i].truncated, want.f[i].stop == STOP_TRUNCATED);
        char s[300];
        assert_true(view_field_describe(&f[i], s, sizeof s) > 0);
        if (f[i].truncated) {
            char at[64];
            snprintf(at, sizeof at, "the capture ends at byte %u,", caplen);
            assert_non_null(strstr(s, at));
        } else {
            assert_null(strstr(s, "capture ends"));
        }
        if (!strcmp(f[i].layer, "TCP") && !strcmp(f[i].name, "Header length") && !f[i].stop &&
            q.tcp_header_len) {
            char hl[32];
            snprintf(hl, sizeof hl, "(%u bytes)", q.tcp_header_len);
            assert_non_null(strstr(f[i].value, hl));
        }
    }
    if (p.status == PACKET_TRUNCATED) assert_true(n > 0 && f[n - 1].truncated);
    free(frame);
}

static void test_fields_of_every_shipped_capture_are_decodes_in_words(void **state)
{
    (void)state;
    DIR *d = opendir(SOCKSCOPE_CAPTURES_DIR);
    assert_non_null(d);
    int frames = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".pcap") != 0) continue;
        char path[512], err[256];
        snprintf(path, sizeof path, "%s/%s", SOCKSCOPE_CAPTURES_DIR, e->d_name);
        struct capture_file *cf;
        assert_int_equal(capture_file_open(path, NULL, &cf, err, sizeof err), STATUS_OK);
        int linktype = capture_file_linktype(cf);
        struct capture_frame fr;
        while (capture_file_next(cf, &fr, err, sizeof err) == 1) {
            assert_view_follows_decode(linktype, fr.data, fr.caplen, fr.wirelen);
            /* every cut inside the headers (past them only the payload shrinks) */
            for (uint32_t cut = 0; cut < fr.caplen && cut < 120; cut++)
                assert_view_follows_decode(linktype, fr.data, cut, fr.wirelen);
            frames++;
        }
        capture_file_close(cf);
    }
    closedir(d);
    assert_true(frames >= 400);
}

/* Ethernet + IPv4 + TCP ACK with NOP, NOP and a SACK option of two blocks, or of length 11. */
static size_t sack_frame(uint8_t *f, bool odd)
{
    static const uint8_t head[] = {
        0,    0, 0, 0, 0,    0,    0,    0,   0,  0, 0, 0, 0x08, 0x00, /* Ethernet */
        0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0,   64, 6, 0, 0, 10,   0,
        0,    1, 10, 0, 0,    2,                                       /* IPv4 */
        0x9c, 0x40, 0x2e, 0xe0, 0, 0, 0, 1, 0, 0, 0, 1, 0xa0, 0x10, 0xff, 0xff, 0, 0, 0, 0,
    };
    static const uint8_t two[20] = {1, 1, 5, 18, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 20, 0, 0, 0, 30};
    static const uint8_t eleven[20] = {1, 1, 5, 11, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(f, head, sizeof head);
    memcpy(f + sizeof head, odd ? eleven : two, 20);
    return sizeof head + 20;
}

static void test_sack_fields_name_their_blocks_and_a_bad_length_says_why(void **state)
{
    (void)state;
    uint8_t frame[128];
    size_t len = sack_frame(frame, false);
    struct packet p;
    struct view_field f[64];
    int n = view_fields_decode(LINK_ETHERNET, frame, (uint32_t)len, (uint32_t)len, 0, &p, f, 64);
    assert_int_equal(p.status, PACKET_OK);
    const struct view_field *sack = find(f, n, "TCP", "SACK");
    assert_non_null(sack);
    assert_int_equal(sack->offset, 56);
    assert_int_equal(sack->size, 2);
    assert_string_equal(sack->value, "2 blocks (18 bytes)");
    assert_string_equal(sack[1].name, "SACK block");
    assert_string_equal(sack[1].value, "5-9 (raw)");
    assert_string_equal(sack[2].value, "20-30 (raw)");

    len = sack_frame(frame, true);
    n = view_fields_decode(LINK_ETHERNET, frame, (uint32_t)len, (uint32_t)len, 0, &p, f, 64);
    assert_int_equal(p.status, PACKET_MALFORMED);
    const struct view_field *bad = &f[n - 1];
    assert_string_equal(bad->name, "Option (malformed)");
    assert_int_equal(bad->offset, 56);
    assert_int_equal(bad->size, 11); /* as long as it says: only its kind needs another */
    assert_string_equal(bad->value, "(TCP option has the wrong length for its kind)");
    assert_false(bad->truncated);
}

static void test_a_header_its_datagram_ends_is_not_called_truncated(void **state)
{
    (void)state;
    uint8_t frame[64];
    udp_frame(frame);
    frame[16] = 0;
    frame[17] = 24; /* IPv4 total length 24: four bytes of UDP header */
    struct packet p;
    struct view_field f[64];
    int n = view_fields_decode(LINK_ETHERNET, frame, 57, 57, 0, &p, f, 64);
    assert_int_equal(p.status, PACKET_MALFORMED);
    const struct view_field *last = &f[n - 1];
    assert_string_equal(last->name, "Length");
    assert_false(last->truncated);
    assert_string_equal(last->value, "(0 of 2 bytes: IP payload too short for a UDP header)");
    char s[300];
    view_field_describe(last, s, sizeof s);
    assert_string_equal(s, "UDP Length: the packet's own lengths end at byte 38, inside this "
                           "field (0 of 2 bytes: IP payload too short for a UDP header)");
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
        cmocka_unit_test(test_fields_of_a_udp_datagram_have_their_offsets_and_sizes),
        cmocka_unit_test(test_fields_stop_where_a_truncated_frame_ends),
        cmocka_unit_test(test_fields_of_a_tcp_syn_list_flags_and_each_option),
        cmocka_unit_test(test_fields_of_every_shipped_capture_are_decodes_in_words),
        cmocka_unit_test(test_sack_fields_name_their_blocks_and_a_bad_length_says_why),
        cmocka_unit_test(test_a_header_its_datagram_ends_is_not_called_truncated),
    };
    return cmocka_run_group_tests_name("view", tests, NULL, NULL);
}
