/* model: the shared vocabulary — addresses and endpoints as text, lifelines (clients left,
 * servers right, reuse when full), call names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sockscope/model.h"

static const uint8_t V6_CLIENT[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

static struct endpoint loopback(uint16_t port)
{
    struct endpoint e = {.addr = {.family = 4, .bytes = {127, 0, 0, 1}}, .port = port};
    return e;
}

static void assert_formats(int family, const uint8_t *bytes, const char *expected)
{
    struct ip_address a = {.family = (uint8_t)family};
    memcpy(a.bytes, bytes, family == 4 ? 4 : 16);
    char buf[64];
    int n = ip_address_format(&a, buf, sizeof buf);
    assert_string_equal(buf, expected);
    assert_int_equal(n, (int)strlen(expected));
}

static void test_format_address_dotted_quad_for_ipv4(void **state)
{
    (void)state;
    assert_formats(4, (const uint8_t[]){127, 0, 0, 1}, "127.0.0.1");
    assert_formats(4, (const uint8_t[]){255, 255, 255, 255}, "255.255.255.255");
}

static void test_format_address_ipv6_follows_rfc_5952(void **state)
{
    (void)state;
    assert_formats(6, (const uint8_t[16]){[15] = 1}, "::1");
    assert_formats(6, (const uint8_t[16]){0}, "::");
    assert_formats(6, V6_CLIENT, "2001:db8::1");
    assert_formats(6, (const uint8_t[16]){0xfe, 0x80, [8] = 0xAB, 0xCD}, "fe80::abcd:0:0:0");
    /* The longest run wins; the first on ties; a single zero group stays. */
    assert_formats(6, (const uint8_t[16]){0x20, 0x01, [7] = 1, [15] = 1}, "2001:0:0:1::1");
    assert_formats(6, (const uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, [9] = 1, [15] = 1},
                   "2001:db8::1:0:0:1");
    assert_formats(6,
                   (const uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1},
                   "2001:db8:0:1:1:1:1:1");
    assert_formats(6, (const uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, [14] = 0, [15] = 0},
                   "2001:db8::");
    assert_formats(6, (const uint8_t[16]){[10] = 0xff, 0xff, 192, 0, 2, 1}, "::ffff:192.0.2.1");
    assert_formats(6,
                   (const uint8_t[16]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_format_address_cuts_to_a_small_buffer_like_snprintf(void **state)
{
    (void)state;
    struct ip_address a = {.family = 4, .bytes = {192, 168, 100, 200}};
    char buf[8];
    assert_int_equal(ip_address_format(&a, buf, sizeof buf), 15);
    assert_string_equal(buf, "192.168");
    assert_int_equal(ip_address_format(&a, buf, 0), 15);
    struct ip_address none = {0};
    assert_int_equal(ip_address_format(&none, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

static void test_lanes_put_clients_left_and_servers_right(void **state)
{
    (void)state;
    struct lifelines l;
    struct endpoint server = loopback(12000), c1 = loopback(40001), c2 = loopback(40002);
    lifelines_init(&l, 8);
    assert_true(lifelines_note(&l, &c1, ROLE_CLIENT));
    assert_true(lifelines_note(&l, &server, ROLE_SERVER));
    assert_true(lifelines_note(&l, &c2, ROLE_CLIENT));
    assert_true(lifelines_note(&l, &server, ROLE_SERVER));
    assert_int_equal(l.count, 3);
    lifelines_arrange(&l);
    assert_int_equal(lifelines_find(&l, &c1), 0);
    assert_int_equal(lifelines_find(&l, &c2), 1);
    assert_int_equal(lifelines_find(&l, &server), 2);
}

static void test_lanes_reuse_least_recently_used_when_full(void **state)
{
    (void)state;
    struct lifelines l;
    struct endpoint e[4] = {loopback(1), loopback(2), loopback(3), loopback(4)};
    bool changed;
    lifelines_init(&l, 3);
    assert_true(lifelines_note(&l, &e[0], ROLE_CLIENT));
    assert_true(lifelines_note(&l, &e[1], ROLE_CLIENT));
    assert_true(lifelines_note(&l, &e[2], ROLE_CLIENT));
    assert_false(lifelines_note(&l, &e[3], ROLE_CLIENT));
    assert_true(l.dynamic);

    lifelines_init(&l, 3);
    l.dynamic = true;
    assert_int_equal(lifelines_take(&l, &e[0], ROLE_CLIENT, 1, &changed), 0);
    assert_true(changed);
    assert_int_equal(lifelines_take(&l, &e[1], ROLE_SERVER, 2, &changed), 1);
    assert_int_equal(lifelines_take(&l, &e[2], ROLE_CLIENT, 3, &changed), 2);
    assert_int_equal(lifelines_take(&l, &e[0], ROLE_CLIENT, 4, &changed), 0);
    assert_false(changed);
    /* e[1] is now the least recently used: e[3] takes its lane */
    assert_int_equal(lifelines_take(&l, &e[3], ROLE_CLIENT, 5, &changed), 1);
    assert_true(changed);
    assert_int_equal(lifelines_find(&l, &e[1]), -1);
}

static void test_endpoint_format_brackets_ipv6_and_equal_compares_port_and_address(void **state)
{
    (void)state;
    char buf[64];
    struct endpoint a = loopback(12000), b = loopback(12000), c = loopback(12001);
    struct endpoint v6 = {.addr = {.family = 6, .bytes = {[15] = 1}}, .port = 443};
    assert_int_equal(endpoint_format(&a, buf, sizeof buf), 15);
    assert_string_equal(buf, "127.0.0.1:12000");
    endpoint_format(&v6, buf, sizeof buf);
    assert_string_equal(buf, "[::1]:443");
    assert_true(endpoint_equal(&a, &b));
    assert_false(endpoint_equal(&a, &c));
    assert_false(endpoint_equal(&a, &v6));
}

static void test_api_call_names_are_the_calls_and_unknown_is_a_question_mark(void **state)
{
    (void)state;
    assert_string_equal(api_call_name(API_ACCEPT), "accept");
    assert_string_equal(api_call_name(API_RECVFROM), "recvfrom");
    assert_string_equal(api_call_name(API_CALL_COUNT), "?");
}

static void sanitized(const char *in, size_t n, const char *want)
{
    char out[256];
    text_sanitize(in, n, out, sizeof out);
    assert_string_equal(out, want);
}

/* Text from outside keeps its letters and loses its power over the terminal. */
static void test_sanitize_escapes_what_acts_on_a_terminal_and_keeps_the_rest(void **state)
{
    (void)state;
    sanitized("plain.pcap", 10, "plain.pcap");
    sanitized("caf\xc3\xa9 \xe6\x97\xa5", 9, "caf\xc3\xa9 \xe6\x97\xa5"); /* é, 日 stay */
    sanitized("\x1b[2J", 4, "\\x1B[2J");                                  /* ESC */
    sanitized("a\nb\tc\x7f", 6, "a\\x0Ab\\x09c\\x7F");
    sanitized("\xc2\x9b"
              "31m",
              5, "\\u009B31m");                               /* C1 CSI */
    sanitized("x\xe2\x80\xaegnp.exe", 11, "x\\u202Egnp.exe"); /* RLO */
    sanitized("\xe2\x81\xa6", 3, "\\u2066");                  /* isolate */
    sanitized("\xff\xfe", 2, "\\xFF\\xFE");                   /* not UTF-8 */
    sanitized("\xc0\xaf", 2, "\\xC0\\xAF");                   /* overlong */
    sanitized("\xed\xa0\x80", 3, "\\xED\\xA0\\x80");          /* surrogate */
    sanitized("\xe6\x97", 2, "\\xE6\\x97");                   /* cut short */
    sanitized("a\\b", 3, "a\\\\b"); /* a backslash doubles: escapes stay readable */
    sanitized("a\0b", 3, "a\\x00b");
    /* a small buffer holds whole pieces only */
    char out[6];
    assert_int_equal(text_sanitize("ab\x1b", 3, out, sizeof out), 2);
    assert_string_equal(out, "ab");
    assert_int_equal(text_sanitize("\xe6\x97\xa5\xe6\x97\xa5", 6, out, sizeof out), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_address_dotted_quad_for_ipv4),
        cmocka_unit_test(test_format_address_ipv6_follows_rfc_5952),
        cmocka_unit_test(test_format_address_cuts_to_a_small_buffer_like_snprintf),
        cmocka_unit_test(test_lanes_put_clients_left_and_servers_right),
        cmocka_unit_test(test_lanes_reuse_least_recently_used_when_full),
        cmocka_unit_test(test_endpoint_format_brackets_ipv6_and_equal_compares_port_and_address),
        cmocka_unit_test(test_api_call_names_are_the_calls_and_unknown_is_a_question_mark),
        cmocka_unit_test(test_sanitize_escapes_what_acts_on_a_terminal_and_keeps_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
