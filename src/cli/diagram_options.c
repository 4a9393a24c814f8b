/* The options every command that draws a diagram shares (trace, live, demo): --format,
 * --text, --time, --raw, --ascii, --width, --color/--no-color, and the defaults that follow
 * from the terminal (ASCII when the locale is not UTF-8, the terminal's width, colour on a
 * terminal unless NO_COLOR). One parser, so the commands cannot drift apart. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sockscope/view.h"

int cli_diagram_option(const char *cmd, int opt, const char *arg, struct cli_diagram *d)
{
    long width;
    switch (opt) {
    case CLI_OPT_FORMAT:
        if (!strcmp(arg, "json")) {
            d->json = true;
        } else if (!strcmp(arg, "text")) {
            d->json = false;
        } else {
            cli_error("%s: unknown --format '%s' (text or json)", cmd, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_TEXT:
        d->json = false;
        return 1;
    case CLI_OPT_TIME:
        if (!strcmp(arg, "rel")) {
            d->exp.time = TIME_REL;
        } else if (!strcmp(arg, "abs")) {
            d->exp.time = TIME_ABS;
        } else if (!strcmp(arg, "delta")) {
            d->exp.time = TIME_DELTA;
        } else {
            cli_error("%s: unknown --time '%s' (rel, abs or delta)", cmd, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_RAW:
        d->exp.raw_seq = true;
        return 1;
    case CLI_OPT_NUMBER:
        d->exp.number = true;
        return 1;
    case CLI_OPT_ASCII:
        d->ascii = true;
        return 1;
    case CLI_OPT_WIDTH:
        if (!cli_parse_long(arg, 40, VIEW_MAX_WIDTH, &width)) {
            cli_error("%s: --width wants a number from 40 to %d, not '%s'", cmd, VIEW_MAX_WIDTH,
                      arg);
            return -1;
        }
        d->width = (int)width;
        return 1;
    case CLI_OPT_COLOR:
        d->color = 1;
        return 1;
    case CLI_OPT_NO_COLOR:
        d->color = 0;
        return 1;
    default:
        return 0;
    }
}

void cli_diagram_init(struct cli_diagram *d)
{
    memset(d, 0, sizeof *d);
    d->color = -1;
}

void cli_diagram_finish(struct cli_diagram *d)
{
    const char *no_color = getenv("NO_COLOR");
    d->exp.ascii = d->ascii || !cli_locale_is_utf8();
    d->exp.width = d->width ? d->width : cli_terminal_width(100);
    if (d->exp.width < 40) d->exp.width = 40;
    if (d->exp.width > VIEW_MAX_WIDTH) d->exp.width = VIEW_MAX_WIDTH;
    if (d->color < 0)
        d->color = isatty(STDOUT_FILENO) && !(no_color && *no_color) && !cli_terminal_dumb();
    d->exp.color = d->color;
}
