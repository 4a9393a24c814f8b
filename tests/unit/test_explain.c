/* view's explanations checked against the facts they state, on every frame of every shipped
 * capture: a SampleRTT only where no byte the ACK covers was sent twice (Karn's rule, checked
 * here from the raw sequence numbers, not from the tracker's bookkeeping), "timer ran out"
 * only for a resend that came at least 200 ms after the copy it repeats, and no bare "the
 * round-trip time" for a delayed or ambiguous ACK. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sockscope/timeline.h"
#include "sockscope/view.h"

/* What the test itself remembers of each direction of each TCP stream: every range of
 * sequence numbers sent, how many times, and when last. */
struct sent {
    uint32_t stream;
    uint8_t dir;
    uint32_t seq, end; /* raw */
    unsigned times;
    uint64_t last_ts;
};

struct facts {
    struct sent *s;
    size_t n, cap;
    uint32_t highest_ack[4096][2]; /* raw, per stream and acknowledging direction */
    bool ack_seen[4096][2];
};

static bool before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static void remember(struct facts *f, const struct packet *p, const struct track_info *ti)
{
    uint32_t len = p->payload_len + ((p->flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
    if (!len) return;
    for (size_t i = 0; i < f->n; i++) {
        struct sent *e = &f->s[i];
        if (e->stream == ti->stream && e->dir == ti->dir && e->seq == p->seq &&
            e->end == p->seq + len) {
            e->times++;
            e->last_ts = p->ts_ns;
            return;
        }
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 256;
        f->s = realloc(f->s, f->cap * sizeof *f->s);
        assert_non_null(f->s);
    }
    f->s[f->n++] = (struct sent){ti->stream, ti->dir, p->seq, p->seq + len, 1, p->ts_ns};
}

/* Was any byte in (from, to] of the other direction sent more than once, or a range that
 * overlaps it sent by a different segment too? */
static bool covered_twice(const struct facts *f, uint32_t stream, uint8_t data_dir, uint32_t from,
                          uint32_t to)
{
    unsigned copies = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct sent *e = &f->s[i];
        if (e->stream != stream || e->dir != data_dir) continue;
        if (!before(from, e->end) || !before(e->seq, to)) continue;
        if (e->times > 1) return true;
        copies++;
        for (size_t j = 0; j < f->n; j++) {
            const struct sent *o = &f->s[j];
            if (j == i || o->stream != stream || o->dir != data_dir) continue;
            if (before(o->seq, e->end) && before(e->seq, o->end)) return true; /* overlap */
        }
    }
    return false;
}

/* The newest earlier copy of bytes this segment resends: its time, or 0. */
static uint64_t previous_copy(const struct facts *f, const struct packet *p,
                              const struct track_info *ti)
{
    uint32_t end = p->seq + p->payload_len + ((p->flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
    uint64_t best = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct sent *e = &f->s[i];
        if (e->stream != ti->stream || e->dir != ti->dir) continue;
        if (before(p->seq, e->end) && before(e->seq, end) && e->last_ts > best) best = e->last_ts;
    }
    return best;
}

static unsigned check_capture(const char *path, unsigned *samples, unsigned *refused,
                              unsigned *timers)
{
    struct timeline_pass *pass;
    char err[256], text[1024];
    assert_int_equal(timeline_pass_open(path, NULL, &pass, err, sizeof err), STATUS_OK);
    struct facts *f = calloc(1, sizeof *f);
    assert_non_null(f);
    struct capture_frame fr;
    struct packet p;
    struct track_info ti;
    unsigned frames = 0;
    while (timeline_pass_next(pass, &fr, &p, &ti, err, sizeof err) == 1) {
        frames++;
        view_explain(&p, &ti, fr.number, text, sizeof text);
        if (strstr(text, "the round-trip time"))
            fail_msg("%s frame %u: a bare round-trip claim: %s", path, fr.number, text);
        if (!ti.has_flow || ti.flow_proto != PROTO_TCP || p.proto != PROTO_TCP ||
            ti.stream >= 4096) {
            if (strstr(text, "SampleRTT") || strstr(text, "timer ran out"))
                fail_msg("%s frame %u: an RTT or timer outside TCP: %s", path, fr.number, text);
            continue;
        }
        uint64_t prev = previous_copy(f, &p, &ti);
        if (strstr(text, "timer ran out")) {
            if (!(ti.marks & MARK_RETRANSMISSION) || !prev || p.ts_ns - prev < 200000000ull)
                fail_msg("%s frame %u: a timer named for a resend %.3f ms after its copy: %s", path,
                         fr.number, prev ? (double)(p.ts_ns - prev) / 1e6 : -1.0, text);
            (*timers)++;
        }
        uint8_t other = (uint8_t)!ti.dir;
        if (p.flags & TCP_ACK) {
            bool karn =
                f->ack_seen[ti.stream][ti.dir] &&
                covered_twice(f, ti.stream, other, f->highest_ack[ti.stream][ti.dir], p.ack);
            if (strstr(text, "SampleRTT")) {
                if (karn)
                    fail_msg("%s frame %u: a SampleRTT from an ACK of bytes sent twice: %s", path,
                             fr.number, text);
                (*samples)++;
            }
            if (strstr(text, "Karn")) {
                if (!karn)
                    fail_msg("%s frame %u: Karn's rule named where every byte went once: %s", path,
                             fr.number, text);
                (*refused)++;
            }
            if (!f->ack_seen[ti.stream][ti.dir] ||
                before(f->highest_ack[ti.stream][ti.dir], p.ack)) {
                f->highest_ack[ti.stream][ti.dir] = p.ack;
                f->ack_seen[ti.stream][ti.dir] = true;
            }
        }
        remember(f, &p, &ti);
    }
    timeline_pass_close(pass);
    free(f->s);
    free(f);
    return frames;
}

static void test_every_rtt_and_timer_sentence_of_every_capture_is_true(void **state)
{
    (void)state;
    DIR *d = opendir(SOCKSCOPE_CAPTURES_DIR);
    assert_non_null(d);
    unsigned files = 0, samples = 0, refused = 0, timers = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".pcap")) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", SOCKSCOPE_CAPTURES_DIR, e->d_name);
        assert_true(check_capture(path, &samples, &refused, &timers) > 0);
        files++;
    }
    closedir(d);
    assert_true(files >= 12);
    /* the shipped captures have both kinds of ACK: the check saw each */
    print_message("%u captures: %u SampleRTT sentences, %u refused by Karn's rule, %u timers\n",
                  files, samples, refused, timers);
    assert_true(samples > 10);
    assert_true(refused > 0);
}

/* The two cases a lab meets first: the ACK of a resent segment (tcp-loss.pcap's ack 100001,
 * frame 105, 32 us after the resend in frame 104) and an ACK the receiver held back
 * (tcp-bytestream.pcap's ack 66622, 11.7 ms against a loopback round trip of microseconds). */
static void explanation_of(const char *capture, uint32_t frame, char *text, size_t size,
                           struct track_info *out)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", SOCKSCOPE_CAPTURES_DIR, capture);
    struct timeline_pass *pass;
    assert_int_equal(timeline_pass_open(path, NULL, &pass, err, sizeof err), STATUS_OK);
    struct capture_frame fr;
    struct packet p;
    while (timeline_pass_next(pass, &fr, &p, out, err, sizeof err) == 1) {
        if (fr.number != frame) continue;
        view_explain(&p, out, fr.number, text, size);
        timeline_pass_close(pass);
        return;
    }
    timeline_pass_close(pass);
    fail_msg("%s has no frame %u", capture, frame);
}

static void test_ack_of_a_resent_segment_gives_no_sample(void **state)
{
    (void)state;
    char text[1024];
    struct track_info ti;
    explanation_of("tcp-loss.pcap", 105, text, sizeof text, &ti);
    assert_int_equal(ti.acked_frame, 103); /* tshark's acks_frame stays */
    assert_true(ti.rtt.karn);
    assert_true(ti.rtt.sample_ns < 0);
    assert_non_null(strstr(text, "no RTT sample"));
    assert_null(strstr(text, "SampleRTT"));
}

static void test_a_held_back_ack_is_sampled_and_says_it_may_be_delayed(void **state)
{
    (void)state;
    char path[1024], err[256], text[1024];
    snprintf(path, sizeof path, "%s/tcp-bytestream.pcap", SOCKSCOPE_CAPTURES_DIR);
    struct timeline_pass *pass;
    assert_int_equal(timeline_pass_open(path, NULL, &pass, err, sizeof err), STATUS_OK);
    struct capture_frame fr;
    struct packet p;
    struct track_info ti;
    bool found = false;
    while (!found && timeline_pass_next(pass, &fr, &p, &ti, err, sizeof err) == 1) {
        if (p.proto != PROTO_TCP || ti.ack_rel != 66622 || ti.rtt.sample_ns < 0) continue;
        found = true;
        view_explain(&p, &ti, fr.number, text, sizeof text);
        assert_true(ti.rtt.sample_ns > 5000000);           /* milliseconds... */
        assert_true(ti.rtt.min_ns < ti.rtt.sample_ns / 4); /* ...against microseconds */
        assert_non_null(strstr(text, "SampleRTT"));
        assert_non_null(strstr(text, "delayed ACK"));
        assert_non_null(strstr(text, "TimeoutInterval"));
    }
    timeline_pass_close(pass);
    assert_true(found);
}

static void test_fast_retransmission_and_quick_resend_name_no_timer(void **state)
{
    (void)state;
    char text[1024];
    struct track_info ti;
    explanation_of("tcp-loss.pcap", 79, text, sizeof text, &ti);
    assert_true(ti.marks & MARK_RETRANSMISSION);
    assert_true(ti.resent_after_ns >= 0 && ti.resent_after_ns < 200000000);
    assert_null(strstr(text, "timer ran out"));
    assert_non_null(strstr(text, "sooner than a retransmission timer"));
    explanation_of("tcp-loss.pcap", 27, text, sizeof text, &ti);
    assert_true(ti.marks & MARK_FAST_RETRANSMISSION);
    assert_null(strstr(text, "timer ran out"));
}

/* A segment, hand-made: client 192.0.2.1:40000 (side 0) and server 192.0.2.2:12000. */
static struct packet segment(int from, uint32_t seq, uint32_t ack, uint16_t flags, uint32_t len,
                             uint64_t ts)
{
    static const uint8_t bytes[1460];
    struct packet p;
    memset(&p, 0, sizeof p);
    struct ip_address a = {.family = 4, .bytes = {192, 0, 2, 1}};
    struct ip_address b = {.family = 4, .bytes = {192, 0, 2, 2}};
    p.ts_ns = ts;
    p.src = from ? b : a;
    p.dst = from ? a : b;
    p.sport = from ? 12000 : 40000;
    p.dport = from ? 40000 : 12000;
    p.proto = PROTO_TCP;
    p.ip_proto = 6;
    p.payload = bytes;
    p.seq = seq;
    p.ack = ack;
    p.flags = flags;
    p.window = 1000;
    p.tcp_header_len = 20;
    p.payload_len = p.payload_caplen = len;
    return p;
}

#define MS 1000000ull

/* A resend after a silence longer than any timeout, with no duplicate ACK before it: the
 * timer is named; the ACK that follows covers bytes sent twice: no sample. */
static void test_resend_after_a_silence_names_the_timer_and_its_ack_no_sample(void **state)
{
    (void)state;
    struct tracker *t = track_new();
    assert_non_null(t);
    struct track_info ti;
    char text[1024];
    uint64_t now = 1700000000ull * 1000 * MS;
    struct packet ps[] = {
        segment(0, 1000, 0, TCP_SYN, 0, now),
        segment(1, 5000, 1001, TCP_SYN | TCP_ACK, 0, now + 20 * MS),
        segment(0, 1001, 5001, TCP_ACK, 0, now + 40 * MS),
        segment(0, 1001, 5001, TCP_PSH | TCP_ACK, 100, now + 50 * MS),
        segment(0, 1001, 5001, TCP_PSH | TCP_ACK, 100, now + 350 * MS), /* resent */
        segment(1, 5001, 1101, TCP_ACK, 0, now + 370 * MS),
    };
    uint32_t n = sizeof ps / sizeof ps[0];
    for (uint32_t i = 0; i < n; i++) {
        track_feed(t, &ps[i], i + 1, &ti);
        view_explain(&ps[i], &ti, i + 1, text, sizeof text);
        if (i == 1) {
            assert_int_equal(ti.rtt.sample_ns, 20 * MS); /* SYN -> SYN+ACK */
            assert_int_equal(ti.rtt.est_ns, 20 * MS);
            assert_int_equal(ti.rtt.dev_ns, 10 * MS);
            assert_int_equal(ti.rtt.rto_ns, 60 * MS);
        }
        if (i == 4) {
            assert_true(ti.marks & MARK_RETRANSMISSION);
            assert_int_equal(ti.resent_of_frame, 4);
            assert_int_equal(ti.resent_after_ns, 300 * MS);
            assert_non_null(strstr(text, "retransmission timer ran out"));
        }
        if (i == 5) {
            assert_int_equal(ti.acked_frame, 4); /* tshark's ack_rtt: the oldest copy */
            assert_true(ti.rtt.karn);
            assert_non_null(strstr(text, "Karn"));
        }
    }
    track_free(t);
}

/* The estimator of RFC 6298 over three samples, against the formulas computed here. */
static void test_estimate_follows_rfc_6298(void **state)
{
    (void)state;
    struct tracker *t = track_new();
    assert_non_null(t);
    struct track_info ti;
    uint64_t now = 1700000000ull * 1000 * MS;
    track_feed(t, &(struct packet){0}, 1, &ti); /* not IP: nothing */
    struct packet hs[] = {
        segment(0, 1000, 0, TCP_SYN, 0, now),
        segment(1, 5000, 1001, TCP_SYN | TCP_ACK, 0, now + 10 * MS),
        segment(0, 1001, 5001, TCP_ACK, 0, now + 11 * MS),
    };
    for (uint32_t i = 0; i < 3; i++)
        track_feed(t, &hs[i], i + 2, &ti);
    double est = 10e6, dev = 5e6; /* the SYN's sample R = 10 ms: est R, dev R/2 */
    const uint64_t rtts[] = {30 * MS, 14 * MS, 22 * MS};
    uint32_t seq = 1001, frame = 5;
    for (int k = 0; k < 3; k++) {
        now += 100 * MS;
        struct packet d = segment(0, seq, 5001, TCP_PSH | TCP_ACK, 100, now);
        track_feed(t, &d, frame++, &ti);
        seq += 100;
        struct packet a = segment(1, 5001, seq, TCP_ACK, 0, now + rtts[k]);
        track_feed(t, &a, frame++, &ti);
        double r = (double)rtts[k];
        dev = 0.75 * dev + 0.25 * (est > r ? est - r : r - est);
        est = 0.875 * est + 0.125 * r;
        assert_int_equal(ti.rtt.sample_ns, (int64_t)rtts[k]);
        assert_true(ti.rtt.est_ns > est - 2 && ti.rtt.est_ns < est + 2);
        assert_true(ti.rtt.dev_ns > dev - 2 && ti.rtt.dev_ns < dev + 2);
        assert_int_equal(ti.rtt.rto_ns, ti.rtt.est_ns + 4 * ti.rtt.dev_ns);
        assert_int_equal(ti.rtt.min_ns, 10 * MS);
    }
    track_free(t);
}

/* close() says what goes on the wire for the socket it closes: nothing for a welcoming
 * socket, a RST only after SO_LINGER {on, 0 s}, a FIN otherwise; never a RST "if unread data
 * was left", which the probe cannot know. */
static void test_close_says_what_its_socket_sends(void **state)
{
    (void)state;
    char text[512];
    struct api_event ev = {
        .call = API_CLOSE, .phase = API_PHASE_RETURN, .fd = 14, .sock_type = SOCK_STREAM};
    view_explain_api(&ev, text, sizeof text);
    assert_non_null(strstr(text, "close(fd 14)"));
    assert_non_null(strstr(text, "sends a FIN"));
    assert_null(strstr(text, "RST"));
    ev.listening = true;
    view_explain_api(&ev, text, sizeof text);
    assert_non_null(strstr(text, "nothing goes on the wire"));
    assert_null(strstr(text, "FIN"));
    ev.listening = false;
    ev.abortive = true;
    view_explain_api(&ev, text, sizeof text);
    assert_non_null(strstr(text, "SO_LINGER"));
    assert_non_null(strstr(text, "RST instead of a FIN"));
    ev.abortive = false;
    ev.sock_type = SOCK_DGRAM;
    view_explain_api(&ev, text, sizeof text);
    assert_non_null(strstr(text, "UDP sends nothing"));
}

static void test_setsockopt_is_labelled_with_its_option_and_value(void **state)
{
    (void)state;
    char text[512];
    struct api_event ev = {.call = API_SETSOCKOPT,
                           .phase = API_PHASE_RETURN,
                           .fd = 12,
                           .opt_level = SOL_SOCKET,
                           .opt_name = SO_LINGER,
                           .opt_value = {1, 0}};
    view_api_label(&ev, text, sizeof text);
    assert_string_equal(text, "setsockopt(fd 12, SO_LINGER {on, 0 s})");
    view_explain_api(&ev, text, sizeof text);
    assert_non_null(strstr(text, "abort"));
    ev.opt_value[1] = 5;
    view_explain_api(&ev, text, sizeof text);
    assert_null(strstr(text, "abort"));
    ev.opt_level = IPPROTO_TCP;
    ev.opt_name = TCP_NODELAY;
    ev.opt_value[0] = 1;
    view_api_label(&ev, text, sizeof text);
    assert_string_equal(text, "setsockopt(fd 12, TCP_NODELAY = 1)");
    ev.opt_level = 999;
    view_api_label(&ev, text, sizeof text);
    assert_string_equal(text, "setsockopt(fd 12, level 999, option 1 = 1)");
}

/* A data segment's sentence: the ACK number it will get, hedged for cumulative ACKs, and
 * "window full" only with that mark. */
static void test_data_sentence_and_window_full_only_with_its_mark(void **state)
{
    (void)state;
    char text[1024];
    struct packet p = segment(0, 1001, 5001, TCP_PSH | TCP_ACK, 100, 0);
    struct track_info ti = {.has_flow = true,
                            .flow_proto = PROTO_TCP,
                            .dir = ROLE_CLIENT,
                            .seq_rel = 1,
                            .ack_rel = 1,
                            .next_seq_rel = 101,
                            .ack_rtt_ns = -1,
                            .rtt = {.sample_ns = -1}};
    view_explain(&p, &ti, 4, text, sizeof text);
    assert_non_null(strstr(text, "says ack 101, or more if one ACK covers later segments"));
    assert_null(strstr(text, "window full"));
    ti.marks = MARK_WINDOW_FULL;
    view_explain(&p, &ti, 4, text, sizeof text);
    assert_non_null(strstr(text, "Data: the client sends 100 bytes"));
    assert_non_null(strstr(text, "window full"));
    struct packet u = segment(1, 5001, 1101, TCP_ACK, 0, 0);
    struct track_info wu = {.has_flow = true,
                            .flow_proto = PROTO_TCP,
                            .dir = ROLE_SERVER,
                            .marks = MARK_WINDOW_UPDATE,
                            .window = 65536,
                            .ack_rtt_ns = -1,
                            .rtt = {.sample_ns = -1}};
    view_explain(&u, &wu, 5, text, sizeof text);
    assert_non_null(strstr(text, "now offers a receive window of 65536 bytes"));
    assert_null(strstr(text, "room again")); /* it may have shrunk, or grown from nonzero */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rtt_and_timer_sentence_of_every_capture_is_true),
        cmocka_unit_test(test_ack_of_a_resent_segment_gives_no_sample),
        cmocka_unit_test(test_a_held_back_ack_is_sampled_and_says_it_may_be_delayed),
        cmocka_unit_test(test_fast_retransmission_and_quick_resend_name_no_timer),
        cmocka_unit_test(test_resend_after_a_silence_names_the_timer_and_its_ack_no_sample),
        cmocka_unit_test(test_estimate_follows_rfc_6298),
        cmocka_unit_test(test_close_says_what_its_socket_sends),
        cmocka_unit_test(test_data_sentence_and_window_full_only_with_its_mark),
        cmocka_unit_test(test_setsockopt_is_labelled_with_its_option_and_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
