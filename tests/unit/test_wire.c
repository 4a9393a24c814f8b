/* wire: the option parser's values and errors, the impairment engine on hand-made frames
 * (named drops and what counts as new, loss, queue, jitter, duplicates), and the real wire:
 * the built-in TCP and UDP modules in the client and server namespaces talking across it,
 * every impairment proved from the frames both capture points recorded. Network tests run in
 * forked children (namespaces), as root and as uid 65534. */
#define _GNU_SOURCE /* setresuid, fmemopen */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/net/wire_internal.h"
#include "sockscope/capture.h"
#include "sockscope/decode.h"
#include "sockscope/net.h"
#include "sockscope/tcp_info.h"
#include "sockscope/wire.h"

/* ---- option values ---- */

static void test_durations_take_units_and_refuse_negative_values(void **state)
{
    (void)state;
    char err[256];
    uint64_t ns;
    assert_int_equal(wire_spec_duration("25ms", &ns, err, sizeof err), 0);
    assert_int_equal(ns, 25000000);
    assert_int_equal(wire_spec_duration("1.5s", &ns, err, sizeof err), 0);
    assert_int_equal(ns, 1500000000);
    assert_int_equal(wire_spec_duration("500us", &ns, err, sizeof err), 0);
    assert_int_equal(ns, 500000);
    assert_int_equal(wire_spec_duration("0ms", &ns, err, sizeof err), 0);
    assert_int_equal(ns, 0);
    assert_int_equal(wire_spec_duration("-5ms", &ns, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "cannot be negative"));
    assert_int_equal(wire_spec_duration("25", &ns, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "no unit"));
    assert_int_equal(wire_spec_duration("25min", &ns, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "unknown unit"));
    assert_int_equal(wire_spec_duration("soon", &ns, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "not a duration"));
}

static void test_rates_are_bits_or_bytes_per_second_and_never_zero(void **state)
{
    (void)state;
    char err[256];
    uint64_t bps;
    assert_int_equal(wire_spec_rate("10mbit", &bps, err, sizeof err), 0);
    assert_int_equal(bps, 10000000);
    assert_int_equal(wire_spec_rate("1Gbit", &bps, err, sizeof err), 0);
    assert_int_equal(bps, 1000000000);
    assert_int_equal(wire_spec_rate("100kbps", &bps, err, sizeof err), 0);
    assert_int_equal(bps, 800000);
    assert_int_equal(wire_spec_rate("0mbit", &bps, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "rate of 0"));
    assert_int_equal(wire_spec_rate("-1mbit", &bps, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "negative"));
    assert_int_equal(wire_spec_rate("10", &bps, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "no unit"));
}

static void test_percentages_are_zero_to_one_hundred(void **state)
{
    (void)state;
    char err[256];
    double f;
    assert_int_equal(wire_spec_percent("2%", &f, err, sizeof err), 0);
    assert_true(f > 0.0199 && f < 0.0201);
    assert_int_equal(wire_spec_percent("100%", &f, err, sizeof err), 0);
    assert_true(f == 1.0);
    assert_int_equal(wire_spec_percent("100.5%", &f, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "over 100 %"));
    assert_int_equal(wire_spec_percent("-1%", &f, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "negative"));
    assert_int_equal(wire_spec_percent("0.02", &f, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "not a percentage"));
}

static void test_queue_is_at_least_one_frame(void **state)
{
    (void)state;
    char err[256];
    uint32_t q;
    assert_int_equal(wire_spec_queue("64", &q, err, sizeof err), 0);
    assert_int_equal(q, 64);
    assert_int_equal(wire_spec_queue("0", &q, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "queue of 0"));
    assert_int_equal(wire_spec_queue("-3", &q, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_int_equal(wire_spec_queue("many", &q, err, sizeof err), STATUS_E_BAD_INPUT);
}

static void test_drop_specs_name_sender_kind_and_count(void **state)
{
    (void)state;
    char err[256];
    struct wire_drop d;
    assert_int_equal(wire_spec_drop("data:3", &d, err, sizeof err), 0);
    assert_int_equal(d.sender, ROLE_CLIENT);
    assert_int_equal(d.kind, WIRE_DROP_DATA);
    assert_int_equal(d.nth, 3);
    assert_string_equal(d.text, "data:3");
    assert_int_equal(wire_spec_drop("synack", &d, err, sizeof err), 0);
    assert_int_equal(d.sender, ROLE_SERVER); /* only the server sends a SYN+ACK */
    assert_int_equal(d.nth, 1);
    assert_int_equal(wire_spec_drop("ack:5", &d, err, sizeof err), 0);
    assert_int_equal(d.sender, ROLE_CLIENT);
    assert_int_equal(d.kind, WIRE_DROP_ACK);
    assert_int_equal(d.nth, 5);
    assert_int_equal(wire_spec_drop("server:data:2", &d, err, sizeof err), 0);
    assert_int_equal(d.sender, ROLE_SERVER);
    assert_int_equal(d.kind, WIRE_DROP_DATA);
    assert_int_equal(d.nth, 2);
    assert_int_equal(wire_spec_drop("packet:3", &d, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "unknown drop 'packet:3'"));
    assert_int_equal(wire_spec_drop("data:0", &d, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "whole number from 1"));
    assert_int_equal(wire_spec_drop("data:x", &d, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_int_equal(wire_spec_drop("middle:data", &d, err, sizeof err), STATUS_E_BAD_INPUT);
}

static void test_burst_takes_two_to_four_percentages(void **state)
{
    (void)state;
    char err[400];
    struct wire_burst b;
    assert_int_equal(wire_spec_burst("1%,30%", &b, err, sizeof err), 0);
    assert_true(b.on && b.p == 0.01 && b.r == 0.3 && b.bad_loss == 1.0 && b.good_loss == 0);
    assert_int_equal(wire_spec_burst("1%,30%,50%,1%", &b, err, sizeof err), 0);
    assert_true(b.bad_loss == 0.5 && b.good_loss == 0.01);
    assert_int_equal(wire_spec_burst("1%", &b, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_int_equal(wire_spec_burst("1%,130%", &b, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "over 100 %"));
}

static void test_apply_sets_one_direction_or_both_and_names_the_option(void **state)
{
    (void)state;
    char err[400];
    struct wire_config c = {0};
    assert_int_equal(wire_spec_apply(&c, "delay", "25ms", err, sizeof err), 0);
    assert_int_equal(c.dir[ROLE_CLIENT].delay_ns, 25000000);
    assert_int_equal(c.dir[ROLE_SERVER].delay_ns, 25000000);
    assert_int_equal(wire_spec_apply(&c, "delay", "server:5ms", err, sizeof err), 0);
    assert_int_equal(c.dir[ROLE_CLIENT].delay_ns, 25000000);
    assert_int_equal(c.dir[ROLE_SERVER].delay_ns, 5000000);
    assert_int_equal(wire_spec_apply(&c, "loss", "client:2%", err, sizeof err), 0);
    assert_true(c.dir[ROLE_CLIENT].loss > 0 && c.dir[ROLE_SERVER].loss == 0);
    assert_int_equal(wire_spec_apply(&c, "drop", "data:3", err, sizeof err), 0);
    assert_int_equal(wire_spec_apply(&c, "drop", "synack", err, sizeof err), 0);
    assert_int_equal(c.ndrops, 2);
    assert_int_equal(wire_spec_apply(&c, "seed", "7", err, sizeof err), 0);
    assert_int_equal(c.seed, 7);
    assert_int_equal(wire_spec_apply(&c, "delay", "-1ms", err, sizeof err), STATUS_E_BAD_INPUT);
    assert_string_equal(err, "--delay: '-1ms': a duration cannot be negative");
    assert_int_equal(wire_spec_apply(&c, "loss", "101%", err, sizeof err), STATUS_E_BAD_INPUT);
    assert_string_equal(err, "--loss: '101%': over 100 %");
    assert_int_equal(wire_spec_apply(&c, "rate", "0bit", err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "--rate: "));
    assert_int_equal(wire_spec_apply(&c, "queue", "0", err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "--queue: "));
    assert_int_equal(wire_spec_apply(&c, "drop", "nonsense", err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "--drop: unknown drop 'nonsense'"));
    assert_int_equal(c.ndrops, 2);
}

/* ---- the engine, on hand-made frames ---- */

/* An Ethernet + IPv4 + TCP frame (checksums 0: the decoder does not verify them). */
static uint32_t tcp_frame(uint8_t *f, bool from_client, uint16_t flags, uint32_t seq,
                          uint32_t payload)
{
    memset(f, 0, 14 + 20 + 20 + payload);
    f[12] = 0x08;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    uint16_t tot = htons((uint16_t)(40 + payload));
    memcpy(ip + 2, &tot, 2);
    ip[8] = 64;
    ip[9] = 6;
    uint8_t a[4] = {192, 0, 2, 1}, b[4] = {192, 0, 2, 2};
    memcpy(ip + 12, from_client ? a : b, 4);
    memcpy(ip + 16, from_client ? b : a, 4);
    uint8_t *t = ip + 20;
    uint16_t cport = htons(40000), sport = htons(12000);
    memcpy(t, from_client ? &cport : &sport, 2);
    memcpy(t + 2, from_client ? &sport : &cport, 2);
    uint32_t s = htonl(seq);
    memcpy(t + 4, &s, 4);
    t[12] = 5 << 4;
    t[13] = (uint8_t)flags;
    t[14] = 0xff;
    return 14 + 40 + payload;
}

static enum wire_fate decide(struct wire_impairer *im, bool client, uint16_t flags, uint32_t seq,
                             uint32_t payload, uint64_t now, struct wire_verdict *v)
{
    uint8_t f[2000];
    uint32_t len = tcp_frame(f, client, flags, seq, payload);
    wire_impair_decide(im, client ? ROLE_CLIENT : ROLE_SERVER, f, len, now, v);
    return v->fate;
}

static void test_data_drop_counts_new_segments_and_lets_the_retransmission_pass(void **state)
{
    (void)state;
    char err[256];
    struct wire_config c = {0};
    assert_int_equal(wire_spec_apply(&c, "drop", "data:3", err, sizeof err), 0);
    assert_int_equal(wire_spec_apply(&c, "drop", "server:data:2", err, sizeof err), 0);
    assert_int_equal(wire_spec_apply(&c, "drop", "synack", err, sizeof err), 0);
    assert_int_equal(wire_spec_apply(&c, "drop", "fin:2", err, sizeof err), 0);
    struct wire_impairer im;
    assert_int_equal(wire_impair_init(&im, &c), 0);
    struct wire_verdict v;
    uint32_t cs = 1000, ss = 5000;
    assert_int_equal(decide(&im, true, TCP_SYN, cs, 0, 1, &v), WIRE_FATE_DELIVERED);
    assert_int_equal(decide(&im, false, TCP_SYN | TCP_ACK, ss, 0, 2, &v), WIRE_FATE_LOST);
    assert_int_equal(v.drop_rule, 2);
    /* the SYN+ACK's retransmission (same ISN) is no new SYN+ACK */
    assert_int_equal(decide(&im, false, TCP_SYN | TCP_ACK, ss, 0, 3, &v), WIRE_FATE_DELIVERED);
    assert_int_equal(decide(&im, true, TCP_ACK, cs + 1, 0, 4, &v), WIRE_FATE_DELIVERED);
    cs++;
    assert_int_equal(decide(&im, true, TCP_ACK | TCP_PSH, cs, 100, 5, &v), WIRE_FATE_DELIVERED);
    /* a retransmission of the first data segment does not count */
    assert_int_equal(decide(&im, true, TCP_ACK | TCP_PSH, cs, 100, 6, &v), WIRE_FATE_DELIVERED);
    assert_int_equal(decide(&im, true, TCP_ACK | TCP_PSH, cs + 100, 100, 7, &v),
                     WIRE_FATE_DELIVERED);
    assert_false(atomic_load(&im.matched[0]));
    /* the third new segment is dropped; its retransmission passes */
    assert_int_equal(decide(&im, true, TCP_ACK | TCP_PSH, cs + 200, 100, 8, &v), WIRE_FATE_LOST);
    assert_int_equal(v.cause, WIRE_CAUSE_DROP_RULE);
    assert_int_equal(v.drop_rule, 0);
    assert_true(atomic_load(&im.matched[0]));
    assert_int_equal(decide(&im, true, TCP_ACK | TCP_PSH, cs + 200, 100, 9, &v),
                     WIRE_FATE_DELIVERED);
    /* the server's own count: its second data segment */
    assert_int_equal(decide(&im, false, TCP_ACK | TCP_PSH, ss + 1, 10, 10, &v),
                     WIRE_FATE_DELIVERED);
    assert_false(atomic_load(&im.matched[1]));
    assert_int_equal(decide(&im, false, TCP_ACK | TCP_PSH, ss + 11, 10, 11, &v), WIRE_FATE_LOST);
    assert_int_equal(v.drop_rule, 1);
    /* FIN: the first of the connection counts, its retransmission does not */
    assert_int_equal(decide(&im, true, TCP_ACK | TCP_FIN, cs + 300, 0, 12, &v),
                     WIRE_FATE_DELIVERED);
    assert_int_equal(decide(&im, true, TCP_ACK | TCP_FIN, cs + 300, 0, 13, &v),
                     WIRE_FATE_DELIVERED);
    assert_false(atomic_load(&im.matched[3]));
    /* a second connection (new ISN): its FIN is the client's second */
    assert_int_equal(decide(&im, true, TCP_SYN, 90000, 0, 14, &v), WIRE_FATE_DELIVERED);
    assert_int_equal(decide(&im, true, TCP_ACK | TCP_FIN, 90001, 0, 15, &v), WIRE_FATE_LOST);
    assert_int_equal(v.drop_rule, 3);
    wire_impair_free(&im);
}

static void test_pure_acks_count_every_one(void **state)
{
    (void)state;
    char err[256];
    struct wire_config c = {0};
    assert_int_equal(wire_spec_apply(&c, "drop", "ack:2", err, sizeof err), 0);
    struct wire_impairer im;
    assert_int_equal(wire_impair_init(&im, &c), 0);
    struct wire_verdict v;
    assert_int_equal(decide(&im, true, TCP_SYN, 1, 0, 1, &v), WIRE_FATE_DELIVERED);
    assert_int_equal(decide(&im, true, TCP_ACK, 2, 0, 2, &v), WIRE_FATE_DELIVERED);
    /* a data segment is no pure ACK */
    assert_int_equal(decide(&im, true, TCP_ACK, 2, 5, 3, &v), WIRE_FATE_DELIVERED);
    assert_int_equal(decide(&im, true, TCP_ACK, 7, 0, 4, &v), WIRE_FATE_LOST);
    assert_int_equal(decide(&im, true, TCP_ACK, 7, 0, 5, &v), WIRE_FATE_DELIVERED);
    wire_impair_free(&im);
}

static void test_random_loss_follows_the_seed(void **state)
{
    (void)state;
    struct wire_config c = {.seed = 7};
    c.dir[ROLE_CLIENT].loss = 0.3;
    struct wire_impairer a, b;
    assert_int_equal(wire_impair_init(&a, &c), 0);
    c.seed = 8;
    assert_int_equal(wire_impair_init(&b, &c), 0);
    c.seed = 7;
    struct wire_impairer a2;
    assert_int_equal(wire_impair_init(&a2, &c), 0);
    int lost = 0, differ = 0;
    for (int i = 0; i < 1000; i++) {
        struct wire_verdict va, vb, va2;
        decide(&a, true, TCP_ACK, (uint32_t)i, 0, (uint64_t)i, &va);
        decide(&b, true, TCP_ACK, (uint32_t)i, 0, (uint64_t)i, &vb);
        decide(&a2, true, TCP_ACK, (uint32_t)i, 0, (uint64_t)i, &va2);
        assert_int_equal(va.fate, va2.fate); /* same seed, same fates */
        if (va.fate != vb.fate) differ++;
        if (va.fate == WIRE_FATE_LOST) {
            assert_int_equal(va.cause, WIRE_CAUSE_RANDOM);
            lost++;
        }
        /* the other direction has no loss */
        decide(&a, false, TCP_ACK, (uint32_t)i, 0, (uint64_t)i, &va);
        assert_int_equal(va.fate, WIRE_FATE_DELIVERED);
    }
    assert_in_range(lost, 240, 360);
    assert_true(differ > 100);
    wire_impair_free(&a);
    wire_impair_free(&b);
    wire_impair_free(&a2);
}

static void test_burst_loss_comes_in_runs(void **state)
{
    (void)state;
    char err[400];
    struct wire_config c = {.seed = 3};
    assert_int_equal(wire_spec_apply(&c, "burst", "client:2%,20%", err, sizeof err), 0);
    struct wire_impairer im;
    assert_int_equal(wire_impair_init(&im, &c), 0);
    int lost = 0, runs = 0;
    bool prev = false;
    for (int i = 0; i < 20000; i++) {
        struct wire_verdict v;
        decide(&im, true, TCP_ACK, (uint32_t)i, 0, (uint64_t)i, &v);
        bool l = v.fate == WIRE_FATE_LOST;
        if (l) {
            assert_int_equal(v.cause, WIRE_CAUSE_BURST);
            lost++;
        }
        if (l && !prev) runs++;
        prev = l;
    }
    /* stationary loss p/(p+r) = 9 %; mean run length 1/r = 5 frames */
    assert_in_range(lost, 1200, 2400);
    double mean_run = (double)lost / runs;
    assert_true(mean_run > 3.5 && mean_run < 6.5);
    wire_impair_free(&im);
}

static void test_rate_queue_overflows_into_queue_drops(void **state)
{
    (void)state;
    struct wire_config c = {0};
    c.dir[ROLE_CLIENT].rate_bps = 8000000; /* 1000 bytes take 1 ms */
    c.dir[ROLE_CLIENT].queue = 3;
    struct wire_impairer im;
    assert_int_equal(wire_impair_init(&im, &c), 0);
    struct wire_verdict v;
    uint64_t t0 = 1000000000;
    /* 946 bytes of payload + 54 of headers = 1000 bytes: 1 ms each on the link */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(decide(&im, true, TCP_ACK, (uint32_t)i, 946, t0, &v), WIRE_FATE_DELIVERED);
        assert_int_equal(v.out_ns[0], t0 + (uint64_t)(i + 1) * 1000000);
    }
    assert_int_equal(decide(&im, true, TCP_ACK, 9, 946, t0, &v), WIRE_FATE_QUEUE_DROP);
    assert_int_equal(v.cause, WIRE_CAUSE_QUEUE_FULL);
    /* once the first has left the link, there is room for one more, behind the others */
    assert_int_equal(decide(&im, true, TCP_ACK, 10, 946, t0 + 1000000, &v), WIRE_FATE_DELIVERED);
    assert_int_equal(v.out_ns[0], t0 + 4000000);
    wire_impair_free(&im);
}

static void test_jitter_never_reorders_and_duplicates_come_twice(void **state)
{
    (void)state;
    struct wire_config c = {.seed = 1};
    c.dir[ROLE_SERVER].delay_ns = 10000000;
    c.dir[ROLE_SERVER].jitter_ns = 5000000;
    c.dir[ROLE_SERVER].duplicate = 0.5;
    struct wire_impairer im;
    assert_int_equal(wire_impair_init(&im, &c), 0);
    uint64_t last = 0;
    int dups = 0;
    bool varied = false;
    for (int i = 0; i < 200; i++) {
        struct wire_verdict v;
        uint64_t now = (uint64_t)i * 100000;
        decide(&im, false, TCP_ACK, (uint32_t)i, 0, now, &v);
        assert_int_equal(v.fate, WIRE_FATE_DELIVERED);
        assert_true(v.out_ns[0] >= last);
        assert_true(v.out_ns[0] >= now + 5000000 && v.out_ns[0] <= now + 15000000 + 100000);
        if (v.out_ns[0] - now != 10000000) varied = true;
        last = v.out_ns[0];
        assert_true(v.flags & WIRE_FLAG_DELAYED);
        if (v.copies == 2) {
            assert_true(v.flags & WIRE_FLAG_DUPLICATED);
            dups++;
        }
    }
    assert_true(varied);
    assert_in_range(dups, 60, 140);
    wire_impair_free(&im);
}

static void test_reorder_holds_a_frame_back_without_holding_the_next(void **state)
{
    (void)state;
    struct wire_config c = {.seed = 5};
    c.dir[ROLE_CLIENT].reorder = 1.0;
    struct wire_impairer im;
    assert_int_equal(wire_impair_init(&im, &c), 0);
    struct wire_verdict v;
    decide(&im, true, TCP_ACK, 1, 0, 1000, &v);
    assert_true(v.flags & WIRE_FLAG_HELD);
    assert_int_equal(v.out_ns[0], 1000 + WIRE_REORDER_HOLD_NS);
    c.dir[ROLE_CLIENT].reorder = 0;
    wire_impair_free(&im);
    assert_int_equal(wire_impair_init(&im, &c), 0);
    decide(&im, true, TCP_ACK, 1, 0, 1000, &v);
    assert_false(v.flags & WIRE_FLAG_HELD);
    assert_int_equal(v.out_ns[0], 1000);
    wire_impair_free(&im);
}

/* ---- the real wire, in forked children ---- */

static int report_fd = -1;

/* In a child: a failed check says why on the report pipe and ends the child. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            dprintf(report_fd, "%s:%d: ", __FILE__, __LINE__);                                     \
            dprintf(report_fd, __VA_ARGS__);                                                       \
            _exit(1);                                                                              \
        }                                                                                          \
    } while (0)

static bool drop_privileges(void)
{
    if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
        setresuid(65534, 65534, 65534) < 0)
        return false;
    /* changing ids made us undumpable, which hands /proc/self to root */
    prctl(PR_SET_DUMPABLE, 1);
    return true;
}

/* Runs body in a child inside the sandbox (as uid 65534 when unprivileged and root). */
static void run_in_child(void (*body)(void), bool unprivileged, bool sandbox)
{
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        report_fd = pfd[1];
        char err[512];
        if (unprivileged && geteuid() == 0 && !drop_privileges()) {
            dprintf(report_fd, "cannot become uid 65534: %s", strerror(errno));
            _exit(77);
        }
        enum sandbox_kind kind;
        if (sandbox && net_sandbox_enter(&kind, err, sizeof err) < 0) {
            dprintf(report_fd, "%s", err);
            _exit(77);
        }
        body();
        _exit(0);
    }
    close(pfd[1]);
    char msg[1024] = "";
    size_t got = 0;
    ssize_t n;
    while (got < sizeof msg - 1 && (n = read(pfd[0], msg + got, sizeof msg - 1 - got)) > 0)
        got += (size_t)n;
    msg[got] = 0;
    close(pfd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) fail_msg("child killed by signal %d: %s", WTERMSIG(status), msg);
    if (WEXITSTATUS(status) == 77) {
        print_message("skipped: %s\n", msg);
        skip();
    }
    if (WEXITSTATUS(status) != 0) fail_msg("%s", msg);
}

static bool is_root(void)
{
    if (geteuid() == 0) return true;
    print_message("skipped: not root (the unprivileged variant runs as this user)\n");
    return false;
}

/* ---- a client and a server, each in its side's namespace ---- */

struct task {
    struct wire *w;
    enum role side;
    struct net_server_options server;
    struct net_client_options client;
    void (*custom)(struct task *t);
    int rc;
    char err[256];
};

static void *task_main(void *arg)
{
    struct task *t = arg;
    if (wire_enter_side(t->w, t->side, t->err, sizeof t->err) < 0) {
        t->rc = -1;
        return NULL;
    }
    if (t->custom)
        t->custom(t);
    else if (t->side == ROLE_SERVER)
        t->rc = net_server_run(&t->server, t->err, sizeof t->err);
    else
        t->rc = net_client_run(&t->client, t->err, sizeof t->err);
    return NULL;
}

static atomic_bool stop_server;

/* The echo server on the server side and the client module on the client side; returns the
 * client's result (its error in err). The server is stopped if the client gave up. */
static int exchange(struct wire *w, int proto, const char *host, const char *message,
                    const char *lines, int timeout_ms, char *err, size_t errlen)
{
    int ready[2];
    CHECK(pipe(ready) == 0, "pipe");
    atomic_store(&stop_server, false);
    bool v6 = strchr(host, ':') != NULL;
    struct task srv = {.w = w, .side = ROLE_SERVER};
    srv.server = (struct net_server_options){.proto = proto,
                                             .bind_addr = v6 ? WIRE_SERVER_IPV6 : WIRE_SERVER_IPV4,
                                             .port = NET_DEFAULT_PORT,
                                             .max_clients = 1,
                                             .stop = &stop_server,
                                             .ready_fd = ready[1]};
    pthread_t st, ct;
    CHECK(pthread_create(&st, NULL, task_main, &srv) == 0, "server thread");
    struct pollfd pf = {.fd = ready[0], .events = POLLIN};
    CHECK(poll(&pf, 1, 10000) == 1, "the server did not say it listens: %s", srv.err);
    char b;
    CHECK(read(ready[0], &b, 1) == 1, "the server failed: %s", srv.err);
    FILE *in = lines ? fmemopen((void *)lines, strlen(lines), "r") : NULL;
    FILE *out = fopen("/dev/null", "w");
    struct task cli = {.w = w, .side = ROLE_CLIENT};
    cli.client = (struct net_client_options){.proto = proto,
                                             .host = host,
                                             .port = NET_DEFAULT_PORT,
                                             .message = message,
                                             .in = in,
                                             .out = out,
                                             .timeout_ms = timeout_ms};
    CHECK(pthread_create(&ct, NULL, task_main, &cli) == 0, "client thread");
    pthread_join(ct, NULL);
    if (cli.rc != 0) atomic_store(&stop_server, true);
    pthread_join(st, NULL);
    if (in) fclose(in);
    fclose(out);
    close(ready[0]);
    close(ready[1]);
    snprintf(err, errlen, "%s", cli.err);
    CHECK(cli.rc != 0 || srv.rc == 0, "server: %s", srv.err);
    return cli.rc;
}

/* Every event the wire recorded, with its frame decoded. */
struct seen {
    struct wire_event ev;
    uint8_t data[2048];
    struct packet p;
};

static struct seen *drain(struct wire *w, size_t *count)
{
    size_t cap = 8192, n = 0;
    struct seen *s = calloc(cap, sizeof *s);
    CHECK(s != NULL, "memory");
    struct wire_event ev;
    while (wire_next_event(w, &ev) == 1) {
        CHECK(n < cap, "more than %zu events", cap);
        s[n].ev = ev;
        CHECK(ev.len <= sizeof s[n].data, "frame of %u bytes", ev.len);
        memcpy(s[n].data, ev.data, ev.len);
        s[n].ev.data = s[n].data;
        decode_packet(LINK_ETHERNET, s[n].data, ev.len, ev.len, ev.ts_ns, &s[n].p);
        n++;
    }
    *count = n;
    return s;
}

static bool is_tcp(const struct seen *s, uint16_t flags_set, uint16_t flags_clear)
{
    return s->p.status == PACKET_OK && s->p.proto == PROTO_TCP &&
           (s->p.flags & flags_set) == flags_set && !(s->p.flags & flags_clear);
}

static const struct seen *received_of(const struct seen *s, size_t n, uint64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].ev.point == WIRE_POINT_RECEIVED && s[i].ev.id == id) return &s[i];
    return NULL;
}

static struct wire *new_started(const struct wire_config *c)
{
    char err[512];
    struct wire *w = wire_new(c, err, sizeof err);
    CHECK(w != NULL, "%s", err);
    CHECK(wire_start(w, err, sizeof err) == 0, "%s", err);
    return w;
}

static int count_fds(void)
{
    int n = 0;
    for (int fd = 0; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) >= 0) n++;
    return n;
}

/* Reads a pcap file back: its frames, in order. */
static size_t read_pcap(const char *path, struct seen *out, size_t cap)
{
    struct capture_file *f;
    char err[512];
    CHECK(capture_file_open(path, NULL, &f, err, sizeof err) == STATUS_OK, "%s", err);
    CHECK(capture_file_linktype(f) == LINK_ETHERNET, "link type %d", capture_file_linktype(f));
    size_t n = 0;
    struct capture_frame fr;
    while (capture_file_next(f, &fr, err, sizeof err) == 1) {
        CHECK(n < cap && fr.caplen <= sizeof out[n].data, "pcap too big");
        memcpy(out[n].data, fr.data, fr.caplen);
        out[n].ev.len = fr.caplen;
        out[n].ev.ts_ns = fr.ts_ns;
        n++;
    }
    capture_file_close(f);
    return n;
}

static void body_plain_wire_delivers_identical_frames(void)
{
    char spath[] = "/tmp/wire-sent-XXXXXX", rpath[] = "/tmp/wire-recv-XXXXXX";
    int a = mkstemp(spath), b = mkstemp(rpath);
    CHECK(a >= 0 && b >= 0, "mkstemp: %s", strerror(errno));
    close(a);
    close(b);
    int fds = count_fds();
    struct wire_config c = {.sender_pcap = spath, .receiver_pcap = rpath};
    struct wire *w = new_started(&c);
    char err[256];
    CHECK(exchange(w, IPPROTO_TCP, WIRE_SERVER_IPV4, "hello across the wire", NULL, 5000, err,
                   sizeof err) == 0,
          "tcp: %s", err);
    CHECK(exchange(w, IPPROTO_UDP, WIRE_SERVER_IPV4, "a datagram", NULL, 5000, err, sizeof err) ==
              0,
          "udp: %s", err);
    wire_stop(w);
    size_t n;
    struct seen *s = drain(w, &n);
    size_t sent = 0, syn = 0, udp = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].ev.point != WIRE_POINT_SENT) continue;
        sent++;
        CHECK(s[i].ev.fate == WIRE_FATE_DELIVERED && s[i].ev.flags == 0, "frame %llu: fate %s",
              (unsigned long long)s[i].ev.id, wire_fate_name(&s[i].ev));
        const struct seen *r = received_of(s, n, s[i].ev.id);
        CHECK(r != NULL, "frame %llu (%u bytes, ethertype %02x%02x, proto %d) never left the wire",
              (unsigned long long)s[i].ev.id, s[i].ev.len, s[i].data[12], s[i].data[13],
              s[i].p.ip_proto);
        CHECK(r->ev.len == s[i].ev.len && memcmp(r->data, s[i].data, s[i].ev.len) == 0,
              "frame %llu changed on the wire", (unsigned long long)s[i].ev.id);
        CHECK(r->ev.ts_ns >= s[i].ev.ts_ns && r->ev.sent_ns == s[i].ev.ts_ns, "times");
        if (is_tcp(&s[i], TCP_SYN, TCP_ACK)) {
            syn++;
            CHECK(s[i].ev.sender == ROLE_CLIENT && s[i].p.dport == NET_DEFAULT_PORT, "the SYN");
        }
        if (s[i].p.proto == PROTO_UDP) udp++;
    }
    CHECK(syn == 1 && udp == 2, "%zu SYNs, %zu datagrams", syn, udp);
    CHECK(n == 2 * sent, "%zu events for %zu frames", n, sent);
    struct wire_stats st;
    wire_get_stats(w, &st);
    CHECK(st.frames[0] + st.frames[1] == sent, "stats frames");
    CHECK(st.delivered[0] + st.delivered[1] == sent && st.events_dropped == 0, "stats");
    wire_free(w);
    CHECK(count_fds() == fds, "descriptors left open: %d before, %d after", fds, count_fds());

    /* the two pcap files hold the same frames, byte for byte, in the same order */
    struct seen *ps = calloc(4096, sizeof *ps), *pr = calloc(4096, sizeof *pr);
    size_t ns = read_pcap(spath, ps, 4096), nr = read_pcap(rpath, pr, 4096);
    CHECK(ns == sent && nr == sent, "pcap frames: %zu sent, %zu received, %zu on the wire", ns, nr,
          sent);
    for (size_t i = 0; i < ns; i++)
        CHECK(ps[i].ev.len == pr[i].ev.len && memcmp(ps[i].data, pr[i].data, ps[i].ev.len) == 0,
              "pcap frame %zu differs", i + 1);
    unlink(spath);
    unlink(rpath);
    free(ps);
    free(pr);
    free(s);
}

static void test_plain_wire_delivers_identical_frames_as_root(void **state)
{
    (void)state;
    if (!is_root()) skip();
    run_in_child(body_plain_wire_delivers_identical_frames, false, true);
}

static void test_plain_wire_delivers_identical_frames_unprivileged(void **state)
{
    (void)state;
    run_in_child(body_plain_wire_delivers_identical_frames, true, true);
}

static void body_delay_doubles_the_handshake_time(void)
{
    struct wire_config c = {0};
    char err[256];
    CHECK(wire_spec_apply(&c, "delay", "50ms", err, sizeof err) == 0, "%s", err);
    struct wire *w = new_started(&c);
    CHECK(exchange(w, IPPROTO_TCP, WIRE_SERVER_IPV4, "slowly", NULL, 5000, err, sizeof err) == 0,
          "tcp: %s", err);
    wire_stop(w);
    size_t n;
    struct seen *s = drain(w, &n);
    uint64_t syn_sent = 0, synack_received = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].ev.point == WIRE_POINT_SENT && is_tcp(&s[i], TCP_SYN, TCP_ACK))
            syn_sent = s[i].ev.ts_ns;
        if (s[i].ev.point == WIRE_POINT_RECEIVED && is_tcp(&s[i], TCP_SYN | TCP_ACK, 0))
            synack_received = s[i].ev.ts_ns;
        if (s[i].ev.point == WIRE_POINT_SENT) {
            CHECK(s[i].ev.flags & WIRE_FLAG_DELAYED, "a frame not delayed");
            CHECK(strcmp(wire_fate_name(&s[i].ev), "delayed") == 0, "fate name");
        }
        if (s[i].ev.point == WIRE_POINT_RECEIVED) {
            uint64_t spent = s[i].ev.ts_ns - s[i].ev.sent_ns;
            CHECK(spent >= 50000000, "a frame spent only %llu ns on the wire",
                  (unsigned long long)spent);
        }
    }
    CHECK(syn_sent && synack_received, "no handshake seen");
    uint64_t rtt = synack_received - syn_sent;
    CHECK(rtt >= 90000000 && rtt <= 110000000, "SYN -> SYN+ACK took %llu ns, not 100 ms +- 10 %%",
          (unsigned long long)rtt);
    free(s);
    wire_free(w);
}

static void test_delay_doubles_the_handshake_time_as_root(void **state)
{
    (void)state;
    if (!is_root()) skip();
    run_in_child(body_delay_doubles_the_handshake_time, false, true);
}

static void test_delay_doubles_the_handshake_time_unprivileged(void **state)
{
    (void)state;
    run_in_child(body_delay_doubles_the_handshake_time, true, true);
}

static void body_named_drop_loses_the_segment_and_its_retransmission_follows(void)
{
    struct wire_config c = {0};
    char err[256];
    CHECK(wire_spec_apply(&c, "drop", "data:3", err, sizeof err) == 0, "%s", err);
    CHECK(wire_spec_apply(&c, "drop", "data:99", err, sizeof err) == 0, "%s", err);
    struct wire *w = new_started(&c);
    CHECK(exchange(w, IPPROTO_TCP, WIRE_SERVER_IPV4, NULL, "one\ntwo\nthree\nfour\n", 10000, err,
                   sizeof err) == 0,
          "tcp: %s", err);
    wire_stop(w);
    CHECK(wire_drop_matched(w, 0), "data:3 never matched");
    CHECK(!wire_drop_matched(w, 1), "data:99 matched");
    size_t n;
    struct seen *s = drain(w, &n);
    const struct seen *lost = NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i].ev.point != WIRE_POINT_SENT || s[i].ev.fate == WIRE_FATE_DELIVERED) continue;
        CHECK(lost == NULL, "a second frame lost");
        lost = &s[i];
    }
    CHECK(lost != NULL, "nothing lost");
    CHECK(lost->ev.fate == WIRE_FATE_LOST && lost->ev.cause == WIRE_CAUSE_DROP_RULE &&
              lost->ev.drop_rule == 0 && lost->ev.sender == ROLE_CLIENT,
          "the loss");
    char why[64];
    wire_cause_text(&c, &lost->ev, why, sizeof why);
    CHECK(strcmp(why, "--drop data:3") == 0, "cause '%s'", why);
    CHECK(strcmp(wire_fate_name(&lost->ev), "lost") == 0, "fate");
    CHECK(is_tcp(lost, 0, TCP_SYN) && lost->p.payload_len == 5 &&
              memcmp(lost->p.payload, "three", 5) == 0,
          "the lost segment is not the third message");
    CHECK(received_of(s, n, lost->ev.id) == NULL, "the lost frame arrived");
    const struct seen *again = NULL;
    for (const struct seen *x = lost + 1; x < s + n && !again; x++)
        if (x->ev.point == WIRE_POINT_SENT && x->ev.sender == ROLE_CLIENT &&
            is_tcp(x, 0, TCP_SYN) && x->p.seq == lost->p.seq && x->p.payload_len >= 5)
            again = x;
    CHECK(again != NULL, "no retransmission of sequence %u", lost->p.seq);
    CHECK(again->ev.fate == WIRE_FATE_DELIVERED && received_of(s, n, again->ev.id) != NULL,
          "the retransmission did not arrive");
    CHECK(again->ev.ts_ns > lost->ev.ts_ns, "order");
    free(s);
    wire_free(w);
}

static void test_named_drop_loses_the_segment_and_its_retransmission_follows_as_root(void **state)
{
    (void)state;
    if (!is_root()) skip();
    run_in_child(body_named_drop_loses_the_segment_and_its_retransmission_follows, false, true);
}

static void
test_named_drop_loses_the_segment_and_its_retransmission_follows_unprivileged(void **state)
{
    (void)state;
    run_in_child(body_named_drop_loses_the_segment_and_its_retransmission_follows, true, true);
}

static void body_total_loss_delivers_nothing(void)
{
    struct wire_config c = {.seed = 1};
    char err[256];
    CHECK(wire_spec_apply(&c, "loss", "100%", err, sizeof err) == 0, "%s", err);
    struct wire *w = new_started(&c);
    CHECK(exchange(w, IPPROTO_TCP, WIRE_SERVER_IPV4, "void", NULL, 1500, err, sizeof err) != 0,
          "the client got through a wire that loses everything");
    wire_stop(w);
    size_t n;
    struct seen *s = drain(w, &n);
    CHECK(n >= 2, "only %zu frames", n); /* the SYN, and its retransmission after 1 s */
    for (size_t i = 0; i < n; i++) {
        CHECK(s[i].ev.point == WIRE_POINT_SENT, "a frame left the wire");
        CHECK(s[i].ev.fate == WIRE_FATE_LOST && s[i].ev.cause == WIRE_CAUSE_RANDOM, "fate");
        CHECK(is_tcp(&s[i], TCP_SYN, TCP_ACK), "not a SYN");
    }
    struct wire_stats st;
    wire_get_stats(w, &st);
    CHECK(st.delivered[0] == 0 && st.delivered[1] == 0 && st.lost[ROLE_CLIENT] == n, "stats");
    free(s);
    wire_free(w);
}

static void test_total_loss_delivers_nothing_as_root(void **state)
{
    (void)state;
    if (!is_root()) skip();
    run_in_child(body_total_loss_delivers_nothing, false, true);
}

static void test_total_loss_delivers_nothing_unprivileged(void **state)
{
    (void)state;
    run_in_child(body_total_loss_delivers_nothing, true, true);
}

#define BURST 40

static void send_burst(struct task *t)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
    inet_pton(AF_INET, WIRE_SERVER_IPV4, &to.sin_addr);
    char buf[1000] = {0};
    t->rc = 0;
    for (int i = 0; i < BURST; i++)
        if (sendto(fd, buf, sizeof buf, 0, (struct sockaddr *)&to, sizeof to) != sizeof buf)
            t->rc = -1;
    close(fd);
}

static void body_full_queue_drops_and_says_so(void)
{
    struct wire_config c = {0};
    char err[256];
    CHECK(wire_spec_apply(&c, "rate", "client:1mbit", err, sizeof err) == 0, "%s", err);
    CHECK(wire_spec_apply(&c, "queue", "client:4", err, sizeof err) == 0, "%s", err);
    struct wire *w = new_started(&c);
    struct task cli = {.w = w, .side = ROLE_CLIENT, .custom = send_burst};
    pthread_t ct;
    CHECK(pthread_create(&ct, NULL, task_main, &cli) == 0, "thread");
    pthread_join(ct, NULL);
    CHECK(cli.rc == 0, "sendto: %s", cli.err);
    /* wait for the wire's word on every datagram: queued ones out, the others dropped */
    size_t cap = 4096, n = 0;
    struct seen *s = calloc(cap, sizeof *s);
    int sent = 0, out = 0, dropped = 0;
    while (sent < BURST || out + dropped < BURST) {
        struct pollfd pf = {.fd = wire_wake_fd(w), .events = POLLIN};
        CHECK(poll(&pf, 1, 10000) == 1, "the wire went quiet: %d sent, %d out, %d dropped", sent,
              out, dropped);
        uint64_t x;
        (void)!read(pf.fd, &x, sizeof x);
        struct wire_event ev;
        while (wire_next_event(w, &ev) == 1) {
            CHECK(n < cap, "too many events");
            s[n].ev = ev;
            decode_packet(LINK_ETHERNET, ev.data, ev.len, ev.len, 0, &s[n].p);
            if (s[n].p.proto == PROTO_UDP && ev.sender == ROLE_CLIENT) {
                if (ev.point == WIRE_POINT_SENT) sent++;
                if (ev.point == WIRE_POINT_RECEIVED) out++;
                if (ev.point == WIRE_POINT_SENT && ev.fate == WIRE_FATE_QUEUE_DROP) {
                    CHECK(ev.cause == WIRE_CAUSE_QUEUE_FULL, "cause");
                    char why[32];
                    wire_cause_text(&c, &ev, why, sizeof why);
                    CHECK(strcmp(why, "queue full") == 0 &&
                              strcmp(wire_fate_name(&ev), "queue_drop") == 0,
                          "words");
                    dropped++;
                }
            }
            n++;
        }
    }
    /* 8 ms per datagram on the link: the queue of 4 overflows long before the burst ends */
    CHECK(dropped >= BURST / 2 && out >= 4, "%d out, %d queue drops", out, dropped);
    wire_stop(w);
    struct wire_stats st;
    wire_get_stats(w, &st);
    CHECK(st.queue_drops[ROLE_CLIENT] == (uint64_t)dropped, "stats");
    free(s);
    wire_free(w);
}

static void test_full_queue_drops_and_says_so_as_root(void **state)
{
    (void)state;
    if (!is_root()) skip();
    run_in_child(body_full_queue_drops_and_says_so, false, true);
}

static void test_full_queue_drops_and_says_so_unprivileged(void **state)
{
    (void)state;
    run_in_child(body_full_queue_drops_and_says_so, true, true);
}

/* Numbered datagrams from the client to a counting server on the server side. */
struct numbered {
    struct wire *w;
    int count, expect, ready[2];
    int got[256], ngot;
    char err[300];
};

static void *numbered_server(void *arg)
{
    struct numbered *u = arg;
    char err[256];
    if (wire_enter_side(u->w, ROLE_SERVER, err, sizeof err) < 0) {
        snprintf(u->err, sizeof u->err, "%s", err);
        (void)!write(u->ready[1], "x", 1);
        return NULL;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7000)};
    inet_pton(AF_INET, WIRE_SERVER_IPV4, &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) snprintf(u->err, sizeof u->err, "bind");
    (void)!write(u->ready[1], "r", 1);
    while (u->ngot < u->expect && u->ngot < 256) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, 5000) != 1) break;
        int n;
        if (recv(fd, &n, sizeof n, 0) == sizeof n) u->got[u->ngot++] = n;
    }
    close(fd);
    return NULL;
}

static void *numbered_client(void *arg)
{
    struct numbered *u = arg;
    char err[256];
    if (wire_enter_side(u->w, ROLE_CLIENT, err, sizeof err) < 0) return NULL;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7000)};
    inet_pton(AF_INET, WIRE_SERVER_IPV4, &a.sin_addr);
    for (int i = 0; i < u->count; i++)
        (void)sendto(fd, &i, sizeof i, 0, (struct sockaddr *)&a, sizeof a);
    close(fd);
    return NULL;
}

/* Sends count numbered datagrams and waits for the server to read expect of them. */
static void numbered_run(struct numbered *u)
{
    CHECK(pipe(u->ready) == 0, "pipe");
    pthread_t st, ct;
    CHECK(pthread_create(&st, NULL, numbered_server, u) == 0, "thread");
    char b;
    CHECK(read(u->ready[0], &b, 1) == 1 && b == 'r', "server: %s", u->err);
    CHECK(pthread_create(&ct, NULL, numbered_client, u) == 0, "thread");
    pthread_join(ct, NULL);
    pthread_join(st, NULL);
    close(u->ready[0]);
    close(u->ready[1]);
}

static void body_duplicates_arrive_twice(void)
{
    struct wire_config c = {0};
    char err[256];
    CHECK(wire_spec_apply(&c, "duplicate", "client:100%", err, sizeof err) == 0, "%s", err);
    struct wire *w = new_started(&c);
    struct numbered u = {.w = w, .count = 10, .expect = 20};
    numbered_run(&u);
    CHECK(u.ngot == 20, "the server read %d datagrams, not 20", u.ngot);
    for (int k = 0; k < 10; k++) {
        int times = 0;
        for (int i = 0; i < u.ngot; i++)
            times += u.got[i] == k;
        CHECK(times == 2, "datagram %d arrived %d times", k, times);
    }
    wire_stop(w);
    size_t n;
    struct seen *s = drain(w, &n);
    int sent = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].ev.point != WIRE_POINT_SENT || s[i].p.proto != PROTO_UDP) continue;
        sent++;
        CHECK(s[i].ev.flags & WIRE_FLAG_DUPLICATED, "not marked duplicated");
        CHECK(strcmp(wire_fate_name(&s[i].ev), "duplicated") == 0, "fate name");
        int out = 0, copies = 0;
        for (size_t j = 0; j < n; j++)
            if (s[j].ev.point == WIRE_POINT_RECEIVED && s[j].ev.id == s[i].ev.id) {
                out++;
                copies += (s[j].ev.flags & WIRE_FLAG_COPY) != 0;
                CHECK(memcmp(s[j].data, s[i].data, s[i].ev.len) == 0, "a copy differs");
            }
        CHECK(out == 2 && copies == 1, "frame %llu left %d times (%d copies)",
              (unsigned long long)s[i].ev.id, out, copies);
    }
    CHECK(sent == 10, "%d datagrams entered the wire", sent);
    free(s);
    wire_free(w);
}

static void test_duplicates_arrive_twice(void **state)
{
    (void)state;
    run_in_child(body_duplicates_arrive_twice, true, true);
}

static void body_held_frames_are_overtaken(void)
{
    struct wire_config c = {0};
    char err[256];
    CHECK(wire_spec_apply(&c, "reorder", "client:30%", err, sizeof err) == 0, "%s", err);
    CHECK(wire_spec_apply(&c, "seed", "7", err, sizeof err) == 0, "%s", err);
    struct wire *w = new_started(&c);
    struct numbered u = {.w = w, .count = 40, .expect = 40};
    numbered_run(&u);
    CHECK(u.ngot == 40, "the server read %d datagrams, not 40", u.ngot);
    int inversions = 0;
    for (int i = 1; i < u.ngot; i++)
        inversions += u.got[i] < u.got[i - 1];
    CHECK(inversions > 0, "the server read every datagram in order");
    wire_stop(w);
    size_t n;
    struct seen *s = drain(w, &n);
    int reordered = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].ev.point != WIRE_POINT_RECEIVED || !(s[i].ev.flags & WIRE_FLAG_REORDERED))
            continue;
        reordered++;
        CHECK(strcmp(wire_fate_name(&s[i].ev), "reordered") == 0, "fate name");
        bool held = false;
        for (size_t j = 0; j < n; j++)
            if (s[j].ev.point == WIRE_POINT_SENT && s[j].ev.id == s[i].ev.id)
                held = (s[j].ev.flags & WIRE_FLAG_HELD) != 0;
        CHECK(held, "frame %llu reordered without being held", (unsigned long long)s[i].ev.id);
    }
    CHECK(reordered > 0, "no frame marked reordered");
    free(s);
    wire_free(w);
}

static void test_held_frames_are_overtaken(void **state)
{
    (void)state;
    run_in_child(body_held_frames_are_overtaken, true, true);
}

/* ---- the kernel's numbers over the wire ---- */

struct bulk {
    struct wire *w;
    int ready[2];
    size_t bytes, got;
    struct net_tcp_info first, last, max;
    int samples;
    char err[300];
};

static void *sink_server(void *arg)
{
    struct bulk *b = arg;
    char err[256];
    if (wire_enter_side(b->w, ROLE_SERVER, err, sizeof err) < 0) {
        snprintf(b->err, sizeof b->err, "%s", err);
        (void)!write(b->ready[1], "x", 1);
        return NULL;
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7001)};
    inet_pton(AF_INET, WIRE_SERVER_IPV4, &a.sin_addr);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1) < 0) {
        snprintf(b->err, sizeof b->err, "listen: %s", strerror(errno));
        (void)!write(b->ready[1], "x", 1);
        return NULL;
    }
    (void)!write(b->ready[1], "r", 1);
    int fd = accept(ls, NULL, NULL);
    char buf[65536];
    ssize_t n;
    while (fd >= 0 && (n = recv(fd, buf, sizeof buf, 0)) > 0)
        b->got += (size_t)n;
    if (fd >= 0) close(fd);
    close(ls);
    return NULL;
}

/* The client sends in 16 KB pieces and reads TCP_INFO after each one. */
static void *bulk_client(void *arg)
{
    struct bulk *b = arg;
    char err[256];
    if (wire_enter_side(b->w, ROLE_CLIENT, err, sizeof err) < 0) return NULL;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7001)};
    inet_pton(AF_INET, WIRE_SERVER_IPV4, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        snprintf(b->err, sizeof b->err, "connect: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    static char chunk[16384];
    for (size_t sent = 0; sent < b->bytes; sent += sizeof chunk) {
        if (send(fd, chunk, sizeof chunk, MSG_NOSIGNAL) != (ssize_t)sizeof chunk) break;
        struct net_tcp_info ti;
        if (net_tcp_info_read(fd, &ti) < 0) {
            snprintf(b->err, sizeof b->err, "TCP_INFO: %s", strerror(errno));
            break;
        }
        if (b->samples++ == 0) b->first = ti;
        if (ti.cwnd > b->max.cwnd) b->max = ti;
        b->last = ti;
    }
    close(fd);
    return NULL;
}

static void body_cwnd_grows_in_slow_start_over_a_delayed_wire(void)
{
    struct wire_config c = {0};
    char err[256];
    CHECK(wire_spec_apply(&c, "delay", "20ms", err, sizeof err) == 0, "%s", err);
    struct wire *w = new_started(&c);
    struct bulk b = {.w = w, .bytes = 1 << 20};
    CHECK(pipe(b.ready) == 0, "pipe");
    pthread_t st, ct;
    CHECK(pthread_create(&st, NULL, sink_server, &b) == 0, "thread");
    char r;
    CHECK(read(b.ready[0], &r, 1) == 1 && r == 'r', "server: %s", b.err);
    CHECK(pthread_create(&ct, NULL, bulk_client, &b) == 0, "thread");
    pthread_join(ct, NULL);
    pthread_join(st, NULL);
    close(b.ready[0]);
    close(b.ready[1]);
    CHECK(b.err[0] == 0, "%s", b.err);
    CHECK(b.got == b.bytes, "the server read %zu of %zu bytes", b.got, b.bytes);
    /* slow start: from the initial window (10 segments), doubling each round trip */
    CHECK(b.first.cwnd <= 10 && b.first.ssthresh_infinite, "first sample: cwnd %u, ssthresh %s",
          b.first.cwnd, b.first.ssthresh_infinite ? "infinite" : "set");
    CHECK(b.max.cwnd >= 4 * b.first.cwnd, "cwnd grew only from %u to %u", b.first.cwnd, b.max.cwnd);
    CHECK(strcmp(net_tcp_ca_state_name(b.first.ca_state), "open") == 0, "ca_state %s",
          net_tcp_ca_state_name(b.first.ca_state));
    /* the kernel's RTT estimate sees the wire's 40 ms round trip */
    CHECK(b.last.srtt_us >= 40000 && b.last.srtt_us < 200000, "srtt %u us", b.last.srtt_us);
    CHECK(b.last.rto_us >= 200000, "rto %u us", b.last.rto_us);
    CHECK(b.samples == 64, "%d samples", b.samples);
    wire_free(w);
}

static void test_cwnd_grows_in_slow_start_over_a_delayed_wire(void **state)
{
    (void)state;
    run_in_child(body_cwnd_grows_in_slow_start_over_a_delayed_wire, true, true);
}

static void body_a_stopped_wire_starts_again(void)
{
    struct wire_config c = {0};
    struct wire *w = new_started(&c);
    char err[256];
    CHECK(exchange(w, IPPROTO_UDP, WIRE_SERVER_IPV4, "before", NULL, 5000, err, sizeof err) == 0,
          "udp: %s", err);
    wire_stop(w);
    wire_stop(w); /* twice is harmless */
    CHECK(wire_start(w, err, sizeof err) == 0, "%s", err);
    CHECK(exchange(w, IPPROTO_UDP, WIRE_SERVER_IPV4, "after", NULL, 5000, err, sizeof err) == 0,
          "udp after the restart: %s", err);
    wire_stop(w);
    size_t n;
    struct seen *s = drain(w, &n);
    CHECK(n == 8, "%zu events for two exchanges of one datagram each way", n);
    for (size_t i = 1; i < n; i++)
        CHECK(s[i].ev.id >= s[i - 1].ev.id, "frame numbers went back after the restart");
    free(s);
    wire_free(w);
}

static void test_a_stopped_wire_starts_again(void **state)
{
    (void)state;
    run_in_child(body_a_stopped_wire_starts_again, true, true);
}

static void body_ipv6_crosses_too(void)
{
    struct wire_config c = {.ipv6 = true};
    struct wire *w = new_started(&c);
    char err[256];
    CHECK(exchange(w, IPPROTO_TCP, WIRE_SERVER_IPV6, "six", NULL, 5000, err, sizeof err) == 0,
          "tcp over IPv6: %s", err);
    wire_stop(w);
    size_t n;
    struct seen *s = drain(w, &n);
    bool syn6 = false;
    for (size_t i = 0; i < n; i++)
        if (is_tcp(&s[i], TCP_SYN, TCP_ACK) && s[i].p.src.family == 6) syn6 = true;
    CHECK(syn6, "no IPv6 SYN on the wire");
    free(s);
    wire_free(w);
}

static void test_ipv6_crosses_too(void **state)
{
    (void)state;
    run_in_child(body_ipv6_crosses_too, true, true);
}

static void body_without_rights_the_error_names_the_call(void)
{
    struct wire_config c = {0};
    char err[512];
    struct wire *w = wire_new(&c, err, sizeof err);
    CHECK(w == NULL, "a wire without any rights");
    CHECK(strstr(err, "unshare(CLONE_NEWNET)") && strstr(err, "sandbox"), "error: %s", err);
    CHECK(strchr(err, '\n') == NULL, "more than one line: %s", err);
}

static void test_without_rights_the_error_names_the_call(void **state)
{
    (void)state;
    if (!is_root()) skip(); /* needs a user to drop to */
    run_in_child(body_without_rights_the_error_names_the_call, true, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations_take_units_and_refuse_negative_values),
        cmocka_unit_test(test_rates_are_bits_or_bytes_per_second_and_never_zero),
        cmocka_unit_test(test_percentages_are_zero_to_one_hundred),
        cmocka_unit_test(test_queue_is_at_least_one_frame),
        cmocka_unit_test(test_drop_specs_name_sender_kind_and_count),
        cmocka_unit_test(test_burst_takes_two_to_four_percentages),
        cmocka_unit_test(test_apply_sets_one_direction_or_both_and_names_the_option),
        cmocka_unit_test(test_data_drop_counts_new_segments_and_lets_the_retransmission_pass),
        cmocka_unit_test(test_pure_acks_count_every_one),
        cmocka_unit_test(test_random_loss_follows_the_seed),
        cmocka_unit_test(test_burst_loss_comes_in_runs),
        cmocka_unit_test(test_rate_queue_overflows_into_queue_drops),
        cmocka_unit_test(test_jitter_never_reorders_and_duplicates_come_twice),
        cmocka_unit_test(test_reorder_holds_a_frame_back_without_holding_the_next),
        cmocka_unit_test(test_plain_wire_delivers_identical_frames_as_root),
        cmocka_unit_test(test_plain_wire_delivers_identical_frames_unprivileged),
        cmocka_unit_test(test_delay_doubles_the_handshake_time_as_root),
        cmocka_unit_test(test_delay_doubles_the_handshake_time_unprivileged),
        cmocka_unit_test(test_named_drop_loses_the_segment_and_its_retransmission_follows_as_root),
        cmocka_unit_test(
            test_named_drop_loses_the_segment_and_its_retransmission_follows_unprivileged),
        cmocka_unit_test(test_total_loss_delivers_nothing_as_root),
        cmocka_unit_test(test_total_loss_delivers_nothing_unprivileged),
        cmocka_unit_test(test_full_queue_drops_and_says_so_as_root),
        cmocka_unit_test(test_full_queue_drops_and_says_so_unprivileged),
        cmocka_unit_test(test_duplicates_arrive_twice),
        cmocka_unit_test(test_held_frames_are_overtaken),
        cmocka_unit_test(test_cwnd_grows_in_slow_start_over_a_delayed_wire),
        cmocka_unit_test(test_a_stopped_wire_starts_again),
        cmocka_unit_test(test_ipv6_crosses_too),
        cmocka_unit_test(test_without_rights_the_error_names_the_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
