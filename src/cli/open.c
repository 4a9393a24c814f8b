/* `sockscope open FILE [BPF...]`: the capture replayed in the TUI, event by event.
 * Parses the options, then hands over to tui_open_file; errors come back as one line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sockscope/tui.h"

static const char open_usage[] =
    "usage: sockscope open [OPTIONS] FILE [BPF EXPRESSION...]\n"
    "\n"
    "Replays a pcap or pcapng capture as a sequence diagram in the terminal: one lifeline per\n"
    "ip:port, events appearing one by one, the selected one explained in plain words. Big\n"
    "files open at once: they are indexed in the background (progress in the status bar).\n"
    "\n"
    "keys: Space play/pause, -> or n step, <- or p back (PgDn/PgUp for presenter clickers),\n"
    "      j/k select, + and - speed, G show all, Enter packet detail, f flow list,\n"
    "      / search, : display filter (e.g. ':stream 1', ':port 12000 flag SYN'),\n"
    "      Tab next screen, ? help, q quit; the mouse selects and scrolls;\n"
    "      classroom: v label detail, t theme, l legend, < > pan lifelines, z fit them\n"
    "\n"
    "options:\n"
    "  -r FILE               the capture to read (or give FILE as the first word)\n"
    "  --realtime            Space plays at the capture's own pace (times the speed, + and -)\n"
    "                        instead of one event at a time; silences over 3 s are cut to 3 s\n"
    "  --present             classroom: a blank row between arrows, the explanation always\n"
    "                        on, minimal labels (v cycles minimal, normal, full)\n"
    "  --theme NAME          dark (default), light, projector or mono (NO_COLOR: mono)\n"
    "  --ascii               pure ASCII drawing (automatic when the locale is not UTF-8)\n"
    "  --raw                 raw sequence and acknowledgement numbers (default: relative)\n"
    "  --no-mouse            leave the mouse to the terminal (to select and copy text)\n"
    "  --headless-frames N   tests: draw N frames without a keyboard (each steps the\n"
    "                        replay, or runs the next --headless-keys word), print the\n"
    "                        screen as text and exit; size from LINES and COLUMNS\n"
    "  --headless-keys KEYS  tests: words such as 'n Down PgDn Space ? resize:60x15',\n"
    "                        'type:stream_1' (types 'stream 1'), 'click:X,Y', 'wheelup:X,Y',\n"
    "                        'wait:index' (until the whole file is indexed)\n"
    "  --headless-no-wait    tests: draw the first frame as soon as the first frame of the\n"
    "                        file is indexed (headless runs otherwise wait for the whole\n"
    "                        file); with --headless-frames 1: the time to the first screen\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit status: 0 ok, 1 runtime failure (no terminal), 2 usage error or bad input.\n";

int cli_open(int argc, char **argv)
{
    enum {
        OPT_THEME = 256,
        OPT_ASCII,
        OPT_RAW,
        OPT_FRAMES,
        OPT_KEYS,
        OPT_NO_MOUSE,
        OPT_PRESENT,
        OPT_NO_WAIT,
        OPT_REALTIME
    };
    static const struct option longopts[] = {
        {"theme", required_argument, 0, OPT_THEME},
        {"ascii", no_argument, 0, OPT_ASCII},
        {"raw", no_argument, 0, OPT_RAW},
        {"no-mouse", no_argument, 0, OPT_NO_MOUSE},
        {"present", no_argument, 0, OPT_PRESENT},
        {"headless-frames", required_argument, 0, OPT_FRAMES},
        {"headless-keys", required_argument, 0, OPT_KEYS},
        {"headless-no-wait", no_argument, 0, OPT_NO_WAIT},
        {"realtime", no_argument, 0, OPT_REALTIME},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct tui_options o = {0};
    const char *no_color = getenv("NO_COLOR");
    int theme = -1;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "hr:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(open_usage, stdout);
            return EXIT_OK;
        case 'r':
            o.file = optarg;
            break;
        case OPT_THEME:
            if ((theme = tui_theme_parse(optarg)) < 0) {
                cli_error("open: unknown --theme '%s' (dark, light, projector or mono)", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_ASCII:
            o.ascii = true;
            break;
        case OPT_RAW:
            o.raw_seq = true;
            break;
        case OPT_NO_MOUSE:
            o.no_mouse = true;
            break;
        case OPT_PRESENT:
            o.present = true;
            break;
        case OPT_FRAMES:
            if (!cli_parse_long(optarg, 1, 1000000, &o.headless_frames)) {
                cli_error("open: --headless-frames wants a number from 1 to 1000000, not '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_KEYS:
            o.headless_keys = optarg;
            break;
        case OPT_NO_WAIT:
            o.headless_no_wait = true;
            break;
        case OPT_REALTIME:
            o.realtime = true;
            break;
        default:
            cli_option_error("open", "r", argv);
            return EXIT_USAGE;
        }
    }
    if (!o.file) {
        if (optind >= argc) {
            cli_error("open: which capture? usage: sockscope open FILE [BPF...]");
            return EXIT_USAGE;
        }
        o.file = argv[optind++];
    }
    if (o.headless_keys && !o.headless_frames) {
        cli_error("open: --headless-keys needs --headless-frames N");
        return EXIT_USAGE;
    }
    char *bpf = NULL;
    if (optind < argc && !(bpf = cli_join_words(argc - optind, argv + optind))) {
        cli_error("open: out of memory");
        return EXIT_RUNTIME;
    }
    o.bpf = bpf;
    /* NO_COLOR: mono, and t keeps it mono; an explicit --theme still wins (no-color.org) */
    o.no_color = theme < 0 && no_color && *no_color;
    if (theme < 0) theme = o.no_color ? TUI_THEME_MONO : TUI_THEME_DARK;
    o.theme = (enum tui_theme)theme;
    o.ascii = o.ascii || !cli_locale_is_utf8();

    char err[512];
    int rc = tui_open_file(&o, err, sizeof err);
    free(bpf);
    if (rc == TUI_OK) return EXIT_OK;
    cli_error("%s", err);
    return rc == TUI_E_BAD_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
}
