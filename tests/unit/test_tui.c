/* tui: the replay controller (step, back, play, speed, pause rules) and the screen layout
 * (which rows hold what at 120x40, 80x24, 60x15, too small; which event sits on top), both
 * without a terminal. Also the plain-language line the TUI shows for a SYN+ACK. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sockscope/tui.h"
#include "sockscope/view.h"

#define MS 1000000ull

/* ---- replay ---- */

static void test_replay_starts_paused_with_nothing_shown(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 10);
    assert_int_equal(r.shown, 0);
    assert_false(r.playing);
    assert_string_equal(tui_replay_speed_name(&r), "x1");
    assert_int_equal(tui_replay_wait_ms(&r, 0), -1);
}

static void test_step_shows_the_next_event_and_selects_it(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 3);
    assert_true(tui_replay_step(&r));
    assert_int_equal(r.shown, 1);
    assert_int_equal(r.selected, 0);
    assert_true(tui_replay_step(&r));
    assert_true(tui_replay_step(&r));
    assert_int_equal(r.selected, 2);
    assert_false(tui_replay_step(&r)); /* the end */
    assert_int_equal(r.shown, 3);
}

static void test_back_hides_the_newest_and_keeps_the_selection_on_a_shown_event(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 5);
    for (int i = 0; i < 4; i++)
        tui_replay_step(&r);
    tui_replay_move(&r, -2); /* selection on event 1 */
    assert_true(tui_replay_back(&r));
    assert_int_equal(r.shown, 3);
    assert_int_equal(r.selected, 1); /* still shown: untouched */
    tui_replay_back(&r);
    tui_replay_back(&r);
    assert_int_equal(r.shown, 1);
    assert_int_equal(r.selected, 0);
    assert_true(tui_replay_back(&r));
    assert_false(tui_replay_back(&r)); /* the start */
    assert_int_equal(r.shown, 0);
}

static void test_play_shows_one_event_per_interval_and_stops_at_the_end(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 3);
    uint64_t t = 1000 * MS;
    tui_replay_toggle(&r, t);
    assert_true(r.playing);
    assert_int_equal(tui_replay_wait_ms(&r, t), 0); /* the first answers the key at once */
    assert_true(tui_replay_tick(&r, t));
    assert_int_equal(r.shown, 1);
    assert_false(tui_replay_tick(&r, t + 999 * MS)); /* x1: one event a second */
    assert_int_equal(tui_replay_wait_ms(&r, t + 500 * MS), 500);
    assert_true(tui_replay_tick(&r, t + 1000 * MS));
    assert_true(tui_replay_tick(&r, t + 2000 * MS));
    assert_int_equal(r.shown, 3);
    assert_int_equal(r.selected, 2);
    assert_false(r.playing); /* stopped at the end */
}

static void test_a_late_tick_shows_one_event_not_a_burst(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 10);
    tui_replay_toggle(&r, 0);
    tui_replay_tick(&r, 0);
    assert_true(tui_replay_tick(&r, 60000 * MS)); /* a minute suspended */
    assert_int_equal(r.shown, 2);
    assert_false(tui_replay_tick(&r, 60000 * MS + 1));
}

static void test_play_at_the_end_starts_again(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 2);
    tui_replay_all(&r);
    tui_replay_toggle(&r, 0);
    assert_true(r.playing);
    assert_int_equal(r.shown, 0);
    tui_replay_toggle(&r, 0);
    assert_false(r.playing);
}

static void test_speed_changes_the_interval_within_limits(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 2);
    assert_int_equal(tui_replay_interval_ns(&r), 1000 * MS);
    tui_replay_faster(&r, 0);
    assert_string_equal(tui_replay_speed_name(&r), "x2");
    assert_int_equal(tui_replay_interval_ns(&r), 500 * MS);
    for (int i = 0; i < 20; i++)
        tui_replay_faster(&r, 0);
    assert_string_equal(tui_replay_speed_name(&r), "x64");
    for (int i = 0; i < 20; i++)
        tui_replay_slower(&r, 0);
    assert_string_equal(tui_replay_speed_name(&r), "x1/4");
    assert_int_equal(tui_replay_interval_ns(&r), 4000 * MS);
}

static void test_going_faster_while_playing_brings_the_next_event_closer(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 5);
    tui_replay_slower(&r, 0);
    tui_replay_slower(&r, 0); /* x1/4: 4 s */
    tui_replay_toggle(&r, 0);
    tui_replay_tick(&r, 0);
    assert_int_equal(tui_replay_wait_ms(&r, 0), 4000);
    for (int i = 0; i < 4; i++)
        tui_replay_faster(&r, 0); /* x4: 250 ms */
    assert_int_equal(tui_replay_wait_ms(&r, 0), 250);
}

static void test_stepping_or_moving_pauses_the_replay(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 5);
    tui_replay_toggle(&r, 0);
    tui_replay_tick(&r, 0);
    tui_replay_step(&r);
    assert_false(r.playing);
    tui_replay_toggle(&r, 0);
    tui_replay_move(&r, -1);
    assert_false(r.playing);
    tui_replay_toggle(&r, 0);
    tui_replay_back(&r);
    assert_false(r.playing);
}

static void test_selection_moves_only_among_shown_events(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 10);
    tui_replay_move(&r, 3); /* nothing shown: nothing to select */
    assert_int_equal(r.selected, 0);
    for (int i = 0; i < 4; i++)
        tui_replay_step(&r);
    tui_replay_move(&r, 100);
    assert_int_equal(r.selected, 3);
    tui_replay_move(&r, -100);
    assert_int_equal(r.selected, 0);
    tui_replay_all(&r);
    assert_int_equal(r.shown, 10);
    assert_int_equal(r.selected, 9);
    tui_replay_first(&r);
    assert_int_equal(r.selected, 0);
    assert_int_equal(r.shown, 10);
}

static void test_an_empty_capture_never_plays(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 0);
    tui_replay_toggle(&r, 0);
    assert_false(r.playing);
    assert_false(tui_replay_step(&r));
    tui_replay_all(&r);
    assert_int_equal(r.shown, 0);
}

/* ---- layout ---- */

static void test_layout_at_120x40_has_every_part(void **state)
{
    (void)state;
    struct tui_layout l;
    tui_layout_compute(&l, 40, 120, 3);
    assert_false(l.too_small);
    assert_int_equal(l.header_rows, 3);
    assert_int_equal(l.body_y, 3);
    assert_int_equal(l.footer_y, 39);
    assert_int_equal(l.status_y, 38);
    assert_int_equal(l.explain_y, 36);
    assert_int_equal(l.explain_rows, 2);
    assert_int_equal(l.body_rows, 33);
}

static void test_layout_at_80x24_and_60x15_keeps_arrows(void **state)
{
    (void)state;
    struct tui_layout l;
    tui_layout_compute(&l, 24, 80, 3);
    assert_false(l.too_small);
    assert_int_equal(l.body_rows, 24 - 3 - 2 - 1 - 1);
    tui_layout_compute(&l, 15, 60, 4);
    assert_false(l.too_small);
    assert_int_equal(l.explain_rows, 1);
    assert_true(l.footer_y >= 0);
    assert_true(l.body_rows >= 8);
}

static void test_small_terminals_lose_footer_then_explanation_then_say_so(void **state)
{
    (void)state;
    struct tui_layout l;
    tui_layout_compute(&l, 11, 60, 3);
    assert_int_equal(l.footer_y, -1);
    assert_true(l.explain_y >= 0);
    tui_layout_compute(&l, 9, 60, 3);
    assert_int_equal(l.explain_y, -1);
    assert_false(l.too_small);
    assert_true(l.body_rows >= 2);
    tui_layout_compute(&l, 7, 60, 3);
    assert_true(l.too_small);
    tui_layout_compute(&l, 24, 39, 3);
    assert_true(l.too_small);
    tui_layout_compute(&l, 0, 0, 3);
    assert_true(l.too_small);
}

/* heights: every third event has a state line */
static int heights(void *ctx, uint32_t i)
{
    (void)ctx;
    return i % 3 == 0 ? 2 : 1;
}

static int ones(void *ctx, uint32_t i)
{
    (void)ctx;
    (void)i;
    return 1;
}

static void test_top_stays_while_the_selection_is_visible(void **state)
{
    (void)state;
    assert_int_equal(tui_layout_top(5, 8, 100, 10, ones, NULL), 5);
    assert_int_equal(tui_layout_top(5, 14, 100, 10, ones, NULL), 5);
}

static void test_top_scrolls_the_least_to_show_the_selection(void **state)
{
    (void)state;
    /* below: the selection ends on the last row */
    assert_int_equal(tui_layout_top(5, 15, 100, 10, ones, NULL), 6);
    /* above: the selection becomes the top */
    assert_int_equal(tui_layout_top(50, 20, 100, 10, ones, NULL), 20);
    /* two-row events count twice: 3..9 take 2+1+1+2+1+1+2 = 10 rows */
    assert_int_equal(tui_layout_top(0, 9, 100, 10, heights, NULL), 3);
}

static void test_top_pulls_earlier_events_in_after_a_step_back(void **state)
{
    (void)state;
    /* 12 shown, body of 10, top was 6 (events 6..15 before stepping back to 12 shown) */
    assert_int_equal(tui_layout_top(6, 11, 12, 10, ones, NULL), 2);
    assert_int_equal(tui_layout_top(3, 2, 3, 10, ones, NULL), 0);
    assert_int_equal(tui_layout_top(0, 0, 0, 10, ones, NULL), 0);
}

static void test_jumping_to_the_end_of_a_huge_capture_looks_back_one_screen(void **state)
{
    (void)state;
    uint32_t n = 10000000;
    assert_int_equal(tui_layout_top(0, n - 1, n, 30, ones, NULL), n - 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_starts_paused_with_nothing_shown),
        cmocka_unit_test(test_step_shows_the_next_event_and_selects_it),
        cmocka_unit_test(test_back_hides_the_newest_and_keeps_the_selection_on_a_shown_event),
        cmocka_unit_test(test_play_shows_one_event_per_interval_and_stops_at_the_end),
        cmocka_unit_test(test_a_late_tick_shows_one_event_not_a_burst),
        cmocka_unit_test(test_play_at_the_end_starts_again),
        cmocka_unit_test(test_speed_changes_the_interval_within_limits),
        cmocka_unit_test(test_going_faster_while_playing_brings_the_next_event_closer),
        cmocka_unit_test(test_stepping_or_moving_pauses_the_replay),
        cmocka_unit_test(test_selection_moves_only_among_shown_events),
        cmocka_unit_test(test_an_empty_capture_never_plays),
        cmocka_unit_test(test_layout_at_120x40_has_every_part),
        cmocka_unit_test(test_layout_at_80x24_and_60x15_keeps_arrows),
        cmocka_unit_test(test_small_terminals_lose_footer_then_explanation_then_say_so),
        cmocka_unit_test(test_top_stays_while_the_selection_is_visible),
        cmocka_unit_test(test_top_scrolls_the_least_to_show_the_selection),
        cmocka_unit_test(test_top_pulls_earlier_events_in_after_a_step_back),
        cmocka_unit_test(test_jumping_to_the_end_of_a_huge_capture_looks_back_one_screen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
