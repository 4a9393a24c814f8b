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
    enum { OPT_NO_WAIT = 256 };
    static const struct option longopts[] = {
        CLI_TUI_LONGOPTS,
        {"ascii", no_argument, 0, CLI_OPT_ASCII},
        {"raw", no_argument, 0, CLI_OPT_RAW},
        {"headless-no-wait", no_argument, 0, OPT_NO_WAIT},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct cli_tui t;
    struct cli_diagram d; /* only --ascii and --raw: open draws no streaming diagram */
    cli_tui_init(&t);
    cli_diagram_init(&d);
    const char *file = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "hr:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(open_usage, stdout);
            return EXIT_OK;
        case 'r':
            file = optarg;
            break;
        case OPT_NO_WAIT:
            t.o.headless_no_wait = true;
            break;
        case CLI_OPT_ASCII:
        case CLI_OPT_RAW:
            cli_diagram_option("open", c, optarg, &d);
            break;
        default:
            switch (cli_tui_option("open", c, optarg, &t)) {
            case 1:
                continue;
            case -1:
                return EXIT_USAGE;
            default:
                break;
            }
            cli_option_error("open", "r", argv);
            return EXIT_USAGE;
        }
    }
    if (!file) {
        if (optind >= argc) {
            cli_error("open: which capture? usage: sockscope open FILE [BPF...]");
            return EXIT_USAGE;
        }
        file = argv[optind++];
    }
    bool tui;
    if (cli_tui_finish("open", &t, &d, &tui) < 0) return EXIT_USAGE;
    if (!t.o.headless_frames && cli_terminal_dumb()) {
        cli_error("open: TERM=dumb cannot draw the terminal UI; set TERM to your terminal's "
                  "type (e.g. TERM=xterm-256color), or print the diagram with 'sockscope trace "
                  "%s'",
                  file);
        return EXIT_RUNTIME;
    }
    struct tui_options o = t.o;
    o.file = file;
    char *bpf = NULL;
    if (optind < argc && !(bpf = cli_join_words(argc - optind, argv + optind))) {
        cli_error("open: out of memory");
        return EXIT_RUNTIME;
    }
    o.bpf = bpf;

    char err[512];
    int rc = tui_open_file(&o, err, sizeof err);
    free(bpf);
    if (rc == STATUS_OK) return EXIT_OK;
    cli_error("%s", err);
    return rc == STATUS_E_BAD_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
}
