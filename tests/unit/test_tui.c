/* tui: the replay controller (step, back, play, speed, pause rules) and the screen layout
 * (which rows hold what at 120x40, 80x24, 60x15, too small; which event sits on top), the
 * flow list (sorting, typed filter), the display filter (parsing, matching) and the header
 * field walker of the packet detail (offsets on hand-built frames, truncated ones too), all
 * without a terminal; then the screens as objects on a headless terminal (white-box, through
 * tui_internal.h): footer, help and dispatch agree with the action table on every screen,
 * and the loop draws only when something changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sockscope/tui.h"
#include "sockscope/view.h"

#include "../../src/tui/tui_internal.h"

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

/* ---- follow mode (live sources) ---- */

static void test_following_shows_and_selects_each_new_event(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 0);
    tui_replay_follow(&r); /* a live source starts following, before any event */
    assert_true(r.follow);
    assert_int_equal(r.shown, 0);
    tui_replay_set_total(&r, 3);
    assert_int_equal(r.shown, 3);
    assert_int_equal(r.selected, 2);
    tui_replay_set_total(&r, 5);
    assert_int_equal(r.shown, 5);
    assert_int_equal(r.selected, 4);
    assert_true(r.follow);
    assert_false(r.playing);
}

/* One of the ways a presenter moves: each must leave new events unshown. */
static void move_step(struct tui_replay *r)
{
    tui_replay_step(r);
}
static void move_back(struct tui_replay *r)
{
    tui_replay_back(r);
}
static void move_up(struct tui_replay *r)
{
    tui_replay_move(r, -1);
}
static void move_down(struct tui_replay *r)
{
    tui_replay_move(r, 1);
}
static void move_first(struct tui_replay *r)
{
    tui_replay_first(r);
}
static void move_toggle(struct tui_replay *r)
{
    tui_replay_toggle(r, 0);
}
static void move_all(struct tui_replay *r)
{
    tui_replay_all(r);
}

static void test_any_movement_stops_following(void **state)
{
    (void)state;
    void (*const moves[])(struct tui_replay *) = {move_step,  move_back,   move_up, move_down,
                                                  move_first, move_toggle, move_all};
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        struct tui_replay r;
        tui_replay_init(&r, 0);
        tui_replay_follow(&r);
        tui_replay_set_total(&r, 4);
        moves[i](&r);
        assert_false(r.follow);
        uint32_t shown = r.shown, selected = r.selected;
        tui_replay_set_total(&r, 9); /* news while paused: counted, not shown */
        assert_int_equal(r.total, 9);
        assert_int_equal(r.shown, shown);
        assert_int_equal(r.selected, selected);
    }
}

/* --realtime: the wait before each event is the capture's own gap times the speed, long
 * silences are cut to TUI_REPLAY_MAX_GAP_NS, and a clock that goes back waits nothing. */
static const uint64_t capture_times[] = {0,         1000000,   1500000,
                                         401500000, 401400000, 100000000000ull};

static uint64_t capture_gap(void *ctx, uint32_t from, uint32_t to)
{
    (void)ctx;
    return capture_times[to] > capture_times[from] ? capture_times[to] - capture_times[from] : 0;
}

static void test_realtime_paces_by_the_capture_gaps(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 6);
    r.realtime = true;
    r.gap = capture_gap;
    uint64_t now = 1000;
    tui_replay_toggle(&r, now);
    assert_true(tui_replay_tick(&r, now)); /* the first event answers the key at once */
    assert_int_equal(r.shown, 1);
    assert_false(tui_replay_tick(&r, now + 999999)); /* 1 ms later in the capture */
    assert_true(tui_replay_tick(&r, now + 1000000));
    assert_int_equal(r.shown, 2);
    now += 1000000;
    tui_replay_faster(&r, now); /* x2 from the next wait on: the one running stays 0.5 ms */
    assert_false(tui_replay_tick(&r, now + 250000));
    assert_true(tui_replay_tick(&r, now + 500000));
    assert_int_equal(r.shown, 3);
    now += 500000;
    tui_replay_slower(&r, now);
    tui_replay_slower(&r, now);                         /* x1/2: 400 ms take 800 ms */
    assert_int_equal(tui_replay_wait_ms(&r, now), 200); /* 400 ms at x2, set when shown */
    assert_true(tui_replay_tick(&r, now + 200000000));
    now += 200000000;
    assert_int_equal(r.shown, 4);
    assert_true(tui_replay_tick(&r, now)); /* the clock went back: no wait */
    assert_int_equal(r.shown, 5);
    /* 99.6 s of silence at x1/2: cut to 3 s */
    assert_int_equal(tui_replay_wait_ms(&r, now), (int)(TUI_REPLAY_MAX_GAP_NS / 1000000));
    assert_false(tui_replay_tick(&r, now + TUI_REPLAY_MAX_GAP_NS - 1));
    assert_true(tui_replay_tick(&r, now + TUI_REPLAY_MAX_GAP_NS));
    assert_int_equal(r.shown, 6);
    assert_false(r.playing); /* the end */
}

static void test_end_follows_again_after_a_pause(void **state)
{
    (void)state;
    struct tui_replay r;
    tui_replay_init(&r, 0);
    tui_replay_follow(&r);
    tui_replay_set_total(&r, 6);
    tui_replay_move(&r, -3); /* the presenter looks back */
    assert_int_equal(r.selected, 2);
    tui_replay_set_total(&r, 8);
    assert_int_equal(r.shown, 6);
    tui_replay_follow(&r); /* End: everything so far, and what comes */
    assert_true(r.follow);
    assert_int_equal(r.shown, 8);
    assert_int_equal(r.selected, 7);
    tui_replay_set_total(&r, 10);
    assert_int_equal(r.shown, 10);
    assert_int_equal(r.selected, 9);
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

static void test_present_layout_keeps_the_explanation_down_to_the_minimum(void **state)
{
    (void)state;
    struct tui_layout l;
    tui_layout_compute_present(&l, 9, 60, 3);
    assert_true(l.explain_y >= 0);
    assert_int_equal(l.footer_y, -1);
    tui_layout_compute_present(&l, 8, 40, 3);
    assert_false(l.too_small);
    assert_true(l.explain_y >= 0);
    assert_true(l.body_rows >= 2);
    tui_layout_compute_present(&l, 7, 60, 3);
    assert_true(l.too_small);
}

static void test_label_detail_cycles_minimal_normal_full(void **state)
{
    (void)state;
    enum view_detail d = VIEW_DETAIL_MINIMAL;
    assert_string_equal(view_detail_name(d), "minimal");
    d = view_detail_next(d);
    assert_int_equal(d, VIEW_DETAIL_NORMAL);
    assert_string_equal(view_detail_name(d), "normal");
    d = view_detail_next(d);
    assert_int_equal(d, VIEW_DETAIL_FULL);
    assert_string_equal(view_detail_name(d), "full");
    assert_int_equal(view_detail_next(d), VIEW_DETAIL_MINIMAL);
}

/* ---- horizontal pan and fit ---- */

static void test_lanes_that_fit_never_pan(void **state)
{
    (void)state;
    struct tui_pan p;
    struct view_geometry g;
    tui_pan_compute(&p, &g, 120, 12, 4, VIEW_MIN_PITCH, false, 3);
    assert_int_equal(p.width, 120);
    assert_int_equal(p.max_pan, 0);
    assert_int_equal(p.pan, 0);
    assert_int_equal(p.offset, 0);
    assert_true(p.pitch >= VIEW_MIN_PITCH);
}

/* Two lifelines that fit 24 apart without the state margins but not with them (60
 * columns): the pitch is kept and the screen pans, rather than squeezing it to 21. */
static void test_present_pitch_is_kept_when_the_state_margins_do_not_fit(void **state)
{
    (void)state;
    struct tui_pan p;
    struct view_geometry g;
    for (int cols = 40; cols <= 160; cols++) {
        tui_pan_compute(&p, &g, cols, 12, 2, TUI_PRESENT_PITCH, false, 0);
        assert_true(p.pitch >= TUI_PRESENT_PITCH);
        tui_pan_compute(&p, &g, cols, 12, 3, VIEW_MIN_PITCH, false, 0);
        assert_true(p.pitch >= VIEW_MIN_PITCH);
    }
    tui_pan_compute(&p, &g, 60, 12, 2, TUI_PRESENT_PITCH, false, 0);
    assert_true(p.max_pan > 0);
}

static void test_pan_keeps_the_pitch_and_stops_at_both_ends(void **state)
{
    (void)state;
    struct tui_pan p;
    struct view_geometry g;
    /* 4 lanes 24 apart need 12 + 27 + 72 = 111 columns; an 80-column screen hides 31 */
    tui_pan_compute(&p, &g, 80, 12, 4, TUI_PRESENT_PITCH, false, 0);
    assert_int_equal(p.pitch, TUI_PRESENT_PITCH);
    assert_int_equal(p.width, 111);
    assert_int_equal(p.max_pan, 2);
    assert_int_equal(p.offset, 0);
    tui_pan_compute(&p, &g, 80, 12, 4, TUI_PRESENT_PITCH, false, 1);
    assert_int_equal(p.offset, 24);
    tui_pan_compute(&p, &g, 80, 12, 4, TUI_PRESENT_PITCH, false, 9);
    assert_int_equal(p.pan, 2);
    assert_int_equal(p.offset, 31); /* the last pan shows the right edge, not past it */
    tui_pan_compute(&p, &g, 80, 12, 4, TUI_PRESENT_PITCH, false, -3);
    assert_int_equal(p.pan, 0);
    /* the last lifeline is on screen at the last pan */
    tui_pan_compute(&p, &g, 80, 12, 4, TUI_PRESENT_PITCH, false, p.max_pan);
    assert_true(g.x[3] - p.offset < 80);
}

static void test_fit_narrows_the_pitch_until_every_lifeline_is_on_screen(void **state)
{
    (void)state;
    struct tui_pan p;
    struct view_geometry g;
    tui_pan_compute(&p, &g, 80, 12, 4, TUI_PRESENT_PITCH, true, 1);
    assert_int_equal(p.width, 80);
    assert_int_equal(p.max_pan, 0);
    assert_int_equal(p.offset, 0);
    assert_true(p.pitch < TUI_PRESENT_PITCH);
    assert_true(g.x[3] < 80);
    tui_pan_compute(&p, &g, 60, 12, 8, VIEW_MIN_PITCH, true, 0);
    assert_int_equal(p.max_pan, 0);
    assert_int_equal(p.pitch, (60 - 13 - 1) / 7);
    /* 32 lanes cannot be 4 columns apart in 60: fit pans what still overflows */
    tui_pan_compute(&p, &g, 60, 12, 32, VIEW_MIN_PITCH, true, 99);
    assert_int_equal(p.pitch, 4);
    assert_true(p.max_pan > 0);
    assert_true(g.x[31] - p.offset < 60);
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

/* ---- screens as objects, on a headless terminal ---- */

struct screen_fixture {
    char path[512];
    struct timeline_store *store;
    struct timeline_pass *pass;
    struct tui_options opt;
    struct tui_source src;
    struct tui_live_stats counts; /* what the source's capture has counted */
    struct tui_app *a;
};

static const char *const fixture_scenarios[] = {"tcp", "udp"};

/* A demo source's re-run, so its keys (r, m) and its menu are there; no test presses r. */
static int rerun_must_not_run(void *ctx, struct tui_source *src, const char *scenario, char *err,
                              size_t errlen)
{
    (void)ctx, (void)src, (void)scenario, (void)err, (void)errlen;
    fail_msg("a scenario ran in a unit test");
    return STATUS_E_RUNTIME;
}

static void fixture_stats(void *ctx, struct tui_live_stats *out)
{
    *out = ((struct screen_fixture *)ctx)->counts;
}

/* Records up to n more frames of the capture in the store and publishes them. */
static void fixture_add(struct screen_fixture *f, uint32_t n)
{
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    char err[256];
    for (uint32_t i = 0;
         i < n && timeline_pass_next(f->pass, &fr, &pkt, &info, err, sizeof err) > 0; i++)
        assert_true(timeline_store_add_frame(f->store, &pkt, &info, fr.number, fr.wirelen));
    timeline_store_publish(f->store);
}

/* An app over tcp-echo-ipv4.pcap: the first `frames` frames recorded (then finished if
 * `finish`), drawn on a headless terminal of rows x cols. */
static struct tui_app *fixture_open(struct screen_fixture *f, uint32_t frames, bool finish,
                                    bool live, int rows, int cols)
{
    memset(f, 0, sizeof *f);
    char err[256] = "";
    snprintf(f->path, sizeof f->path, "%s/tcp-echo-ipv4.pcap", SOCKSCOPE_CAPTURES_DIR);
    f->store = timeline_store_new();
    assert_non_null(f->store);
    assert_int_equal(timeline_pass_open(f->path, NULL, &f->pass, err, sizeof err), STATUS_OK);
    fixture_add(f, frames);
    if (finish) timeline_store_finish(f->store, NULL, NULL);
    f->opt.headless_frames = 1;
    f->src = (struct tui_source){.name = "demo tcp",
                                 .path = f->path,
                                 .store = f->store,
                                 .live = live,
                                 .ctx = f,
                                 .stats = live ? fixture_stats : NULL,
                                 .rerun = rerun_must_not_run,
                                 .scenarios = fixture_scenarios,
                                 .scenario_count = 2};
    struct tui_term_options to = {.ascii = true, .headless = true};
    assert_int_equal(tui_term_open(&to, err, sizeof err), STATUS_OK);
    tui_term_resize(rows, cols);
    f->a = tui_app_new(&f->opt, &f->src);
    assert_non_null(f->a);
    assert_int_equal(tui_app_attach(f->a), STATUS_OK);
    return f->a;
}

static void fixture_close(struct screen_fixture *f)
{
    tui_app_free(f->a);
    tui_term_close();
    timeline_pass_close(f->pass);
    timeline_store_free(f->store);
}

/* Line y of the screen as text (trailing blanks cut). */
static void screen_line(int y, char *buf, size_t size)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_non_null(m);
    tui_term_dump(m);
    fclose(m);
    const char *at = text;
    for (int i = 0; i < y && at; i++) {
        at = strchr(at, '\n');
        if (at) at++;
    }
    size_t n = at ? strcspn(at, "\n") : 0;
    snprintf(buf, size, "%.*s", (int)n, at ? at : "");
    free(text);
}

/* The footer the action table asks for: "KEY Label" of each action with a label, in the
 * order of the slices in effect. */
static int footer_wanted(const struct tui_app *a, char want[][64], int max)
{
    int n = 0;
    char key[8];
    for (const struct tui_keys *const *k = tui_actions_keys(a); *k; k++) {
        if ((*k)->active && !(*k)->active(a)) continue;
        for (size_t i = 0; i < (*k)->count; i++) {
            const struct tui_action *act = &(*k)->actions[i];
            if (!act->footer) continue;
            assert_true(n < max);
            snprintf(want[n++], 64, "%s %s", tui_key_name(act->keys[0], true, key), act->footer);
        }
    }
    return n;
}

/* The footer on screen, split at its double blanks, is exactly what the table asks for. */
static void assert_footer_is_the_table(struct tui_app *a, const char *what)
{
    tui_app_draw(a, TUI_REACT_SCREEN);
    assert_true(a->layout.footer_y >= 0);
    char line[1024], want[32][64];
    screen_line(a->layout.footer_y, line, sizeof line);
    int n = footer_wanted(a, want, 32), got = 0;
    assert_true(n > 0);
    for (char *entry = line; *entry; got++) {
        char *end = strstr(entry, "  ");
        size_t len = end ? (size_t)(end - entry) : strlen(entry);
        if (got >= n || strlen(want[got]) != len || strncmp(entry, want[got], len))
            fail_msg("%s: footer entry %d is \"%.*s\", the table says \"%s\" (footer: %s)", what,
                     got, (int)len, entry, got < n ? want[got] : "nothing more", line);
        entry += len;
        while (*entry == ' ')
            entry++;
    }
    if (got != n) fail_msg("%s: %d footer entries, the table has %d: %s", what, got, n, line);
}

static void test_every_footer_shows_the_keys_of_its_screens_slices(void **state)
{
    (void)state;
    struct screen_fixture f;
    struct tui_app *a = fixture_open(&f, UINT32_MAX, true, false, 40, 300);
    const struct tui_screen *screens[] = {&tui_screen_diagram, &tui_screen_flows,
                                          &tui_screen_detail, &tui_screen_menu, &tui_screen_help};
    for (size_t i = 0; i < sizeof screens / sizeof screens[0]; i++) {
        a->screen = screens[i];
        a->help_from = &tui_screen_diagram;
        assert_footer_is_the_table(a, screens[i]->name ? screens[i]->name : "diagram");
    }
    a->screen = &tui_screen_diagram;
    snprintf(a->search, sizeof a->search, "HELLO");
    assert_footer_is_the_table(a, "diagram after a search");
    char line[1024];
    screen_line(a->layout.footer_y, line, sizeof line);
    assert_non_null(strstr(line, "n Next  N Prev  Esc EndSearch  Space Play"));
    a->prompt = TUI_PROMPT_SEARCH;
    assert_footer_is_the_table(a, "typing a search");
    screen_line(a->layout.footer_y, line, sizeof line);
    assert_string_equal(line, "Enter Apply  Esc Cancel  Backspace Erase");
    fixture_close(&f);
}

/* The help line of an action: its keys, spelt as the footer spells them, then its text. */
static bool help_lists(const char *dump, const struct tui_action *act)
{
    char keys[64] = "", key[8];
    for (int k = 0; k < 4 && act->keys[k]; k++) {
        size_t len = strlen(keys);
        snprintf(keys + len, sizeof keys - len, "%s%s", k ? " " : "",
                 tui_key_name(act->keys[k], true, key));
    }
    for (const char *line = dump; *line;) {
        size_t n = strcspn(line, "\n");
        size_t kl = strlen(keys), hl = strlen(act->help);
        if (n > 2 + kl + hl && !strncmp(line, "  ", 2) && !strncmp(line + 2, keys, kl) &&
            line[2 + kl] == ' ' && !strncmp(line + n - hl, act->help, hl) &&
            line[n - hl - 1] == ' ')
            return true;
        line += n;
        if (*line) line++;
    }
    return false;
}

static void assert_help_lists_slice(const char *dump, const struct tui_keys *k, const char *what)
{
    for (size_t i = 0; i < k->count; i++)
        if (!help_lists(dump, &k->actions[i]))
            fail_msg("%s: the help has no line for \"%s\"", what, k->actions[i].help);
}

static void test_the_help_lists_every_action_of_every_screen_and_mode(void **state)
{
    (void)state;
    struct screen_fixture f;
    struct tui_app *a = fixture_open(&f, UINT32_MAX, true, false, 200, 200);
    a->help_from = &tui_screen_diagram;
    a->help_top = 0;
    a->screen = &tui_screen_help;
    tui_app_draw(a, TUI_REACT_SCREEN);
    char *dump = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&dump, &len);
    tui_term_dump(m);
    fclose(m);
    assert_non_null(strstr(dump, "Keys on the scenario menu (m):")); /* a demo's source */
    const struct tui_screen *screens[] = {&tui_screen_diagram, &tui_screen_flows,
                                          &tui_screen_detail, &tui_screen_menu};
    for (size_t i = 0; i < sizeof screens / sizeof screens[0]; i++)
        for (const struct tui_keys *const *k = screens[i]->keys; *k; k++)
            assert_help_lists_slice(dump, *k, screens[i]->name ? screens[i]->name : "diagram");
    assert_help_lists_slice(dump, &tui_keys_prompt, "typing");
    free(dump);
    fixture_close(&f);
}

/* Every key the footer and the help name for an action runs that action on its screen. */
static void assert_keys_reach_their_actions(const struct tui_app *a, const struct tui_keys *k,
                                            const char *what)
{
    for (size_t i = 0; i < k->count; i++)
        for (int n = 0; n < 4 && k->actions[i].keys[n]; n++) {
            char name[8];
            if (tui_actions_find(a, k->actions[i].keys[n]) != &k->actions[i])
                fail_msg("%s: key %s of \"%s\" runs another action", what,
                         tui_key_name(k->actions[i].keys[n], true, name), k->actions[i].help);
        }
}

static void test_every_key_listed_for_an_action_runs_it(void **state)
{
    (void)state;
    struct screen_fixture f;
    struct tui_app *a = fixture_open(&f, UINT32_MAX, true, false, 40, 120);
    const struct tui_screen *screens[] = {&tui_screen_diagram, &tui_screen_flows,
                                          &tui_screen_detail, &tui_screen_menu, &tui_screen_help};
    for (size_t i = 0; i < sizeof screens / sizeof screens[0]; i++) {
        a->screen = screens[i];
        for (const struct tui_keys *const *k = screens[i]->keys; *k; k++)
            if (!(*k)->active || (*k)->active(a))
                assert_keys_reach_their_actions(a, *k,
                                                screens[i]->name ? screens[i]->name : "diagram");
    }
    a->screen = &tui_screen_diagram;
    snprintf(a->search, sizeof a->search, "HELLO"); /* n and N now find matches */
    assert_keys_reach_their_actions(a, &tui_keys_search, "after a search");
    a->prompt = TUI_PROMPT_FILTER;
    assert_keys_reach_their_actions(a, &tui_keys_prompt, "typing");
    assert_null(tui_actions_find(a, 'q')); /* while typing, q is a letter */
    fixture_close(&f);
}

/* A live session's store: a socket call before the frames, and frames 2 and 3 dropped by the
 * ring (never tracked, as the live feed leaves them). Search maps events to frames by the
 * store's own numbering: "HELLO" selects frame 6, the reply, and "socket" the call. */
static void test_search_finds_the_event_in_a_store_with_calls_and_ring_drops(void **state)
{
    (void)state;
    struct screen_fixture f;
    struct tui_app *a = fixture_open(&f, 0, false, true, 40, 120);
    struct api_event call = {.call = API_SOCKET,
                             .phase = API_PHASE_RETURN,
                             .fd = 3,
                             .result = 3,
                             .sock_type = SOCK_STREAM,
                             .local = {.addr = {.family = 4, .bytes = {127, 0, 0, 1}}}};
    assert_true(timeline_store_add_call(f.store, &call));
    const uint32_t kept[] = {1, 4, 5, 6, 7, 8, 9, 10};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        struct capture_frame fr;
        struct packet pkt;
        struct track_info info;
        char err[256];
        assert_int_equal(
            timeline_pass_next_number(f.pass, kept[i], &fr, &pkt, &info, err, sizeof err), 1);
        assert_true(timeline_store_add_frame(f.store, &pkt, &info, fr.number, fr.wirelen));
    }
    timeline_store_finish(f.store, NULL, NULL);
    tui_app_react(a, TUI_KEY_NONE);
    tui_app_draw(a, TUI_REACT_SCREEN);
    snprintf(a->search, sizeof a->search, "HELLO");
    tui_search_next(a, true);
    const struct timeline_event *e =
        timeline_store_event(a->store, tui_visible_event(&a->vis, a->replay.selected));
    assert_false(e->bits & TIMELINE_EV_API);
    assert_int_equal(e->frame, 6);
    assert_non_null(strstr(a->message, "\"HELLO\": 1 match"));
    snprintf(a->search, sizeof a->search, "socket");
    tui_search_next(a, true);
    e = timeline_store_event(a->store, tui_visible_event(&a->vis, a->replay.selected));
    assert_true(e->bits & TIMELINE_EV_API);
    assert_int_equal(a->replay.selected, 0);
    snprintf(a->search, sizeof a->search, "nowhere at all");
    tui_search_next(a, true);
    assert_non_null(strstr(a->message, "not found"));
    assert_int_equal(a->replay.selected, 0); /* nothing found: the selection stays */
    fixture_close(&f);
}

/* The packet detail reads its frame through the app's one re-reader (the labels' own): after
 * the diagram and a search opened it, reading a frame opens no second reader, maps store
 * events to frames across ring drops (event 1 is frame 4), and freeing the frame leaves the
 * shared reader to its owner. */
static void test_detail_frames_read_through_the_one_reader_across_ring_drops(void **state)
{
    (void)state;
    struct screen_fixture f;
    struct tui_app *a = fixture_open(&f, 0, false, true, 40, 120);
    const uint32_t kept[] = {1, 4, 5, 6, 7, 8, 9, 10};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        struct capture_frame fr;
        struct packet pkt;
        struct track_info info;
        char err[256];
        assert_int_equal(
            timeline_pass_next_number(f.pass, kept[i], &fr, &pkt, &info, err, sizeof err), 1);
        assert_true(timeline_store_add_frame(f.store, &pkt, &info, fr.number, fr.wirelen));
    }
    timeline_store_finish(f.store, NULL, NULL);
    tui_app_react(a, TUI_KEY_NONE);
    tui_app_draw(a, TUI_REACT_SCREEN);
    snprintf(a->search, sizeof a->search, "HELLO");
    tui_search_next(a, true);
    struct timeline_reread *one = a->labels.reader;
    assert_non_null(one);
    struct tui_frame fr = {0};
    char err[256];
    uint64_t before = timeline_reread_frames(one);
    assert_int_equal(tui_frame_read(&fr, a->store, &a->labels.reader, a->src->path, a->src->bpf, 1,
                                    err, sizeof err),
                     STATUS_OK);
    assert_ptr_equal(a->labels.reader, one); /* no second reader */
    assert_true(timeline_reread_frames(one) > before);
    assert_int_equal(fr.number, 4);
    assert_int_equal(tui_frame_read(&fr, a->store, &a->labels.reader, a->src->path, a->src->bpf, 3,
                                    err, sizeof err),
                     STATUS_OK);
    assert_int_equal(fr.number, 6);
    assert_ptr_equal(a->labels.reader, one);
    tui_frame_free(&fr);
    assert_ptr_equal(a->labels.reader, one); /* the labels own it */
    fixture_close(&f);
}

static void test_an_idle_screen_is_not_drawn_again(void **state)
{
    (void)state;
    struct screen_fixture f;
    struct tui_app *a = fixture_open(&f, UINT32_MAX, true, false, 24, 80);
    tui_app_draw(a, tui_app_react(a, TUI_KEY_NONE) | TUI_REACT_SCREEN);
    assert_int_equal(a->draws, 1);
    for (int i = 0; i < 50; i++) { /* 50 waits that ran out: 10 s of a real terminal */
        unsigned r = tui_app_react(a, TUI_KEY_NONE);
        assert_int_equal(r, TUI_REACT_NONE);
        tui_app_draw(a, r);
    }
    assert_int_equal(a->draws, 1);
    assert_int_equal(a->bar_draws, 0);
    /* a step changes the diagram: drawn once */
    unsigned r = tui_app_react(a, 'n');
    assert_true(r & TUI_REACT_SCREEN);
    tui_app_draw(a, r);
    assert_int_equal(a->draws, 2);
    assert_int_equal(a->replay.shown, 1);
    /* a key that does nothing only says so, in the status bar */
    r = tui_app_react(a, 'x');
    assert_int_equal(r, TUI_REACT_BARS);
    tui_app_draw(a, r);
    assert_int_equal(a->draws, 2);
    assert_int_equal(a->bar_draws, 1);
    char line[256];
    screen_line(a->layout.status_y, line, sizeof line);
    assert_non_null(strstr(line, "key x does nothing here"));
    assert_int_equal(tui_app_react(a, TUI_KEY_NONE), TUI_REACT_NONE);
    /* a wake with nothing published, and a resize */
    assert_int_equal(tui_app_react(a, TUI_KEY_WAKE), TUI_REACT_NONE);
    assert_true(tui_app_react(a, TUI_KEY_RESIZE) & TUI_REACT_SCREEN);
    assert_true(tui_app_react(a, 'q') & TUI_REACT_QUIT);
    fixture_close(&f);
}

static void test_store_news_is_drawn_and_silence_is_not(void **state)
{
    (void)state;
    struct screen_fixture f;
    struct tui_app *a = fixture_open(&f, 3, false, true, 24, 80); /* live: following */
    tui_app_draw(a, TUI_REACT_SCREEN);
    assert_int_equal(tui_app_react(a, TUI_KEY_NONE), TUI_REACT_NONE);
    fixture_add(&f, 3);
    unsigned r = tui_app_react(a, TUI_KEY_WAKE);
    assert_true(r & TUI_REACT_SCREEN);
    tui_app_draw(a, r);
    assert_int_equal(a->replay.shown, 6); /* followed */
    assert_int_equal(tui_app_react(a, TUI_KEY_NONE), TUI_REACT_NONE);
    timeline_store_finish(f.store, NULL, NULL);
    r = tui_app_react(a, TUI_KEY_NONE);
    assert_true(r & TUI_REACT_SCREEN);
    tui_app_draw(a, r);
    char line[256];
    screen_line(a->layout.status_y, line, sizeof line);
    assert_non_null(strstr(line, "demo over"));
    assert_int_equal(tui_app_react(a, TUI_KEY_NONE), TUI_REACT_NONE);
    fixture_close(&f);
}

/* The status bar at every width, with and without a message: its fields are the full bar's
 * text cut at a separator, a comma or a space (never inside a word: "REPLAY x", "fr"), and a
 * message stands apart from them ("frthe end" glued nothing together). */
static void test_status_bar_never_cuts_a_word_nor_glues_a_message(void **state)
{
    (void)state;
    struct screen_fixture f;
    struct tui_app *a = fixture_open(&f, 3, true, false, 24, 300);
    tui_app_react(a, 'n');
    tui_app_react(a, 'n');
    tui_app_draw(a, TUI_REACT_SCREEN);
    char full[512];
    screen_line(a->layout.status_y, full, sizeof full);
    for (size_t n = strlen(full); n && full[n - 1] == ' ';)
        full[--n] = '\0';
    assert_non_null(strstr(full, "event 2 of 2 shown, frame 2"));
    const char *msgs[] = {"", "the end: every event is shown"};
    for (int m = 0; m < 2; m++) {
        for (int cols = 40; cols <= 160; cols++) {
            tui_term_resize(24, cols);
            snprintf(a->message, sizeof a->message, "%s", msgs[m]);
            tui_app_draw(a, TUI_REACT_SCREEN);
            char line[512];
            screen_line(a->layout.status_y, line, sizeof line);
            char *at = msgs[m][0] ? strstr(line, "the end") : NULL;
            if (msgs[m][0] && !at) at = strstr(line, "the e"); /* cut at the screen's edge */
            if (at) {
                if (at[-1] != ' ') fail_msg("%d columns: a message glued on: '%s'", cols, line);
                at[0] = '\0';
            }
            size_t n = strlen(line);
            while (n && line[n - 1] == ' ')
                line[--n] = '\0';
            if (!n) continue;
            const char *last = strrchr(line, '|');
            if (last && !strchr(last + 2, ' '))
                fail_msg("%d columns: a field cut to one word: '%s'", cols, line);
            /* the fields are the full bar's start, ending where a clause or word ends */
            if (strncmp(full, line, n) != 0 ||
                !(full[n] == '\0' || full[n] == ' ' || full[n] == ','))
                fail_msg("%d columns: '%s' is not the bar '%s' cut between words", cols, line,
                         full);
        }
    }
    fixture_close(&f);
}

static void test_new_drops_redraw_the_status_bar_alone(void **state)
{
    (void)state;
    struct screen_fixture f;
    struct tui_app *a = fixture_open(&f, 3, false, true, 24, 80);
    tui_app_draw(a, TUI_REACT_SCREEN);
    assert_int_equal(tui_app_react(a, TUI_KEY_NONE), TUI_REACT_NONE);
    f.counts.frames = 10; /* frames counted, none dropped: nothing on screen says so */
    assert_int_equal(tui_app_react(a, TUI_KEY_NONE), TUI_REACT_NONE);
    f.counts.kernel_dropped = 3;
    f.counts.ring_dropped = 2;
    unsigned r = tui_app_react(a, TUI_KEY_NONE);
    assert_int_equal(r, TUI_REACT_BARS);
    tui_app_draw(a, r);
    char line[256];
    screen_line(a->layout.status_y, line, sizeof line);
    assert_non_null(strstr(line, "drops 3 kernel, 2 ring"));
    assert_int_equal(tui_app_react(a, TUI_KEY_NONE), TUI_REACT_NONE);
    fixture_close(&f);
}

static void test_the_replay_timer_draws_when_an_event_is_due_and_not_before(void **state)
{
    (void)state;
    struct screen_fixture f;
    struct tui_app *a = fixture_open(&f, UINT32_MAX, true, false, 24, 80);
    assert_int_equal(tui_app_react(a, '-'), TUI_REACT_BARS); /* the speed is in the bar */
    assert_int_equal(tui_app_react(a, '-'), TUI_REACT_BARS);
    assert_true(tui_app_react(a, ' ') & TUI_REACT_SCREEN); /* the first event at once */
    assert_int_equal(a->replay.shown, 1);
    /* x1/4: the next one 4 s later */
    assert_true(tui_replay_wait_ms(&a->replay, tui_now_ns()) > 0);
    assert_int_equal(tui_app_react(a, TUI_KEY_NONE), TUI_REACT_NONE);
    a->replay.next_ns = tui_now_ns(); /* its time has come */
    assert_true(tui_app_react(a, TUI_KEY_NONE) & TUI_REACT_SCREEN);
    assert_int_equal(a->replay.shown, 2);
    fixture_close(&f);
}

/* ---- flow list ---- */

static const struct timeline_flow *flow_at(const void *ctx, uint32_t i)
{
    return &((const struct timeline_flow *)ctx)[i];
}

static struct timeline_flow flow(uint32_t stream, uint8_t proto, uint16_t cport, uint32_t packets,
                                 uint64_t bytes, uint64_t duration_ns)
{
    struct timeline_flow f = {.stream = stream, .proto = proto, .packets = packets, .bytes = bytes};
    f.client.addr.family = f.server.addr.family = 4;
    f.client.addr.bytes[0] = f.server.addr.bytes[0] = 127;
    f.client.addr.bytes[3] = f.server.addr.bytes[3] = 1;
    f.client.port = cport;
    f.server.port = 12000;
    f.first_ns = 1000;
    f.last_ns = 1000 + duration_ns;
    if (proto == PROTO_TCP) {
        f.state_client = TCP_STATE_TIME_WAIT;
        f.state_server = TCP_STATE_CLOSED;
    }
    return f;
}

static void test_flows_sort_by_any_column_and_keep_ties_in_order(void **state)
{
    (void)state;
    struct timeline_flow f[4] = {
        flow(0, PROTO_TCP, 51582, 10, 714, 300),
        flow(1, PROTO_TCP, 40000, 30, 9000, 100),
        flow(0, PROTO_UDP, 45000, 2, 120, 200),
        flow(2, PROTO_TCP, 51608, 10, 714, 100),
    };
    uint32_t order[4] = {0, 1, 2, 3};
    tui_flows_sort(order, 4, flow_at, f, TUI_FLOW_PACKETS, false);
    assert_int_equal(order[0], 2);
    assert_int_equal(order[1], 0); /* 10 packets twice: order of appearance */
    assert_int_equal(order[2], 3);
    assert_int_equal(order[3], 1);
    tui_flows_sort(order, 4, flow_at, f, TUI_FLOW_BYTES, true);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[3], 2);
    tui_flows_sort(order, 4, flow_at, f, TUI_FLOW_CLIENT, false);
    assert_int_equal(order[0], 1); /* port 40000 */
    assert_int_equal(order[3], 3); /* port 51608 */
    tui_flows_sort(order, 4, flow_at, f, TUI_FLOW_DURATION, false);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 3);
    assert_int_equal(order[3], 0);
    tui_flows_sort(order, 4, flow_at, f, TUI_FLOW_STREAM, false);
    assert_int_equal(order[0], 0); /* tcp 0 before udp 0 */
    assert_int_equal(order[1], 2);
    assert_string_equal(tui_flow_column_name(TUI_FLOW_STATE), "State");
}

static void test_flow_filter_matches_endpoint_port_protocol_and_state_words(void **state)
{
    (void)state;
    struct timeline_flow t = flow(2, PROTO_TCP, 51608, 10, 714, 100);
    struct timeline_flow u = flow(0, PROTO_UDP, 45000, 2, 120, 200);
    assert_true(tui_flow_matches(&t, ""));
    assert_true(tui_flow_matches(&t, "TCP"));
    assert_false(tui_flow_matches(&u, "tcp"));
    assert_true(tui_flow_matches(&t, "51608"));
    assert_true(tui_flow_matches(&u, "12000"));
    assert_true(tui_flow_matches(&t, "127.0.0.1:5"));
    assert_true(tui_flow_matches(&t, "tcp:2"));
    assert_true(tui_flow_matches(&t, "time-wait"));
    assert_true(tui_flow_matches(&t, "  tcp   51608 ")); /* every word must appear */
    assert_false(tui_flow_matches(&t, "tcp 45000"));
    char buf[40];
    tui_flow_state_text(&t, buf, sizeof buf);
    assert_string_equal(buf, "TIME-WAIT/CLOSED");
    tui_flow_state_text(&u, buf, sizeof buf);
    assert_string_equal(buf, "");
}

/* ---- display filter ---- */

static void test_filter_parses_the_documented_terms(void **state)
{
    (void)state;
    struct tui_filter f;
    char err[200];
    assert_int_equal(tui_filter_parse(&f, ":stream 2", err, sizeof err), 0);
    assert_int_equal(f.count, 1);
    assert_int_equal(f.term[0].kind, TUI_FILTER_STREAM);
    assert_int_equal(f.term[0].stream, 2);
    assert_int_equal(f.term[0].proto, 0);
    assert_string_equal(f.text, "stream 2");
    assert_int_equal(
        tui_filter_parse(&f, "udp stream udp:0 port 12000 flag SYN+ACK", err, sizeof err), 0);
    assert_int_equal(f.count, 4);
    assert_int_equal(f.term[0].proto, PROTO_UDP);
    assert_int_equal(f.term[1].proto, PROTO_UDP);
    assert_int_equal(f.term[2].ep.port, 12000);
    assert_int_equal(f.term[3].flags, TCP_SYN | TCP_ACK);
    assert_int_equal(tui_filter_parse(&f, "not host ::1 !127.0.0.1:12000", err, sizeof err), 0);
    assert_int_equal(f.count, 2);
    assert_true(f.term[0].negate);
    assert_int_equal(f.term[0].ep.addr.family, 6);
    assert_true(f.term[1].negate);
    assert_int_equal(f.term[1].kind, TUI_FILTER_ENDPOINT);
    assert_int_equal(tui_filter_parse(&f, "[::1]:12000", err, sizeof err), 0);
    assert_int_equal(f.term[0].ep.port, 12000);
    assert_int_equal(tui_filter_parse(&f, "", err, sizeof err), 0);
    assert_int_equal(f.count, 0);
}

static void test_filter_errors_name_the_wrong_word_and_keep_the_old_filter(void **state)
{
    (void)state;
    struct tui_filter f;
    char err[200];
    assert_int_equal(tui_filter_parse(&f, "tcp", err, sizeof err), 0);
    assert_int_equal(tui_filter_parse(&f, "bogus", err, sizeof err), -1);
    assert_non_null(strstr(err, "'bogus' is not a filter term"));
    assert_int_equal(tui_filter_parse(&f, "port 70000", err, sizeof err), -1);
    assert_non_null(strstr(err, "port (0-65535)"));
    assert_int_equal(tui_filter_parse(&f, "stream", err, sizeof err), -1);
    assert_non_null(strstr(err, "needs a value"));
    assert_int_equal(tui_filter_parse(&f, "flag SYNACK", err, sizeof err), -1);
    assert_int_equal(tui_filter_parse(&f, "not", err, sizeof err), -1);
    assert_int_equal(f.count, 1); /* untouched */
    assert_int_equal(f.term[0].kind, TUI_FILTER_PROTO);
}

static void test_filter_matches_flows_and_flags(void **state)
{
    (void)state;
    struct timeline_flow t = flow(1, PROTO_TCP, 51592, 10, 714, 100);
    struct timeline_flow u = flow(1, PROTO_UDP, 45000, 2, 120, 200);
    struct tui_filter f;
    char err[200];
    tui_filter_parse(&f, "stream 1", err, sizeof err);
    assert_true(tui_filter_match(&f, &t, TCP_ACK));
    assert_true(tui_filter_match(&f, &u, 0));
    assert_false(tui_filter_match(&f, NULL, 0)); /* frames of no conversation */
    tui_filter_parse(&f, "stream tcp:1", err, sizeof err);
    assert_false(tui_filter_match(&f, &u, 0));
    tui_filter_parse(&f, "flag SYN", err, sizeof err);
    assert_true(tui_filter_match(&f, &t, TCP_SYN));
    assert_true(tui_filter_match(&f, &t, TCP_SYN | TCP_ACK));
    assert_false(tui_filter_match(&f, &t, TCP_ACK));
    assert_false(tui_filter_match(&f, &u, 0));
    tui_filter_parse(&f, "port 51592 not flag ACK", err, sizeof err);
    assert_true(tui_filter_match(&f, &t, TCP_SYN));
    assert_false(tui_filter_match(&f, &t, TCP_SYN | TCP_ACK));
    tui_filter_parse(&f, "host 127.0.0.1 udp", err, sizeof err);
    assert_true(tui_filter_match(&f, &u, 0));
    assert_false(tui_filter_match(&f, &t, 0));
    tui_filter_parse(&f, "", err, sizeof err);
    assert_true(tui_filter_match(&f, NULL, 0));
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
        cmocka_unit_test(test_following_shows_and_selects_each_new_event),
        cmocka_unit_test(test_any_movement_stops_following),
        cmocka_unit_test(test_end_follows_again_after_a_pause),
        cmocka_unit_test(test_realtime_paces_by_the_capture_gaps),
        cmocka_unit_test(test_layout_at_120x40_has_every_part),
        cmocka_unit_test(test_layout_at_80x24_and_60x15_keeps_arrows),
        cmocka_unit_test(test_small_terminals_lose_footer_then_explanation_then_say_so),
        cmocka_unit_test(test_lanes_that_fit_never_pan),
        cmocka_unit_test(test_present_pitch_is_kept_when_the_state_margins_do_not_fit),
        cmocka_unit_test(test_pan_keeps_the_pitch_and_stops_at_both_ends),
        cmocka_unit_test(test_fit_narrows_the_pitch_until_every_lifeline_is_on_screen),
        cmocka_unit_test(test_present_layout_keeps_the_explanation_down_to_the_minimum),
        cmocka_unit_test(test_label_detail_cycles_minimal_normal_full),
        cmocka_unit_test(test_top_stays_while_the_selection_is_visible),
        cmocka_unit_test(test_top_scrolls_the_least_to_show_the_selection),
        cmocka_unit_test(test_top_pulls_earlier_events_in_after_a_step_back),
        cmocka_unit_test(test_jumping_to_the_end_of_a_huge_capture_looks_back_one_screen),
        cmocka_unit_test(test_every_footer_shows_the_keys_of_its_screens_slices),
        cmocka_unit_test(test_the_help_lists_every_action_of_every_screen_and_mode),
        cmocka_unit_test(test_every_key_listed_for_an_action_runs_it),
        cmocka_unit_test(test_search_finds_the_event_in_a_store_with_calls_and_ring_drops),
        cmocka_unit_test(test_detail_frames_read_through_the_one_reader_across_ring_drops),
        cmocka_unit_test(test_an_idle_screen_is_not_drawn_again),
        cmocka_unit_test(test_store_news_is_drawn_and_silence_is_not),
        cmocka_unit_test(test_status_bar_never_cuts_a_word_nor_glues_a_message),
        cmocka_unit_test(test_new_drops_redraw_the_status_bar_alone),
        cmocka_unit_test(test_the_replay_timer_draws_when_an_event_is_due_and_not_before),
        cmocka_unit_test(test_flows_sort_by_any_column_and_keep_ties_in_order),
        cmocka_unit_test(test_flow_filter_matches_endpoint_port_protocol_and_state_words),
        cmocka_unit_test(test_filter_parses_the_documented_terms),
        cmocka_unit_test(test_filter_errors_name_the_wrong_word_and_keep_the_old_filter),
        cmocka_unit_test(test_filter_matches_flows_and_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
