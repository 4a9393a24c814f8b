/* tui: the ncurses application. `sockscope open FILE` replays a capture as a sequence
 * diagram drawn from the same view rows as `trace`; the replay controller and the screen
 * layout are pure modules (no terminal), declared here so they can be tested alone. */
#ifndef SOCKSCOPE_TUI_H
#define SOCKSCOPE_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error classes, as capture/'s: the command picks its exit code from them. */
enum tui_error {
    TUI_OK = 0,
    TUI_E_RUNTIME = -1,   /* no terminal, out of memory, the file changed under us */
    TUI_E_BAD_INPUT = -2, /* missing or non-capture file, bad filter, link type */
};

enum tui_theme { TUI_THEME_DARK = 0, TUI_THEME_LIGHT, TUI_THEME_PROJECTOR, TUI_THEME_MONO };

struct tui_options {
    const char *file;
    const char *bpf;      /* NULL or "" for every frame */
    bool ascii;           /* ASCII glyphs even on a UTF-8 terminal */
    bool raw_seq;         /* raw sequence numbers in labels */
    enum tui_theme theme; /* NO_COLOR is applied by the caller (mono) */
    /* Headless runs for tests and sanitizers: no keyboard, output to /dev/null, size from
     * LINES/COLUMNS. headless_frames > 0 draws that many frames (each one runs the next key
     * of headless_keys, else steps the replay), then prints the screen as text on stdout. */
    long headless_frames;
    const char *headless_keys; /* words: "n", "Down", "PgDn", "Space", "resize:60x15" ... */
};

/* Enum value of "dark", "light", "projector", "mono"; -1 when unknown. */
int tui_theme_parse(const char *name);

/* Indexes the capture, then runs the diagram until the user quits. The terminal is restored
 * on every way out (quit, error, SIGINT, SIGTERM). Returns TUI_OK or a tui_error with one
 * line in err naming the file or the reason. */
int tui_open_file(const struct tui_options *o, char *err, size_t errlen);

/* ---- replay controller: which events are shown and which one is selected ----
 * Events appear one by one, paced per event (not by capture time: loopback exchanges take
 * microseconds). shown events are visible; selected is one of them (meaningless when none
 * is shown). Stepping by hand, and any movement of the selection, pauses the playback. */
#define TUI_REPLAY_SPEEDS 9

struct tui_replay {
    uint32_t total, shown, selected;
    bool playing;
    int speed;        /* index into the speed table; TUI_REPLAY_SPEED_1X at start */
    uint64_t next_ns; /* while playing: when the next event appears */
};

#define TUI_REPLAY_SPEED_1X 2

void tui_replay_init(struct tui_replay *r, uint32_t total);
/* Shows the next event and selects it; pauses. False at the end. */
bool tui_replay_step(struct tui_replay *r);
/* Hides the newest event (the selection stays on a shown one); pauses. False at the start. */
bool tui_replay_back(struct tui_replay *r);
/* Play/pause; play at the end starts again from the first event. */
void tui_replay_toggle(struct tui_replay *r, uint64_t now_ns);
/* While playing, shows what is due at now_ns (at most one event per call, so a slow frame
 * never makes events jump); stops at the end. True if something changed. */
bool tui_replay_tick(struct tui_replay *r, uint64_t now_ns);
void tui_replay_faster(struct tui_replay *r, uint64_t now_ns);
void tui_replay_slower(struct tui_replay *r, uint64_t now_ns);
/* Moves the selection by delta among the shown events (clamped); pauses. */
void tui_replay_move(struct tui_replay *r, int64_t delta);
/* Selects the first shown event; pauses. */
void tui_replay_first(struct tui_replay *r);
/* Shows every event and selects the last; pauses. */
void tui_replay_all(struct tui_replay *r);
/* Milliseconds until the next event is due (0: now), or -1 when paused or at the end. */
int tui_replay_wait_ms(const struct tui_replay *r, uint64_t now_ns);
/* Time between two events at the current speed, and the speed as text ("x1", "x1/4"). */
uint64_t tui_replay_interval_ns(const struct tui_replay *r);
const char *tui_replay_speed_name(const struct tui_replay *r);

/* ---- screen layout: which rows of the terminal hold what ---- */
#define TUI_MIN_COLS 40
#define TUI_MIN_ROWS 8

struct tui_layout {
    int rows, cols;
    bool too_small; /* below TUI_MIN_COLS x TUI_MIN_ROWS: only a message is drawn */
    int header_y, header_rows;
    int body_y, body_rows;
    int explain_y;    /* -1 when hidden (small terminals lose it before the arrows) */
    int explain_rows; /* 2 on tall terminals (long sentences wrap), 1, or 0 */
    int status_y;
    int footer_y; /* -1 when hidden */
};

/* header_rows: rows the lifeline header needs (its state line included). */
void tui_layout_compute(struct tui_layout *l, int rows, int cols, int header_rows);

/* The rows an event takes on screen (1, or 2 with a state change line). */
typedef int (*tui_height_fn)(void *ctx, uint32_t event);

/* The first event to draw so that the selected one is fully visible: the previous top when it
 * still is; otherwise the least scrolling that shows it. When the shown events end above the
 * bottom, earlier events are pulled in to fill the body (after a step back). */
uint32_t tui_layout_top(uint32_t top, uint32_t selected, uint32_t shown, int body_rows,
                        tui_height_fn height, void *ctx);

#endif
