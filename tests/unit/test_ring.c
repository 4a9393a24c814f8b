/* capture ring: the single-producer single-consumer byte ring between the capture thread and
 * the main thread — records come out whole and in order, wrap around the end, and a full ring
 * drops (and counts) instead of waiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sockscope/capture.h"

/* A record of n bytes whose contents follow from its number. */
static size_t fill(uint8_t *buf, uint32_t number, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(number * 31u + i);
    return n;
}

static void check(const uint8_t *body, uint32_t number, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (body[i] != (uint8_t)(number * 31u + i))
            fail_msg("record %u byte %zu is %u", number, i, body[i]);
}

static void test_empty_ring_gives_nothing(void **state)
{
    (void)state;
    struct capture_ring *r = capture_ring_new(4096);
    assert_non_null(r);
    size_t len = 99;
    assert_null(capture_ring_peek(r, &len));
    capture_ring_pop(r); /* nothing held: no effect */
    assert_null(capture_ring_peek(r, &len));
    assert_int_equal(capture_ring_dropped(r), 0);
    capture_ring_free(r);
}

static void test_record_is_head_then_body_and_stays_until_popped(void **state)
{
    (void)state;
    struct capture_ring *r = capture_ring_new(1);
    uint64_t head = 0x1122334455667788u;
    assert_true(capture_ring_push(r, &head, sizeof head, "hello", 5));
    assert_true(capture_ring_push(r, NULL, 0, "x", 1));
    size_t len;
    const uint8_t *rec = capture_ring_peek(r, &len);
    assert_non_null(rec);
    assert_int_equal(len, 13);
    assert_int_equal((uintptr_t)rec % 8, 0);
    assert_memory_equal(rec, &head, 8);
    assert_memory_equal(rec + 8, "hello", 5);
    assert_ptr_equal(capture_ring_peek(r, &len), rec); /* peek again: same record */
    capture_ring_pop(r);
    rec = capture_ring_peek(r, &len);
    assert_int_equal(len, 1);
    assert_memory_equal(rec, "x", 1);
    capture_ring_pop(r);
    assert_null(capture_ring_peek(r, &len));
    capture_ring_free(r);
}

static void test_variable_sizes_wrap_around_the_end_many_times(void **state)
{
    (void)state;
    struct capture_ring *r = capture_ring_new(4096);
    uint8_t buf[2048];
    uint32_t pushed = 0, popped = 0;
    /* Sizes that never divide the ring evenly, with up to three records in flight. */
    for (int round = 0; round < 2000; round++) {
        size_t n = 1 + (size_t)(round * 397) % 1500;
        uint32_t number = pushed;
        fill(buf, number, n);
        assert_true(capture_ring_push(r, &number, sizeof number, buf, n));
        pushed++;
        if (pushed - popped == 3 || round == 1999) {
            while (popped < pushed) {
                size_t len;
                const uint8_t *rec = capture_ring_peek(r, &len);
                assert_non_null(rec);
                uint32_t got;
                memcpy(&got, rec, 4);
                assert_int_equal(got, popped);
                size_t want = 1 + (size_t)(got * 397) % 1500;
                assert_int_equal(len, 4 + want);
                check(rec + 4, got, want);
                capture_ring_pop(r);
                popped++;
            }
        }
    }
    assert_int_equal(capture_ring_dropped(r), 0);
    capture_ring_free(r);
}

static void test_full_ring_drops_and_counts_then_recovers(void **state)
{
    (void)state;
    struct capture_ring *r = capture_ring_new(4096);
    uint8_t buf[1000] = {0};
    int accepted = 0;
    for (int i = 0; i < 10; i++)
        accepted += capture_ring_push(r, NULL, 0, buf, sizeof buf);
    assert_int_equal(accepted, 4); /* 4 x (8 + 1000) fit in 4096 */
    assert_int_equal(capture_ring_dropped(r), 6);
    assert_false(capture_ring_push(r, NULL, 0, buf, 5000)); /* larger than the ring */
    assert_int_equal(capture_ring_dropped(r), 7);

    size_t len;
    assert_non_null(capture_ring_peek(r, &len));
    capture_ring_pop(r);
    assert_true(capture_ring_push(r, NULL, 0, buf, sizeof buf)); /* room again */
    assert_int_equal(capture_ring_dropped(r), 7);
    capture_ring_free(r);
}

static void test_half_ring_record_always_fits_once_drained(void **state)
{
    (void)state;
    struct capture_ring *r = capture_ring_new(4096);
    uint8_t buf[2040] = {0};
    size_t len;
    /* Whatever the offset, an empty ring takes a record of half its size. */
    for (size_t skew = 1; skew < 4096; skew += 113) {
        assert_true(capture_ring_push(r, NULL, 0, buf, skew % 2000));
        assert_non_null(capture_ring_peek(r, &len));
        capture_ring_pop(r);
        assert_true(capture_ring_push(r, NULL, 0, buf, sizeof buf));
        assert_non_null(capture_ring_peek(r, &len));
        assert_int_equal(len, sizeof buf);
        capture_ring_pop(r);
    }
    assert_int_equal(capture_ring_dropped(r), 0);
    capture_ring_free(r);
}

#define STRESS_N 2000000u

struct stress {
    struct capture_ring *r;
    uint32_t delivered;
    uint64_t refused, marker_refused; /* as the producer saw them */
};

static void *producer(void *arg)
{
    struct stress *s = arg;
    uint8_t buf[300];
    for (uint32_t i = 0; i < STRESS_N; i++) {
        size_t n = fill(buf, i, i % 293);
        if (!capture_ring_push(s->r, &i, sizeof i, buf, n))
            s->refused++;
    }
    uint32_t end = UINT32_MAX;
    while (!capture_ring_push(s->r, &end, sizeof end, NULL, 0))
        s->marker_refused++; /* the end marker must get through: retry until there is room */
    return NULL;
}

static void test_two_threads_keep_order_and_account_for_every_record(void **state)
{
    (void)state;
    /* A small ring, so the producer laps the consumer often and drops for real. */
    struct stress s = {.r = capture_ring_new(16384)};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, &s), 0);
    int64_t last = -1;
    bool bad = false;
    for (;;) {
        size_t len;
        const uint8_t *rec = capture_ring_peek(s.r, &len);
        if (!rec)
            continue;
        uint32_t number;
        memcpy(&number, rec, 4);
        if (number == UINT32_MAX) {
            capture_ring_pop(s.r);
            break;
        }
        if ((int64_t)number <= last || len != 4 + number % 293) {
            bad = true;
            break;
        }
        for (size_t i = 0; i < len - 4; i++)
            if (rec[4 + i] != (uint8_t)(number * 31u + i))
                bad = true;
        last = number;
        s.delivered++;
        capture_ring_pop(s.r);
    }
    pthread_join(t, NULL);
    assert_false(bad);
    assert_int_equal(s.delivered + s.refused, STRESS_N);
    assert_int_equal(capture_ring_dropped(s.r), s.refused + s.marker_refused);
    assert_true(s.delivered > 0);
    print_message("stress: %u delivered, %llu dropped\n", s.delivered,
                  (unsigned long long)s.refused);
    capture_ring_free(s.r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_ring_gives_nothing),
        cmocka_unit_test(test_record_is_head_then_body_and_stays_until_popped),
        cmocka_unit_test(test_variable_sizes_wrap_around_the_end_many_times),
        cmocka_unit_test(test_full_ring_drops_and_counts_then_recovers),
        cmocka_unit_test(test_half_ring_record_always_fits_once_drained),
        cmocka_unit_test(test_two_threads_keep_order_and_account_for_every_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
