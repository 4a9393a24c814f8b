/* `sockscope demo [SCENARIO]`: the main job. Runs the built-in client and server of a
 * scenario in a private network namespace while a capture thread watches its loopback, and
 * draws what happens: socket API calls on their lifelines, packets as arrows, in time order.
 * On a terminal the diagram is the TUI, fed by a live feed thread (timeline/live_feed.c); it
 * can run the scenario again (r) or another one (m) in the same namespace. With --text or
 * --format, or when stdout is not a terminal, the diagram streams.
 * Wiring only: sandbox and scenarios live in net/, the capture thread in capture/, the merge
 * and the feed in timeline/, drawing in view/, export/ and tui/. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sockscope/capture.h"
#include "sockscope/decode.h"
#include "sockscope/export.h"
#include "sockscope/live_feed.h"
#include "sockscope/net.h"
#include "sockscope/timeline.h"
#include "sockscope/track.h"
#include "sockscope/tui.h"
#include "sockscope/view.h"

#define READY_TIMEOUT_MS 3000

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
        CLI_DIAGRAM_LONGOPTS,
        CLI_TUI_LONGOPTS,
        {"list", no_argument, 0, OPT_LIST},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
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
        case 'w': a->write_path = optarg; break;
        default:
            switch (cli_session_option("demo", c, optarg, &a->tui, &d)) {
            case 1: continue;
            case -1: return EXIT_USAGE;
            default: break;
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

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct scenario_thread {
    const struct scenario *scenario;
    struct scenario_context ctx;
    int result;
    atomic_bool done;
};

static void *run_scenario(void *arg)
{
    struct scenario_thread *st = arg;
    st->result = st->scenario->run(&st->ctx);
    atomic_store(&st->done, true);
    return NULL;
}

/* ---- streaming: the diagram as text or JSON lines on stdout ---- */

/* Everything the main loop draws with. */
struct session {
    struct demo_args *args;
    struct out *o;
    struct tracker *tracker;
    struct text_export *text;
    int linktype;
    uint64_t frames;
};

static void draw(void *ctx, const struct timeline_item *it)
{
    struct session *s = ctx;
    if (it->kind == TIMELINE_API) {
        if (s->args->json)
            export_json_api(s->o, &it->api);
        else
            export_text_api(s->text, &it->api);
        return;
    }
    struct packet pkt;
    struct track_info info;
    decode_packet(s->linktype, it->frame.data, it->frame.caplen, it->frame.wirelen,
                  it->frame.ts_ns, &pkt);
    track_feed(s->tracker, &pkt, it->frame.number, &info);
    struct export_frame ef = {.number = it->frame.number, .pkt = &pkt, .info = &info};
    if (s->args->json)
        export_json_frame(s->o, &ef);
    else
        export_text_frame(s->text, &ef);
    s->frames++;
}

static void drain_fd(int fd)
{
    uint64_t junk;
    if (fd >= 0)
        while (read(fd, &junk, sizeof junk) > 0) {
        }
}

/* Opens the capture of the namespace's loopback (writing path, if any) and waits until it is
 * live, so the scenario's first packet cannot be missed. */
static int open_capture(const char *bpf, const char *path, struct capture_live **out, char *err,
                        size_t errlen)
{
    struct capture_live_options copt = {.device = "lo", .bpf = bpf, .write_path = path};
    int rc = capture_live_open(&copt, out, err, errlen);
    if (rc != STATUS_OK) return rc;
    if (capture_live_start(*out, err, errlen) != 0 ||
        capture_live_wait_ready(*out, READY_TIMEOUT_MS, err, errlen) != 0) {
        capture_live_close(*out);
        *out = NULL;
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

static int demo_stream(struct demo_args *a, enum sandbox_kind kind, const char *bpf)
{
    char err[1024];
    /* A closed stdout ends the demo as it ends trace: SIGPIPE stays fatal. */
    atomic_bool *stop = cli_stop_on_signals(false);
    struct capture_live *cap = NULL;
    int rc = open_capture(bpf, a->write_path, &cap, err, sizeof err);
    if (rc != STATUS_OK) {
        cli_error("demo: %s", err);
        return rc == STATUS_E_BAD_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
    }

    struct probe *probe = probe_new(8192);
    struct timeline_merge *merge = timeline_merge_new(16384, 64u << 20);
    struct out *o = malloc(sizeof *o);
    struct tracker *tracker = track_new();
    struct lifelines lanes;
    if (!probe || !merge || !o || !tracker) {
        cli_error("demo: out of memory");
        return EXIT_RUNTIME;
    }
    out_init(o, stdout);
    /* clients on the left, the server on the right, as textbooks draw them */
    lifelines_init(&lanes, export_text_max_lanes(&a->exp));
    lanes.dynamic = true;
    for (int i = 0; i < a->scenario->clients; i++)
        lifelines_reserve(&lanes, ROLE_CLIENT);
    lifelines_reserve(&lanes, ROLE_SERVER);
    struct session s = {.args = a, .o = o, .tracker = tracker,
                        .linktype = capture_live_linktype(cap)};
    if (!a->json)
        s.text = export_text_new(o, &a->exp, &lanes);

    if (!a->json)
        fprintf(stderr, "sockscope: demo '%s': %s (%s)\n", a->scenario->name,
                a->scenario->summary, net_sandbox_name(kind));

    struct scenario_thread st = {.scenario = a->scenario};
    st.ctx.probe = probe;
    st.ctx.port = NET_DEFAULT_PORT;
    st.ctx.stop = stop;
    pthread_t thread;
    if (pthread_create(&thread, NULL, run_scenario, &st) != 0) {
        cli_error("demo: cannot start the scenario thread: %s", strerror(errno));
        return EXIT_RUNTIME;
    }

    uint64_t merge_drops = 0, finished_at = 0;
    struct pollfd pfd[2] = {{.fd = capture_live_wake_fd(cap), .events = POLLIN},
                            {.fd = probe_wake_fd(probe), .events = POLLIN}};
    for (;;) {
        poll(pfd, 2, 10);
        drain_fd(pfd[0].fd);
        drain_fd(pfd[1].fd);
        uint64_t now = now_ns();
        timeline_feed_pump(merge, cap, probe, timeline_feed_horizon(probe, now), draw, &s,
                           &merge_drops);
        out_flush(o);
        if (!finished_at && (atomic_load(&st.done) || atomic_load(stop)))
            finished_at = now;
        if (finished_at && (now - finished_at > TIMELINE_FEED_TAIL_NS || atomic_load(stop)))
            break;
        if (o->failed)
            break;
    }
    atomic_store(stop, true);
    pthread_join(thread, NULL);
    capture_live_stop(cap);
    timeline_feed_pump(merge, cap, probe, UINT64_MAX, draw, &s, &merge_drops);
    if (s.text) {
        export_text_finish(s.text);
        export_text_free(s.text);
    }
    out_flush(o);

    struct capture_live_stats cs;
    capture_live_stats(cap, &cs);
    uint64_t api_dropped = probe_dropped(probe);
    if (cs.kernel_dropped || cs.ring_dropped || api_dropped || merge_drops)
        fprintf(stderr, "sockscope: demo: lost %llu frames in the kernel, %llu in the ring, "
                        "%llu API events, %llu in the merge\n",
                (unsigned long long)cs.kernel_dropped, (unsigned long long)cs.ring_dropped,
                (unsigned long long)api_dropped, (unsigned long long)merge_drops);
    if (a->write_path)
        fprintf(stderr, "sockscope: demo: capture saved to %s (%llu frames)\n", a->write_path,
                (unsigned long long)cs.frames);

    int status = EXIT_OK;
    if (o->failed) {
        cli_error("demo: cannot write the output");
        status = EXIT_RUNTIME;
    } else if (cli_stopped_by_signal()) {
        cli_error("demo: interrupted");
        status = EXIT_RUNTIME;
    } else if (st.result != 0) {
        cli_error("demo: scenario '%s' failed: %s", a->scenario->name, st.ctx.err);
        status = EXIT_RUNTIME;
    }
    capture_live_close(cap);
    probe_free(probe);
    timeline_merge_free(merge);
    track_free(tracker);
    free(o);
    return status;
}

/* ---- the TUI: one run after another in the same namespace ---- */

/* One run of a scenario: its capture (into its own file), probe, store, feed and thread. */
struct demo_run {
    const struct scenario *scenario;
    char name[80]; /* the status bar's "demo tcp" */
    struct cli_temp_capture temp;
    const char *path; /* the capture file: -w's, or the temporary one */
    struct capture_live *cap;
    struct probe *probe;
    struct timeline_store *store;
    struct timeline_feed *feed;
    pthread_t thread;
    bool thread_started;
    atomic_bool stop; /* the screen quit, or r: the scenario's calls return at once */
    struct scenario_context ctx;
    char failed[400]; /* set by the scenario's thread when it failed on its own */
};

struct demo_tui {
    struct demo_args *args;
    const char *bpf; /* "" in the namespace; the port filter on the host's loopback */
    bool sandboxed;
    struct demo_run *run;
    const char **names, **summaries;
    size_t count;
};

/* The scenario's thread: when it returns, the feed takes the tail and finishes the store. */
static void *run_thread(void *arg)
{
    struct demo_run *r = arg;
    if (r->scenario->run(&r->ctx) != 0 && !atomic_load(&r->stop))
        snprintf(r->failed, sizeof r->failed, "scenario '%s' failed: %s", r->scenario->name,
                 r->ctx.err);
    timeline_feed_end(r->feed, TIMELINE_FEED_TAIL_NS, r->failed);
    return NULL;
}

/* Ends the scenario (at once) and the feed, and closes the capture so its file is complete
 * and another run can write one; the store stays, finished, for the screen. */
static void run_stop(struct demo_run *r)
{
    atomic_store(&r->stop, true);
    if (r->thread_started) pthread_join(r->thread, NULL);
    r->thread_started = false;
    timeline_feed_stop(r->feed);
    capture_live_close(r->cap);
    r->cap = NULL;
}

static void run_free(struct demo_run *r)
{
    if (!r) return;
    run_stop(r);
    timeline_feed_free(r->feed);
    probe_free(r->probe);
    timeline_store_free(r->store);
    cli_temp_capture_close(&r->temp);
    free(r);
}

static int run_start(struct demo_tui *t, const struct scenario *sc, struct demo_run **out,
                     char *err, size_t errlen)
{
    *out = NULL;
    struct demo_run *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    r->temp.fd = -1;
    r->scenario = sc;
    snprintf(r->name, sizeof r->name, "demo %s%s", sc->name,
             t->sandboxed ? "" : " (host loopback)");
    r->path = t->args->write_path;
    if (!r->path) {
        if (cli_temp_capture_open(&r->temp, err, errlen) != 0) goto fail;
        r->path = r->temp.path;
    }
    if (open_capture(t->bpf, r->path, &r->cap, err, errlen) != STATUS_OK) goto fail;
    r->probe = probe_new(8192);
    r->store = timeline_store_new();
    if (!r->probe || !r->store) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    /* clients on the left, the server on the right, as textbooks draw them */
    for (int i = 0; i < sc->clients; i++)
        timeline_store_reserve_lane(r->store, ROLE_CLIENT);
    timeline_store_reserve_lane(r->store, ROLE_SERVER);
    struct timeline_feed_options fo = {.store = r->store, .capture = r->cap, .probe = r->probe};
    if (timeline_feed_start(&fo, &r->feed, err, errlen) != STATUS_OK) goto fail;
    r->ctx.probe = r->probe;
    r->ctx.port = NET_DEFAULT_PORT;
    r->ctx.stop = &r->stop;
    /* the screen takes SIGINT and SIGTERM; the scenario's threads take none */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&r->thread, NULL, run_thread, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the scenario thread: %s", strerror(rc));
        goto fail;
    }
    r->thread_started = true;
    *out = r;
    return STATUS_OK;
fail:
    run_free(r);
    return STATUS_E_RUNTIME;
}

static void demo_stats(void *ctx, struct tui_live_stats *out)
{
    struct demo_tui *t = ctx;
    struct timeline_feed_counts n;
    timeline_feed_counts(t->run->feed, &n);
    *out = (struct tui_live_stats){.frames = n.frames,
                                   .kernel_dropped = n.kernel_dropped,
                                   .ring_dropped = n.ring_dropped,
                                   .calls_dropped = n.calls_dropped + n.merge_dropped};
}

/* r and the scenario menu: the old run ends before the new one starts capturing, so none of
 * its packets lands in the new diagram. */
static int demo_rerun(void *ctx, struct tui_source *src, const char *scenario, char *err,
                      size_t errlen)
{
    struct demo_tui *t = ctx;
    const struct scenario *sc = scenario ? net_scenario_find(scenario) : t->run->scenario;
    if (!sc) {
        snprintf(err, errlen, "no scenario named '%s'", scenario);
        return STATUS_E_BAD_INPUT;
    }
    run_stop(t->run);
    struct demo_run *next;
    int rc = run_start(t, sc, &next, err, errlen);
    if (rc != STATUS_OK) return rc; /* the old run's store stays on screen */
    run_free(t->run);
    t->run = next;
    src->store = next->store;
    src->name = next->name;
    src->path = next->path;
    return STATUS_OK;
}

static int demo_tui(struct demo_args *a, bool sandboxed, const char *bpf)
{
    char err[1024];
    struct demo_tui t = {.args = a, .bpf = bpf, .sandboxed = sandboxed};
    const struct scenario *all = net_scenarios(&t.count);
    t.names = calloc(t.count, sizeof *t.names);
    t.summaries = calloc(t.count, sizeof *t.summaries);
    if (!t.names || !t.summaries) {
        cli_error("demo: out of memory");
        return EXIT_RUNTIME;
    }
    for (size_t i = 0; i < t.count; i++) {
        t.names[i] = all[i].name;
        t.summaries[i] = all[i].summary;
    }
    int rc = run_start(&t, a->scenario, &t.run, err, sizeof err);
    if (rc == STATUS_OK) {
        struct tui_source src = {.name = t.run->name,
                                 .path = t.run->path,
                                 .store = t.run->store,
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
    if (t.run) {
        run_stop(t.run);
        /* a run cut short by q is no failure; one that failed on its own is */
        if (t.run->failed[0]) {
            cli_error("demo: %s", t.run->failed);
            status = EXIT_RUNTIME;
        }
        struct timeline_feed_counts n;
        timeline_feed_counts(t.run->feed, &n);
        if (n.kernel_dropped || n.ring_dropped || n.calls_dropped || n.merge_dropped)
            fprintf(stderr, "sockscope: demo: lost %llu frames in the kernel, %llu in the ring, "
                            "%llu API events, %llu in the merge\n",
                    (unsigned long long)n.kernel_dropped, (unsigned long long)n.ring_dropped,
                    (unsigned long long)n.calls_dropped, (unsigned long long)n.merge_dropped);
        if (a->write_path)
            fprintf(stderr, "sockscope: demo: capture of '%s' saved to %s (%llu frames)\n",
                    t.run->scenario->name, a->write_path, (unsigned long long)n.frames);
        run_free(t.run);
    }
    free(t.names);
    free(t.summaries);
    return status;
}

int cli_demo(int argc, char **argv)
{
    struct demo_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc < 0)
        return EXIT_OK;
    if (rc)
        return rc;

    /* The namespace first: unshare needs a single-threaded process. */
    char err[1024];
    enum sandbox_kind kind = SANDBOX_NONE;
    bool sandboxed = net_sandbox_enter(&kind, err, sizeof err) == 0;
    if (!sandboxed)
        fprintf(stderr, "sockscope: demo: no private network namespace: %s\n"
                        "sockscope: demo: falling back to this machine's loopback, port %d "
                        "only\n", err, NET_DEFAULT_PORT);

    char bpf[128] = "";
    if (!sandboxed)
        snprintf(bpf, sizeof bpf, "port %d or port %d or icmp or icmp6", NET_DEFAULT_PORT,
                 NET_DEFAULT_PORT + 1);
    return a.use_tui ? demo_tui(&a, sandboxed, bpf) : demo_stream(&a, kind, bpf);
}
