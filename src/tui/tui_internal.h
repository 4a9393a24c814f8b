/* What the files of src/tui/ share: keys and colour roles of the terminal layer, the compact
 * event store, the label cache, the application state and the screens. Only term.c talks to
 * ncurses; everything else draws through it. */
#ifndef SOCKSCOPE_TUI_INTERNAL_H
#define SOCKSCOPE_TUI_INTERNAL_H

#include <stdio.h>

#include "sockscope/track.h"
#include "sockscope/tui.h"
#include "sockscope/view.h"

/* ---- keys: printable keys are their code point, the others live above Unicode ---- */
enum {
    TUI_KEY_NONE = -1,
    TUI_KEY_UP = 0x110000,
    TUI_KEY_DOWN,
    TUI_KEY_LEFT,
    TUI_KEY_RIGHT,
    TUI_KEY_PGUP,
    TUI_KEY_PGDN,
    TUI_KEY_HOME,
    TUI_KEY_END,
    TUI_KEY_ENTER,
    TUI_KEY_ESC,
    TUI_KEY_RESIZE,
    TUI_KEY_SIGNAL, /* SIGINT or SIGTERM arrived: leave */
};
#define TUI_CTRL(c) ((c)&0x1f)

/* "Space", "PgDn", "→" (or "Right" in ASCII), "n". */
const char *tui_key_name(int key, bool ascii, char buf[8]);
/* The key of a name as tui_key_name writes it (ASCII spelling), or TUI_KEY_NONE. */
int tui_key_from_name(const char *name);

/* ---- colour roles: view's styles, then the TUI's own ---- */
enum tui_role {
    TUI_ROLE_BAR = STYLE_COUNT, /* status bar */
    TUI_ROLE_BAR_KEY,           /* a key in the footer */
    TUI_ROLE_FOOTER,            /* footer label */
    TUI_ROLE_EXPLAIN,           /* the explanation line */
    TUI_ROLE_MESSAGE,           /* "terminal too small", errors */
    TUI_ROLE_COUNT
};

/* ---- terminal layer (term.c) ---- */
struct tui_term_options {
    bool ascii, headless;
    enum tui_theme theme;
};

int tui_term_open(const struct tui_term_options *o, char *err, size_t errlen);
/* Restores the terminal; safe to call twice, and called at exit whatever happens. */
void tui_term_close(void);
bool tui_term_ascii(void);
void tui_term_size(int *rows, int *cols);
/* Next key within timeout_ms (-1: wait; the wait is cut short to notice signals).
 * TUI_KEY_NONE on timeout; TUI_KEY_RESIZE after a resize; TUI_KEY_SIGNAL after SIGINT or
 * SIGTERM. */
int tui_term_key(int timeout_ms);
/* Headless: the terminal takes a new size (the same path as a real resize). */
void tui_term_resize(int rows, int cols);
void tui_term_erase(void);
/* Row y from view cells (columns past the screen are clipped); selected rows are reversed. */
void tui_term_row(int y, const struct view_row *r, bool selected);
/* UTF-8 text at (y, x) in a role, at most max_cols columns; returns columns used. */
int tui_term_text(int y, int x, const char *text, int role, int max_cols);
/* The whole line y in a role's background. */
void tui_term_fill(int y, int role);
void tui_term_flush(void);
/* The screen as UTF-8 text, one line per row, trailing blanks cut (headless tests). */
void tui_term_dump(FILE *out);

/* ---- the event store (events.c): one compact record per frame, built once at open ---- */
enum {
    TUI_EV_NOTE = 1u << 0,        /* no arrow: not TCP/UDP, or no lane */
    TUI_EV_SRC_CHANGED = 1u << 1, /* the sender's TCP state changed */
    TUI_EV_DST_CHANGED = 1u << 2,
};

struct tui_event {
    uint64_t ts_ns;
    uint32_t frame;         /* number in the file (before the filter) */
    uint8_t lane_a, lane_b; /* sender's and receiver's lane */
    uint8_t style;          /* enum style of the arrow */
    uint8_t bits;           /* TUI_EV_* */
    uint8_t states;         /* sender's state after (low nibble), receiver's (high) */
    uint8_t states_before;
};

#define TUI_CHUNK_EVENTS 65536

struct tui_events {
    struct tui_event **chunk;
    uint32_t chunks, chunk_cap, count;
    struct view_lanes lanes;
    uint8_t lane_first_state[VIEW_MAX_LANES]; /* before the lane's first event */
    uint64_t first_ts;
    uint32_t tcp, udp, other, no_lane;
    char warning[256]; /* the file stops short: what libpcap said */
};

int tui_events_load(struct tui_events *ev, const char *path, const char *bpf, char *err,
                    size_t errlen);
void tui_events_free(struct tui_events *ev);
static inline const struct tui_event *tui_events_get(const struct tui_events *ev, uint32_t i)
{
    return &ev->chunk[i / TUI_CHUNK_EVENTS][i % TUI_CHUNK_EVENTS];
}
/* The TCP state of a lane after the first `upto` events (before its first event if none of
 * them touches it). */
enum tcp_state tui_events_lane_state(const struct tui_events *ev, int lane, uint32_t upto);

/* ---- labels (labels.c): text rebuilt by re-reading the capture, for a window of events ---- */
#define TUI_LABEL_WINDOW 1024
#define TUI_LABEL_MAX 200
#define TUI_EXPLAIN_MAX 320

struct tui_label {
    char label[TUI_LABEL_MAX];     /* arrow label fitted to the arrow, or the note */
    char explain[TUI_EXPLAIN_MAX]; /* the plain-language line */
};

struct tui_labels {
    const char *path, *bpf;
    struct label_options opt;
    uint32_t first, count; /* events held */
    int width;             /* the geometry they were fitted to; 0: nothing held */
    struct tui_label *rows;
    uint64_t rereads; /* file reads so far (status and tests) */
    bool broken;      /* the file could not be read again: labels stay empty */
    char error[256];  /* why */
};

int tui_labels_init(struct tui_labels *c, const char *path, const char *bpf,
                    const struct label_options *opt);
void tui_labels_free(struct tui_labels *c);
/* The label of event i, re-reading the capture when [first, last] is not held. NULL when the
 * file cannot be read again (err says why). */
const struct tui_label *tui_labels_get(struct tui_labels *c, const struct tui_events *ev,
                                       const struct view_geometry *g, uint32_t i, uint32_t first,
                                       uint32_t last, char *err, size_t errlen);

/* ---- the application and its screens ---- */
enum tui_screen { TUI_SCREEN_DIAGRAM = 1u << 0, TUI_SCREEN_HELP = 1u << 1 };

struct tui_app {
    const struct tui_options *opt;
    struct tui_events ev;
    struct tui_labels labels;
    struct tui_replay replay;
    enum tui_screen screen;
    uint32_t top; /* first event drawn */
    int help_top; /* first help line drawn */
    bool quit;
    char message[256]; /* shown in the status bar until the next key */
    struct tui_layout layout;
    struct view_geometry geo;
    struct view_row row;
    struct view_row header[VIEW_HEADER_MAX_ROWS];
};

uint64_t tui_now_ns(void);

/* diagram.c */
void tui_diagram_draw(struct tui_app *a);
/* help.c */
void tui_help_draw(struct tui_app *a);

/* ---- the one action table (actions.c): keys, footer and help come from it ---- */
struct tui_action {
    int keys[4];        /* 0-terminated */
    const char *footer; /* short label for the footer bar; NULL: help only */
    const char *help;   /* one line for the help screen */
    unsigned screens;   /* enum tui_screen bits where it applies */
    void (*run)(struct tui_app *a);
};

/* Runs the action bound to key on the current screen; false if none. */
bool tui_actions_dispatch(struct tui_app *a, int key);
/* The footer bar of the current screen on line y. */
void tui_actions_footer(const struct tui_app *a, int y);
/* Help line i of a screen ("  Space      play or pause the replay"); false past the end. */
bool tui_actions_help_line(unsigned screen, int i, bool ascii, char *buf, size_t size);

#endif
