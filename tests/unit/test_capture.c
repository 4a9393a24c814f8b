/* capture: reading saved files — frame numbers, nanosecond stamps, filters that keep the
 * file's numbering, and every kind of bad file refused with a reason naming it. */
#include <setjmp.h>
#include <stdarg.h>
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
    };
    return cmocka_run_group_tests_name("capture", tests, make_dir, remove_dir);
}
