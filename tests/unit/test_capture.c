/* capture: reading saved files — frame numbers, nanosecond stamps, filters that keep the
 * file's numbering, every kind of bad file refused with a reason naming it, and reading on
 * from a remembered place (tell and seek) in classic pcap and pcapng alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "sockscope/capture.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    return test_dir_make(dir, sizeof dir, "capture");
}

static int remove_dir(void **state)
{
    (void)state;
    return test_dir_remove(dir);
}

static void put32(FILE *f, uint32_t v)
{
    fwrite(&v, 4, 1, f);
}

/* A nanosecond pcap (magic a1b23c4d) of Ethernet frames: UDP to port 12000 for odd frames,
 * port 53 for even ones. cut_last > 0 drops that many bytes from the end. */
static void write_pcap(const char *path, int frames, int cut_last)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    put32(f, 0xa1b23c4d);
    uint16_t v[2] = {2, 4};
    fwrite(v, 2, 2, f);
    put32(f, 0);
    put32(f, 0);
    put32(f, 65535);
    put32(f, 1);
    for (int i = 1; i <= frames; i++) {
        uint8_t frame[42] = {0};
        frame[12] = 0x08; /* IPv4 */
        frame[14] = 0x45;
        frame[17] = 28; /* total length */
        frame[22] = 64;
        frame[23] = 17; /* UDP */
        frame[26] = 127, frame[29] = 1, frame[30] = 127, frame[33] = 1;
        uint16_t port = i % 2 ? 12000 : 53;
        frame[34] = 0x9c, frame[35] = 0x40;
        frame[36] = (uint8_t)(port >> 8), frame[37] = (uint8_t)port;
        frame[39] = 8;
        put32(f, 1700000000u + (uint32_t)i);
        put32(f, 123456789u);
        put32(f, sizeof frame);
        put32(f, sizeof frame);
        fwrite(frame, 1, sizeof frame, f);
    }
    long end = ftell(f);
    fclose(f);
    if (cut_last) assert_int_equal(truncate(path, end - cut_last), 0);
}

static void test_frames_are_numbered_and_stamped_in_nanoseconds(void **state)
{
    (void)state;
    char path[128], err[256];
    struct capture_file *cf;
    struct capture_frame fr;
    snprintf(path, sizeof path, "%s/ok.pcap", dir);
    write_pcap(path, 3, 0);
    assert_int_equal(capture_file_open(path, NULL, &cf, err, sizeof err), STATUS_OK);
    assert_int_equal(capture_file_linktype(cf), 1);
    for (uint32_t i = 1; i <= 3; i++) {
        assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
        assert_int_equal(fr.number, i);
        assert_int_equal(fr.caplen, 42);
        assert_true(fr.ts_ns == (1700000000ull + i) * 1000000000ull + 123456789ull);
    }
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 0);
    capture_file_close(cf);
}

static void test_filter_keeps_the_file_frame_numbers(void **state)
{
    (void)state;
    char path[128], err[256];
    struct capture_file *cf;
    struct capture_frame fr;
    snprintf(path, sizeof path, "%s/filter.pcap", dir);
    write_pcap(path, 5, 0);
    assert_int_equal(capture_file_open(path, "udp port 53", &cf, err, sizeof err), STATUS_OK);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
    assert_int_equal(fr.number, 2);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
    assert_int_equal(fr.number, 4);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 0);
    capture_file_close(cf);
}

static void test_truncated_last_record_delivers_the_rest_then_reports(void **state)
{
    (void)state;
    char path[128], err[256];
    struct capture_file *cf;
    struct capture_frame fr;
    snprintf(path, sizeof path, "%s/cut.pcap", dir);
    write_pcap(path, 3, 10);
    assert_int_equal(capture_file_open(path, NULL, &cf, err, sizeof err), STATUS_OK);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), STATUS_E_RUNTIME);
    assert_non_null(strstr(err, "after frame 2"));
    assert_non_null(strstr(err, "truncated"));
    capture_file_close(cf);
}

static void expect_bad_input(const char *path, const char *bpf, const char *says)
{
    char err[512];
    struct capture_file *cf = (struct capture_file *)1;
    assert_int_equal(capture_file_open(path, bpf, &cf, err, sizeof err), STATUS_E_BAD_INPUT);
    assert_null(cf);
    if (!strstr(err, says)) fail_msg("'%s' does not say '%s'", err, says);
}

static void test_bad_files_are_refused_with_the_reason(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/missing.pcap", dir);
    expect_bad_input(path, NULL, "No such file");
    expect_bad_input(dir, NULL, "is a directory");
    snprintf(path, sizeof path, "%s/empty.pcap", dir);
    fclose(fopen(path, "w"));
    expect_bad_input(path, NULL, "empty file");
    snprintf(path, sizeof path, "%s/text.pcap", dir);
    FILE *f = fopen(path, "w");
    fputs("this is a shopping list, not a capture\n", f);
    fclose(f);
    expect_bad_input(path, NULL, "not a pcap or pcapng capture");
    snprintf(path, sizeof path, "%s/short.pcap", dir);
    f = fopen(path, "w");
    fwrite("\x4d\x3c\xb2\xa1\x02\x00", 1, 6, f);
    fclose(f);
    expect_bad_input(path, NULL, "short.pcap");
}

/* ---- the mapped reader of classic pcap against libpcap ---- */

struct rec {
    uint32_t sec, frac, caplen, wirelen, bytes; /* bytes actually written (<= caplen) */
};

static void put32_order(FILE *f, uint32_t v, bool swap)
{
    put32(f, swap ? __builtin_bswap32(v) : v);
}

/* A classic pcap in the machine's byte order or the other one, micro- or nanosecond stamps,
 * Ethernet (snaplen as given); each record's bytes are a UDP frame, cut or padded. */
static void write_classic(const char *path, bool swap, bool nano, uint32_t snaplen,
                          const struct rec *r, int n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    put32_order(f, nano ? 0xa1b23c4du : 0xa1b2c3d4u, swap);
    uint16_t v[2] = {2, 4};
    if (swap) v[0] = __builtin_bswap16(v[0]), v[1] = __builtin_bswap16(v[1]);
    fwrite(v, 2, 2, f);
    put32_order(f, 0, swap);
    put32_order(f, 0, swap);
    put32_order(f, snaplen, swap);
    put32_order(f, 1, swap);
    for (int i = 0; i < n; i++) {
        uint8_t frame[128] = {0};
        frame[12] = 0x08, frame[14] = 0x45, frame[17] = 28, frame[23] = 17;
        frame[36] = 0x2e, frame[37] = 0xe0, frame[39] = 8;
        frame[40] = (uint8_t)i;
        put32_order(f, r[i].sec, swap);
        put32_order(f, r[i].frac, swap);
        put32_order(f, r[i].caplen, swap);
        put32_order(f, r[i].wirelen, swap);
        for (uint32_t k = 0; k < r[i].bytes; k++)
            fputc(frame[k % sizeof frame], f);
    }
    fclose(f);
}

/* Reads path with both readers: same frames (number, lengths, stamp, bytes), same end,
 * same words when the file stops short. Returns the frames read. */
static int read_both(const char *path, const char *bpf, int *end, char *err, size_t errlen)
{
    struct capture_file *a, *b;
    char err_b[256];
    assert_int_equal(capture_file_open_reader(path, bpf, CAPTURE_READER_AUTO, &a, err, errlen),
                     STATUS_OK);
    assert_int_equal(
        capture_file_open_reader(path, bpf, CAPTURE_READER_LIBPCAP, &b, err_b, sizeof err_b),
        STATUS_OK);
    assert_true(capture_file_keep_frames(a)); /* the mapped reader took it */
    assert_false(capture_file_keep_frames(b));
    assert_int_equal(capture_file_linktype(a), capture_file_linktype(b));
    int frames = 0;
    for (;;) {
        struct capture_frame fa, fb;
        int ra = capture_file_next(a, &fa, err, errlen);
        int rb = capture_file_next(b, &fb, err_b, sizeof err_b);
        assert_int_equal(ra, rb);
        if (ra != 1) {
            if (ra < 0) assert_string_equal(err, err_b);
            *end = ra;
            break;
        }
        frames++;
        assert_int_equal(fa.number, fb.number);
        assert_int_equal(fa.caplen, fb.caplen);
        assert_int_equal(fa.wirelen, fb.wirelen);
        assert_true(fa.ts_ns == fb.ts_ns);
        assert_memory_equal(fa.data, fb.data, fa.caplen);
        capture_file_release_before(a, fa.data);
    }
    capture_file_close(a);
    capture_file_close(b);
    return frames;
}

static void test_mapped_reader_reads_all_four_magics_as_libpcap(void **state)
{
    (void)state;
    char path[128], err[256];
    int end;
    const struct rec r[] = {
        {1700000000u, 999999u, 42, 42, 42},
        {1700000001u, 1u, 60, 1514, 60},
        {0xf0000000u, 0xffffffffu, 42, 42, 42}, /* past 2038 and a frac out of range */
        {0x80000000u, 0x7fffffffu, 0, 0, 0},    /* and an empty record */
    };
    for (int swap = 0; swap <= 1; swap++) {
        for (int nano = 0; nano <= 1; nano++) {
            snprintf(path, sizeof path, "%s/m%d%d.pcap", dir, swap, nano);
            write_classic(path, swap, nano, 65535, r, 4);
            assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 4);
            assert_int_equal(end, 0);
            assert_int_equal(read_both(path, "udp", &end, err, sizeof err), 3);
        }
    }
    /* stamps: microseconds scaled up, nanoseconds kept */
    struct capture_file *cf;
    struct capture_frame fr;
    snprintf(path, sizeof path, "%s/m00.pcap", dir);
    assert_int_equal(capture_file_open(path, NULL, &cf, err, sizeof err), STATUS_OK);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
    assert_true(fr.ts_ns == 1700000000ull * 1000000000ull + 999999000ull);
    capture_file_close(cf);
}

/* Stamp seconds are unsigned 32 bits in both byte orders and with both readers, as tshark
 * reads them: 2^31 is 2038-01-19, 2^32 - 1 is 2106-02-07, never a date before 1970. */
static void test_stamps_past_2038_are_unsigned_in_both_byte_orders(void **state)
{
    (void)state;
    char path[128], err[256];
    const struct rec r[] = {
        {0x80000000u, 0u, 42, 42, 42},
        {0xffffffffu, 999999u, 42, 42, 42},
        {0xffffffffu, 0xffffffffu, 42, 42, 42}, /* a fraction no writer makes: it carries */
    };
    for (int swap = 0; swap <= 1; swap++) {
        for (int nano = 0; nano <= 1; nano++) {
            snprintf(path, sizeof path, "%s/y%d%d.pcap", dir, swap, nano);
            write_classic(path, swap, nano, 65535, r, 3);
            for (int reader = 0; reader <= 1; reader++) {
                struct capture_file *cf;
                struct capture_frame fr;
                assert_int_equal(
                    capture_file_open_reader(path, NULL,
                                             reader ? CAPTURE_READER_LIBPCAP : CAPTURE_READER_AUTO,
                                             &cf, err, sizeof err),
                    STATUS_OK);
                for (int i = 0; i < 3; i++) {
                    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
                    uint64_t want = (uint64_t)r[i].sec * 1000000000ull +
                                    (uint64_t)r[i].frac * (nano ? 1u : 1000u);
                    if (fr.ts_ns != want)
                        fail_msg("swap %d nano %d reader %d record %d: %llu, want %llu", swap, nano,
                                 reader, i, (unsigned long long)fr.ts_ns, (unsigned long long)want);
                }
                capture_file_close(cf);
            }
        }
    }
}

static void test_mapped_reader_zero_records_is_an_empty_capture(void **state)
{
    (void)state;
    char path[128], err[256];
    int end;
    for (int swap = 0; swap <= 1; swap++) {
        snprintf(path, sizeof path, "%s/z%d.pcap", dir, swap);
        write_classic(path, swap, true, 262144, NULL, 0);
        assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 0);
        assert_int_equal(end, 0);
    }
}

static void test_mapped_reader_stops_short_as_libpcap(void **state)
{
    (void)state;
    char path[128], err[256];
    int end;
    const struct rec cut_data[] = {{1, 0, 42, 42, 42}, {2, 0, 42, 42, 20}};
    const struct rec bogus[] = {{1, 0, 42, 42, 42}, {2, 0, 300000, 300000, 42}};
    const struct rec over_snap[] = {{1, 0, 100, 100, 100}, {2, 0, 42, 42, 42}};
    const struct rec over_snap_cut[] = {{1, 0, 42, 42, 42}, {2, 0, 100, 100, 50}};
    const struct rec over_snap_cut2[] = {{1, 0, 42, 42, 42}, {2, 0, 100, 100, 80}};
    for (int swap = 0; swap <= 1; swap++) {
        snprintf(path, sizeof path, "%s/c%d.pcap", dir, swap);
        write_classic(path, swap, false, 65535, cut_data, 2);
        assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 1);
        assert_int_equal(end, STATUS_E_RUNTIME);
        assert_non_null(strstr(err, "capture stops short after frame 1: truncated"));

        /* a record header cut short */
        write_classic(path, swap, false, 65535, cut_data, 1);
        FILE *f = fopen(path, "ab");
        fwrite("\1\2\3\4\5", 1, 5, f);
        fclose(f);
        assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 1);
        assert_int_equal(end, STATUS_E_RUNTIME);
        assert_non_null(strstr(err, "header bytes, only got 5"));

        /* a lying length: larger than any sane record */
        write_classic(path, swap, true, 65535, bogus, 2);
        assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 1);
        assert_int_equal(end, STATUS_E_RUNTIME);
        assert_non_null(strstr(err, "invalid packet capture length 300000"));
        write_classic(path, swap, true, 0, bogus, 2); /* snaplen 0: libpcap's maximum */
        assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 1);
        assert_non_null(strstr(err, "bigger than snaplen of 262144"));

        /* records longer than the snapshot length: cut to it, the rest skipped */
        write_classic(path, swap, true, 60, over_snap, 2);
        assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 2);
        assert_int_equal(end, 0);
        write_classic(path, swap, true, 60, over_snap_cut, 2);
        assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 1);
        assert_int_equal(end, STATUS_E_RUNTIME);
        assert_non_null(strstr(err, "tried to read 60 captured bytes, only got 50"));
        write_classic(path, swap, true, 60, over_snap_cut2, 2);
        assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 1);
        assert_non_null(strstr(err, "tried to read 100 captured bytes, only got 80"));
    }
}

static void test_invalid_filter_names_the_expression(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/ok2.pcap", dir);
    write_pcap(path, 1, 0);
    expect_bad_input(path, "tcp port banana", "'tcp port banana'");
}

/* ---- tell and seek ---- */

/* A whole first reading: every frame, and where the reader stood after each. */
struct reading {
    struct test_frames frames;
    int64_t *after; /* capture_file_tell() after frame i */
    int64_t first;  /* ... before the first */
};

static struct capture_file *open_or_fail(const char *path, const char *bpf,
                                         enum capture_reader reader)
{
    char err[256];
    struct capture_file *cf;
    if (capture_file_open_reader(path, bpf, reader, &cf, err, sizeof err) != STATUS_OK)
        fail_msg("%s", err);
    return cf;
}

static void read_all(const char *path, const char *bpf, enum capture_reader reader,
                     struct reading *r)
{
    char err[256];
    struct capture_file *cf = open_or_fail(path, bpf, reader);
    memset(r, 0, sizeof *r);
    r->first = capture_file_tell(cf);
    assert_true(r->first > 0);
    struct capture_frame fr;
    int rc;
    while ((rc = capture_file_next(cf, &fr, err, sizeof err)) == 1) {
        test_frames_push(&r->frames, &fr);
        r->after = realloc(r->after, r->frames.cap * sizeof *r->after);
        assert_non_null(r->after);
        r->after[r->frames.n - 1] = capture_file_tell(cf);
    }
    if (rc != 0) fail_msg("%s: %s", path, err);
    capture_file_close(cf);
}

static void reading_free(struct reading *r)
{
    test_frames_free(&r->frames);
    free(r->after);
}

/* Where frame k's record starts, and the number the file gives that record. */
static int64_t offset_before(const struct reading *r, uint32_t k)
{
    return k ? r->after[k - 1] : r->first;
}

static uint32_t number_at(const struct reading *r, uint32_t k)
{
    return k ? r->frames.f[k - 1].number + 1 : 1;
}

/* After a seek to frame k: the next `count` frames (or the end) are the first reading's. */
static void expect_frames_from(struct capture_file *cf, const struct reading *r, uint32_t k,
                               uint32_t count, const char *path)
{
    char err[256];
    for (uint32_t i = k; i < k + count; i++) {
        struct capture_frame fr;
        int rc = capture_file_next(cf, &fr, err, sizeof err);
        if (i == r->frames.n) {
            assert_int_equal(rc, 0);
            return;
        }
        if (rc != 1) fail_msg("%s, frame %u after a seek to %u: %d %s", path, i, k, rc, err);
        const struct test_frame *c = &r->frames.f[i];
        assert_int_equal(fr.number, c->number);
        assert_int_equal(fr.caplen, c->caplen);
        assert_int_equal(fr.wirelen, c->wirelen);
        assert_true(fr.ts_ns == c->ts_ns);
        assert_memory_equal(fr.data, c->data, c->caplen);
        assert_true(capture_file_tell(cf) == r->after[i]);
    }
}

static void seek_or_fail(struct capture_file *cf, const struct reading *r, uint32_t k,
                         const char *path)
{
    char err[256];
    if (capture_file_seek(cf, offset_before(r, k), number_at(r, k), err, sizeof err) != STATUS_OK)
        fail_msg("%s: seek to frame %u: %s", path, k, err);
    assert_true(capture_file_tell(cf) == offset_before(r, k));
}

/* Reads path once, then: the same reader, at its end, sent back and forth to many frames;
 * and fresh readers sent straight to a few (the TUI reopens a file and jumps to a
 * checkpoint its indexer noted). Every frame read after a seek must be the first reading's,
 * byte for byte, with the same number and stamp. */
static void check_seeking(const char *path, const char *bpf, enum capture_reader reader)
{
    char err[256];
    struct reading r;
    read_all(path, bpf, reader, &r);
    const uint32_t n = r.frames.n;

    struct capture_file *cf = open_or_fail(path, bpf, reader);
    struct capture_frame fr;
    while (capture_file_next(cf, &fr, err, sizeof err) == 1)
        continue;
    uint32_t k = n;
    srand(n + 7u);
    for (int step = 0; step < 40; step++) {
        seek_or_fail(cf, &r, k, path);
        expect_frames_from(cf, &r, k, 5, path);
        k = step == 0 ? 0 : step == 1 ? n / 2 : (uint32_t)rand() % (n + 1);
    }
    capture_file_close(cf);

    const uint32_t fresh[] = {0, 1, n / 3, n / 2, n ? n - 1 : 0, n};
    for (size_t i = 0; i < sizeof fresh / sizeof *fresh; i++) {
        if (fresh[i] > n) continue;
        cf = open_or_fail(path, bpf, reader);
        seek_or_fail(cf, &r, fresh[i], path);
        expect_frames_from(cf, &r, fresh[i], n - fresh[i] + 1, path);
        capture_file_close(cf);
    }
    reading_free(&r);
}

static void check_seeking_both_readers(const char *path, const char *bpf)
{
    check_seeking(path, NULL, CAPTURE_READER_AUTO);
    check_seeking(path, NULL, CAPTURE_READER_LIBPCAP);
    check_seeking(path, bpf, CAPTURE_READER_AUTO);
    check_seeking(path, bpf, CAPTURE_READER_LIBPCAP);
}

static void test_seek_returns_to_any_frame_of_every_capture(void **state)
{
    (void)state;
    DIR *d = opendir(SOCKSCOPE_CAPTURES_DIR);
    assert_non_null(d);
    int checked = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".pcap") != 0) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", SOCKSCOPE_CAPTURES_DIR, e->d_name);
        check_seeking_both_readers(path, "tcp port 12000");
        checked++;
    }
    closedir(d);
    assert_true(checked >= 10);
}

/* ---- pcapng written by hand: libpcap 1.10 cannot write it ---- */

struct ng {
    FILE *f;
    bool swap;
};

static void ng32(struct ng *w, uint32_t v)
{
    put32_order(w->f, v, w->swap);
}

static void ng16(struct ng *w, uint16_t v)
{
    if (w->swap) v = __builtin_bswap16(v);
    fwrite(&v, 2, 1, w->f);
}

static void ng_shb(struct ng *w)
{
    ng32(w, 0x0A0D0D0A);
    ng32(w, 28);
    ng32(w, 0x1A2B3C4D);
    ng16(w, 1);
    ng16(w, 0);
    ng32(w, 0xffffffffu); /* section length unknown */
    ng32(w, 0xffffffffu);
    ng32(w, 28);
}

/* An Ethernet interface; nano: if_tsresol 9, else the default microseconds. */
static void ng_idb(struct ng *w, bool nano)
{
    uint32_t len = nano ? 32 : 20;
    ng32(w, 1);
    ng32(w, len);
    ng16(w, 1);
    ng16(w, 0);
    ng32(w, 65535);
    if (nano) {
        ng16(w, 9); /* if_tsresol: one byte, 10^-9, then padding */
        ng16(w, 1);
        fwrite("\x09\0\0\0", 1, 4, w->f);
        ng32(w, 0); /* opt_endofopt */
    }
    ng32(w, len);
}

/* Name resolution and interface statistics blocks: read and ignored by libpcap. */
static void ng_other_blocks(struct ng *w)
{
    ng32(w, 4);
    ng32(w, 16);
    ng32(w, 0); /* nrb_record_end */
    ng32(w, 16);
    ng32(w, 5);
    ng32(w, 24);
    ng32(w, 0);
    ng32(w, 0);
    ng32(w, 0);
    ng32(w, 24);
}

static void udp_frame(uint8_t frame[42], uint16_t port, uint8_t tag)
{
    memset(frame, 0, 42);
    frame[12] = 0x08, frame[14] = 0x45, frame[17] = 28, frame[22] = 64, frame[23] = 17;
    frame[26] = 127, frame[29] = 1, frame[30] = 127, frame[33] = 1;
    frame[34] = 0x9c, frame[35] = 0x40;
    frame[36] = (uint8_t)(port >> 8), frame[37] = (uint8_t)port;
    frame[39] = 8;
    frame[41] = tag;
}

/* Frame i: UDP to 12000 when odd, 53 when even; its stamp in the interface's units. */
static void ng_epb(struct ng *w, uint32_t ifid, bool nano, uint32_t i, bool comment)
{
    uint8_t frame[42];
    udp_frame(frame, i % 2 ? 12000 : 53, (uint8_t)i);
    uint64_t ts =
        (1700000000ull + i) * (nano ? 1000000000ull : 1000000ull) + (nano ? 123456789u : 123456u);
    uint32_t len = 32 + 44 + (comment ? 12 + 4 : 0);
    ng32(w, 6);
    ng32(w, len);
    ng32(w, ifid);
    ng32(w, (uint32_t)(ts >> 32));
    ng32(w, (uint32_t)ts);
    ng32(w, 42);
    ng32(w, 60);
    fwrite(frame, 1, 42, w->f);
    fwrite("\0\0", 1, 2, w->f);
    if (comment) {
        ng16(w, 1); /* opt_comment */
        ng16(w, 5);
        fwrite("hello\0\0\0", 1, 8, w->f);
        ng32(w, 0);
    }
    ng32(w, len);
}

/* Three sections. The first declares a second interface (nanoseconds) mid-way, between
 * packets with options and blocks without packets; the second's only interface counts in
 * nanoseconds where the first section's interface 0 counts in microseconds, so a packet
 * stamped with the wrong section's interfaces shows; the third declares two again. */
static uint32_t write_pcapng(const char *path, bool swap)
{
    struct ng w = {fopen(path, "wb"), swap};
    assert_non_null(w.f);
    uint32_t i = 0;
    ng_shb(&w);
    ng_idb(&w, false);
    for (int k = 0; k < 3; k++)
        ng_epb(&w, 0, false, ++i, false);
    ng_other_blocks(&w);
    ng_epb(&w, 0, false, ++i, true);
    ng_epb(&w, 0, false, ++i, true);
    ng_idb(&w, true);
    ng_epb(&w, 1, true, ++i, false);
    ng_epb(&w, 1, true, ++i, true);
    ng_epb(&w, 0, false, ++i, false);
    ng_other_blocks(&w);

    ng_shb(&w);
    ng_idb(&w, true);
    for (int k = 0; k < 3; k++)
        ng_epb(&w, 0, true, ++i, false);

    ng_shb(&w);
    ng_idb(&w, false);
    ng_idb(&w, true);
    ng_epb(&w, 1, true, ++i, false);
    ng_epb(&w, 1, true, ++i, false);
    ng_epb(&w, 0, false, ++i, true);
    fclose(w.f);
    return i;
}

static void test_seek_in_pcapng_keeps_each_section_interfaces(void **state)
{
    (void)state;
    char path[128];
    for (int swap = 0; swap <= 1; swap++) {
        snprintf(path, sizeof path, "%s/sections%d.pcapng", dir, swap);
        uint32_t frames = write_pcapng(path, swap);
        /* the file is what we meant: every frame, stamped as written */
        struct reading r;
        read_all(path, NULL, CAPTURE_READER_LIBPCAP, &r);
        assert_int_equal(r.frames.n, frames);
        for (uint32_t i = 0; i < r.frames.n; i++) {
            assert_int_equal(r.frames.f[i].number, i + 1);
            assert_int_equal(r.frames.f[i].data[41], i + 1);
            uint64_t sec = (1700000000ull + i + 1) * 1000000000ull;
            assert_true(r.frames.f[i].ts_ns == sec + 123456000u ||
                        r.frames.f[i].ts_ns == sec + 123456789u);
        }
        reading_free(&r);
        check_seeking_both_readers(path, "udp port 12000");
    }
}

static void test_seek_refuses_what_it_cannot_honour(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/refuse.pcap", dir);
    write_pcap(path, 3, 0);
    for (int reader = CAPTURE_READER_AUTO; reader <= CAPTURE_READER_LIBPCAP; reader++) {
        struct capture_file *cf = open_or_fail(path, NULL, (enum capture_reader)reader);
        assert_int_equal(capture_file_tell(cf), 24);
        assert_int_equal(capture_file_seek(cf, 24, 0, err, sizeof err), STATUS_E_RUNTIME);
        assert_non_null(strstr(err, "frame numbers start at 1"));
        assert_int_equal(capture_file_seek(cf, 3, 1, err, sizeof err), STATUS_E_RUNTIME);
        assert_non_null(strstr(err, "outside the records"));
        assert_int_equal(capture_file_seek(cf, 1 << 20, 1, err, sizeof err), STATUS_E_RUNTIME);
        assert_non_null(strstr(err, "offset 1048576"));
        capture_file_close(cf);
    }

    /* a file that stops short: a seek back reads again up to the same error */
    snprintf(path, sizeof path, "%s/refuse-cut.pcap", dir);
    write_pcap(path, 3, 10);
    for (int reader = CAPTURE_READER_AUTO; reader <= CAPTURE_READER_LIBPCAP; reader++) {
        struct capture_file *cf = open_or_fail(path, NULL, (enum capture_reader)reader);
        struct capture_frame fr;
        assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
        int64_t second = capture_file_tell(cf);
        assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
        assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), STATUS_E_RUNTIME);
        assert_int_equal(capture_file_seek(cf, second, 2, err, sizeof err), STATUS_OK);
        assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
        assert_int_equal(fr.number, 2);
        assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), STATUS_E_RUNTIME);
        assert_non_null(strstr(err, "after frame 2"));
        capture_file_close(cf);
    }

    /* pcapng, a jump ahead to where no block starts */
    snprintf(path, sizeof path, "%s/refuse.pcapng", dir);
    write_pcapng(path, false);
    struct capture_file *cf = open_or_fail(path, NULL, CAPTURE_READER_AUTO);
    int64_t first = capture_file_tell(cf);
    assert_int_equal(capture_file_seek(cf, first + 4, 1, err, sizeof err), STATUS_E_RUNTIME);
    assert_non_null(strstr(err, "not where a record starts"));
    capture_file_close(cf);
}

/* Which of the shared corpus' pcapng files hold Ethernet frames. */
static bool ethernet_pcapng(const char *path)
{
    char err[256];
    struct capture_file *cf;
    if (capture_file_open(path, NULL, &cf, err, sizeof err) != STATUS_OK) return false;
    bool ok = capture_file_linktype(cf) == 1;
    capture_file_close(cf);
    return ok;
}

static void test_seek_in_the_shared_corpus_pcapng_files(void **state)
{
    (void)state;
    const char *corpus = SOCKSCOPE_CAPTURES_DIR "/../../shared/corpus/tcpdump";
    DIR *d = opendir(corpus);
    if (!d) {
        print_message("skipped: %s is absent\n", corpus);
        skip();
    }
    int checked = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        char path[512];
        snprintf(path, sizeof path, "%s/%s", corpus, e->d_name);
        if (len < 7 || strcmp(e->d_name + len - 7, ".pcapng") != 0 || !ethernet_pcapng(path))
            continue;
        check_seeking_both_readers(path, "tcp");
        checked++;
    }
    closedir(d);
    assert_true(checked > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_are_numbered_and_stamped_in_nanoseconds),
        cmocka_unit_test(test_filter_keeps_the_file_frame_numbers),
        cmocka_unit_test(test_truncated_last_record_delivers_the_rest_then_reports),
        cmocka_unit_test(test_bad_files_are_refused_with_the_reason),
        cmocka_unit_test(test_invalid_filter_names_the_expression),
        cmocka_unit_test(test_mapped_reader_reads_all_four_magics_as_libpcap),
        cmocka_unit_test(test_stamps_past_2038_are_unsigned_in_both_byte_orders),
        cmocka_unit_test(test_mapped_reader_zero_records_is_an_empty_capture),
        cmocka_unit_test(test_mapped_reader_stops_short_as_libpcap),
        cmocka_unit_test(test_seek_returns_to_any_frame_of_every_capture),
        cmocka_unit_test(test_seek_in_pcapng_keeps_each_section_interfaces),
        cmocka_unit_test(test_seek_refuses_what_it_cannot_honour),
        cmocka_unit_test(test_seek_in_the_shared_corpus_pcapng_files),
    };
    return cmocka_run_group_tests_name("capture", tests, make_dir, remove_dir);
}
