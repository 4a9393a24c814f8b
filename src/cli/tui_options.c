/* The options only the terminal UI takes (--present, --theme, --no-mouse, --realtime, the
 * headless switches), shared by `open`, `demo` and `live`, and the choice between the TUI and
 * the streaming output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void cli_tui_init(struct cli_tui *t)
{
    memset(t, 0, sizeof *t);
    t->theme = -1;
}

int cli_tui_option(const char *cmd, int opt, const char *arg, struct cli_tui *t)
{
    switch (opt) {
    case CLI_OPT_TEXT:
    case CLI_OPT_FORMAT:
        t->streaming = true;
        return 0; /* cli_diagram_option reads the value */
    case CLI_OPT_PRESENT:
        t->o.present = true;
        return 1;
    case CLI_OPT_THEME:
        if ((t->theme = tui_theme_parse(arg)) < 0) {
            cli_error("%s: unknown --theme '%s' (dark, light, projector or mono)", cmd, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_NO_MOUSE:
        t->o.no_mouse = true;
        return 1;
    case CLI_OPT_REALTIME:
        t->o.realtime = true;
        return 1;
    case CLI_OPT_HEADLESS_FRAMES:
        if (!cli_parse_long(arg, 1, 1000000, &t->o.headless_frames)) {
            cli_error("%s: --headless-frames wants a number from 1 to 1000000, not '%s'", cmd, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_HEADLESS_KEYS:
        t->o.headless_keys = arg;
        return 1;
    default:
        return 0;
    }
}

int cli_session_option(const char *cmd, int opt, const char *arg, struct cli_tui *t,
                       struct cli_diagram *d)
{
    int rc = cli_tui_option(cmd, opt, arg, t);
    return rc ? rc : cli_diagram_option(cmd, opt, arg, d);
}

int cli_tui_finish(const char *cmd, struct cli_tui *t, const struct cli_diagram *d, bool *tui)
{
    if (t->o.headless_keys && !t->o.headless_frames) {
        cli_error("%s: --headless-keys needs --headless-frames N", cmd);
        return -1;
    }
    /* a dumb terminal cannot hold a screen: demo and live stream the diagram there instead */
    *tui = !t->streaming &&
           (t->o.headless_frames > 0 || (isatty(STDOUT_FILENO) && !cli_terminal_dumb()));
    const char *no_color = getenv("NO_COLOR");
    /* NO_COLOR or --no-color: mono, and t keeps it mono; an explicit --theme still wins */
    t->o.no_color = t->theme < 0 && ((no_color && *no_color) || d->color == 0);
    t->o.theme = t->theme >= 0   ? (enum tui_theme)t->theme
                 : t->o.no_color ? TUI_THEME_MONO
                                 : TUI_THEME_DARK;
    t->o.ascii = d->ascii || !cli_locale_is_utf8();
    t->o.raw_seq = d->exp.raw_seq;
    return 0;
}
