/* The replay controller: a pure state machine over (shown, selected, playing, speed), paced
 * per event rather than by capture time. No terminal, no clock of its own: the caller passes
 * the time, so tests can drive it step by step. */
#include "sockscope/tui.h"

/* Events per second at each speed, in quarters: x1/4 ... x64. */
static const uint32_t speed_quarters[TUI_REPLAY_SPEEDS] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
static const char *const speed_names[TUI_REPLAY_SPEEDS] = {
    "x1/4", "x1/2", "x1", "x2", "x4", "x8", "x16", "x32", "x64",
};

void tui_replay_init(struct tui_replay *r, uint32_t total)
{
    *r = (struct tui_replay){.total = total, .speed = TUI_REPLAY_SPEED_1X};
}

uint64_t tui_replay_interval_ns(const struct tui_replay *r)
{
    return 4000000000u / speed_quarters[r->speed];
}

const char *tui_replay_speed_name(const struct tui_replay *r)
{
    return speed_names[r->speed];
}

static void show_next(struct tui_replay *r)
{
    r->shown++;
    r->selected = r->shown - 1;
}

bool tui_replay_step(struct tui_replay *r)
{
    r->playing = false;
    r->follow = false;
    if (r->shown >= r->total) return false;
    show_next(r);
    return true;
}

bool tui_replay_back(struct tui_replay *r)
{
    r->playing = false;
    r->follow = false;
    if (r->shown == 0) return false;
    r->shown--;
    if (r->selected >= r->shown) r->selected = r->shown ? r->shown - 1 : 0;
    return true;
}

void tui_replay_toggle(struct tui_replay *r, uint64_t now_ns)
{
    r->follow = false;
    if (r->playing) {
        r->playing = false;
        return;
    }
    if (r->total == 0) return;
    if (r->shown >= r->total) {
        r->shown = 0;
        r->selected = 0;
    }
    r->playing = true;
    r->next_ns = now_ns; /* the first event answers the key at once */
}

/* The wait before the event after the one just shown: per event, or (realtime) the capture's
 * own gap divided by the speed, with long silences cut to a few seconds. */
static uint64_t next_step(const struct tui_replay *r)
{
    if (!r->realtime || !r->gap || r->shown >= r->total) return tui_replay_interval_ns(r);
    uint64_t gap = r->gap(r->gap_ctx, r->shown - 1, r->shown);
    if (gap > TUI_REPLAY_MAX_GAP_NS * 64) return TUI_REPLAY_MAX_GAP_NS; /* no overflow below */
    uint64_t step = gap * 4 / speed_quarters[r->speed];
    return step > TUI_REPLAY_MAX_GAP_NS ? TUI_REPLAY_MAX_GAP_NS : step;
}

bool tui_replay_tick(struct tui_replay *r, uint64_t now_ns)
{
    if (!r->playing || now_ns < r->next_ns) return false;
    if (r->shown >= r->total) {
        r->playing = false;
        return false;
    }
    show_next(r);
    uint64_t step = next_step(r);
    /* late (a slow draw, a suspended process): pace from now instead of catching up */
    r->next_ns = r->next_ns + step > now_ns ? r->next_ns + step : now_ns + step;
    if (r->shown >= r->total) r->playing = false;
    return true;
}

static void reschedule(struct tui_replay *r, uint64_t now_ns)
{
    uint64_t limit = now_ns + tui_replay_interval_ns(r);
    if (r->playing && r->next_ns > limit) r->next_ns = limit;
}

void tui_replay_faster(struct tui_replay *r, uint64_t now_ns)
{
    if (r->speed < TUI_REPLAY_SPEEDS - 1) r->speed++;
    reschedule(r, now_ns);
}

void tui_replay_slower(struct tui_replay *r, uint64_t now_ns)
{
    if (r->speed > 0) r->speed--;
    reschedule(r, now_ns);
}

void tui_replay_move(struct tui_replay *r, int64_t delta)
{
    r->playing = false;
    r->follow = false;
    if (r->shown == 0) return;
    int64_t s = (int64_t)r->selected + delta;
    if (s < 0) s = 0;
    if (s > (int64_t)r->shown - 1) s = (int64_t)r->shown - 1;
    r->selected = (uint32_t)s;
}

void tui_replay_first(struct tui_replay *r)
{
    r->playing = false;
    r->follow = false;
    r->selected = 0;
}

void tui_replay_set_total(struct tui_replay *r, uint32_t total)
{
    r->total = total;
    if (r->shown > total) r->shown = total;
    if (r->selected >= r->shown) r->selected = r->shown ? r->shown - 1 : 0;
    if (r->follow) {
        r->shown = total;
        r->selected = total ? total - 1 : 0;
    }
}

void tui_replay_follow(struct tui_replay *r)
{
    tui_replay_all(r);
    r->follow = true;
}

void tui_replay_all(struct tui_replay *r)
{
    r->playing = false;
    r->follow = false;
    r->shown = r->total;
    r->selected = r->total ? r->total - 1 : 0;
}

int tui_replay_wait_ms(const struct tui_replay *r, uint64_t now_ns)
{
    if (!r->playing || r->shown >= r->total) return -1;
    if (r->next_ns <= now_ns) return 0;
    uint64_t ms = (r->next_ns - now_ns + 999999) / 1000000;
    return ms > 60000 ? 60000 : (int)ms;
}
