/* What the files of src/tui/ share: keys and colour roles of the terminal layer, the compact
 * event store, the visible set, the label cache, the application state and the screens.
 * Only term.c talks to ncurses; everything else draws through it. */
#ifndef SOCKSCOPE_TUI_INTERNAL_H
#define SOCKSCOPE_TUI_INTERNAL_H

#include <stdio.h>

#include "sockscope/timeline.h"
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
    TUI_KEY_BACKSPACE,
    TUI_KEY_BTAB,     /* Shift-Tab */
    TUI_KEY_CLICK,    /* mouse button 1; where: tui_term_mouse */
    TUI_KEY_WHEEL_UP, /* mouse wheel */
    TUI_KEY_WHEEL_DOWN,
    TUI_KEY_SLEFT, /* Shift-Left, Shift-Right */
    TUI_KEY_SRIGHT,
    TUI_KEY_WAKE, /* not a key: the store has news (tui_term_key_or_wake) */
    TUI_KEY_WAIT, /* headless "wait:done": until the source has finished */
};
#define TUI_KEY_TAB '\t'
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
    TUI_ROLE_SELECT,            /* the selected row or field (reversed) */
    TUI_ROLE_TITLE,             /* column titles of lists */
    TUI_ROLE_COUNT
};

/* ---- terminal layer (term.c) ---- */
struct tui_term_options {
    bool ascii, headless;
    bool mouse; /* report clicks and the wheel (when the terminal has a mouse) */
    enum tui_theme theme;
    uint64_t flows_refreshed; /* when the flow list was last sorted (it follows the store) */
};

int tui_term_open(const struct tui_term_options *o, char *err, size_t errlen);
/* Restores the terminal; safe to call twice, and called at exit whatever happens. */
void tui_term_close(void);
bool tui_term_ascii(void);
/* Colours of another theme from the next frame on (t cycles them). */
void tui_term_set_theme(enum tui_theme theme);
void tui_term_size(int *rows, int *cols);
/* Next key within timeout_ms (-1: wait; the wait is cut short to notice signals).
 * TUI_KEY_NONE on timeout; TUI_KEY_RESIZE after a resize; TUI_KEY_SIGNAL after SIGINT or
 * SIGTERM. */
int tui_term_key(int timeout_ms);
/* The same, also returning TUI_KEY_WAKE when wake_fd (-1: none) becomes readable first. */
int tui_term_key_or_wake(int timeout_ms, int wake_fd);
/* Headless: the terminal takes a new size (the same path as a real resize). */
void tui_term_resize(int rows, int cols);
/* The size the terminal last reported, when it was more than ncurses is given (rows and
 * columns are clamped to what it draws safely): true then. */
bool tui_term_clamped(int *rows, int *cols);
/* Columns of UTF-8 text (one per code point: the TUI's text is ASCII, arrows and dashes). */
static inline int tui_text_columns(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}
/* Where the last TUI_KEY_CLICK or wheel key happened. */
void tui_term_mouse(int *y, int *x);
/* Headless: the next mouse key happens at (y, x). */
void tui_term_set_mouse(int y, int x);
void tui_term_erase(void);
/* Row y from view cells (columns past the screen are clipped); selected rows are reversed. */
void tui_term_row(int y, const struct view_row *r, bool selected);
/* The same through a horizontal pan: cells [0, keep) stay, then cells from keep + offset. */
void tui_term_row_panned(int y, const struct view_row *r, bool selected, int keep, int offset);
/* UTF-8 text at (y, x) in a role, at most max_cols columns; returns columns used. */
int tui_term_text(int y, int x, const char *text, int role, int max_cols);
/* The whole line y in a role's background. */
void tui_term_fill(int y, int role);
void tui_term_flush(void);
/* The screen as UTF-8 text, one line per row, trailing blanks cut (headless tests). */
void tui_term_dump(FILE *out);

/* ---- the event store is timeline/'s (struct timeline_store): the app reads it through a
 * snapshot taken at each turn of the loop (app.c), so one frame draws one consistent state ---- */

/* ---- the visible set (visible.c): the events the diagram draws, and their lanes ----
 * All events, or those of the flows chosen on the flow list that pass the display filter.
 * Positions 0..count-1 are what the replay controller counts; index maps them to events. */
struct tui_visible {
    uint32_t *index; /* NULL: every event, position = event */
    uint32_t count, index_cap;
    uint32_t scanned;                 /* events of the store looked at so far */
    uint32_t generation;              /* changes with every rebuild (label cache key) */
    struct lifelines lanes;          /* the lifelines drawn, in the diagram's order */
    uint8_t lane_map[LIFELINES_MAX]; /* event lane -> drawn lane, TIMELINE_NO_LANE when hidden */
    uint8_t lane_global[LIFELINES_MAX]; /* drawn lane -> event lane */
    bool used[LIFELINES_MAX];           /* store lanes the visible events touch */
    uint32_t lane_generation;            /* of the snapshot the lanes were laid out from */
    int lane_count;
    bool restricted; /* some flows chosen, or a filter */
    bool chosen;     /* some flows chosen on the flow list */
};

/* From scratch: after flows were chosen or the filter changed. */
int tui_visible_build(struct tui_visible *v, struct timeline_store *s,
                      const struct timeline_snapshot *snap, const struct tui_filter *f);
/* The events published since the last build or extend (and new lanes). */
int tui_visible_extend(struct tui_visible *v, struct timeline_store *s,
                       const struct timeline_snapshot *snap, const struct tui_filter *f);
void tui_visible_free(struct tui_visible *v);
/* The drawn lanes of an event: sender in *a, receiver in *b (an API call: its lane in both).
 * false: it is drawn as a note (no lifeline for it). */
bool tui_visible_lanes(const struct tui_visible *v, const struct timeline_store *s,
                       const struct timeline_event *e, int *a, int *b);
/* Chosen flows: each drawn lifeline's TCP state after the first `upto` visible events
 * (UNKNOWN when none of the last TUI_FLOW_STATES_SCAN touches it). */
#define TUI_FLOW_STATES_SCAN 1000000
void tui_visible_flow_states(const struct tui_visible *v, const struct timeline_store *s,
                             uint32_t upto, uint8_t out[LIFELINES_MAX]);
static inline uint32_t tui_visible_event(const struct tui_visible *v, uint32_t pos)
{
    return v->index ? v->index[pos] : pos;
}
/* How many visible events have an event index <= i (i = UINT32_MAX: none). */
uint32_t tui_visible_upto(const struct tui_visible *v, uint32_t i);
/* The TCP state of every store lane after the first `upto` events (a lane none of them
 * touches: its state before its first event). States are remembered every 2^16 events, so
 * any depth costs at most that many records to read. */
#define TUI_LANE_MARK_SHIFT 16
struct tui_lane_states {
    uint8_t (*mark)[LIFELINES_MAX]; /* mark[k]: before event k << SHIFT, 0xFF untouched */
    uint32_t count, cap;
};
void tui_lane_states_at(struct tui_lane_states *ls, const struct timeline_store *s,
                        const struct timeline_snapshot *snap, uint32_t upto,
                        uint8_t out[LIFELINES_MAX]);
void tui_lane_states_free(struct tui_lane_states *ls);

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
    enum view_detail detail; /* how much each label says (v cycles it) */
    enum view_detail built;  /* the level the rows held were built at */
    uint32_t first, count;   /* visible positions held */
    int width;               /* the geometry they were fitted to; 0: nothing held */
    uint32_t generation;     /* of the visible set they were built for */
    struct tui_label *rows;
    uint64_t rereads;               /* file reads so far (status and tests) */
    struct timeline_reread *reader; /* kept open: scrolling on reads on */
    bool broken;                    /* the file could not be read again: labels stay empty */
    bool growing;    /* the file is still being written: a failed read is tried again */
    char error[256]; /* why */
};

int tui_labels_init(struct tui_labels *c, const char *path, const char *bpf,
                    const struct label_options *opt);
void tui_labels_free(struct tui_labels *c);
/* The label of the event at visible position i, re-reading the capture when [first, last] is
 * not held. NULL when the file cannot be read again (err says why). */
const struct tui_label *tui_labels_get(struct tui_labels *c, struct timeline_store *ev,
                                       const struct tui_visible *v, const struct view_geometry *g,
                                       uint32_t i, uint32_t first, uint32_t last, char *err,
                                       size_t errlen);

/* ---- frames read again (frame.c): the bytes of one frame, for the packet detail ---- */
#define TUI_FRAME_MAX 262144 /* libpcap's largest snapshot length */

struct tui_frame {
    uint32_t number; /* 0: none held */
    int linktype;
    uint32_t caplen, wirelen;
    uint64_t ts_ns;
    uint8_t *bytes; /* TUI_FRAME_MAX bytes, allocated on first use */
};

/* Reads the frame of store event `event` into f (from the checkpoint before it) through
 * *reader, the app's one re-reader (the labels' own, opened here if closed, closed again on
 * failure), so labels, search and the packet detail keep one file and one tracker open. */
int tui_frame_read(struct tui_frame *f, struct timeline_store *s, struct timeline_reread **reader,
                   const char *path, const char *bpf, uint32_t event, char *err, size_t errlen);
void tui_frame_free(struct tui_frame *f);

/* ---- the application and its screens ---- */
struct tui_app;

/* What an action (or the store's news, or the replay timer) changed: the loop draws only
 * then, so an idle screen costs nothing (htop's Htop_Reaction). Bits, OR-ed together. */
enum tui_reaction {
    TUI_REACT_NONE = 0,         /* nothing on screen changed: no drawing */
    TUI_REACT_BARS = 1u << 0,   /* the status bar and the footer only (a message, the speed,
                                 * the line being typed, a mode's keys) */
    TUI_REACT_SCREEN = 1u << 1, /* the whole screen */
    TUI_REACT_QUIT = 1u << 2,   /* leave the loop */
};

/* An action's argument: a count (lines, lanes, steps; negative: backwards), a screen or a
 * prompt kind; for moves, also these units, which each screen measures in its own rows. */
#define TUI_ARG_PAGE 0x100000 /* +-: a page of the screen's list */
#define TUI_ARG_ALL 0x200000  /* +-: to the last or the first */
/* The rows (or items) a move's argument stands for on a list with page and all items. */
int64_t tui_action_amount(int arg, int64_t page, int64_t all);

/* One key binding: its keys, its footer label, its help line and its handler, which returns
 * the enum tui_reaction bits of what it changed. */
typedef unsigned (*tui_action_fn)(struct tui_app *a, int arg);
struct tui_action {
    int keys[4];        /* 0-terminated */
    const char *footer; /* short label for the footer bar; NULL: help only */
    const char *help;   /* one line for the help screen */
    tui_action_fn run;
    int arg;
};

/* A slice of the one action table: a screen's own keys, or a mode's (a search, a demo's
 * scenarios). The table is the union of the slices; the footer, the help and dispatch walk
 * the same slices in the same order, so they cannot disagree. */
struct tui_keys {
    const struct tui_action *actions;
    size_t count;
    bool (*active)(const struct tui_app *a); /* NULL: always; a mode's: while it is on */
};
#define TUI_KEYS(table, when)                                                                      \
    {                                                                                              \
        (table), sizeof(table) / sizeof((table)[0]), (when)                                        \
    }

/* A screen as an object (htop's Panel): it draws its body and owns its keys; the app draws
 * the status bar and the footer on the rows its layout leaves for them. */
struct tui_screen {
    const char *name; /* the status bar's first word ("flows"); NULL on the diagram */
    /* Draws all but the status bar and the footer on the erased screen, laid out in
     * a->layout for a list (two title rows); a screen of another shape lays it out again.
     * Nothing when a->layout.too_small: the app says so. */
    void (*draw)(struct tui_app *a);
    void (*enter)(struct tui_app *a);   /* NULL, or what it needs each time it is shown */
    const struct tui_keys *const *keys; /* slices in dispatch and footer order, NULL-ended */
};

extern const struct tui_screen tui_screen_diagram, tui_screen_flows, tui_screen_detail,
    tui_screen_help, tui_screen_menu;
/* Slices shared by several screens or owned by a mode. */
extern const struct tui_keys tui_keys_common, /* actions.c: Tab, ?, q on the main screens */
    tui_keys_search,                          /* diagram.c: after a search, n and N */
    tui_keys_theme,                           /* classroom.c: t on the main screens */
    tui_keys_classroom,                       /* classroom.c: v, l, < >, z on the diagram */
    tui_keys_rerun,                           /* menu.c: a demo's r and m */
    tui_keys_prompt;                          /* prompt.c: typing after / or : */

enum tui_prompt_kind {
    TUI_PROMPT_NONE = 0,
    TUI_PROMPT_SEARCH,
    TUI_PROMPT_FILTER,
    TUI_PROMPT_FLOWS
};

#define TUI_PROMPT_MAX TUI_FILTER_TEXT
#define TUI_MAX_ROWS 512   /* rows of the screen that mouse clicks can name */
#define TUI_MAX_FIELDS 160 /* header fields of one packet */

struct tui_flows_ui {
    uint32_t *order; /* flows shown, sorted and filtered */
    uint32_t count, cap;
    uint32_t cursor, top;
    enum tui_flow_column sort;
    bool descending;
    char filter[TUI_PROMPT_MAX];
    uint32_t chosen;                /* flows selected */
    int client_width, server_width; /* widest endpoint names listed so far */
    /* what the list was made from: it lists again when these change */
    uint32_t listed_flows;
    char listed_filter[TUI_PROMPT_MAX];
    uint64_t followed_ns; /* when it last followed new conversations */
};

struct tui_detail {
    struct tui_frame frame;
    struct packet pkt;
    struct view_field fields[TUI_MAX_FIELDS];
    int count, cursor, top;
    uint32_t event; /* the event whose fields are held; UINT32_MAX: none */
    char error[256];
};

struct tui_app {
    const struct tui_options *opt;
    struct tui_source *src;
    struct timeline_store *store;
    struct timeline_snapshot snap; /* what the store had at the last sync */
    struct timeline_indexer *indexer;
    struct tui_visible vis;
    struct tui_lane_states lane_states;
    struct tui_filter filter;
    struct tui_labels labels;
    struct tui_replay replay;
    const struct tui_screen *screen, *help_from;
    uint32_t top;      /* first visible position drawn */
    int help_top;      /* first help line drawn */
    char message[256]; /* shown in the status bar until the next key */
    struct tui_layout layout;
    struct view_geometry geo;
    struct view_row row;
    struct view_row header[VIEW_HEADER_MAX_ROWS];
    uint32_t row_pos[TUI_MAX_ROWS]; /* visible position drawn on each screen row, or NONE */
    /* the line being typed */
    enum tui_prompt_kind prompt;
    char input[TUI_PROMPT_MAX];
    char input_before[TUI_PROMPT_MAX]; /* the flow list's filter before typing (Esc) */
    char search[TUI_PROMPT_MAX];       /* the last search, "" for none */
    struct tui_flows_ui flows;
    struct tui_detail detail;
    /* classroom controls (classroom.c) */
    bool present;        /* --present: a blank row between arrows, the explanation always on */
    bool legend;         /* the legend of segment types over the diagram (l) */
    bool fit;            /* z: narrow the pitch until every lifeline fits */
    int pan;             /* lanes panned off to the left (< and >) */
    struct tui_pan hpan; /* of the last drawing */
    enum tui_theme theme;
    /* the scenario menu (menu.c) */
    const struct tui_screen *menu_from; /* the screen it was opened on */
    size_t menu_cursor, menu_top;
    /* drawing */
    bool stale; /* the last drawing missed what a growing file did not hold yet: try again */
    struct tui_live_stats stats_seen; /* a live source's counts last looked at */
    uint64_t draws;                   /* whole screens drawn (tests: an idle screen is not) */
    uint64_t bar_draws;               /* status bar and footer alone */
};

#define TUI_ROW_NONE UINT32_MAX

uint64_t tui_now_ns(void);

/* app.c: the application and its loop */
struct tui_app *tui_app_new(const struct tui_options *o, struct tui_source *src);
void tui_app_free(struct tui_app *a);
/* Starts drawing src->store from scratch (open, and after a re-run replaced the store). */
int tui_app_attach(struct tui_app *a);
#define TUI_CHECKPOINT_EVERY 65536 /* events between two re-read checkpoints */
/* One turn of the loop after key (TUI_KEY_NONE: the wait ran out): the key's action, the
 * replay timer, the store's news; returns what changed (enum tui_reaction bits). */
unsigned tui_app_react(struct tui_app *a, int key);
/* Draws what the reaction says changed (nothing for TUI_REACT_NONE) and counts it. */
void tui_app_draw(struct tui_app *a, unsigned reaction);

/* scope.c: what the diagram draws */
/* Rebuilds the visible set after a change of flows or filter, keeping the replay's place:
 * what was shown stays shown, the selection stays on the same event or the one before. */
void tui_scope_refilter(struct tui_app *a);
/* No flow chosen (the diagram draws every flow once refiltered). */
void tui_scope_clear_flows(struct tui_app *a);

/* diagram.c */
/* Lays the lifelines out for the terminal's width, panned `pan` lanes (clamped into a->pan). */
void tui_diagram_pan(struct tui_app *a, int pan);
/* search.c: the next (or previous) event whose label or payload holds a->search. */
void tui_search_next(struct tui_app *a, bool forward);
/* prompt.c: the line editor of '/' and ':' (arg: enum tui_prompt_kind) */
unsigned tui_prompt_start(struct tui_app *a, int kind);
/* A key while typing: printable text goes into the line. TUI_REACT_NONE if not taken. */
unsigned tui_prompt_key(struct tui_app *a, int key);
/* The prompt line ("/HELLO_") on row y. */
void tui_prompt_draw(const struct tui_app *a, int y);
/* classroom.c: "dark", "light", "projector", "mono" */
const char *tui_theme_name(enum tui_theme t);
/* legend.c: the colour and glyph of each segment type, over the top right of the diagram. */
void tui_legend_draw(const struct tui_app *a);

/* ---- actions.c: showing a screen; dispatch, footer and help from the slices in effect ---- */
/* Makes screen the current one (its enter hook runs). */
void tui_screen_show(struct tui_app *a, const struct tui_screen *screen);
/* The slices in effect: the prompt's while typing, else the current screen's. */
const struct tui_keys *const *tui_actions_keys(const struct tui_app *a);
/* The action bound to key on the current screen (and its active modes), or NULL. */
const struct tui_action *tui_actions_find(const struct tui_app *a, int key);
/* The footer bar of the current screen on line y. */
void tui_actions_footer(const struct tui_app *a, int y);
/* Help line i of slice k's actions ("  Space      play or pause the replay"); false past
 * the end. */
bool tui_actions_help_line(const struct tui_keys *k, int i, bool ascii, char *buf, size_t size);
/* Every screen's: help (?), which the footer always keeps room for, and quit. */
unsigned tui_action_help(struct tui_app *a, int arg);
unsigned tui_action_quit(struct tui_app *a, int arg);
/* Shows the screen arg names (TUI_SHOW_*). */
enum { TUI_SHOW_DIAGRAM, TUI_SHOW_FLOWS, TUI_SHOW_DETAIL };
unsigned tui_action_show(struct tui_app *a, int arg);

#endif
