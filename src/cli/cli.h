/* cli: argument parsing and one small file per subcommand that wires the stages together.
 * Only cli/ prints errors and picks exit codes: 0 ok, 1 runtime failure, 2 usage/bad input. */
#ifndef SOCKSCOPE_CLI_H
#define SOCKSCOPE_CLI_H

#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "sockscope/export.h"
#include "sockscope/net.h"
#include "sockscope/session.h"
#include "sockscope/tui.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

int cli_trace(int argc, char **argv);
int cli_server(int argc, char **argv);
int cli_client(int argc, char **argv);
int cli_live(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_open(int argc, char **argv);

/* ---- the options of every command that draws a diagram (diagram_options.c) ---- */
enum {
    CLI_OPT_FORMAT = 1000,
    CLI_OPT_TEXT,
    CLI_OPT_TIME,
    CLI_OPT_RAW,
    CLI_OPT_ASCII,
    CLI_OPT_WIDTH,
    CLI_OPT_COLOR,
    CLI_OPT_NO_COLOR,
    CLI_OPT_NUMBER,
};

/* Entries for a getopt_long table. */
#define CLI_DIAGRAM_LONGOPTS                                                                     \
    {"format", required_argument, 0, CLI_OPT_FORMAT}, {"text", no_argument, 0, CLI_OPT_TEXT},  \
        {"time", required_argument, 0, CLI_OPT_TIME}, {"raw", no_argument, 0, CLI_OPT_RAW},    \
        {"ascii", no_argument, 0, CLI_OPT_ASCII}, {"width", required_argument, 0, CLI_OPT_WIDTH}, \
        {"color", no_argument, 0, CLI_OPT_COLOR}, {"colour", no_argument, 0, CLI_OPT_COLOR},   \
        {"no-color", no_argument, 0, CLI_OPT_NO_COLOR},                                        \
        {"no-colour", no_argument, 0, CLI_OPT_NO_COLOR},                                       \
        {"number", no_argument, 0, CLI_OPT_NUMBER}

struct cli_diagram {
    bool json;
    struct export_options exp; /* filled by cli_diagram_finish */
    bool ascii;
    int width; /* 0: the terminal's */
    int color; /* -1: decide by the terminal and NO_COLOR */
};

void cli_diagram_init(struct cli_diagram *d);
/* 1: the option was one of these and is recorded; 0: not one of these; -1: a bad value (the
 * error is printed, naming cmd). */
int cli_diagram_option(const char *cmd, int opt, const char *arg, struct cli_diagram *d);
/* Fills d->exp from what was given and from the terminal. */
void cli_diagram_finish(struct cli_diagram *d);

/* ---- the TUI of a live session (live.c; demo draws in it too) ----
 * `demo` and `live` open the TUI when stdout is a terminal and neither --text nor --format
 * was given; these are the options that only the TUI takes. */
enum {
    CLI_OPT_PRESENT = 1100,
    CLI_OPT_THEME,
    CLI_OPT_NO_MOUSE,
    CLI_OPT_REALTIME,
    CLI_OPT_HEADLESS_FRAMES,
    CLI_OPT_HEADLESS_KEYS,
};

#define CLI_TUI_LONGOPTS                                                                         \
    {"present", no_argument, 0, CLI_OPT_PRESENT}, {"theme", required_argument, 0, CLI_OPT_THEME}, \
        {"no-mouse", no_argument, 0, CLI_OPT_NO_MOUSE},                                        \
        {"realtime", no_argument, 0, CLI_OPT_REALTIME},                                        \
        {"headless-frames", required_argument, 0, CLI_OPT_HEADLESS_FRAMES},                    \
        {"headless-keys", required_argument, 0, CLI_OPT_HEADLESS_KEYS}

struct cli_tui {
    struct tui_options o;
    int theme;      /* -1 until --theme */
    bool streaming; /* --text or --format was given */
};

void cli_tui_init(struct cli_tui *t);
/* As cli_diagram_option, for the options above; --text and --format are only noted (they
 * ask for the streaming output) and left to cli_diagram_option: 0. */
int cli_tui_option(const char *cmd, int opt, const char *arg, struct cli_tui *t);
/* demo and live take both kinds: the TUI's, then the streaming diagram's (same returns). */
int cli_session_option(const char *cmd, int opt, const char *arg, struct cli_tui *t,
                       struct cli_diagram *d);
/* After the options: true when the TUI draws (no --text/--format, and stdout a terminal or a
 * headless run); fills the rest of t->o from d (ASCII, raw numbers) and NO_COLOR. -1: a usage
 * error was printed. */
int cli_tui_finish(const char *cmd, struct cli_tui *t, const struct cli_diagram *d, bool *tui);

/* ---- the demo's workload for a session (scenario_workload.c) ----
 * A scenario on a thread of its own, its calls through a probe made for each run. */
struct cli_scenario_workload {
    const struct scenario *scenario; /* what the next run runs: set it before session_rerun */
    atomic_bool *stop;               /* the scenario's calls return at once once it is set */
    atomic_bool own_stop;
    struct probe *probe; /* the current run's */
    struct scenario_context ctx;
    struct session_run *run;
    pthread_t thread;
    int result; /* the scenario's return, once the run is stopped */
};

/* stop: the flag the scenario watches (the streaming demo passes the one SIGINT sets), NULL
 * for one of its own (the TUI's: q and r set it). */
void cli_scenario_workload_init(struct cli_scenario_workload *w, const struct scenario *sc,
                                atomic_bool *stop, struct session_workload *out);
/* net's probe as the read side of a session's calls. */
void cli_probe_calls(struct probe *p, struct timeline_calls *out);

/* After getopt_long returned '?': says which option was unknown or lacks its value
 * (with_value: the short options that take one). */
void cli_option_error(const char *cmd, const char *with_value, char **argv);

/* SIGINT and SIGTERM set the returned flag, which the modules and loops watch (no
 * SA_RESTART: blocking calls return EINTR and look at it). ignore_sigpipe: a closed socket or
 * pipe becomes an error return instead of ending the process. */
atomic_bool *cli_stop_on_signals(bool ignore_sigpipe);
/* True once SIGINT or SIGTERM arrived (as opposed to the flag set by the program itself). */
bool cli_stopped_by_signal(void);

/* Strict number parsing: the whole word must be a number in [min, max]. */
bool cli_parse_long(const char *s, long min, long max, long *out);
/* Reports an error as "sockscope: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for a line that is not an error (a warning, what was saved). */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* TERM=dumb: no colour, no cursor movement, so no terminal UI (the diagram streams). */
bool cli_terminal_dumb(void);
/* The trailing words of a command line joined with spaces into one BPF expression, as
 * tcpdump does. NULL when out of memory; free() it. */
char *cli_join_words(int argc, char **argv);
/* True when the locale's character set is UTF-8 (else we draw in ASCII). */
bool cli_locale_is_utf8(void);
/* Columns of the terminal on stdout, or fallback when it is not a terminal. */
int cli_terminal_width(int fallback);

#endif
