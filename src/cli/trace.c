/* `sockscope trace FILE [BPF...]`: read → decode → track → (layout) → export, streaming.
 * The text diagram reads the file twice: a quick planning pass decides the lifelines (so the
 * header can name them all up front), then the drawing pass. JSON needs one pass. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sockscope/capture.h"
#include "sockscope/decode.h"
#include "sockscope/export.h"
#include "sockscope/timeline.h"
#include "sockscope/track.h"
#include "sockscope/view.h"
#include "trace_pipeline.h"

#define MAX_FLOW_FILTERS 64

static const char trace_usage[] =
    "usage: sockscope trace [OPTIONS] FILE [BPF EXPRESSION...]\n"
    "\n"
    "Prints the sequence diagram of a pcap or pcapng capture: one lifeline per ip:port,\n"
    "one arrow per packet, TCP states of both ends, analysis marks in words.\n"
    "\n"
    "options:\n"
    "  -r FILE               the capture to read (or give FILE as the first word)\n"
    "  --format text|json    text diagram (default) or JSON Lines, one object per frame\n"
    "  --time rel|abs|delta  time column: since the first frame (default), wall clock,\n"
    "                        or since the previous frame\n"
    "  --flow N              only stream N (repeatable); tcp:N or udp:N to be precise\n"
    "  --raw                 raw sequence and acknowledgement numbers (default: relative)\n"
    "  --stats               after the diagram, per-conversation statistics: bytes each way,\n"
    "                        throughput, RTT min/avg/max, resends, dup ACKs, segments per ACK,\n"
    "                        smallest window (JSON: one {\"kind\":\"flow\"} record each)\n"
    "  --number              a frame-number column before the time (the numbers tshark shows)\n"
    "  --ascii               pure ASCII drawing (automatic when the locale is not UTF-8)\n"
    "  --width N             columns of the diagram (default: the terminal's, or 100)\n"
    "  --color, --no-color   force colour on or off (default: on for a terminal, off when\n"
    "                        NO_COLOR is set or output is not a terminal)\n"
    "  -c COUNT              stop after COUNT frames\n"
    "  -h, --help            this text\n"
    "\n"
    "BPF EXPRESSION: a tcpdump filter (e.g. 'tcp port 12000'); frame numbers stay those of\n"
    "the file.\n"
    "\n"
    "Exit status: 0 ok (a truncated last record is a warning), 1 runtime failure,\n"
    "2 usage error or bad input (missing or non-capture file, unsupported link type,\n"
    "invalid filter).\n";

struct flow_filter {
    int proto; /* 0 any, PROTO_TCP, PROTO_UDP */
    uint32_t stream;
};

struct trace_args {
    const char *file;
    char *bpf;
    bool json;
    struct export_options exp;
    struct flow_filter flows[MAX_FLOW_FILTERS];
    int flow_count;
    long count; /* 0: all */
    bool stats;
};

static bool parse_flow(const char *s, struct flow_filter *f)
{
    long n;
    f->proto = 0;
    if (!strncmp(s, "tcp:", 4)) {
        f->proto = PROTO_TCP;
        s += 4;
    } else if (!strncmp(s, "udp:", 4)) {
        f->proto = PROTO_UDP;
        s += 4;
    }
    if (!cli_parse_long(s, 0, UINT32_MAX, &n)) return false;
    f->stream = (uint32_t)n;
    return true;
}

static int parse_args(int argc, char **argv, struct trace_args *a)
{
    enum { OPT_FLOW = 256, OPT_STATS };
    static const struct option longopts[] = {
        CLI_DIAGRAM_LONGOPTS,
        {"flow", required_argument, 0, OPT_FLOW},
        {"stats", no_argument, 0, OPT_STATS},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };

    struct cli_diagram d;
    memset(a, 0, sizeof *a);
    cli_diagram_init(&d);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "hr:c:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(trace_usage, stdout);
            return -1;
        case 'r':
            a->file = optarg;
            break;
        case 'c':
            if (!cli_parse_long(optarg, 1, INT64_MAX, &a->count)) {
                cli_error("trace: -c wants a positive number of frames, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_STATS:
            a->stats = true;
            break;
        case OPT_FLOW:
            if (a->flow_count == MAX_FLOW_FILTERS) {
                cli_error("trace: at most %d --flow options", MAX_FLOW_FILTERS);
                return EXIT_USAGE;
            }
            if (!parse_flow(optarg, &a->flows[a->flow_count++])) {
                cli_error("trace: --flow wants a stream number (N, tcp:N or udp:N), not '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        default:
            switch (cli_diagram_option("trace", c, optarg, &d)) {
            case 1:
                continue;
            case -1:
                return EXIT_USAGE;
            default:
                break;
            }
            cli_option_error("trace", "rc", argv);
            return EXIT_USAGE;
        }
    }
    if (!a->file) {
        if (optind >= argc) {
            cli_error("trace: which capture? usage: sockscope trace FILE [BPF...]");
            return EXIT_USAGE;
        }
        a->file = argv[optind++];
    }
    if (optind < argc && !(a->bpf = cli_join_words(argc - optind, argv + optind))) {
        cli_error("trace: out of memory");
        return EXIT_RUNTIME;
    }
    cli_diagram_finish(&d);
    a->json = d.json;
    a->exp = d.exp;
    return 0;
}

static bool flow_selected(const struct trace_args *a, const struct track_info *ti)
{
    if (!a->flow_count) return true;
    if (!ti->has_flow) return false;
    for (int i = 0; i < a->flow_count; i++)
        if (a->flows[i].stream == ti->stream &&
            (!a->flows[i].proto || a->flows[i].proto == (int)ti->flow_proto))
            return true;
    return false;
}

/* One pass over the capture: every frame goes through decode and track; frames that pass
 * the filters reach the callback. With `threaded` and a mapped capture, the callback runs on
 * a second thread (trace_pipeline.c) while this one reads, decodes and tracks; *stop is then
 * read only by that thread. Returns an exit code. */
static int run_pass(const struct trace_args *a, trace_frame_fn fn, void *ctx, bool report,
                    bool *stop, bool threaded)
{
    char err[512];
    struct timeline_pass *pass;
    int rc = timeline_pass_open(a->file, a->bpf, &pass, err, sizeof err);
    if (rc != STATUS_OK) {
        cli_error("%s", err);
        return rc == STATUS_E_BAD_INPUT ? EXIT_USAGE : EXIT_RUNTIME;
    }
    struct capture_file *cf = timeline_pass_file(pass);
    struct trace_pipe *pipe = NULL;
    if (threaded && capture_file_keep_frames(cf)) pipe = trace_pipe_start(fn, ctx, stop);
    struct capture_frame fr;
    struct trace_rec local, *r = &local;
    long shown = 0, frames_read = 0;
    for (;;) {
        if (pipe ? trace_pipe_stopped(pipe) : stop && *stop) break;
        if (frames_read && frames_read % 1024 == 0) {
            /* pages of frames nobody uses any more leave resident memory */
            const uint8_t *oldest = pipe ? trace_pipe_oldest(pipe) : NULL;
            capture_file_release_before(cf, oldest ? oldest : local.frame);
        }
        if (pipe) r = trace_pipe_slot(pipe);
        rc = timeline_pass_next(pass, &fr, &r->pkt, &r->info, err, sizeof err);
        if (rc <= 0) break;
        frames_read++;
        r->frame = local.frame = fr.data;
        r->number = fr.number;
        if (!flow_selected(a, &r->info)) continue;
        if (pipe) {
            trace_pipe_push(pipe);
        } else {
            struct export_frame ef = {.number = fr.number, .pkt = &r->pkt, .info = &r->info};
            fn(ctx, &ef);
        }
        if (a->count && ++shown >= a->count) break;
    }
    if (pipe) trace_pipe_finish(pipe);
    /* Reported once every frame before it has been written, as the single loop did. */
    int status = EXIT_OK;
    if (capture_file_changed(cf)) {
        /* not a file that ends short but one cut while read: a runtime failure */
        cli_error("%s: %s", a->file, err);
        status = EXIT_RUNTIME;
    } else if (rc < 0 && report) {
        if (frames_read == 0) {
            cli_error("%s: no readable frame: %s", a->file, err);
            status = EXIT_USAGE;
        } else {
            cli_note("warning: %s: %s; everything before it is shown", a->file, err);
        }
    }
    timeline_pass_close(pass);
    return status;
}

static void json_frame(void *ctx, const struct export_frame *f)
{
    export_json_frame(ctx, f);
}

/* --stats: every frame the diagram shows is counted too, on the thread that writes it. */
struct with_stats {
    trace_frame_fn fn;
    void *ctx;
    struct track_summary *summary;
    uint64_t first_ns;
    bool any, out_of_memory;
};

static void stats_frame(void *ctx, const struct export_frame *f)
{
    struct with_stats *w = ctx;
    if (!w->any || f->pkt->ts_ns < w->first_ns) w->first_ns = f->pkt->ts_ns;
    w->any = true;
    if (!track_summary_feed(w->summary, f->pkt, f->info)) w->out_of_memory = true;
    w->fn(w->ctx, f);
}

struct plan {
    struct lifelines *lanes;
    bool full;
};

static void plan_frame(void *ctx, const struct export_frame *f)
{
    struct plan *p = ctx;
    const struct track_info *ti = f->info;
    if (!ti->has_flow) return;
    if (!lifelines_note(p->lanes, &ti->client, ROLE_CLIENT) ||
        !lifelines_note(p->lanes, &ti->server, ROLE_SERVER))
        p->full = true;
}

static void text_frame(void *ctx, const struct export_frame *f)
{
    export_text_frame(ctx, f);
}

int cli_trace(int argc, char **argv)
{
    struct trace_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc < 0) return EXIT_OK;
    if (rc) return rc;

    struct out *o = malloc(sizeof *o);
    if (!o) {
        cli_error("out of memory");
        free(a.bpf);
        return EXIT_RUNTIME;
    }
    out_init(o, stdout);
    struct with_stats ws = {0};
    if (a.stats && !(ws.summary = track_summary_new())) {
        cli_error("out of memory");
        free(o);
        free(a.bpf);
        return EXIT_RUNTIME;
    }
    if (a.json) {
        ws.fn = json_frame;
        ws.ctx = o;
        rc = a.stats ? run_pass(&a, stats_frame, &ws, true, &o->failed, true)
                     : run_pass(&a, json_frame, o, true, &o->failed, true);
        if (rc == EXIT_OK && a.stats) export_stats_json(o, ws.summary);
    } else {
        struct lifelines lanes;
        lifelines_init(&lanes, export_text_max_lanes(&a.exp));
        struct plan plan = {.lanes = &lanes};
        rc = run_pass(&a, plan_frame, &plan, false, &plan.full, false);
        if (rc == EXIT_OK) {
            if (plan.full) {
                /* More endpoints than lanes: lanes are handed out as endpoints appear. */
                int cap = lanes.capacity;
                lifelines_init(&lanes, cap);
                lanes.dynamic = true;
            } else {
                lifelines_arrange(&lanes);
            }
            struct text_export *t = export_text_new(o, &a.exp, &lanes);
            ws.fn = text_frame;
            ws.ctx = t;
            rc = a.stats ? run_pass(&a, stats_frame, &ws, true, &o->failed, true)
                         : run_pass(&a, text_frame, t, true, &o->failed, true);
            if (rc == EXIT_OK) export_text_finish(t);
            if (rc == EXIT_OK && a.stats) export_stats_text(o, ws.summary, ws.first_ns);
            export_text_free(t);
        }
    }
    if (ws.out_of_memory && rc == EXIT_OK) {
        cli_error("trace: out of memory counting the conversations: --stats is incomplete");
        rc = EXIT_RUNTIME;
    }
    track_summary_free(ws.summary);
    out_flush(o);
    if (o->failed && rc == EXIT_OK) {
        cli_error("trace: cannot write the output");
        rc = EXIT_RUNTIME;
    }
    free(o);
    free(a.bpf);
    return rc;
}
