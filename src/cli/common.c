/* Small helpers every subcommand uses: strict numbers, error lines, terminal facts. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

bool cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) return false;
    *out = v;
    return true;
}

/* One line on stderr after "sockscope: ". The message names files and arguments as given:
 * none of their bytes reach the terminal raw (an ESC, a U+202E in a file name). */
static void say(const char *fmt, va_list ap)
{
    char raw[2048], safe[4 * sizeof raw];
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof raw) n = sizeof raw - 1;
    text_sanitize(raw, (size_t)n, safe, sizeof safe);
    fprintf(stderr, "sockscope: %s\n", safe);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
}

void cli_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
}

bool cli_terminal_dumb(void)
{
    const char *t = getenv("TERM");
    return t && !strcmp(t, "dumb");
}

bool cli_locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

int cli_terminal_width(int fallback)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return fallback;
}

char *cli_join_words(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = calloc(1, len);
    if (!s) return NULL;
    for (int i = 0; i < argc; i++) {
        if (i) strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

void cli_option_error(const char *cmd, const char *with_value, char **argv)
{
    const char *given = argv[optind - 1] ? argv[optind - 1] : "";
    if (optopt > 0 && optopt < 256 && optopt != '-' && given[0] == '-' && given[1] != '-') {
        if (strchr(with_value, optopt))
            cli_error("%s: -%c needs a value (see 'sockscope %s --help')", cmd, optopt, cmd);
        else
            cli_error("%s: unknown option '-%c' (see 'sockscope %s --help')", cmd, optopt, cmd);
        return;
    }
    /* a long option: getopt's optopt is then its code (or 0), never a letter to print */
    char name[128];
    size_t len = strcspn(given, "=");
    snprintf(name, sizeof name, "%.*s", (int)(len < 100 ? len : 100), given);
    if (optopt && given[len] == '=')
        cli_error("%s: option '%s' takes no value (see 'sockscope %s --help')", cmd, name, cmd);
    else if (optopt)
        cli_error("%s: option '%s' needs a value (see 'sockscope %s --help')", cmd, name, cmd);
    else
        cli_error("%s: unknown option '%s' (see 'sockscope %s --help')", cmd, name, cmd);
}

static atomic_bool stop_requested;
static volatile sig_atomic_t stop_signal_seen;

static void on_stop_signal(int sig)
{
    stop_signal_seen = sig;
    atomic_store(&stop_requested, true);
}

atomic_bool *cli_stop_on_signals(bool ignore_sigpipe)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal; /* no SA_RESTART: blocking calls see EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (ignore_sigpipe) signal(SIGPIPE, SIG_IGN);
    return &stop_requested;
}

bool cli_stopped_by_signal(void)
{
    return stop_signal_seen != 0;
}
