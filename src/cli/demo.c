/* `sockscope demo [SCENARIO]`: the main job. Runs the built-in client and server of a
 * scenario in a private network namespace while a capture thread watches its loopback, and
 * streams the diagram: socket API calls on their lifelines, packets as arrows, in time order.
 * Wiring only: sandbox and scenarios live in net/, the capture thread in capture/, the merge
 * in timeline/, drawing in view/ and export/. */
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
#include "sockscope/net.h"
#include "sockscope/timeline.h"
#include "sockscope/track.h"
#include "sockscope/view.h"

/* API events reach the merge a little after the packets they caused; hold everything this
 * long so both leave in time order. */
#define HOLD_BACK_NS (40 * 1000000ull)
/* After the scenario returns: the last ACK and any retransmission still on their way. */
#define TAIL_NS (150 * 1000000ull)

static const char demo_usage[] =
    "usage: sockscope demo [OPTIONS] [SCENARIO]\n"
    "\n"
    "Runs a built-in TCP/UDP client and server in a private network namespace (no root\n"
    "needed), captures their loopback, and draws what happens: socket API calls on each\n"
    "lifeline and the packets they cause. Default scenario: tcp.\n"
    "\n"
    "options:\n"
    "  --list                the scenarios, one line each\n"
    "  --text                stream the text diagram (the default for now)\n"
    "  --format text|json    text diagram or JSON Lines (packets and API calls)\n"
    "  -w FILE               also save the capture as a pcap file\n"
    "  --time rel|abs|delta  time column (default: since the first event)\n"
    "  --raw                 raw sequence numbers\n"
    "  --ascii               pure ASCII drawing (automatic when the locale is not UTF-8)\n"
    "  --width N             columns (default: the terminal's, or 100)\n"
    "  --color, --no-color   force colour on or off\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit status: 0 ok, 1 the scenario or the capture failed, 2 usage error.\n";

struct demo_args {
    const struct scenario *scenario;
    bool json;
    const char *write_path;
    struct export_options exp;
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
        {"list", no_argument, 0, OPT_LIST},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int c;

    struct cli_diagram d;
    memset(a, 0, sizeof *a);
    cli_diagram_init(&d);
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
            switch (cli_diagram_option("demo", c, optarg, &d)) {
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

/* Everything the main loop draws with. */
struct session {
    struct demo_args *args;
    struct out *o;
    struct tracker *tracker;
    struct text_export *text;
    int linktype;
    uint64_t frames;
};

static void draw(struct session *s, const struct timeline_item *it)
{
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

/* Moves what the capture thread and the probe have into the merge, then draws what is older
 * than the horizon. When the merge is full, its oldest items are drawn early to make room;
 * only an item bigger than the whole merge is counted as lost. */
static void pump(struct session *s, struct capture_live *cap, struct probe *probe,
                 struct timeline_merge *m, uint64_t horizon, uint64_t *merge_drops)
{
    struct capture_frame fr;
    struct api_event ev;
    struct timeline_item it;
    bool moved = true;
    while (moved) {
        moved = false;
        while (capture_live_next(cap, &fr) == 1) {
            moved = true;
            while (!timeline_merge_push_frame(m, &fr)) {
                if (!timeline_merge_pop(m, UINT64_MAX, &it)) {
                    (*merge_drops)++;
                    break;
                }
                draw(s, &it);
            }
        }
        while (probe_pop(probe, &ev)) {
            moved = true;
            while (!timeline_merge_push_api(m, &ev)) {
                if (!timeline_merge_pop(m, UINT64_MAX, &it)) {
                    (*merge_drops)++;
                    break;
                }
                draw(s, &it);
            }
        }
    }
    while (timeline_merge_pop(m, horizon, &it))
        draw(s, &it);
    out_flush(s->o);
}

static void drain_fd(int fd)
{
    uint64_t junk;
    if (fd >= 0)
        while (read(fd, &junk, sizeof junk) > 0) {
        }
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

    /* A closed stdout ends the demo as it ends trace: SIGPIPE stays fatal. */
    atomic_bool *stop = cli_stop_on_signals(false);

    char bpf[128] = "";
    if (!sandboxed)
        snprintf(bpf, sizeof bpf, "port %d or port %d or icmp or icmp6", NET_DEFAULT_PORT,
                 NET_DEFAULT_PORT + 1);
    struct capture_live_options copt = {.device = "lo", .bpf = bpf,
                                        .write_path = a.write_path};
    struct capture_live *cap = NULL;
    rc = capture_live_open(&copt, &cap, err, sizeof err);
    if (rc != CAPTURE_OK) {
        cli_error("demo: %s", err);
        return rc == CAPTURE_E_BAD_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
    }
    if (capture_live_start(cap, err, sizeof err) != 0 ||
        capture_live_wait_ready(cap, 3000, err, sizeof err) != 0) {
        cli_error("demo: %s", err);
        capture_live_close(cap);
        return EXIT_RUNTIME;
    }

    struct probe *probe = probe_new(8192);
    struct timeline_merge *merge = timeline_merge_new(16384, 64u << 20);
    struct out *o = malloc(sizeof *o);
    struct tracker *tracker = track_new();
    struct view_lanes lanes;
    if (!probe || !merge || !o || !tracker) {
        cli_error("demo: out of memory");
        return EXIT_RUNTIME;
    }
    out_init(o, stdout);
    /* clients on the left, the server on the right, as textbooks draw them */
    view_lanes_init(&lanes, export_text_max_lanes(&a.exp));
    lanes.dynamic = true;
    for (int i = 0; i < a.scenario->clients; i++)
        view_lanes_reserve(&lanes, ROLE_CLIENT);
    view_lanes_reserve(&lanes, ROLE_SERVER);
    struct session s = {.args = &a, .o = o, .tracker = tracker,
                        .linktype = capture_live_linktype(cap)};
    if (!a.json)
        s.text = export_text_new(o, &a.exp, &lanes);

    if (!a.json)
        fprintf(stderr, "sockscope: demo '%s': %s (%s)\n", a.scenario->name,
                a.scenario->summary, net_sandbox_name(kind));

    struct scenario_thread st = {.scenario = a.scenario};
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
        uint64_t horizon = now - HOLD_BACK_NS, held = probe_oldest_held(probe);
        pump(&s, cap, probe, merge, held < horizon ? held : horizon, &merge_drops);
        if (!finished_at && (atomic_load(&st.done) || atomic_load(stop)))
            finished_at = now;
        if (finished_at && (now - finished_at > TAIL_NS || atomic_load(stop)))
            break;
        if (o->failed)
            break;
    }
    atomic_store(stop, true);
    pthread_join(thread, NULL);
    capture_live_stop(cap);
    pump(&s, cap, probe, merge, UINT64_MAX, &merge_drops);
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
    if (a.write_path)
        fprintf(stderr, "sockscope: demo: capture saved to %s (%llu frames)\n", a.write_path,
                (unsigned long long)cs.frames);

    int status = EXIT_OK;
    if (o->failed) {
        cli_error("demo: cannot write the output");
        status = EXIT_RUNTIME;
    } else if (cli_stopped_by_signal()) {
        cli_error("demo: interrupted");
        status = EXIT_RUNTIME;
    } else if (st.result != 0) {
        cli_error("demo: scenario '%s' failed: %s", a.scenario->name, st.ctx.err);
        status = EXIT_RUNTIME;
    }
    capture_live_close(cap);
    probe_free(probe);
    timeline_merge_free(merge);
    track_free(tracker);
    free(o);
    return status;
}
