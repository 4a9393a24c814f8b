/* tui: the ncurses application. `sockscope open FILE` replays a capture as a sequence
 * diagram drawn from the same view rows as `trace`; the replay controller and the screen
 * layout are pure modules (no terminal), declared here so they can be tested alone. */
#ifndef SOCKSCOPE_TUI_H
#define SOCKSCOPE_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockscope/model.h"

#include "sockscope/timeline.h"
#include "sockscope/track.h"

enum tui_theme { TUI_THEME_DARK = 0, TUI_THEME_LIGHT, TUI_THEME_PROJECTOR, TUI_THEME_MONO };

struct tui_options {
    const char *file;     /* open: the capture; tui_run takes its source instead */
    bool realtime;        /* pace the replay by the capture's timestamps, not per event */
    const char *bpf;      /* NULL or "" for every frame */
    bool ascii;           /* ASCII glyphs even on a UTF-8 terminal */
    bool raw_seq;         /* raw sequence numbers in labels */
    bool no_mouse;        /* leave the mouse to the terminal (copying text with it) */
    bool present;         /* classroom: spacing, explanation always, minimal labels */
    bool no_color;        /* NO_COLOR is set: every theme is drawn in mono */
    enum tui_theme theme; /* NO_COLOR is applied by the caller (mono) */
    /* Headless runs for tests and sanitizers: no keyboard, output to /dev/null, size from
     * LINES/COLUMNS. headless_frames > 0 runs that many turns of the loop (each after the
     * first runs the next key of headless_keys, else steps the replay; each draws what that
     * changed), then prints the screen as text on stdout. */
    long headless_frames;
    bool headless_no_wait; /* the first frame as soon as the first event is known (benchmarks);
                            * otherwise headless runs wait until the source has finished */
    /* words: "n", "Down", "PgDn", "Space", "Tab", "resize:60x15", "type:stream_1" (types
     * "stream 1"), "click:X,Y", "wheelup:X,Y", "wheeldown:X,Y", "wait:done" (also
     * "wait:index": until the source has finished) */
    const char *headless_keys;
};

/* Enum value of "dark", "light", "projector", "mono"; -1 when unknown. */
int tui_theme_parse(const char *name);

/* Starts indexing the capture in the background, then runs the diagram until the user quits
 * (the first screen comes after the first frame, not after the whole file). The terminal is
 * restored on every way out (quit, error, SIGINT, SIGTERM). Returns STATUS_OK or an enum status
 * with one line in err naming the file or the reason. */
int tui_open_file(const struct tui_options *o, char *err, size_t errlen);

/* ---- what the TUI draws: a store filled by someone else's thread ---- */
struct tui_live_stats {
    uint64_t frames, kernel_dropped, ring_dropped, calls_dropped;
};

struct tui_source {
    const char *name; /* status bar: the file's name, "demo tcp", "live lo" */
    const char *path; /* the capture read again for labels, packet detail and search */
    const char *bpf;
    struct timeline_store *store;
    bool live; /* new events keep coming: follow mode, LIVE / PAUSED in the status bar */
    void *ctx;
    /* NULL, or the capture's counts for the status bar */
    void (*stats)(void *ctx, struct tui_live_stats *out);
    /* NULL, or: runs scenario (NULL: the same one again) into a new store, which replaces
     * src->store (and src->path, src->name); the source frees the old one. r and the scenario
     * menu use it. Returns STATUS_OK or an enum status with err. */
    int (*rerun)(void *ctx, struct tui_source *src, const char *scenario, char *err, size_t errlen);
    const char *const *scenarios; /* names for the menu, scenario_count of them */
    const char *const *scenario_summaries;
    size_t scenario_count;
};

/* Runs the TUI over a source until the user quits; the terminal is restored on every way
 * out. The caller owns the source and keeps filling its store meanwhile. */
int tui_run(const struct tui_options *o, struct tui_source *src, char *err, size_t errlen);

/* ---- replay controller: which events are shown and which one is selected ----
 * Events appear one by one, paced per event (not by capture time: loopback exchanges take
 * microseconds). shown events are visible; selected is one of them (meaningless when none
 * is shown). Stepping by hand, and any movement of the selection, pauses the playback. */
#define TUI_REPLAY_SPEEDS 9

/* Realtime replay: the capture time between two events (by position). */
typedef uint64_t (*tui_replay_gap_fn)(void *ctx, uint32_t from, uint32_t to);
#define TUI_REPLAY_MAX_GAP_NS 3000000000ull /* realtime: longer silences shortened to 3 s */

struct tui_replay {
    uint32_t total, shown, selected;
    bool playing;
    bool follow;   /* live: every new event is shown and selected as it comes */
    bool realtime; /* pace by the capture's timestamps (times the speed), not per event */
    tui_replay_gap_fn gap;
    void *gap_ctx;
    int speed;        /* index into the speed table; TUI_REPLAY_SPEED_1X at start */
    uint64_t next_ns; /* while playing: when the next event appears */
};

#define TUI_REPLAY_SPEED_1X 2

void tui_replay_init(struct tui_replay *r, uint32_t total);
/* Shows the next event and selects it; pauses. False at the end. */
bool tui_replay_step(struct tui_replay *r);
/* Hides the newest event (the selection stays on a shown one); pauses. False at the start. */
bool tui_replay_back(struct tui_replay *r);
/* Play/pause; play at the end starts again from the first event. Every function below that
 * moves the selection or pauses also stops following. */
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
/* More (or fewer) events exist; following, the newest is shown and selected. */
void tui_replay_set_total(struct tui_replay *r, uint32_t total);
/* Live: show everything and keep showing what comes (End). Any movement stops following. */
void tui_replay_follow(struct tui_replay *r);
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
/* The same for --present: the explanation line stays down to the minimum size (the footer
 * still goes first). */
void tui_layout_compute_present(struct tui_layout *l, int rows, int cols, int header_rows);

/* The rows an event takes on screen (1, or 2 with a state change line). */
typedef int (*tui_height_fn)(void *ctx, uint32_t event);

/* The first event to draw so that the selected one is fully visible: the previous top when it
 * still is; otherwise the least scrolling that shows it. When the shown events end above the
 * bottom, earlier events are pulled in to fill the body (after a step back). */
uint32_t tui_layout_top(uint32_t top, uint32_t selected, uint32_t shown, int body_rows,
                        tui_height_fn height, void *ctx);

/* ---- horizontal pan and fit: when the lifelines do not fit the width ----
 * The diagram is drawn as rows wider than the screen (lanes at their normal pitch) and shown
 * through a window that pans by one lane; the time column stays. Fit mode narrows the pitch
 * instead, so every lifeline is on screen (panning only if even 4 columns apart is too wide). */
#define TUI_PRESENT_PITCH 24 /* --present: lifelines further apart, for the back row */

struct view_geometry;

struct tui_pan {
    int width;   /* of the diagram's rows: the screen's, or more when they pan */
    int pitch;   /* columns between lifelines */
    int pan;     /* lanes panned off to the left, clamped to [0, max_pan] */
    int max_pan; /* 0: everything fits */
    int offset;  /* diagram columns hidden left of the lanes: pan lanes, at most what overflows */
};

/* Places lanes lifelines for a screen cols wide after a time column; g receives the
 * geometry to draw with. min_pitch: the pitch under which the diagram pans instead. */
void tui_pan_compute(struct tui_pan *p, struct view_geometry *g, int cols, int time_width,
                     int lanes, int min_pitch, bool fit, int pan);

/* ---- the flow list: one row per conversation, sortable and filterable ---- */
enum tui_flow_column {
    TUI_FLOW_STREAM = 0,
    TUI_FLOW_PROTO,
    TUI_FLOW_CLIENT,
    TUI_FLOW_SERVER,
    TUI_FLOW_PACKETS,
    TUI_FLOW_BYTES,
    TUI_FLOW_STATE,
    TUI_FLOW_DURATION,
    TUI_FLOW_COLUMNS
};

/* "Stream", "Proto", "Client", ... */
const char *tui_flow_column_name(enum tui_flow_column c);
/* Sorts order[0..n) (indices into flows) by a column, ties by order of appearance; stable. */
/* The flow with index i (flows live in the store's chunks, or in a test's array). */
typedef const struct timeline_flow *(*tui_flow_at)(const void *ctx, uint32_t i);
void tui_flows_sort(uint32_t *order, uint32_t n, tui_flow_at at, const void *ctx,
                    enum tui_flow_column by, bool descending);
/* The flow list's filter: every word of text (case-insensitive) must appear in the row's
 * protocol, stream number, client or server ip:port or state ("udp", "12000", "51582",
 * "127.0.0.1:5", "tcp:2", "time-wait"). Empty text matches every flow. */
bool tui_flow_matches(const struct timeline_flow *f, const char *text);
/* "TIME-WAIT/CLOSED" (client/server) for TCP, "" for UDP. */
void tui_flow_state_text(const struct timeline_flow *f, char *buf, size_t size);

/* ---- display filter of the diagram (':' then terms, all of which must hold) ----
 *   tcp | udp            the conversation's protocol
 *   stream N             stream N (tcp:N or udp:N to be precise), as trace's --flow
 *   port N               either end's port
 *   host ADDR            either end's address (IPv4 or IPv6)
 *   ADDR:PORT            either end exactly ([::1]:12000 for IPv6)
 *   flag F[+F...]        TCP packets with every named flag set (SYN, ACK, FIN, RST, PSH,
 *                        URG, ECE, CWR): "flag SYN" holds for SYN and SYN+ACK
 *   not TERM, !TERM      the opposite
 * Frames that belong to no conversation pass only an empty filter. */
#define TUI_FILTER_TERMS 8
#define TUI_FILTER_TEXT 128

enum tui_filter_kind {
    TUI_FILTER_PROTO,
    TUI_FILTER_STREAM,
    TUI_FILTER_PORT,
    TUI_FILTER_HOST,
    TUI_FILTER_ENDPOINT,
    TUI_FILTER_FLAG,
};

struct tui_filter_term {
    enum tui_filter_kind kind;
    bool negate;
    uint8_t proto; /* PROTO_TCP, PROTO_UDP; 0 in a stream term: either */
    uint16_t flags;
    uint32_t stream;
    struct endpoint ep; /* HOST uses the address only, PORT the port only */
};

struct tui_filter {
    int count;
    struct tui_filter_term term[TUI_FILTER_TERMS];
    char text[TUI_FILTER_TEXT]; /* as typed, for the status bar */
};

/* Parses text (an optional leading ':' is skipped); empty text clears. On error returns -1,
 * leaves *f untouched and says which word is wrong in err. */
int tui_filter_parse(struct tui_filter *f, const char *text, char *err, size_t errlen);
/* flow NULL: a frame of no conversation. tcp_flags: the packet's flags (0 for UDP). */
bool tui_filter_match(const struct tui_filter *f, const struct timeline_flow *flow,
                      uint16_t tcp_flags);

#endif
