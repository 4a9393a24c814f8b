/* `sockscope live [-i IF] [BPF...]`: a live interface drawn as it comes. On a terminal, the
 * TUI: a feed thread (timeline/live_feed.c) fills an event store from the capture while the
 * screen follows it, the frames also written to a temporary capture the screen reads labels
 * back from. Otherwise the trace pipeline streams: the capture thread fills the ring, this
 * (main) thread sleeps on its wake fd, then decodes, tracks and exports each batch and
 * flushes, until Ctrl-C, -c COUNT or the capture ends. The TUI's run is a session
 * (timeline/session.c) without a workload. */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sockscope/capture.h"
#include "sockscope/decode.h"
#include "sockscope/export.h"
#include "sockscope/session.h"
#include "sockscope/timeline.h"
#include "sockscope/track.h"
#include "sockscope/tui.h"
#include "sockscope/view.h"

#define READY_TIMEOUT_MS 3000

static const char live_usage[] =
    "usage: sockscope live [OPTIONS] [BPF EXPRESSION...]\n"
    "\n"
    "Captures an interface and draws the sequence diagram as packets come: one lifeline per\n"
    "ip:port, one arrow per packet. On a terminal the diagram opens in the TUI and follows\n"
    "the capture (LIVE); any movement pauses it (PAUSED), End follows again, q quits. With\n"
    "--text or --format, or when stdout is not a terminal, it streams until Ctrl-C.\n"
    "Needs capture rights (root or CAP_NET_RAW); 'sockscope demo' needs none.\n"
    "\n"
    "options:\n"
    "  -i IF                 the interface (default: libpcap's default device, as tcpdump)\n"
    "  --format text|json    stream the text diagram or JSON Lines, one object per frame\n"
    "  --text                stream the text diagram (the default when stdout is not a\n"
    "                        terminal)\n"
    "  -w FILE               also write every captured frame to FILE (nanosecond pcap),\n"
    "                        including frames the display had to drop\n"
    "  -c COUNT              stop after COUNT frames\n"
    "  -B KIB                kernel capture buffer in KiB (default: 32768)\n"
    "  --time rel|abs|delta  time column: since the first frame (default), wall clock,\n"
    "                        or since the previous frame\n"
    "  --raw                 raw sequence and acknowledgement numbers (default: relative)\n"
    "  --ascii               pure ASCII drawing (automatic when the locale is not UTF-8)\n"
    "  --width N             columns of the diagram (default: the terminal's, or 100)\n"
    "  --color, --no-color   force colour on or off (default: on for a terminal, off when\n"
    "                        NO_COLOR is set or output is not a terminal)\n"
    "\n"
    "TUI options (the capture is also written to a temporary file the screen reads back;\n"
    "-w keeps it under a name instead; -c ends the capture, the screen stays):\n"
    "  --present             classroom: a blank row between arrows, the explanation always on\n"
    "  --theme NAME          dark (default), light, projector or mono (NO_COLOR: mono)\n"
    "  --no-mouse            leave the mouse to the terminal (to select and copy text)\n"
    "  --realtime            after the capture, Space replays at its own pace\n"
    "  --headless-frames N, --headless-keys KEYS\n"
    "                        tests: draw N frames without a keyboard and print the screen\n"
    "                        (see 'sockscope open --help')\n"
    "  -h, --help            this text\n"
    "\n"
    "BPF EXPRESSION: a tcpdump filter (e.g. 'tcp port 12000').\n"
    "On loopback (lo, any) the capture is confirmed live before 'capturing on' is printed, so\n"
    "traffic started after that line is captured from its first packet.\n"
    "\n"
    "Exit status: 0 ok, 1 runtime failure (including missing capture rights), 2 usage error or\n"
    "bad input (unknown interface, invalid filter, -w file that cannot be created).\n";

struct live_args {
    struct capture_live_options cap;
    char *bpf;
    bool json;
    struct export_options exp;
    long count; /* 0: until stopped */
    struct cli_tui tui;
    bool use_tui;
};

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

static int parse_args(int argc, char **argv, struct live_args *a)
{

    static const struct option longopts[] = {
        CLI_DIAGRAM_LONGOPTS,
        CLI_TUI_LONGOPTS,
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    long kib;

    struct cli_diagram d;
    memset(a, 0, sizeof *a);
    cli_diagram_init(&d);
    cli_tui_init(&a->tui);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "hi:w:c:B:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(live_usage, stdout);
            return -1;
        case 'i':
            a->cap.device = optarg;
            break;
        case 'w':
            a->cap.write_path = optarg;
            break;
        case 'c':
            if (!cli_parse_long(optarg, 1, INT64_MAX, &a->count)) {
                cli_error("live: -c wants a positive number of frames, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'B':
            if (!cli_parse_long(optarg, 1, 4 * 1024 * 1024, &kib)) {
                cli_error("live: -B wants a buffer size in KiB from 1 to 4194304, not '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            a->cap.buffer_kib = (int)kib;
            break;
        default:
            switch (cli_session_option("live", c, optarg, &a->tui, &d)) {
            case 1:
                continue;
            case -1:
                return EXIT_USAGE;
            default:
                break;
            }
            cli_option_error("live", "iwcB", argv);
            return EXIT_USAGE;
        }
    }
    if (cli_tui_finish("live", &a->tui, &d, &a->use_tui) < 0) return EXIT_USAGE;
    if (optind < argc && !(a->bpf = cli_join_words(argc - optind, argv + optind))) {
        cli_error("live: out of memory");
        return EXIT_RUNTIME;
    }
    a->cap.bpf = a->bpf;
    cli_diagram_finish(&d);
    a->json = d.json;
    a->exp = d.exp;
    return 0;
}

/* Where frames go once decoded and tracked: JSON lines or the text diagram. */
struct sink {
    struct out *o;
    struct text_export *text; /* NULL: JSON */
    struct tracker *tr;
    int linktype;
    long shown, count;
};

#define DRAIN_BATCH 4096

enum drained { DRAINED_EMPTY, DRAINED_MORE, DRAINED_STOP };

/* Pops up to a batch through decode → track → export: the ring is empty, more wait, or -c is
 * reached / the output failed. */
static enum drained drain(struct capture_live *c, struct sink *s)
{
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    for (int i = 0; i < DRAIN_BATCH; i++) {
        if (s->o->failed || (s->count && s->shown >= s->count)) return DRAINED_STOP;
        if (capture_live_next(c, &fr) != 1) return DRAINED_EMPTY;
        timeline_step_frame(s->tr, s->linktype, &fr, &pkt, &info);
        struct export_frame ef = {.number = fr.number, .pkt = &pkt, .info = &info};
        if (s->text)
            export_text_frame(s->text, &ef);
        else
            export_json_frame(s->o, &ef);
        s->shown++;
    }
    return DRAINED_MORE;
}

/* Sleeps until frames wait, the capture ends or a stop signal arrives; with more frames
 * waiting, only lets pending signals in. Stop signals are blocked outside ppoll, so none is
 * lost between the check and the sleep. */
static void wait_for_frames(struct capture_live *c, bool more, const sigset_t *unblocked)
{
    struct pollfd pf = {.fd = capture_live_wake_fd(c), .events = POLLIN};
    struct timespec zero = {0, 0};
    (void)ppoll(&pf, 1, more ? &zero : NULL, unblocked);
}

static int run(struct capture_live *c, struct sink *s, const sigset_t *unblocked)
{
    char err[512];
    int out_errno = 0;
    for (;;) {
        enum drained d = drain(c, s);
        out_flush(s->o);
        if (s->o->failed && !out_errno) out_errno = errno ? errno : EIO;
        if (d == DRAINED_STOP || stop_signal) break;
        if (d == DRAINED_EMPTY && capture_live_status(c, NULL, 0) != 1) {
            while (drain(c, s) == DRAINED_MORE) /* what came in before the end */
                ;
            break;
        }
        wait_for_frames(c, d == DRAINED_MORE, unblocked);
    }
    capture_live_stop(c);
    /* Frames captured before Ctrl-C are still shown (up to -c). */
    if (stop_signal)
        while (drain(c, s) == DRAINED_MORE)
            ;
    if (s->text) export_text_finish(s->text);
    out_flush(s->o);
    if (s->o->failed && !out_errno) out_errno = errno ? errno : EIO;
    if (capture_live_status(c, err, sizeof err) < 0) {
        cli_error("live: %s", err);
        return EXIT_RUNTIME;
    }
    /* A reader that went away (head, a closed pipe) is a normal way to stop. */
    if (s->o->failed && out_errno != EPIPE) {
        cli_error("live: cannot write the output: %s", strerror(out_errno));
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

static void print_stats(struct capture_live *c)
{
    struct capture_live_stats st;
    capture_live_stats(c, &st);
    cli_note("%llu frames captured, %llu dropped by the kernel, %llu dropped by "
             "sockscope (display too slow)",
             (unsigned long long)(st.frames + st.ring_dropped),
             (unsigned long long)st.kernel_dropped, (unsigned long long)st.ring_dropped);
}

/* Opens, checks and starts the capture, confirmed live on loopback; an exit status on
 * failure (the error printed). */
static int open_capture(struct live_args *a, struct capture_live **out)
{
    char err[1024];
    struct capture_live *c;
    int rc = capture_live_open(&a->cap, &c, err, sizeof err);
    if (rc != STATUS_OK) {
        cli_error("live: %s", err);
        return rc == STATUS_E_BAD_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
    }
    const char *dev = capture_live_device(c);
    int linktype = capture_live_linktype(c);
    if (!decode_linktype_supported(linktype)) {
        cli_error("live: %s has link type %d (%s), which sockscope does not decode (Ethernet, "
                  "Linux cooked, BSD loopback and raw IP)",
                  dev, linktype, capture_live_linktype_name(c));
        capture_live_close(c);
        return EXIT_USAGE;
    }
    if (capture_live_start(c, err, sizeof err) != STATUS_OK) {
        cli_error("live: %s", err);
        capture_live_close(c);
        return EXIT_RUNTIME;
    }
    if (capture_live_wait_ready(c, READY_TIMEOUT_MS, err, sizeof err) != STATUS_OK)
        cli_note("warning: %s; the first packets may be missing", err);
    *out = c;
    return EXIT_OK;
}

/* Said once the capture is live (confirmed on loopback), in the TUI too: scripts and tests
 * send their traffic after this line. user_file: the -w file is the user's, not a temporary. */
static void say_capturing(const struct live_args *a, struct capture_live *c, bool user_file)
{
    cli_note("capturing on %s (%s)%s%s%s%s", capture_live_device(c), capture_live_linktype_name(c),
             a->bpf ? ", filter '" : "", a->bpf ? a->bpf : "", a->bpf ? "'" : "",
             user_file ? ", writing -w file" : "");
}

static int live_capture(struct live_args *a, const sigset_t *unblocked)
{
    struct capture_live *c;
    int rc = open_capture(a, &c);
    if (rc != EXIT_OK) return rc;
    int linktype = capture_live_linktype(c);
    say_capturing(a, c, a->cap.write_path != NULL);

    struct sink s = {.linktype = linktype, .count = a->count};
    s.o = malloc(sizeof *s.o);
    s.tr = track_new();
    struct lifelines lanes;
    if (s.o && s.tr) {
        out_init(s.o, stdout);
        if (!a->json) {
            /* Endpoints are not known up front: lanes are handed out as they appear. */
            lifelines_init(&lanes, export_text_max_lanes(&a->exp));
            lanes.dynamic = true;
            s.text = export_text_new(s.o, &a->exp, &lanes);
        }
    }
    if (!s.o || !s.tr || (!a->json && !s.text)) {
        cli_error("live: out of memory");
        rc = EXIT_RUNTIME;
    } else {
        rc = run(c, &s, unblocked);
    }
    capture_live_stop(c);
    print_stats(c);
    export_text_free(s.text);
    track_free(s.tr);
    free(s.o);
    capture_live_close(c);
    return rc;
}

/* ---- the TUI ---- */

static void feed_stats(void *ctx, struct tui_live_stats *out)
{
    struct timeline_feed_counts n;
    session_counts(ctx, &n);
    *out = (struct tui_live_stats){.frames = n.frames,
                                   .kernel_dropped = n.kernel_dropped,
                                   .ring_dropped = n.ring_dropped + n.merge_dropped};
}

/* As print_stats, from the session's counts once its capture is closed. */
static void print_session_stats(const struct timeline_feed_counts *n)
{
    cli_note("%llu frames captured, %llu dropped by the kernel, %llu dropped by "
             "sockscope (display too slow)",
             (unsigned long long)(n->captured + n->ring_dropped),
             (unsigned long long)n->kernel_dropped, (unsigned long long)n->ring_dropped);
}

/* A session with no workload: the interface's own traffic, until q, -c or the capture ends.
 * The frames go to -w's file or a temporary one the screen reads back. */
static int live_tui(struct live_args *a)
{
    char err[1024];
    struct session_options so = {.capture = a->cap, .max_frames = (uint64_t)a->count};
    struct session *s;
    int rc = session_start(&so, &s, err, sizeof err);
    if (rc != STATUS_OK) {
        cli_error("live: %s", err);
        return rc == STATUS_E_BAD_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
    }
    if (*session_warning(s))
        cli_note("warning: %s; the first packets may be missing", session_warning(s));
    say_capturing(a, session_capture(s), a->cap.write_path != NULL);
    char name[256];
    snprintf(name, sizeof name, "live %s%s%s", capture_live_device(session_capture(s)),
             a->bpf ? ": " : "", a->bpf ? a->bpf : "");
    /* the capture file holds only what the filter let through: no filter to read it */
    struct tui_source src = {.name = name,
                             .path = session_capture_path(s),
                             .store = session_store(s),
                             .live = true,
                             .ctx = s,
                             .stats = feed_stats};
    rc = tui_run(&a->tui.o, &src, err, sizeof err);
    session_stop(s);
    if (rc != STATUS_OK) cli_error("live: %s", err);
    struct timeline_feed_counts n;
    session_counts(s, &n);
    print_session_stats(&n);
    if (a->cap.write_path) cli_note("capture saved to %s", a->cap.write_path);
    session_free(s);
    return rc == STATUS_OK ? EXIT_OK : EXIT_RUNTIME;
}

int cli_live(int argc, char **argv)
{
    struct live_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc < 0) return EXIT_OK;
    if (rc) return rc;
    if (a.use_tui) {
        rc = live_tui(&a);
        free(a.bpf);
        return rc;
    }

    /* SIGINT/SIGTERM are blocked except inside ppoll, and a closed output pipe is an error
     * return (EPIPE), so every way out goes through the clean stop and the stats line. */
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t stops, unblocked;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigprocmask(SIG_BLOCK, &stops, &unblocked);
    sigdelset(&unblocked, SIGINT);
    sigdelset(&unblocked, SIGTERM);

    rc = live_capture(&a, &unblocked);
    free(a.bpf);
    return rc;
}
