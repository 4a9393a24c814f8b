/* timeline: the hold-back merge leaves packets and API calls in time order, keeps frames in
 * capture order, keeps their bytes intact across the wrap of its byte ring, and says when it
 * is full instead of growing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sockscope/timeline.h"

static struct capture_frame frame(uint32_t number, uint64_t ts, const uint8_t *data,
                                  uint32_t len)
{
    struct capture_frame f = {.data = data, .caplen = len, .wirelen = len, .ts_ns = ts,
                              .number = number};
    return f;
}

static struct api_event api(enum api_call call, uint64_t ts)
{
    struct api_event e = {.ts_ns = ts, .call = call};
    return e;
}

static void test_api_calls_and_packets_leave_in_time_order(void **state)
{
    (void)state;
    struct timeline_merge *m = timeline_merge_new(16, 4096);
    uint8_t bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct timeline_item it;
    struct capture_frame syn = frame(1, 200, bytes, 8), synack = frame(2, 300, bytes, 8);
    struct api_event connect_call = api(API_CONNECT, 100), accept_ret = api(API_ACCEPT, 350);
    struct api_event connect_ret = api(API_CONNECT, 310);

    assert_true(timeline_merge_push_frame(m, &syn));
    assert_true(timeline_merge_push_frame(m, &synack));
    /* the probe's events arrive after the packets they precede */
    assert_true(timeline_merge_push_api(m, &accept_ret));
    assert_true(timeline_merge_push_api(m, &connect_call));
    assert_true(timeline_merge_push_api(m, &connect_ret));

    uint64_t expect_ts[] = {100, 200, 300, 310, 350};
    enum timeline_kind expect_kind[] = {TIMELINE_API, TIMELINE_FRAME, TIMELINE_FRAME,
                                        TIMELINE_API, TIMELINE_API};
    for (int i = 0; i < 5; i++) {
        assert_true(timeline_merge_pop(m, UINT64_MAX, &it));
        assert_int_equal(it.ts_ns, expect_ts[i]);
        assert_int_equal(it.kind, expect_kind[i]);
    }
    assert_false(timeline_merge_pop(m, UINT64_MAX, &it));
    timeline_merge_free(m);
}

static void test_nothing_younger_than_the_horizon_leaves(void **state)
{
    (void)state;
    struct timeline_merge *m = timeline_merge_new(4, 64);
    struct api_event a = api(API_SEND, 1000);
    struct timeline_item it;
    assert_true(timeline_merge_push_api(m, &a));
    assert_false(timeline_merge_pop(m, 1000, &it));
    assert_true(timeline_merge_pop(m, 1001, &it));
    timeline_merge_free(m);
}

static void test_frames_never_overtake_each_other(void **state)
{
    (void)state;
    struct timeline_merge *m = timeline_merge_new(8, 256);
    uint8_t b[1] = {0};
    struct timeline_item it;
    /* a capture can carry a stamp that goes back: capture order wins among frames */
    struct capture_frame f1 = frame(1, 500, b, 1), f2 = frame(2, 400, b, 1);
    assert_true(timeline_merge_push_frame(m, &f1));
    assert_true(timeline_merge_push_frame(m, &f2));
    assert_true(timeline_merge_pop(m, UINT64_MAX, &it));
    assert_int_equal(it.frame.number, 1);
    assert_true(timeline_merge_pop(m, UINT64_MAX, &it));
    assert_int_equal(it.frame.number, 2);
    timeline_merge_free(m);
}

static void test_frame_bytes_survive_the_wrap_of_the_byte_ring(void **state)
{
    (void)state;
    struct timeline_merge *m = timeline_merge_new(8, 100);
    uint8_t data[40];
    struct timeline_item it;
    for (uint32_t n = 1; n <= 50; n++) {
        memset(data, (int)n, sizeof data);
        uint32_t len = 20 + n % 21;
        struct capture_frame f = frame(n, n, data, len);
        assert_true(timeline_merge_push_frame(m, &f));
        if (n % 2 == 0) { /* keep up to two frames inside the ring */
            for (int k = 0; k < 2; k++) {
                assert_true(timeline_merge_pop(m, UINT64_MAX, &it));
                for (uint32_t i = 0; i < it.frame.caplen; i++)
                    assert_int_equal(it.frame.data[i], (uint8_t)it.frame.number);
            }
        }
    }
    assert_int_equal(timeline_merge_count(m), 0);
    timeline_merge_free(m);
}

static void test_full_merge_refuses_instead_of_growing(void **state)
{
    (void)state;
    struct timeline_merge *m = timeline_merge_new(2, 64);
    uint8_t data[48] = {0};
    struct api_event a = api(API_CLOSE, 1);
    struct capture_frame big = frame(1, 2, data, 48), other = frame(2, 3, data, 48);
    assert_true(timeline_merge_push_frame(m, &big));
    assert_false(timeline_merge_push_frame(m, &other)); /* no room for its bytes */
    assert_true(timeline_merge_push_api(m, &a));
    assert_false(timeline_merge_push_api(m, &a)); /* no slot */
    timeline_merge_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_calls_and_packets_leave_in_time_order),
        cmocka_unit_test(test_nothing_younger_than_the_horizon_leaves),
        cmocka_unit_test(test_frames_never_overtake_each_other),
        cmocka_unit_test(test_frame_bytes_survive_the_wrap_of_the_byte_ring),
        cmocka_unit_test(test_full_merge_refuses_instead_of_growing),
    };
    return cmocka_run_group_tests_name("timeline", tests, NULL, NULL);
}
