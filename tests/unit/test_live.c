/* capture live: a real capture on loopback inside a private network namespace (made by this
 * process before any thread starts, so no host traffic appears). The capture is confirmed
 * live before traffic starts, so the first frame is the SYN; probes are never delivered; -w
 * holds the same frames, ring drops included. Skips (saying why) without root or netns. */
#define _GNU_SOURCE /* unshare */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "sockscope/capture.h"
#include "sockscope/decode.h"

static char skip_reason[200];
static char dir[64];

#define MAX_FRAMES 2000

/* Pops the frames waiting now. */
static void collect(struct capture_live *c, struct test_frames *g)
{
    struct capture_frame f;
    while (capture_live_next(c, &f) == 1) {
        assert_true(g->n < MAX_FRAMES);
        test_frames_push(g, &f);
    }
}

/* Pops frames, sleeping on the wake fd only (a missing wake-up shows as a failure here), until
 * done(frames so far) says the one awaited has come; 5 s without it fail (a liveness bound). */
static void collect_until(struct capture_live *c, struct test_frames *g,
                          bool (*done)(const struct capture_live *, const struct test_frames *),
                          const char *what)
{
    uint64_t end = test_now_ms() + 5000;
    for (collect(c, g); !done(c, g); collect(c, g)) {
        uint64_t now = test_now_ms();
        if (now >= end || !test_wait_readable(capture_live_wake_fd(c), (int)(end - now)))
            fail_msg("%s never came (%u frames in 5 s)", what, g->n);
    }
}

static struct capture_live *open_lo(struct capture_live_options *o)
{
    char err[1024];
    struct capture_live *c;
    o->device = "lo";
    int rc = capture_live_open(o, &c, err, sizeof err);
    if (rc != STATUS_OK)
        fail_msg("capture_live_open: %d %s", rc, err);
    return c;
}

static void start_ready(struct capture_live *c)
{
    char err[512];
    assert_int_equal(capture_live_start(c, err, sizeof err), STATUS_OK);
    int rc = capture_live_wait_ready(c, 2000, err, sizeof err);
    if (rc != STATUS_OK)
        fail_msg("wait_ready: %s", err);
}

static int bound_socket(int type, struct sockaddr_in *a)
{
    int fd = socket(AF_INET, type, 0);
    assert_true(fd >= 0);
    *a = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof *a;
    assert_int_equal(bind(fd, (struct sockaddr *)a, sizeof *a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)a, &len), 0);
    return fd;
}

/* The textbook exchange: connect, "hello", "HELLO", close both ends. */
static void tcp_exchange(void)
{
    struct sockaddr_in a;
    int ls = bound_socket(SOCK_STREAM, &a);
    assert_int_equal(listen(ls, 1), 0);
    int cs = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(cs, (struct sockaddr *)&a, sizeof a), 0);
    int as = accept(ls, NULL, NULL);
    assert_true(as >= 0);
    char buf[16];
    assert_int_equal(send(cs, "hello", 5, 0), 5);
    assert_int_equal(recv(as, buf, sizeof buf, 0), 5);
    assert_int_equal(send(as, "HELLO", 5, 0), 5);
    assert_int_equal(recv(cs, buf, sizeof buf, 0), 5);
    close(cs);
    assert_int_equal(recv(as, buf, sizeof buf, 0), 0);
    close(as);
    close(ls);
}

static void decode_at(const struct capture_live *c, const struct test_frames *g, uint32_t i,
                      struct packet *p)
{
    const struct test_frame *f = &g->f[i];
    decode_packet(capture_live_linktype(c), f->data, f->caplen, f->caplen, f->ts_ns, p);
}

/* The exchange's last frame: an ACK after both FINs (the client's ACK of the server's FIN). */
static bool exchange_closed(const struct capture_live *c, const struct test_frames *g)
{
    int fins = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        struct packet p;
        decode_at(c, g, i, &p);
        if (p.proto != PROTO_TCP) continue;
        if (p.flags & TCP_FIN)
            fins++;
        else if (fins == 2 && p.flags == TCP_ACK)
            return true;
    }
    return false;
}

/* A UDP datagram to port 9, the only traffic the filter lets through. */
static bool discard_datagram_came(const struct capture_live *c, const struct test_frames *g)
{
    for (uint32_t i = 0; i < g->n; i++) {
        struct packet p;
        decode_at(c, g, i, &p);
        if (p.proto == PROTO_UDP) return true;
    }
    return false;
}

/* The -w file holds exactly these frames: numbers, stamps and bytes. */
static void assert_file_holds(const char *path, const struct test_frames *g, uint32_t total)
{
    char err[512];
    struct capture_file *f;
    assert_int_equal(capture_file_open(path, NULL, &f, err, sizeof err), STATUS_OK);
    struct capture_frame fr;
    uint32_t i = 0, read = 0;
    while (capture_file_next(f, &fr, err, sizeof err) == 1) {
        read++;
        if (i < g->n && fr.number == g->f[i].number) {
            assert_int_equal(fr.caplen, g->f[i].caplen);
            assert_true(fr.ts_ns == g->f[i].ts_ns);
            assert_memory_equal(fr.data, g->f[i].data, fr.caplen);
            i++;
        }
    }
    capture_file_close(f);
    assert_int_equal(i, g->n);
    assert_int_equal(read, total);
}

static void test_first_frame_after_ready_is_the_syn_and_probes_never_show(void **state)
{
    (void)state;
    if (*skip_reason)
        skip();
    char path[128];
    snprintf(path, sizeof path, "%s/syn.pcap", dir);
    struct capture_live_options o = {.write_path = path};
    struct capture_live *c = open_lo(&o);
    start_ready(c);
    tcp_exchange();
    struct test_frames g = {0};
    collect_until(c, &g, exchange_closed, "the ACK of the server's FIN");
    capture_live_stop(c);
    collect(c, &g);

    assert_true(g.n >= 8); /* handshake, two data segments and their ACKs, FINs */
    struct packet p;
    decode_at(c, &g, 0, &p);
    assert_int_equal(p.proto, PROTO_TCP);
    assert_int_equal(p.flags, TCP_SYN);
    for (uint32_t i = 0; i < g.n; i++) {
        decode_at(c, &g, i, &p);
        assert_int_equal(p.proto, PROTO_TCP); /* no probe datagram, nothing else */
        assert_int_equal(g.f[i].number, i + 1);
    }
    struct capture_live_stats st;
    capture_live_stats(c, &st);
    assert_int_equal(st.frames, g.n);
    assert_int_equal(st.ring_dropped, 0);
    capture_live_close(c);
    assert_file_holds(path, &g, g.n);
    test_frames_free(&g);
}

static void test_filter_keeps_probes_visible_and_hides_other_traffic(void **state)
{
    (void)state;
    if (*skip_reason)
        skip();
    struct capture_live_options o = {.bpf = "udp port 9"}; /* the exchange will not match */
    struct capture_live *c = open_lo(&o);
    start_ready(c); /* the probe still gets through the filter */
    tcp_exchange();
    /* then a datagram to port 9: frames come in order, so once it is here, the exchange
     * would have come before it had the filter let it through */
    struct sockaddr_in a;
    int fd = bound_socket(SOCK_DGRAM, &a);
    a.sin_port = htons(9);
    assert_int_equal(sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof a), 1);
    close(fd);
    struct test_frames g = {0};
    collect_until(c, &g, discard_datagram_came, "the datagram to port 9");
    assert_int_equal(g.n, 1);
    test_frames_free(&g);
    capture_live_close(c);
}

static void test_full_ring_drops_are_counted_and_still_written(void **state)
{
    (void)state;
    if (*skip_reason)
        skip();
    char path[128];
    snprintf(path, sizeof path, "%s/drops.pcap", dir);
    struct capture_live_options o = {.write_path = path, .snaplen = 256, .ring_kib = 4};
    struct capture_live *c = open_lo(&o);
    start_ready(c);
    /* 300 datagrams a socket sends to itself, while nobody drains the ring. */
    struct sockaddr_in a;
    int fd = bound_socket(SOCK_DGRAM, &a);
    char payload[200] = {0};
    for (int i = 0; i < 300; i++) {
        assert_int_equal(sendto(fd, payload, sizeof payload, 0, (struct sockaddr *)&a, sizeof a),
                         (ssize_t)sizeof payload);
        (void)!recv(fd, payload, sizeof payload, MSG_DONTWAIT);
    }
    close(fd);
    struct capture_live_stats st;
    uint64_t deadline = test_now_ms() + 3000;
    do
        capture_live_stats(c, &st);
    while (st.frames + st.ring_dropped < 300 && test_now_ms() < deadline);
    capture_live_stop(c);
    capture_live_stats(c, &st);
    assert_int_equal(st.frames + st.ring_dropped, 300);
    assert_true(st.ring_dropped > 0);

    struct test_frames g = {0};
    collect(c, &g);
    assert_int_equal(g.n, st.frames);
    for (uint32_t i = 1; i < g.n; i++)
        assert_true(g.f[i].number > g.f[i - 1].number); /* numbers are those of the -w file */
    capture_live_close(c);
    assert_file_holds(path, &g, 300);
    test_frames_free(&g);
}

/* Every frame delivered says where its record starts in the -w file, past the frames the
 * ring dropped: the file read from there gives that very frame. */
static void test_each_frame_says_where_it_is_in_the_w_file_ring_drops_included(void **state)
{
    (void)state;
    if (*skip_reason)
        skip();
    char path[128];
    snprintf(path, sizeof path, "%s/offsets.pcap", dir);
    struct capture_live_options o = {.write_path = path, .snaplen = 256, .ring_kib = 4};
    struct capture_live *c = open_lo(&o);
    start_ready(c);
    struct sockaddr_in a;
    int fd = bound_socket(SOCK_DGRAM, &a);
    char payload[200] = {0};
    struct test_frames g = {0};
    struct capture_live_stats st;
    /* 300 datagrams while nobody drains the ring (it drops), then the ring is drained and
     * 20 more come: their numbers and offsets lie past the dropped frames */
    for (int round = 0, sent = 0; round < 2; round++) {
        for (int i = 0; i < (round ? 20 : 300); i++, sent++) {
            payload[0] = (char)sent; /* frames differ: a wrong offset cannot pass for a right one */
            assert_int_equal(sendto(fd, payload, sizeof payload, 0, (struct sockaddr *)&a,
                                    sizeof a),
                             (ssize_t)sizeof payload);
            (void)!recv(fd, payload, sizeof payload, MSG_DONTWAIT);
        }
        uint64_t deadline = test_now_ms() + 3000; /* a liveness bound */
        do
            capture_live_stats(c, &st);
        while (st.frames + st.ring_dropped < (uint64_t)sent && test_now_ms() < deadline);
        collect(c, &g);
    }
    close(fd);
    capture_live_stop(c);
    capture_live_stats(c, &st);
    assert_true(st.ring_dropped > 0);
    collect(c, &g);
    capture_live_close(c);

    char err[512];
    struct capture_file *f;
    assert_int_equal(capture_file_open(path, NULL, &f, err, sizeof err), STATUS_OK);
    bool after_a_drop = false;
    for (uint32_t i = 0; i < g.n; i++) {
        const struct test_frame *t = &g.f[i];
        if (t->number != i + 1) after_a_drop = true;
        assert_true(t->offset >= 24); /* after the file header */
        assert_int_equal(capture_file_seek(f, t->offset, t->number, err, sizeof err), STATUS_OK);
        struct capture_frame fr;
        assert_int_equal(capture_file_next(f, &fr, err, sizeof err), 1);
        assert_int_equal(fr.number, t->number);
        assert_int_equal(fr.caplen, t->caplen);
        assert_true(fr.ts_ns == t->ts_ns);
        assert_memory_equal(fr.data, t->data, fr.caplen);
    }
    assert_true(after_a_drop);
    capture_file_close(f);
    test_frames_free(&g);
}

static void test_without_a_w_file_frames_have_no_offset(void **state)
{
    (void)state;
    if (*skip_reason)
        skip();
    struct capture_live_options o = {0};
    struct capture_live *c = open_lo(&o);
    start_ready(c);
    tcp_exchange();
    struct test_frames g = {0};
    collect_until(c, &g, exchange_closed, "the ACK of the server's FIN");
    capture_live_stop(c);
    collect(c, &g);
    assert_true(g.n >= 8);
    for (uint32_t i = 0; i < g.n; i++)
        assert_true(g.f[i].offset == -1);
    capture_live_close(c);
    test_frames_free(&g);
}

static void test_stop_ends_the_thread_and_status_says_stopped(void **state)
{
    (void)state;
    if (*skip_reason)
        skip();
    struct capture_live_options o = {0};
    struct capture_live *c = open_lo(&o);
    start_ready(c);
    char err[256];
    assert_int_equal(capture_live_status(c, err, sizeof err), 1);
    /* a liveness bound, not a measurement: a stop takes about 0.1 ms (tests/bench/stop.sh),
     * a thread woken only by its 500 ms poll period about 250 ms, a lost wake-up never */
    uint64_t t0 = test_now_ms();
    capture_live_stop(c);
    assert_true(test_now_ms() - t0 < 2000);
    assert_int_equal(capture_live_status(c, err, sizeof err), 0);
    capture_live_stop(c); /* twice is harmless */
    capture_live_close(c);
}

static void test_unknown_device_is_bad_input_listing_the_devices(void **state)
{
    (void)state;
    if (*skip_reason)
        skip();
    struct capture_live_options o = {.device = "nosuch0"};
    struct capture_live *c;
    char err[1024];
    assert_int_equal(capture_live_open(&o, &c, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_null(c);
    assert_non_null(strstr(err, "nosuch0"));
    assert_non_null(strstr(err, "lo"));
}

static void test_bad_filter_is_bad_input_naming_the_expression(void **state)
{
    (void)state;
    if (*skip_reason)
        skip();
    struct capture_live_options o = {.device = "lo", .bpf = "tcp port banana"};
    struct capture_live *c;
    char err[1024];
    assert_int_equal(capture_live_open(&o, &c, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "'tcp port banana'"));
}

/* A private network namespace with loopback up, entered before any thread exists. */
static void enter_namespace(void)
{
    if (geteuid() != 0) {
        snprintf(skip_reason, sizeof skip_reason, "not root (live capture needs CAP_NET_RAW)");
        return;
    }
    if (unshare(CLONE_NEWNET) != 0) {
        snprintf(skip_reason, sizeof skip_reason, "unshare(CLONE_NEWNET): %s", strerror(errno));
        return;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0 ||
        (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) != 0))
        snprintf(skip_reason, sizeof skip_reason, "cannot bring lo up: %s", strerror(errno));
    if (fd >= 0)
        close(fd);
}

static int make_dir(void **state)
{
    (void)state;
    return test_dir_make(dir, sizeof dir, "live");
}

static int remove_dir(void **state)
{
    (void)state;
    return test_dir_remove(dir);
}

int main(void)
{
    enter_namespace();
    if (*skip_reason)
        printf("skipping the live capture tests: %s\n", skip_reason);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_frame_after_ready_is_the_syn_and_probes_never_show),
        cmocka_unit_test(test_filter_keeps_probes_visible_and_hides_other_traffic),
        cmocka_unit_test(test_full_ring_drops_are_counted_and_still_written),
        cmocka_unit_test(test_each_frame_says_where_it_is_in_the_w_file_ring_drops_included),
        cmocka_unit_test(test_without_a_w_file_frames_have_no_offset),
        cmocka_unit_test(test_stop_ends_the_thread_and_status_says_stopped),
        cmocka_unit_test(test_unknown_device_is_bad_input_listing_the_devices),
        cmocka_unit_test(test_bad_filter_is_bad_input_naming_the_expression),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
