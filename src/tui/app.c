/* The TUI application of `sockscope open`: index the capture, start the terminal, then one
 * loop — draw the current screen, wait for a key or the next replay event, run the action —
 * until the user quits or a signal arrives. Headless runs replace the keyboard by a script. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui_internal.h"

uint64_t tui_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int tui_theme_parse(const char *name)
{
    static const char *const names[] = {"dark", "light", "projector", "mono"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, names[i])) return i;
    return -1;
}

/* Headless script: the next word of headless_keys as a key; "resize:COLSxROWS" resizes. */
static int script_key(const char **script)
{
    const char *s = *script;
    while (*s == ' ')
        s++;
    if (!*s) {
        *script = s;
        return TUI_KEY_NONE;
    }
    char word[32];
    size_t n = strcspn(s, " ");
    if (n >= sizeof word) n = sizeof word - 1;
    memcpy(word, s, n);
    word[n] = '\0';
    *script = s + strcspn(s, " ");
    int cols, rows;
    if (sscanf(word, "resize:%dx%d", &cols, &rows) == 2 && cols > 0 && rows > 0) {
        tui_term_resize(rows, cols);
        return TUI_KEY_RESIZE;
    }
    return tui_key_from_name(word);
}

static void draw(struct tui_app *a)
{
    if (a->screen == TUI_SCREEN_HELP)
        tui_help_draw(a);
    else
        tui_diagram_draw(a);
    tui_term_flush();
}

static void run(struct tui_app *a)
{
    const struct tui_options *o = a->opt;
    const char *script = o->headless_keys ? o->headless_keys : "";
    long frames = 0;
    while (!a->quit) {
        draw(a);
        int key;
        if (o->headless_frames > 0) {
            if (++frames >= o->headless_frames) break;
            key = tui_term_key(0);
            if (key == TUI_KEY_NONE) key = *script ? script_key(&script) : 'n';
        } else {
            key = tui_term_key(tui_replay_wait_ms(&a->replay, tui_now_ns()));
        }
        if (key == TUI_KEY_SIGNAL) break;
        if (key != TUI_KEY_NONE && key != TUI_KEY_RESIZE) {
            a->message[0] = '\0';
            if (!tui_actions_dispatch(a, key)) {
                char name[8];
                snprintf(a->message, sizeof a->message, "key %s does nothing here; ? for help",
                         tui_key_name(key, tui_term_ascii(), name));
            }
        }
        tui_replay_tick(&a->replay, tui_now_ns());
    }
    if (o->headless_frames > 0) tui_term_dump(stdout);
}

int tui_open_file(const struct tui_options *o, char *err, size_t errlen)
{
    err[0] = '\0';
    struct tui_app *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return TUI_E_RUNTIME;
    }
    a->opt = o;
    a->screen = TUI_SCREEN_DIAGRAM;
    int rc = tui_events_load(&a->ev, o->file, o->bpf, err, errlen);
    if (rc != TUI_OK) {
        free(a);
        return rc;
    }
    tui_replay_init(&a->replay, a->ev.count);
    struct tui_term_options to = {
        .ascii = o->ascii, .headless = o->headless_frames > 0, .theme = o->theme};
    rc = tui_term_open(&to, err, errlen);
    if (rc == TUI_OK) {
        struct label_options lo = {.raw_seq = o->raw_seq, .ascii = tui_term_ascii()};
        rc = tui_labels_init(&a->labels, o->file, o->bpf, &lo);
        if (rc == TUI_OK)
            run(a);
        else
            snprintf(err, errlen, "out of memory");
        tui_term_close();
        tui_labels_free(&a->labels);
    }
    tui_events_free(&a->ev);
    free(a);
    return rc;
}
