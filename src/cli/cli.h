/* cli: argument parsing and one small file per subcommand that wires the stages together.
 * Only cli/ prints errors and picks exit codes: 0 ok, 1 runtime failure, 2 usage/bad input. */
#ifndef SOCKSCOPE_CLI_H
#define SOCKSCOPE_CLI_H

#include <stdbool.h>

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

int cli_trace(int argc, char **argv);
int cli_server(int argc, char **argv);
int cli_client(int argc, char **argv);
int cli_live(int argc, char **argv);
int cli_demo(int argc, char **argv);

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
