/* The TUI application of `open`, `demo` and `live`: attach to the source's store, start the
 * terminal, then one loop — wait for a key, the next replay event or news from the store, run
 * the action, draw what it says changed — until the user quits or a signal arrives. The app
 * draws the status bar and the footer under every screen. Headless runs replace the keyboard
 * (and the mouse) by a script. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui_internal.h"

uint64_t tui_now_ns(void)
{
    return monotonic_now_ns();
}

static const char *const theme_names[] = {"dark", "light", "projector", "mono"};

int tui_theme_parse(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, theme_names[i])) return i;
    return -1;
}

const char *tui_theme_name(enum tui_theme t)
{
    return (unsigned)t < 4 ? theme_names[t] : "dark";
}

/* Headless script: words of keys by name; "type:TEXT" types TEXT; "click:X,Y",
 * "wheelup:X,Y" and "wheeldown:X,Y" are the mouse; "resize:COLSxROWS" resizes. */
struct script {
    const char *s;
    char typing[80]; /* what a type: word has left to type */
    size_t typed;
};

static int script_key(struct script *sc)
{
    if (sc->typing[sc->typed]) {
        unsigned char c = (unsigned char)sc->typing[sc->typed++];
        return c == '_' ? ' ' : c; /* words cannot hold a space: '_' types one */
    }
    const char *s = sc->s;
    while (*s == ' ')
        s++;
    if (!*s) {
        sc->s = s;
        return TUI_KEY_NONE;
    }
    char word[80];
    size_t n = strcspn(s, " ");
    if (n >= sizeof word) n = sizeof word - 1;
    memcpy(word, s, n);
    word[n] = '\0';
    sc->s = s + strcspn(s, " ");
    int cols, rows, x, y;
    if (!strcmp(word, "wait:done") || !strcmp(word, "wait:index")) return TUI_KEY_WAIT;
    if (sscanf(word, "resize:%dx%d", &cols, &rows) == 2 && cols > 0 && rows > 0) {
        tui_term_resize(rows, cols);
        return TUI_KEY_RESIZE;
    }
    if (!strncmp(word, "type:", 5) && word[5]) {
        snprintf(sc->typing, sizeof sc->typing, "%s", word + 6);
        sc->typed = 0;
        return (unsigned char)word[5] == '_' ? ' ' : (unsigned char)word[5];
    }
    static const struct {
        const char *prefix;
        int key;
    } mouse[] = {{"click:", TUI_KEY_CLICK},
                 {"wheelup:", TUI_KEY_WHEEL_UP},
                 {"wheeldown:", TUI_KEY_WHEEL_DOWN}};
    for (size_t i = 0; i < sizeof mouse / sizeof mouse[0]; i++) {
        size_t len = strlen(mouse[i].prefix);
        if (!strncmp(word, mouse[i].prefix, len) && sscanf(word + len, "%d,%d", &x, &y) == 2) {
            tui_term_set_mouse(y, x);
            return mouse[i].key;
        }
    }
    return tui_key_from_name(word);
}

/* The stored state as bytes: copied and compared whole, padding included. */
static bool same_snapshot(const struct timeline_snapshot *x, const struct timeline_snapshot *y)
{
    return memcmp(x, y, sizeof *x) == 0;
}

/* Takes what the store published since the last sync: new events shown (or followed).
 * Returns TUI_REACT_SCREEN when anything the screens show changed. */
static unsigned take_news(struct tui_app *a)
{
    bool was_done = a->snap.done;
    struct timeline_snapshot before;
    memcpy(&before, &a->snap, sizeof before);
    timeline_store_sync(a->store, &a->snap);
    a->labels.growing = !a->snap.done && a->src->live;
    if (same_snapshot(&before, &a->snap)) return TUI_REACT_NONE;
    if (a->src->live && a->snap.done && !was_done) /* news: covers the answer to a key */
        snprintf(a->message, sizeof a->message, "%s: Home, then %s steps through it%s",
                 a->src->rerun ? "demo over" : "capture ended",
                 tui_term_ascii() ? "Right" : "\u2192", a->src->rerun ? "; r runs it again" : "");
    if (tui_visible_extend(&a->vis, a->store, &a->snap, &a->filter) != STATUS_OK)
        snprintf(a->message, sizeof a->message, "out of memory: new events are not drawn");
    tui_replay_set_total(&a->replay, a->vis.count);
    return TUI_REACT_SCREEN;
}

/* "Terminal too small", the size, and how to leave: every screen below the minimum. */
static void too_small(const struct tui_app *a)
{
    char line[96];
    tui_term_text(0, 0, "Terminal too small", TUI_ROLE_MESSAGE, a->layout.cols);
    snprintf(line, sizeof line, "%dx%d: sockscope needs %dx%d", a->layout.cols, a->layout.rows,
             TUI_MIN_COLS, TUI_MIN_ROWS);
    if (a->layout.rows > 1) tui_term_text(1, 0, line, STYLE_PLAIN, a->layout.cols);
    if (a->layout.rows > 2) tui_term_text(2, 0, "q quits", STYLE_DIM, a->layout.cols);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

/* The status bar on line y: screen, file, counts, theme, mode, position, scope, and the
 * message (the answer to the last key) on the right. When it does not all fit, whole fields
 * give way, least needed first, so nothing is ever cut in the middle or written over
 * ("frthe end", "REPLAY x"); the message keeps its own place and is shortened only when even
 * the mode and position leave it no room. */
enum { F_WHERE, F_THEME, F_SCOPE, F_COUNTS, F_NAME, F_POS, F_MODE, F_COUNT };

static void status(const struct tui_app *a, int y, const char *where)
{
    const struct tui_replay *r = &a->replay;
    const char *sep = tui_term_ascii() ? " | " : " │ ";
    char field[F_COUNT][200] = {{0}};
    if (where) snprintf(field[F_WHERE], sizeof field[F_WHERE], "%s", where);
    if (r->shown) {
        const struct timeline_event *e =
            timeline_store_event(a->store, tui_visible_event(&a->vis, r->selected));
        /* a socket call has no frame: its number counts calls */
        snprintf(field[F_POS], sizeof field[F_POS], "event %u of %u shown, %s %u", r->selected + 1,
                 r->shown, e->bits & TIMELINE_EV_API ? "call" : "frame",
                 e->bits & TIMELINE_EV_API ? e->frame + 1 : e->frame);
    }
    if (a->vis.restricted) {
        char *sc = field[F_SCOPE];
        size_t n = 0, size = sizeof field[F_SCOPE];
        if (a->flows.chosen)
            n += (size_t)snprintf(sc, size, "%u flow%s", a->flows.chosen,
                                  a->flows.chosen == 1 ? "" : "s");
        if (a->filter.count && n < size)
            snprintf(sc + n, size - n, "%s:%s", n ? sep : "", a->filter.text);
    }
    size_t t = 0;
    char *th = field[F_THEME];
    if (a->theme != TUI_THEME_DARK) /* the default goes unsaid */
        t = (size_t)snprintf(th, sizeof field[F_THEME], "%s", tui_theme_name(a->theme));
    if (a->hpan.max_pan && a->screen == &tui_screen_diagram && t < sizeof field[F_THEME])
        snprintf(th + t, sizeof field[F_THEME] - t, "%span %d/%d", t ? sep : "", a->hpan.pan,
                 a->hpan.max_pan);
    /* a file by its name; a live source's name is no path ("live lo: net 10.0.0.0/8") */
    snprintf(field[F_NAME], sizeof field[F_NAME], "%s",
             a->src->live ? a->src->name : base_name(a->src->name));
    char *cn = field[F_COUNTS];
    size_t size = sizeof field[F_COUNTS];
    size_t n = (size_t)snprintf(cn, size, "%u packets", a->snap.tcp + a->snap.udp + a->snap.other);
    if (a->snap.calls && n < size)
        n += (size_t)snprintf(cn + n, size - n, ", %u calls", a->snap.calls);
    if (a->src->stats && n < size) {
        struct tui_live_stats st;
        a->src->stats(a->src->ctx, &st);
        n += (size_t)snprintf(cn + n, size - n, "%sdrops %llu kernel, %llu ring", sep,
                              (unsigned long long)st.kernel_dropped,
                              (unsigned long long)(st.ring_dropped + st.calls_dropped));
    }
    if (!a->snap.done && !a->src->live && n < size) {
        if (a->snap.bytes_total)
            snprintf(cn + n, size - n, "%sindexing %u%%", sep,
                     (unsigned)(a->snap.bytes_done * 100 / a->snap.bytes_total));
        else
            snprintf(cn + n, size - n, "%sindexing", sep);
    }
    if (a->src->live && !a->snap.done)
        snprintf(field[F_MODE], sizeof field[F_MODE], "%s", r->follow ? "LIVE" : "PAUSED");
    else
        snprintf(field[F_MODE], sizeof field[F_MODE], "%s %s%s", r->playing ? "REPLAY" : "PAUSED",
                 tui_replay_speed_name(r), r->realtime ? " realtime" : "");

    const char *msg = a->message[0]        ? a->message
                      : a->snap.error[0]   ? a->snap.error
                      : a->labels.error[0] ? a->labels.error
                                           : a->snap.warning;
    bool standing = false; /* a note that is not an answer: it gives way like a field */
    if (!msg[0] && a->src->live && a->snap.done) {
        msg = a->src->rerun ? "demo over" : "capture ended";
        standing = true;
    }
    /* The fields in their order: the screen's name gives way first, then fields from the
     * right, at a separator or a comma, never in the middle of a word. */
    static const int order[F_COUNT] = {F_WHERE, F_NAME, F_COUNTS, F_THEME, F_MODE, F_POS, F_SCOPE};
    int cols = a->layout.cols, msg_cols = msg[0] ? tui_text_columns(msg) + 2 : 0;
    /* the message (the answer to a key) keeps at least two thirds of the bar for the fields
     * only when it is short; a standing note ("demo over") takes only what is left */
    int room = cols - msg_cols;
    if (room < cols / 3) room = cols / 3;
    char line[1400];
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) field[F_WHERE][0] = '\0';
        size_t len = 0;
        line[0] = '\0';
        for (int k = 0; k < F_COUNT; k++) {
            const char *f = field[order[k]];
            if (!f[0]) continue;
            char next[sizeof line + sizeof field[0] + 8];
            snprintf(next, sizeof next, "%s%s%s", line, len ? sep : " ", f);
            /* a field too long keeps its first clauses, else its first words ("event 3 of 10"
             * of "event 3 of 10 shown, frame 3"), else it goes with the rest */
            size_t whole = strlen(next);
            while (tui_text_columns(next) > room && len) {
                char *cut = strrchr(next + len + 1, ',');
                if (!cut) cut = strrchr(next + len + strlen(sep) + 1, ' '); /* else a word */
                if (!cut) break;
                *cut = '\0';
            }
            /* a lone word ("event", "REPLAY") says nothing: then the field goes */
            if (len && strlen(next) < whole && !strchr(next + len + strlen(sep), ' ')) break;
            if (tui_text_columns(next) > room && len) break;
            size_t nl = strlen(next);
            if (nl >= sizeof line) break;
            memcpy(line, next, nl + 1);
            len = nl;
            if (len < whole) break; /* shortened: nothing after it */
        }
        if (tui_text_columns(line) <= room || pass == 1) break;
    }
    if (standing && tui_text_columns(line) + msg_cols > cols) msg = "";
    tui_term_fill(y, TUI_ROLE_BAR);
    int used = tui_term_text(y, 0, line, TUI_ROLE_BAR, cols);
    if (msg[0]) {
        int x = cols - msg_cols + 1;
        if (x < used + 1) x = used + 1; /* cut at the screen's edge, never over the fields */
        if (x < cols) tui_term_text(y, x, msg, TUI_ROLE_MESSAGE, cols - x);
    }
}

/* The status bar (or the line being typed) and the footer, where the layout puts them. */
static void bars(struct tui_app *a)
{
    if (a->layout.status_y >= 0) {
        if (a->prompt)
            tui_prompt_draw(a, a->layout.status_y);
        else
            status(a, a->layout.status_y, a->screen->name);
    }
    if (a->layout.footer_y >= 0) tui_actions_footer(a, a->layout.footer_y);
}

void tui_app_draw(struct tui_app *a, unsigned reaction)
{
    if (reaction & TUI_REACT_SCREEN || (reaction & TUI_REACT_BARS && a->layout.too_small)) {
        a->stale = false;
        /* the common layout (the diagram and the help make their own), on a blank screen */
        int rows, cols;
        tui_term_size(&rows, &cols);
        tui_layout_compute(&a->layout, rows, cols, 2);
        tui_term_erase();
        a->screen->draw(a);
        if (a->layout.too_small)
            too_small(a);
        else
            bars(a);
        a->draws++;
    } else if (reaction & TUI_REACT_BARS) {
        bars(a);
        a->bar_draws++;
    } else {
        return;
    }
    tui_term_flush();
}

/* A key: the action bound to it on this screen, else typing, else a word of help. */
static unsigned handle(struct tui_app *a, int key)
{
    bool typing = a->prompt != TUI_PROMPT_NONE;
    /* the message stays while typing: it says what is wrong with the filter */
    unsigned said = !typing && a->message[0] ? TUI_REACT_BARS : TUI_REACT_NONE;
    if (!typing) a->message[0] = '\0';
    const struct tui_action *act = tui_actions_find(a, key);
    if (act) return said | act->run(a, act->arg);
    if (typing) return said | tui_prompt_key(a, key);
    if (key >= TUI_KEY_CLICK && key <= TUI_KEY_WHEEL_DOWN) return said; /* mouse where nothing is */
    char name[8];
    snprintf(a->message, sizeof a->message, "key %s does nothing here; ? for help",
             tui_key_name(key, tui_term_ascii(), name));
    return TUI_REACT_BARS;
}

/* A live source's drop counts changed: the status bar shows them, and drops come without
 * any new event. */
static bool drops_changed(struct tui_app *a)
{
    if (!a->src->stats) return false;
    struct tui_live_stats st;
    a->src->stats(a->src->ctx, &st);
    bool changed = st.kernel_dropped != a->stats_seen.kernel_dropped ||
                   st.ring_dropped + st.calls_dropped !=
                       a->stats_seen.ring_dropped + a->stats_seen.calls_dropped;
    a->stats_seen = st;
    return changed;
}

unsigned tui_app_react(struct tui_app *a, int key)
{
    unsigned r = TUI_REACT_NONE;
    if (key == TUI_KEY_RESIZE) {
        r |= TUI_REACT_SCREEN;
        int rows, cols, drawn_rows, drawn_cols;
        if (tui_term_clamped(&rows, &cols)) {
            tui_term_size(&drawn_rows, &drawn_cols);
            snprintf(a->message, sizeof a->message,
                     "the terminal says %dx%d, more than can be drawn: drawing %dx%d", cols, rows,
                     drawn_cols, drawn_rows);
        }
    } else if (key != TUI_KEY_NONE && key != TUI_KEY_WAKE)
        r |= handle(a, key);
    if (r & TUI_REACT_QUIT) return r;
    if (tui_replay_tick(&a->replay, tui_now_ns())) r |= TUI_REACT_SCREEN;
    r |= take_news(a);
    if (a->stale && key == TUI_KEY_NONE) r |= TUI_REACT_SCREEN; /* the file may hold it now */
    if (drops_changed(a)) r |= TUI_REACT_BARS;
    return r;
}

/* Headless "wait:done": what a test or a benchmark waits for before its next key. */
static unsigned wait_done(struct tui_app *a)
{
    struct pollfd p = {.fd = timeline_store_wake_fd(a->store), .events = POLLIN};
    unsigned r = take_news(a);
    while (!a->snap.done) {
        if (poll(&p, 1, 100) < 0 && errno != EINTR) break;
        r |= take_news(a);
    }
    return r;
}

static void run(struct tui_app *a)
{
    const struct tui_options *o = a->opt;
    struct script sc = {.s = o->headless_keys ? o->headless_keys : ""};
    long frames = 0;
    unsigned r = take_news(a) | TUI_REACT_SCREEN;
    if (o->headless_frames > 0 && !o->headless_no_wait)
        r |= wait_done(a); /* the same screen each run */
    for (;;) {
        tui_app_draw(a, r);
        int key;
        if (o->headless_frames > 0) {
            /* a frame is a turn of the loop: drawn only when something changed */
            if (++frames >= o->headless_frames) break;
            key = tui_term_key(0);
            if (key == TUI_KEY_NONE) key = *sc.s || sc.typing[sc.typed] ? script_key(&sc) : 'n';
            if (key == TUI_KEY_WAIT) {
                r = wait_done(a);
                continue;
            }
        } else {
            int wait = tui_replay_wait_ms(&a->replay, tui_now_ns());
            key = tui_term_key_or_wake(wait, a->snap.done ? -1 : timeline_store_wake_fd(a->store));
        }
        if (key == TUI_KEY_SIGNAL) break;
        r = tui_app_react(a, key);
        if (r & TUI_REACT_QUIT) break;
    }
    if (o->headless_frames > 0) tui_term_dump(stdout);
}

/* Realtime replay: capture time between the events at two visible positions. */
static uint64_t event_gap(void *ctx, uint32_t from, uint32_t to)
{
    const struct tui_app *a = ctx;
    if (to >= a->vis.count || from >= a->vis.count) return 0;
    uint64_t t0 = timeline_store_event(a->store, tui_visible_event(&a->vis, from))->ts_ns;
    uint64_t t1 = timeline_store_event(a->store, tui_visible_event(&a->vis, to))->ts_ns;
    return t1 > t0 ? t1 - t0 : 0;
}

/* Everything drawn from the store, from the start: at open, and after a re-run replaced it. */
int tui_app_attach(struct tui_app *a)
{
    tui_visible_free(&a->vis);
    tui_lane_states_free(&a->lane_states);
    tui_frame_free(&a->detail.frame);
    a->detail.event = UINT32_MAX;
    free(a->flows.order);
    a->flows = (struct tui_flows_ui){0};
    a->filter = (struct tui_filter){0};
    a->search[0] = '\0';
    a->top = 0;
    a->store = a->src->store;
    memset(&a->snap, 0, sizeof a->snap);
    timeline_store_sync(a->store, &a->snap);
    tui_visible_build(&a->vis, a->store, &a->snap, &a->filter); /* everything: cannot fail */
    int speed = a->replay.speed;
    tui_replay_init(&a->replay, a->vis.count);
    if (speed) a->replay.speed = speed;
    a->replay.realtime = a->opt->realtime;
    a->replay.gap = event_gap;
    a->replay.gap_ctx = a;
    if (a->src->live) tui_replay_follow(&a->replay);
    enum view_detail detail = a->labels.rows    ? a->labels.detail
                              : a->opt->present ? VIEW_DETAIL_MINIMAL
                                                : VIEW_DETAIL_FULL;
    tui_labels_free(&a->labels);
    struct label_options lo = {.raw_seq = a->opt->raw_seq, .ascii = tui_term_ascii()};
    int rc = tui_labels_init(&a->labels, a->src->path, a->src->bpf, &lo);
    a->labels.detail = detail;
    return rc;
}

struct tui_app *tui_app_new(const struct tui_options *o, struct tui_source *src)
{
    struct tui_app *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->opt = o;
    a->src = src;
    a->screen = &tui_screen_diagram;
    a->present = o->present;
    a->theme = o->theme;
    return a;
}

void tui_app_free(struct tui_app *a)
{
    if (!a) return;
    tui_labels_free(&a->labels);
    tui_frame_free(&a->detail.frame);
    free(a->flows.order);
    tui_visible_free(&a->vis);
    tui_lane_states_free(&a->lane_states);
    free(a);
}

int tui_run(const struct tui_options *o, struct tui_source *src, char *err, size_t errlen)
{
    err[0] = '\0';
    struct tui_app *a = tui_app_new(o, src);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    struct tui_term_options to = {.ascii = o->ascii,
                                  .headless = o->headless_frames > 0,
                                  .mouse = !o->no_mouse,
                                  .theme = o->theme};
    int rc = tui_term_open(&to, err, errlen);
    if (rc == STATUS_OK) {
        rc = tui_app_attach(a);
        if (rc == STATUS_OK)
            run(a);
        else
            snprintf(err, errlen, "out of memory");
        tui_term_close();
    }
    tui_app_free(a);
    return rc;
}

int tui_open_file(const struct tui_options *o, char *err, size_t errlen)
{
    struct timeline_store *store = timeline_store_new();
    if (!store) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    struct timeline_indexer *x;
    int rc = timeline_index_start(store, o->file, o->bpf, TUI_CHECKPOINT_EVERY, &x, err, errlen);
    if (rc != STATUS_OK) {
        timeline_store_free(store);
        return rc == STATUS_E_BAD_INPUT ? STATUS_E_BAD_INPUT : STATUS_E_RUNTIME;
    }
    struct tui_source src = {.name = o->file, .path = o->file, .bpf = o->bpf, .store = store};
    rc = tui_run(o, &src, err, errlen);
    timeline_index_stop(x); /* at once: a 10-million-frame file need not be read to the end */
    timeline_store_free(store);
    return rc;
}
