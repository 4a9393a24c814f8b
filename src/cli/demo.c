/* `sockscope demo [SCENARIO]`: the main job. Runs the built-in client and server of a
 * scenario in a private network namespace while a capture thread watches its loopback, and
 * draws what happens: socket API calls on their lifelines, packets as arrows, in time order.
 * On a terminal the diagram is the TUI over the session's store; it can run the scenario again
 * (r) or another one (m) in the same namespace. With --text or --format, or when stdout is not
 * a terminal, the diagram streams from the session's sink.
 * Wiring only: sandbox and scenarios live in net/, the run lifecycle (capture, feed, stop
 * order, reruns) in timeline/session.c, the scenario as a workload in scenario_workload.c,
 * drawing in view/, export/ and tui/. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sockscope/export.h"
#include "sockscope/net.h"
#include "sockscope/session.h"
#include "sockscope/tui.h"

static const char demo_usage[] =
    "usage: sockscope demo [OPTIONS] [SCENARIO]\n"
    "\n"
    "Runs a built-in TCP/UDP client and server in a private network namespace (no root\n"
    "needed), captures their loopback, and draws what happens: socket API calls on each\n"
    "lifeline and the packets they cause. Default scenario: tcp.\n"
    "\n"
    "On a terminal the diagram opens in the TUI and follows the scenario as it runs (LIVE);\n"
    "any movement pauses the following (PAUSED), End follows again. Once the scenario is\n"
    "over, step through it as through a saved capture: Home goes back to the first event,\n"
    "-> or Space show the next ones. r runs the scenario again, m picks another one, ? lists\n"
    "every key, q quits. With --text or --format, or when stdout is not a terminal, the\n"
    "diagram streams instead.\n"
    "\n"
    "options:\n"
    "  --list                the scenarios, one line each\n"
    "  -w FILE               also save the capture as a pcap file (TUI: the last run's)\n"
    "  --raw                 raw sequence numbers\n"
    "  --ascii               pure ASCII drawing (automatic when the locale is not UTF-8)\n"
    "  -h, --help            this text\n"
    "\n"
    "TUI options:\n"
    "  --present             classroom: a blank row between arrows, the explanation always\n"
    "                        on, minimal labels (v cycles minimal, normal, full)\n"
    "  --theme NAME          dark (default), light, projector or mono (NO_COLOR: mono)\n"
    "  --no-mouse            leave the mouse to the terminal (to select and copy text)\n"
    "  --realtime            after the run, Space replays at the capture's own pace\n"
    "  --headless-frames N   tests: draw N frames without a keyboard (the first once the\n"
    "                        scenario is over), print the screen as text and exit\n"
    "  --headless-keys KEYS  tests: keys as 'sockscope open --help' says, and 'wait:done'\n"
    "                        (until the run is over), e.g. 'Home n r wait:done m Down Enter'\n"
    "\n"
    "streaming options:\n"
    "  --text                stream the text diagram (the default when stdout is not a\n"
    "                        terminal)\n"
    "  --format text|json    stream the text diagram or JSON Lines (packets and API calls)\n"
    "  --time rel|abs|delta  time column (default: since the first event)\n"
    "  --width N             columns (default: the terminal's, or 100)\n"
    "  --color, --no-color   force colour on or off (--no-color: the TUI in mono)\n"
    "\n"
    "Exit status: 0 ok, 1 the scenario or the capture failed, 2 usage error.\n";

struct demo_args {
    const struct scenario *scenario;
    bool json;
    const char *write_path;
    struct export_options exp;
    struct cli_tui tui;
    bool use_tui;
};

static void list_scenarios(FILE *f)
{
    size_t n;
    const struct scenario *s = net_scenarios(&n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-12s %s\n", s[i].name, s[i].summary);
}

static int parse_args(int argc, char **argv, struct demo_args *a)
{
    enum { OPT_LIST = 256 };
    static const struct option longopts[] = {
        CLI_DIAGRAM_LONGOPTS,          CLI_TUI_LONGOPTS, {"list", no_argument, 0, OPT_LIST},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    int c;

    struct cli_diagram d;
    memset(a, 0, sizeof *a);
    cli_diagram_init(&d);
    cli_tui_init(&a->tui);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hw:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(demo_usage, stdout);
            fputs("\nscenarios:\n", stdout);
            list_scenarios(stdout);
            return -1;
        case OPT_LIST:
            list_scenarios(stdout);
            return -1;
        case 'w':
            a->write_path = optarg;
            break;
        default:
            switch (cli_session_option("demo", c, optarg, &a->tui, &d)) {
            case 1:
                continue;
            case -1:
                return EXIT_USAGE;
            default:
                break;
            }
            cli_option_error("demo", "w", argv);
            return EXIT_USAGE;
        }
    }
    const char *name = optind < argc ? argv[optind++] : "tcp";
    if (optind < argc) {
        cli_error("demo: one scenario at a time ('%s' is extra)", argv[optind]);
        return EXIT_USAGE;
    }
    a->scenario = net_scenario_find(name);
    if (!a->scenario) {
        cli_error("demo: no scenario named '%s'; the scenarios are:", name);
        list_scenarios(stderr);
        return EXIT_USAGE;
    }
    if (cli_tui_finish("demo", &a->tui, &d, &a->use_tui) < 0) return EXIT_USAGE;
    cli_diagram_finish(&d);
    a->json = d.json;
    a->exp = d.exp;
    return 0;
}

/* ---- streaming: the diagram as text or JSON lines on stdout ---- */

/* Everything the sink draws with, on the feed's thread. */
struct stream {
    struct demo_args *args;
    struct out *o;
    struct text_export *text;
    bool pipe_fatal; /* SIGPIPE unblocked on the thread that writes */
};

static bool draw(void *ctx, const struct timeline_item *it, const struct packet *pkt,
                 const struct track_info *info)
{
    struct stream *s = ctx;
    if (!s->pipe_fatal) {
        /* The feed's thread starts with every signal blocked; SIGPIPE is sent to the thread
         * that writes, so unblocking it here keeps a closed stdout fatal, as in trace. */
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_UNBLOCK, &pipe, NULL);
        s->pipe_fatal = true;
    }
    if (it->kind == TIMELINE_API) {
        if (s->args->json)
            export_json_api(s->o, &it->api);
        else
            export_text_api(s->text, &it->api);
    } else {
        struct export_frame ef = {.number = it->frame.number, .pkt = pkt, .info = info};
        if (s->args->json)
            export_json_frame(s->o, &ef);
        else
            export_text_frame(s->text, &ef);
    }
    return !s->o->failed; /* a closed output ends the run */
}

static void flush(void *ctx)
{
    struct stream *s = ctx;
    out_flush(s->o);
}

static void print_losses(const struct timeline_feed_counts *n)
{
    if (n->kernel_dropped || n->ring_dropped || n->calls_dropped || n->merge_dropped)
        cli_note("demo: lost %llu frames in the kernel, %llu in the ring, "
                 "%llu API events, %llu in the merge",
                 (unsigned long long)n->kernel_dropped, (unsigned long long)n->ring_dropped,
                 (unsigned long long)n->calls_dropped, (unsigned long long)n->merge_dropped);
}

/* The capture of the namespace's loopback (bpf: the port filter on the host's), confirmed
 * live before the scenario starts, so its first packet cannot be missed. */
static struct session_options session_options(struct demo_args *a, const char *bpf,
                                              struct session_workload w)
{
    struct session_options so = {.ready_required = true, .workload = w};
    so.capture.device = "lo";
    so.capture.bpf = bpf;
    so.capture.write_path = a->write_path;
    return so;
}

static int demo_stream(struct demo_args *a, enum sandbox_kind kind, const char *bpf)
{
    char err[1024];
    /* A closed stdout ends the demo as it ends trace: SIGPIPE stays fatal. */
    atomic_bool *stop = cli_stop_on_signals(false);
    struct out *o = malloc(sizeof *o);
    if (!o) {
        cli_error("demo: out of memory");
        return EXIT_RUNTIME;
    }
    out_init(o, stdout);
    struct stream st = {.args = a, .o = o};
    struct lifelines lanes;
    if (!a->json) {
        /* clients on the left, the server on the right, as textbooks draw them */
        lifelines_init(&lanes, export_text_max_lanes(&a->exp));
        lanes.dynamic = true;
        for (int i = 0; i < a->scenario->clients; i++)
            lifelines_reserve(&lanes, ROLE_CLIENT);
        lifelines_reserve(&lanes, ROLE_SERVER);
        if (!(st.text = export_text_new(o, &a->exp, &lanes))) {
            cli_error("demo: out of memory");
            free(o);
            return EXIT_RUNTIME;
        }
    }

    struct cli_scenario_workload sw;
    struct session_workload w;
    cli_scenario_workload_init(&sw, a->scenario, stop, &w);
    struct session_options so = session_options(a, bpf, w);
    so.sink = (struct timeline_feed_sink){.ctx = &st, .item = draw, .round = flush};
    struct session *s;
    int rc = session_start(&so, &s, err, sizeof err);
    if (rc != STATUS_OK) {
        cli_error("demo: %s", err);
        export_text_free(st.text);
        free(o);
        return rc == STATUS_E_BAD_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
    }
    if (!a->json)
        cli_note("demo '%s': %s (%s)", a->scenario->name, a->scenario->summary,
                 net_sandbox_name(kind));

    session_wait(s, stop);
    session_stop(s); /* the feed's thread is done with the exporter from here on */
    if (st.text) {
        export_text_finish(st.text);
        export_text_free(st.text);
    }
    out_flush(o);

    struct timeline_feed_counts n;
    session_counts(s, &n);
    print_losses(&n);
    if (a->write_path)
        cli_note("demo: capture saved to %s (%llu frames)", a->write_path,
                 (unsigned long long)n.captured);

    int status = EXIT_OK;
    if (o->failed) {
        cli_error("demo: cannot write the output");
        status = EXIT_RUNTIME;
    } else if (cli_stopped_by_signal()) {
        cli_error("demo: interrupted");
        status = EXIT_RUNTIME;
    } else if (sw.result != 0) {
        cli_error("demo: scenario '%s' failed: %s", a->scenario->name, sw.ctx.err);
        status = EXIT_RUNTIME;
    }
    session_free(s);
    free(o);
    return status;
}

/* ---- the TUI: one run after another in the same namespace ---- */

struct demo_tui {
    struct session *session;
    struct cli_scenario_workload workload;
    bool sandboxed;
    char name[80]; /* the status bar's "demo tcp" */
    const char **names, **summaries;
    size_t count;
};

static void demo_stats(void *ctx, struct tui_live_stats *out)
{
    struct demo_tui *t = ctx;
    struct timeline_feed_counts n;
    session_counts(t->session, &n);
    *out = (struct tui_live_stats){.frames = n.frames,
                                   .kernel_dropped = n.kernel_dropped,
                                   .ring_dropped = n.ring_dropped,
                                   .calls_dropped = n.calls_dropped + n.merge_dropped};
}

static void name_run(struct demo_tui *t)
{
    snprintf(t->name, sizeof t->name, "demo %s%s", t->workload.scenario->name,
             t->sandboxed ? "" : " (host loopback)");
}

/* r and the scenario menu: the session ends the old run before the new one starts
 * capturing, so none of its packets lands in the new diagram. */
static int demo_rerun(void *ctx, struct tui_source *src, const char *scenario, char *err,
                      size_t errlen)
{
    struct demo_tui *t = ctx;
    const struct scenario *old = t->workload.scenario;
    const struct scenario *sc = scenario ? net_scenario_find(scenario) : old;
    if (!sc) {
        snprintf(err, errlen, "no scenario named '%s'", scenario);
        return STATUS_E_BAD_INPUT;
    }
    t->workload.scenario = sc;
    if (session_rerun(t->session, err, errlen) != STATUS_OK) {
        t->workload.scenario = old; /* the old run's store stays on screen, and r reruns it */
        return STATUS_E_RUNTIME;
    }
    name_run(t);
    src->store = session_store(t->session);
    src->name = t->name;
    src->path = session_capture_path(t->session);
    return STATUS_OK;
}

static int demo_tui(struct demo_args *a, bool sandboxed, const char *bpf)
{
    char err[1024];
    struct demo_tui t = {.sandboxed = sandboxed};
    const struct scenario *all = net_scenarios(&t.count);
    t.names = calloc(t.count, sizeof *t.names);
    t.summaries = calloc(t.count, sizeof *t.summaries);
    if (!t.names || !t.summaries) {
        cli_error("demo: out of memory");
        free(t.names);
        free(t.summaries);
        return EXIT_RUNTIME;
    }
    for (size_t i = 0; i < t.count; i++) {
        t.names[i] = all[i].name;
        t.summaries[i] = all[i].summary;
    }
    struct session_workload w;
    cli_scenario_workload_init(&t.workload, a->scenario, NULL, &w);
    struct session_options so = session_options(a, bpf, w);
    int rc = session_start(&so, &t.session, err, sizeof err);
    if (rc == STATUS_OK) {
        name_run(&t);
        struct tui_source src = {.name = t.name,
                                 .path = session_capture_path(t.session),
                                 .store = session_store(t.session),
                                 .live = true,
                                 .ctx = &t,
                                 .stats = demo_stats,
                                 .rerun = demo_rerun,
                                 .scenarios = t.names,
                                 .scenario_summaries = t.summaries,
                                 .scenario_count = t.count};
        rc = tui_run(&a->tui.o, &src, err, sizeof err);
    }
    int status = EXIT_OK;
    if (rc != STATUS_OK) {
        cli_error("demo: %s", err);
        status = EXIT_RUNTIME;
    }
    if (t.session) {
        session_stop(t.session);
        /* a run cut short by q is no failure; one that failed on its own is */
        if (session_failed(t.session)) {
            cli_error("demo: %s", session_failed(t.session));
            status = EXIT_RUNTIME;
        }
        struct timeline_feed_counts n;
        session_counts(t.session, &n);
        print_losses(&n);
        if (a->write_path)
            cli_note("demo: capture of '%s' saved to %s (%llu frames)", t.workload.scenario->name,
                     a->write_path, (unsigned long long)n.frames);
        session_free(t.session);
    }
    free(t.names);
    free(t.summaries);
    return status;
}

int cli_demo(int argc, char **argv)
{
    struct demo_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc < 0) return EXIT_OK;
    if (rc) return rc;

    /* The namespace first: unshare needs a single-threaded process. */
    char err[1024];
    enum sandbox_kind kind = SANDBOX_NONE;
    bool sandboxed = net_sandbox_enter(&kind, err, sizeof err) == STATUS_OK;
    if (!sandboxed) {
        cli_note("demo: no private network namespace: %s", err);
        cli_note("demo: falling back to this machine's loopback, port %d only", NET_DEFAULT_PORT);
    }

    char bpf[128] = "";
    if (!sandboxed)
        snprintf(bpf, sizeof bpf, "port %d or port %d or icmp or icmp6", NET_DEFAULT_PORT,
                 NET_DEFAULT_PORT + 1);
    return a.use_tui ? demo_tui(&a, sandboxed, bpf) : demo_stream(&a, kind, bpf);
}
