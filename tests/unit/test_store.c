/* timeline's event store, file indexer and re-reader: what the indexer stores is what one
 * pass over the file gives; a re-read from any checkpoint tracks every frame exactly as the
 * first pass did (relative numbers, marks, states, RTT) and reads at most one checkpoint
 * interval; the reader sees nothing before it is published; a reader thread syncing while the
 * indexer runs only ever sees whole records; stopping is immediate. Real captures only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "sockscope/timeline.h"

static const char *const captures[] = {
    "tcp-abort.pcap",     "tcp-bytestream.pcap", "tcp-echo-ipv4.pcap", "tcp-echo-ipv6.pcap",
    "tcp-half-close.pcap", "tcp-handshake.pcap", "tcp-loss.pcap",      "tcp-refused.pcap",
    "tcp-threaded.pcap",  "tcp-vs-udp.pcap",     "udp-echo.pcap",      "udp-unreachable.pcap",
};
#define NCAPTURES (sizeof captures / sizeof captures[0])

static void path_of(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", SOCKSCOPE_CAPTURES_DIR, name);
}

/* What one pass over the file says of each frame. */
struct seen {
    uint32_t number;
    struct track_info info;
};

static uint32_t first_pass(const char *path, struct seen **out)
{
    struct timeline_pass *p;
    char err[256];
    assert_int_equal(timeline_pass_open(path, NULL, &p, err, sizeof err), STATUS_OK);
    uint32_t n = 0, cap = 64;
    struct seen *s = malloc(sizeof *s * cap);
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    while (timeline_pass_next(p, &fr, &pkt, &info, err, sizeof err) > 0) {
        if (n == cap) s = realloc(s, sizeof *s * (cap *= 2));
        s[n].number = fr.number;
        s[n].info = info;
        n++;
    }
    timeline_pass_close(p);
    *out = s;
    return n;
}

/* Syncs on the store's wake-ups until the indexer is done (10 s at most: a liveness bound). */
static void wait_done(struct timeline_store *s, struct timeline_snapshot *snap)
{
    uint64_t end = test_now_ms() + 10000;
    for (timeline_store_sync(s, snap); !snap->done; timeline_store_sync(s, snap)) {
        uint64_t now = test_now_ms();
        if (now >= end || !test_wait_readable(timeline_store_wake_fd(s), (int)(end - now)))
            fail_msg("the indexer did not finish within 10 s");
    }
}

static void same_info(const struct track_info *a, const struct track_info *b, uint32_t frame)
{
    char where[64];
    snprintf(where, sizeof where, "frame %u", frame);
    if (a->has_flow != b->has_flow || a->stream != b->stream || a->dir != b->dir ||
        a->seq_rel != b->seq_rel || a->ack_rel != b->ack_rel ||
        a->next_seq_rel != b->next_seq_rel || a->window != b->window ||
        a->window_scale_unknown != b->window_scale_unknown || a->marks != b->marks ||
        a->dup_ack_count != b->dup_ack_count || a->dup_ack_of_frame != b->dup_ack_of_frame ||
        a->ack_rtt_ns != b->ack_rtt_ns || a->acked_frame != b->acked_frame ||
        a->kind != b->kind || a->acked_segments != b->acked_segments ||
        a->rtt.sample_ns != b->rtt.sample_ns || a->rtt.est_ns != b->rtt.est_ns ||
        a->rtt.dev_ns != b->rtt.dev_ns || a->rtt.min_ns != b->rtt.min_ns ||
        a->rtt.karn != b->rtt.karn || a->resent_of_frame != b->resent_of_frame ||
        a->resent_after_ns != b->resent_after_ns || a->resent_rto_ns != b->resent_rto_ns ||
        a->state_src != b->state_src || a->state_dst != b->state_dst ||
        a->state_src_before != b->state_src_before || a->state_dst_before != b->state_dst_before)
        fail_msg("%s: the re-read tracks it differently from the first pass", where);
}

/* Indexes path with a checkpoint every `every` frames and checks, for every event in
 * `order`, that a re-read from the checkpoint before it sees the first pass's frame. */
static void check_rereads(const char *name, uint32_t every, bool backwards)
{
    char path[512], err[256];
    path_of(name, path, sizeof path);
    struct seen *seen;
    uint32_t n = first_pass(path, &seen);
    struct timeline_store *s = timeline_store_new();
    assert_non_null(s);
    struct timeline_indexer *x;
    assert_int_equal(timeline_index_start(s, path, NULL, every, &x, err, sizeof err), STATUS_OK);
    struct timeline_snapshot snap;
    wait_done(s, &snap);
    assert_int_equal(snap.events, n);
    assert_false(snap.failed);
    if (n > every) assert_true(snap.checkpoints > 0);
    struct timeline_reread *r;
    assert_int_equal(timeline_reread_open(s, path, NULL, &r, err, sizeof err), STATUS_OK);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t want = backwards ? n - 1 - k : k;
        assert_int_equal(timeline_store_event(s, want)->frame, seen[want].number);
        assert_int_equal(timeline_reread_seek(r, want, err, sizeof err), STATUS_OK);
        uint64_t before = timeline_reread_frames(r);
        struct capture_frame fr;
        struct packet pkt;
        struct track_info info;
        uint32_t got;
        do
            assert_int_equal(timeline_reread_next(r, &got, &fr, &pkt, &info, err, sizeof err), 1);
        while (got < want);
        assert_int_equal(got, want);
        assert_int_equal(fr.number, seen[want].number);
        same_info(&info, &seen[want].info, fr.number);
        /* going back, the read starts at the checkpoint before the event, never earlier */
        const struct timeline_checkpoint *cp = timeline_store_checkpoint_before(s, want);
        if (backwards) assert_true(timeline_reread_frames(r) - before <= want - (cp ? cp->event : 0) + 1);
    }
    timeline_reread_close(r);
    timeline_index_stop(x);
    timeline_store_free(s);
    free(seen);
}

static void test_rereads_from_checkpoints_track_as_the_first_pass(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCAPTURES; i++) {
        check_rereads(captures[i], 3, false);
        check_rereads(captures[i], 5, true);
    }
}

static void test_indexed_flows_count_every_packet_and_byte(void **state)
{
    (void)state;
    char path[512], err[256];
    path_of("tcp-threaded.pcap", path, sizeof path);
    struct timeline_store *s = timeline_store_new();
    struct timeline_indexer *x;
    assert_int_equal(timeline_index_start(s, path, NULL, 0, &x, err, sizeof err), STATUS_OK);
    struct timeline_snapshot snap;
    wait_done(s, &snap);
    assert_int_equal(snap.flows, 3); /* three clients, one TCP stream each */
    uint32_t packets = 0;
    for (uint32_t i = 0; i < snap.flows; i++) {
        const struct timeline_flow *f = timeline_store_flow(s, i);
        assert_int_equal(f->stream, i);
        assert_int_equal(f->proto, PROTO_TCP);
        assert_int_equal(f->server.port, 12000);
        assert_int_equal(f->state_client, TCP_STATE_TIME_WAIT);
        assert_true(f->last_ns > f->first_ns);
        packets += f->packets;
    }
    assert_int_equal(packets, snap.tcp);
    assert_int_equal(snap.events, snap.tcp + snap.udp + snap.other);
    assert_int_equal(snap.lane_count, 4); /* three clients and the server */
    assert_int_equal(snap.checkpoints, 0); /* none asked */
    timeline_index_stop(x);
    timeline_store_free(s);
}

static void test_nothing_is_seen_before_it_is_published(void **state)
{
    (void)state;
    char path[512], err[256];
    path_of("tcp-echo-ipv4.pcap", path, sizeof path);
    struct timeline_pass *p;
    assert_int_equal(timeline_pass_open(path, NULL, &p, err, sizeof err), STATUS_OK);
    struct timeline_store *s = timeline_store_new();
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    uint32_t n = 0;
    while (timeline_pass_next(p, &fr, &pkt, &info, err, sizeof err) > 0) {
        assert_true(timeline_store_add_frame(s, &pkt, &info, fr.number, fr.wirelen));
        n++;
    }
    struct timeline_snapshot snap;
    timeline_store_sync(s, &snap);
    assert_int_equal(snap.events, 0);
    assert_int_equal(snap.flows, 0);
    assert_int_equal(snap.lane_count, 0);
    timeline_store_publish(s);
    timeline_store_sync(s, &snap);
    assert_int_equal(snap.events, n);
    assert_int_equal(snap.flows, 1);
    assert_int_equal(snap.lane_count, 2);
    assert_false(snap.done);
    assert_int_equal(timeline_store_event(s, 0)->frame, 1);
    assert_true(timeline_store_event(s, 0)->flags & TCP_SYN);
    timeline_store_finish(s, "the file stops short", NULL);
    timeline_store_sync(s, &snap);
    assert_true(snap.done);
    assert_string_equal(snap.warning, "the file stops short");
    timeline_pass_close(p);
    timeline_store_free(s);
}

static void test_calls_take_reserved_lanes_and_name_their_threads(void **state)
{
    (void)state;
    struct timeline_store *s = timeline_store_new();
    timeline_store_reserve_lane(s, ROLE_CLIENT);
    timeline_store_reserve_lane(s, ROLE_SERVER);
    struct api_event listen_call = {.ts_ns = 10, .call = API_LISTEN, .phase = API_PHASE_RETURN,
                                    .thread = 1, .listening = true, .sock_type = SOCK_STREAM};
    listen_call.local.addr.family = 4; /* 0.0.0.0:12000: bound to every address */
    listen_call.local.port = 12000;
    struct api_event connect_call = {.ts_ns = 20, .call = API_CONNECT, .thread = 2,
                                     .sock_type = SOCK_STREAM};
    connect_call.local.addr.family = 4;
    connect_call.local.addr.bytes[0] = 127;
    connect_call.local.addr.bytes[3] = 1;
    connect_call.local.port = 40000;
    struct api_event accept_call = listen_call;
    accept_call.call = API_ACCEPT;
    accept_call.thread = 3; /* another thread on the server's lifeline */
    assert_true(timeline_store_add_call(s, &listen_call));
    assert_true(timeline_store_add_call(s, &connect_call));
    assert_true(timeline_store_add_call(s, &accept_call));
    timeline_store_publish(s);
    struct timeline_snapshot snap;
    timeline_store_sync(s, &snap);
    assert_int_equal(snap.events, 3);
    assert_int_equal(snap.calls, 3);
    assert_int_equal(snap.lane_count, 2);
    const struct timeline_event *e = timeline_store_event(s, 0);
    assert_true(e->bits & TIMELINE_EV_API);
    assert_int_equal(e->lane_a, 1); /* the server's reserved lane, on the right */
    assert_int_equal(timeline_store_event(s, 1)->lane_a, 0);
    assert_int_equal(timeline_store_event(s, 0)->states, 0); /* one thread so far */
    assert_int_equal(timeline_store_event(s, 2)->states, 1); /* "[thread 3]" */
    assert_int_equal(timeline_store_call(s, timeline_store_event(s, 2)->frame)->call, API_ACCEPT);
    timeline_store_free(s);
}

/* ---- a reader syncing while the indexer runs ----
 * The capture is written by the test into a FIFO, in chunks larger than the indexer's
 * publication interval (4096 frames, index.c), and the next chunk goes only once the reader
 * has seen the last one published: so the reader sees every intermediate state, and syncs
 * while the indexer records and publishes each chunk. The capture: TCP connections one after
 * another on 127.0.0.1, each a new flow, the first 31 a new client lane, so every state adds
 * flows and most add lanes. */

enum {
    CONNS = 40,
    EXCHANGES = 830,               /* request, reply, ACK: 3 frames each */
    FRAMES_PER_CONN = 3 + 3 * EXCHANGES + 4,
    FRAMES = CONNS * FRAMES_PER_CONN, /* 99,880 */
    CHUNK = 5000,                  /* frames between two handshakes with the reader */
    SERVER_PORT = 12000,
};

static uint16_t sum16(const uint8_t *b, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)b[i] << 8 | b[i + 1];
    if (n & 1) acc += (uint32_t)b[n - 1] << 8;
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)acc;
}

static void put16(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static void put32be(uint8_t *b, uint32_t v)
{
    put16(b, (uint16_t)(v >> 16));
    put16(b + 2, (uint16_t)v);
}

/* One Ethernet + IPv4 + TCP frame between 127.0.0.1 ports, checksums right, as lo shows. */
static void dump_tcp(pcap_dumper_t *d, uint64_t us, uint16_t sport, uint16_t dport, uint32_t seq,
                     uint32_t ack, uint8_t flags, const char *payload)
{
    uint8_t f[128] = {0};
    size_t plen = payload ? strlen(payload) : 0, ip_len = 20 + 20 + plen;
    f[12] = 0x08; /* IPv4 */
    uint8_t *ip = f + 14, *tcp = ip + 20;
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)ip_len);
    put16(ip + 4, (uint16_t)(us & 0xFFFF));
    ip[6] = 0x40; /* DF */
    ip[8] = 64;
    ip[9] = 6;
    ip[12] = ip[16] = 127;
    ip[15] = ip[19] = 1;
    put16(ip + 10, (uint16_t)~sum16(ip, 20, 0));
    put16(tcp, sport);
    put16(tcp + 2, dport);
    put32be(tcp + 4, seq);
    put32be(tcp + 8, ack);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 65483);
    memcpy(tcp + 20, payload ? payload : "", plen);
    uint8_t pseudo[12] = {127, 0, 0, 1, 127, 0, 0, 1, 0, 6};
    put16(pseudo + 10, (uint16_t)(20 + plen));
    put16(tcp + 16, (uint16_t)~sum16(tcp, 20 + plen, sum16(pseudo, sizeof pseudo, 0)));
    struct pcap_pkthdr h = {.ts = {(time_t)(us / 1000000), (suseconds_t)(us % 1000000)},
                            .caplen = (bpf_u_int32)(14 + ip_len),
                            .len = (bpf_u_int32)(14 + ip_len)};
    pcap_dump((u_char *)d, &h, f);
}

/* A reader's view while indexing; `seen` (a pipe) gets a byte for every new state it saw. */
struct watcher {
    struct timeline_store *s;
    int seen;
    uint32_t syncs, states, last, last_flows;
    char bad[200]; /* the first incoherence seen */
};

static void watcher_fail(struct watcher *w, const char *what, uint32_t i)
{
    if (!w->bad[0]) snprintf(w->bad, sizeof w->bad, "event %u: %s", i, what);
}

static void *watch(void *arg)
{
    struct watcher *w = arg;
    struct timeline_snapshot snap;
    do {
        timeline_store_sync(w->s, &snap);
        w->syncs++;
        if (snap.events < w->last || snap.flows < w->last_flows)
            watcher_fail(w, "a count went back", snap.events);
        for (uint32_t i = w->last; i < snap.events; i++) {
            const struct timeline_event *e = timeline_store_event(w->s, i);
            if (e->frame != i + 1) watcher_fail(w, "not its frame (no filter: i + 1)", i);
            if (e->flow >= snap.flows) {
                watcher_fail(w, "its flow is not published yet", i);
                continue;
            }
            /* the first 31 clients and the server have lanes, the later ones are notes */
            if ((e->lane_a != TIMELINE_NO_LANE && e->lane_a >= snap.lane_count) ||
                (e->lane_b != TIMELINE_NO_LANE && e->lane_b >= snap.lane_count))
                watcher_fail(w, "a lane that the snapshot does not have", i);
            const struct timeline_flow *f = timeline_store_flow(w->s, e->flow);
            if (f->proto != PROTO_TCP || f->server.port != SERVER_PORT ||
                f->client.port != 40000 + e->flow || f->first_ns > e->ts_ns)
                watcher_fail(w, "its flow row is not whole", i);
        }
        if (snap.events > w->last) {
            w->states++;
            (void)!write(w->seen, "s", 1);
        }
        w->last = snap.events;
        w->last_flows = snap.flows;
    } while (!snap.done);
    return NULL;
}

/* Writes the capture into the FIFO, CHUNK frames at a time, each after the reader has seen
 * the one before published (a byte on `seen`, 5 s at most: a liveness bound). */
struct feeder {
    const char *fifo;
    int seen;
    bool stalled;
};

static void next_chunk(struct feeder *fd, pcap_dumper_t *d, uint32_t *written)
{
    if (++*written % CHUNK) return;
    pcap_dump_flush(d);
    char c;
    if (!test_wait_readable(fd->seen, 5000) || read(fd->seen, &c, 1) != 1) fd->stalled = true;
    while (test_wait_readable(fd->seen, 0) && read(fd->seen, &c, 1) == 1) {
    }
}

static void *feed(void *arg)
{
    struct feeder *fd = arg;
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, fd->fifo);
    uint32_t written = 0;
    uint64_t us = 1700000000ull * 1000000u;
    for (uint32_t k = 0; d && k < CONNS && !fd->stalled; k++) {
        uint16_t cp = (uint16_t)(40000 + k);
        uint32_t c = 1000u * k + 1, s = 500000u + k; /* ISNs */
        char msg[16];
        dump_tcp(d, us += 10, cp, SERVER_PORT, c, 0, TCP_SYN, NULL);
        next_chunk(fd, d, &written);
        dump_tcp(d, us += 10, SERVER_PORT, cp, s, c + 1, TCP_SYN | TCP_ACK, NULL);
        next_chunk(fd, d, &written);
        dump_tcp(d, us += 10, cp, SERVER_PORT, ++c, ++s, TCP_ACK, NULL);
        next_chunk(fd, d, &written);
        for (int i = 0; i < EXCHANGES && !fd->stalled; i++) {
            snprintf(msg, sizeof msg, "hello %04d", i);
            dump_tcp(d, us += 10, cp, SERVER_PORT, c, s, TCP_PSH | TCP_ACK, msg);
            next_chunk(fd, d, &written);
            c += 10;
            snprintf(msg, sizeof msg, "HELLO %04d", i);
            dump_tcp(d, us += 10, SERVER_PORT, cp, s, c, TCP_PSH | TCP_ACK, msg);
            next_chunk(fd, d, &written);
            s += 10;
            dump_tcp(d, us += 10, cp, SERVER_PORT, c, s, TCP_ACK, NULL);
            next_chunk(fd, d, &written);
        }
        dump_tcp(d, us += 10, cp, SERVER_PORT, c, s, TCP_FIN | TCP_ACK, NULL);
        next_chunk(fd, d, &written);
        dump_tcp(d, us += 10, SERVER_PORT, cp, s, c + 1, TCP_ACK, NULL);
        next_chunk(fd, d, &written);
        dump_tcp(d, us += 10, SERVER_PORT, cp, s, c + 1, TCP_FIN | TCP_ACK, NULL);
        next_chunk(fd, d, &written);
        dump_tcp(d, us += 10, cp, SERVER_PORT, c + 1, s + 1, TCP_ACK, NULL);
        next_chunk(fd, d, &written);
    }
    if (d) pcap_dump_close(d);
    pcap_close(dead);
    return NULL;
}

static void test_a_reader_syncing_while_indexing_sees_whole_records(void **state)
{
    (void)state;
    char dir[64], fifo[128], err[256];
    assert_int_equal(test_dir_make(dir, sizeof dir, "store"), 0);
    test_dir_path(fifo, sizeof fifo, dir, "capture.pcap");
    for (int round = 0; round < 4; round++) {
        assert_int_equal(mkfifo(fifo, 0600), 0);
        int seen[2];
        assert_int_equal(pipe(seen), 0);
        struct feeder fd = {.fifo = fifo, .seen = seen[0]};
        pthread_t feeder, reader;
        assert_int_equal(pthread_create(&feeder, NULL, feed, &fd), 0);
        struct timeline_store *s = timeline_store_new();
        struct watcher w = {.s = s, .seen = seen[1]};
        struct timeline_indexer *x;
        assert_int_equal(timeline_index_start(s, fifo, NULL, 0, &x, err, sizeof err), STATUS_OK);
        assert_int_equal(pthread_create(&reader, NULL, watch, &w), 0);
        assert_int_equal(pthread_join(reader, NULL), 0);
        assert_int_equal(pthread_join(feeder, NULL), 0);
        if (w.bad[0]) fail_msg("round %d, after %u syncs: %s", round, w.syncs, w.bad);
        assert_false(fd.stalled);
        assert_int_equal(w.last, FRAMES);
        assert_int_equal(w.last_flows, CONNS);
        assert_true(w.states >= FRAMES / CHUNK); /* every chunk was seen */
        timeline_index_stop(x);
        timeline_store_free(s);
        close(seen[0]);
        close(seen[1]);
        assert_int_equal(unlink(fifo), 0);
    }
    assert_int_equal(test_dir_remove(dir), 0);
}

static void test_stopping_an_indexer_at_once_loses_nothing_published(void **state)
{
    (void)state;
    char path[512], err[256];
    path_of("tcp-bytestream.pcap", path, sizeof path);
    struct timeline_store *s = timeline_store_new();
    struct timeline_indexer *x;
    assert_int_equal(timeline_index_start(s, path, NULL, 16, &x, err, sizeof err), STATUS_OK);
    struct timeline_snapshot snap;
    timeline_store_sync(s, &snap);
    assert_true(snap.events >= 1); /* the first frame is there before the thread runs */
    timeline_index_stop(x);
    timeline_store_sync(s, &snap);
    for (uint32_t i = 0; i < snap.events; i++)
        assert_int_equal(timeline_store_event(s, i)->frame, i + 1);
    timeline_store_free(s);
}

static void test_a_file_without_frames_is_refused_before_any_thread(void **state)
{
    (void)state;
    char err[256];
    struct timeline_store *s = timeline_store_new();
    struct timeline_indexer *x;
    assert_int_equal(timeline_index_start(s, "/nonexistent.pcap", NULL, 16, &x, err, sizeof err),
                     STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "/nonexistent.pcap"));
    /* a truncated copy of a real capture: header and half a record */
    char path[512], dir[64], cut[128];
    assert_int_equal(test_dir_make(dir, sizeof dir, "store"), 0);
    test_dir_path(cut, sizeof cut, dir, "cut.pcap");
    path_of("tcp-echo-ipv4.pcap", path, sizeof path);
    FILE *in = fopen(path, "rb");
    int fd = open(cut, O_WRONLY | O_CREAT | O_EXCL, 0600);
    uint8_t buf[24 + 16 + 20];
    assert_int_equal(fread(buf, 1, sizeof buf, in), sizeof buf);
    assert_int_equal(write(fd, buf, sizeof buf), (ssize_t)sizeof buf);
    close(fd);
    fclose(in);
    assert_int_equal(timeline_index_start(s, cut, NULL, 16, &x, err, sizeof err),
                     STATUS_E_BAD_INPUT);
    assert_non_null(strstr(err, "no readable frame"));
    assert_int_equal(test_dir_remove(dir), 0);
    timeline_store_free(s);
}

/* A live session's file holds frames its ring had to drop: the store never saw them, so a
 * re-read must step over them untracked and still see each stored frame as the first pass. */
static void test_rereads_step_over_frames_the_store_never_saw(void **state)
{
    (void)state;
    char path[512], err[256];
    path_of("tcp-loss.pcap", path, sizeof path);
    struct capture_file *cf;
    assert_int_equal(capture_file_open(path, NULL, &cf, err, sizeof err), STATUS_OK);
    struct tracker *t = track_new();
    struct timeline_store *s = timeline_store_new();
    struct seen kept[256];
    uint32_t n = 0;
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    while (capture_file_next(cf, &fr, err, sizeof err) > 0 && n < 256) {
        if (fr.number % 5 == 3) continue; /* "dropped by the ring": never decoded nor tracked */
        decode_packet(capture_file_linktype(cf), fr.data, fr.caplen, fr.wirelen, fr.ts_ns, &pkt);
        track_feed(t, &pkt, fr.number, &info);
        assert_true(timeline_store_add_frame(s, &pkt, &info, fr.number, fr.wirelen));
        kept[n].number = fr.number;
        kept[n++].info = info;
    }
    timeline_store_finish(s, NULL, NULL);
    struct timeline_reread *r;
    assert_int_equal(timeline_reread_open(s, path, NULL, &r, err, sizeof err), STATUS_OK);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t got;
        assert_int_equal(timeline_reread_next(r, &got, &fr, &pkt, &info, err, sizeof err), 1);
        assert_int_equal(got, k);
        assert_int_equal(fr.number, kept[k].number);
        same_info(&info, &kept[k].info, fr.number);
    }
    timeline_reread_close(r);
    timeline_store_free(s);
    track_free(t);
    capture_file_close(cf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rereads_from_checkpoints_track_as_the_first_pass),
        cmocka_unit_test(test_indexed_flows_count_every_packet_and_byte),
        cmocka_unit_test(test_nothing_is_seen_before_it_is_published),
        cmocka_unit_test(test_calls_take_reserved_lanes_and_name_their_threads),
        cmocka_unit_test(test_a_reader_syncing_while_indexing_sees_whole_records),
        cmocka_unit_test(test_stopping_an_indexer_at_once_loses_nothing_published),
        cmocka_unit_test(test_a_file_without_frames_is_refused_before_any_thread),
        cmocka_unit_test(test_rereads_step_over_frames_the_store_never_saw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
