/* cli: argument parsing and one small file per subcommand that wires the stages together.
 * Only cli/ prints errors and picks exit codes: 0 ok, 1 runtime failure, 2 usage/bad input. */
#ifndef SOCKSCOPE_CLI_H
#define SOCKSCOPE_CLI_H

#include <getopt.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "sockscope/export.h"

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
};

/* Entries for a getopt_long table. */
#define CLI_DIAGRAM_LONGOPTS                                                                     \
    {"format", required_argument, 0, CLI_OPT_FORMAT}, {"text", no_argument, 0, CLI_OPT_TEXT},  \
        {"time", required_argument, 0, CLI_OPT_TIME}, {"raw", no_argument, 0, CLI_OPT_RAW},    \
        {"ascii", no_argument, 0, CLI_OPT_ASCII}, {"width", required_argument, 0, CLI_OPT_WIDTH}, \
        {"color", no_argument, 0, CLI_OPT_COLOR}, {"colour", no_argument, 0, CLI_OPT_COLOR},   \
        {"no-color", no_argument, 0, CLI_OPT_NO_COLOR},                                        \
        {"no-colour", no_argument, 0, CLI_OPT_NO_COLOR}

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
/* The trailing words of a command line joined with spaces into one BPF expression, as
 * tcpdump does. NULL when out of memory; free() it. */
char *cli_join_words(int argc, char **argv);
/* True when the locale's character set is UTF-8 (else we draw in ASCII). */
bool cli_locale_is_utf8(void);
/* Columns of the terminal on stdout, or fallback when it is not a terminal. */
int cli_terminal_width(int fallback);

#endif
