/* capture: reading saved files — frame numbers, nanosecond stamps, filters that keep the
 * file's numbering, and every kind of bad file refused with a reason naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/capture.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/sockscope-test-capture-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
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
    if (cut_last)
        assert_int_equal(truncate(path, end - cut_last), 0);
}

static void test_frames_are_numbered_and_stamped_in_nanoseconds(void **state)
{
    (void)state;
    char path[128], err[256];
    struct capture_file *cf;
    struct capture_frame fr;
    snprintf(path, sizeof path, "%s/ok.pcap", dir);
    write_pcap(path, 3, 0);
    assert_int_equal(capture_file_open(path, NULL, &cf, err, sizeof err), CAPTURE_OK);
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
    assert_int_equal(capture_file_open(path, "udp port 53", &cf, err, sizeof err), CAPTURE_OK);
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
    assert_int_equal(capture_file_open(path, NULL, &cf, err, sizeof err), CAPTURE_OK);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), CAPTURE_E_RUNTIME);
    assert_non_null(strstr(err, "after frame 2"));
    assert_non_null(strstr(err, "truncated"));
    capture_file_close(cf);
}

static void expect_bad_input(const char *path, const char *bpf, const char *says)
{
    char err[512];
    struct capture_file *cf = (struct capture_file *)1;
    assert_int_equal(capture_file_open(path, bpf, &cf, err, sizeof err), CAPTURE_E_BAD_INPUT);
    assert_null(cf);
    if (!strstr(err, says))
        fail_msg("'%s' does not say '%s'", err, says);
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
    if (swap)
        v[0] = __builtin_bswap16(v[0]), v[1] = __builtin_bswap16(v[1]);
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
                     CAPTURE_OK);
    assert_int_equal(capture_file_open_reader(path, bpf, CAPTURE_READER_LIBPCAP, &b, err_b,
                                              sizeof err_b),
                     CAPTURE_OK);
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
            if (ra < 0)
                assert_string_equal(err, err_b);
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
    assert_int_equal(capture_file_open(path, NULL, &cf, err, sizeof err), CAPTURE_OK);
    assert_int_equal(capture_file_next(cf, &fr, err, sizeof err), 1);
    assert_true(fr.ts_ns == 1700000000ull * 1000000000ull + 999999000ull);
    capture_file_close(cf);
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
        assert_int_equal(end, CAPTURE_E_RUNTIME);
        assert_non_null(strstr(err, "capture stops short after frame 1: truncated"));

        /* a record header cut short */
        write_classic(path, swap, false, 65535, cut_data, 1);
        FILE *f = fopen(path, "ab");
        fwrite("\1\2\3\4\5", 1, 5, f);
        fclose(f);
        assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 1);
        assert_int_equal(end, CAPTURE_E_RUNTIME);
        assert_non_null(strstr(err, "header bytes, only got 5"));

        /* a lying length: larger than any sane record */
        write_classic(path, swap, true, 65535, bogus, 2);
        assert_int_equal(read_both(path, NULL, &end, err, sizeof err), 1);
        assert_int_equal(end, CAPTURE_E_RUNTIME);
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
        assert_int_equal(end, CAPTURE_E_RUNTIME);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_are_numbered_and_stamped_in_nanoseconds),
        cmocka_unit_test(test_filter_keeps_the_file_frame_numbers),
        cmocka_unit_test(test_truncated_last_record_delivers_the_rest_then_reports),
        cmocka_unit_test(test_bad_files_are_refused_with_the_reason),
        cmocka_unit_test(test_invalid_filter_names_the_expression),
        cmocka_unit_test(test_mapped_reader_reads_all_four_magics_as_libpcap),
        cmocka_unit_test(test_mapped_reader_zero_records_is_an_empty_capture),
        cmocka_unit_test(test_mapped_reader_stops_short_as_libpcap),
    };
    return cmocka_run_group_tests_name("capture", tests, make_dir, remove_dir);
}
