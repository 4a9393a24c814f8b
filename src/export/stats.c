/* `trace --stats`: the per-conversation numbers of track's summary, as a table (one row per
 * direction, like tshark -z conv but with what a lab computes: throughput, RTT, resends,
 * segments per ACK, the smallest window) or as JSON Lines records {"kind":"flow",...}. */
#include <stdio.h>
#include <string.h>

#include "sockscope/export.h"

static double seconds(uint64_t ns)
{
    return (double)ns / 1e9;
}

/* Acknowledged data bytes per second of this direction, or -1 when it cannot be said (no
 * data, no ACK of it, or no time between them). */
static double throughput(const struct track_dir_summary *d)
{
    uint64_t bytes = track_dir_acked_bytes(d);
    if (!bytes || d->last_ack_ns <= d->first_data_ns) return -1;
    return (double)bytes / seconds(d->last_ack_ns - d->first_data_ns);
}

static void rate_text(double bps, char *buf, size_t size)
{
    static const char *const units[] = {"B/s", "kB/s", "MB/s", "GB/s"};
    int u = 0;
    while (bps >= 1000 && u < 3) {
        bps /= 1000;
        u++;
    }
    snprintf(buf, size, "%.1f %s", bps, units[u]);
}

static void text_row(struct out *o, const struct track_flow_summary *f, int dir, uint64_t base)
{
    const struct track_dir_summary *d = &f->dir[dir];
    const struct endpoint *from = dir == ROLE_CLIENT ? &f->client : &f->server;
    const struct endpoint *to = dir == ROLE_CLIENT ? &f->server : &f->client;
    char a[64], b[64], line[512], first[32] = "-", last[32] = "-", rate[32] = "-";
    char rtt[64] = "-", ratio[16] = "-", win[24] = "-";
    endpoint_format(from, a, sizeof a);
    endpoint_format(to, b, sizeof b);
    if (d->has_data) snprintf(first, sizeof first, "%.6f", seconds(d->first_data_ns - base));
    bool tcp = f->proto == PROTO_TCP;
    if (tcp && d->acked) snprintf(last, sizeof last, "%.6f", seconds(d->last_ack_ns - base));
    double bps = tcp ? throughput(d) : -1;
    if (bps >= 0) rate_text(bps, rate, sizeof rate);
    if (d->rtt_samples)
        snprintf(rtt, sizeof rtt, "%.3f/%.3f/%.3f", (double)d->rtt_min_ns / 1e6,
                 (double)d->rtt_sum_ns / (double)d->rtt_samples / 1e6, (double)d->rtt_max_ns / 1e6);
    if (tcp && d->acks_of_data)
        snprintf(ratio, sizeof ratio, "%.2f", (double)d->data_segments / (double)d->acks_of_data);
    const struct track_dir_summary *peer = &f->dir[!dir];
    if (tcp && peer->min_window >= 0)
        snprintf(win, sizeof win, "%lld", (long long)peer->min_window);
    char name[16];
    snprintf(name, sizeof name, "%s:%u", tcp ? "tcp" : "udp", f->stream);
    if (tcp)
        snprintf(line, sizeof line,
                 "%-8s %21s -> %-21s %9llu %9llu %6llu %11s %11s %12s %21s %5llu %6llu %8s %9s\n",
                 dir == ROLE_CLIENT ? name : "", a, b, (unsigned long long)d->payload_bytes,
                 (unsigned long long)track_dir_acked_bytes(d), (unsigned long long)d->data_segments,
                 first, last, rate, rtt, (unsigned long long)d->retransmissions,
                 (unsigned long long)peer->dup_acks_sent, ratio, win);
    else {
        if (d->has_data) snprintf(last, sizeof last, "%.6f", seconds(d->last_data_ns - base));
        snprintf(line, sizeof line, "%-8s %21s -> %-21s %9llu %9llu %11s %11s\n",
                 dir == ROLE_CLIENT ? name : "", a, b, (unsigned long long)d->payload_bytes,
                 (unsigned long long)d->data_segments, first, last);
    }
    out_str(o, line);
}

void export_stats_text(struct out *o, const struct track_summary *s, uint64_t base_ns)
{
    uint32_t n = track_summary_count(s);
    for (int pass = 0; pass < 2; pass++) {
        enum packet_proto proto = pass == 0 ? PROTO_TCP : PROTO_UDP;
        uint32_t flows = 0;
        for (uint32_t i = 0; i < n; i++)
            flows += track_summary_flow(s, i)->proto == proto;
        if (!flows) continue;
        char line[512];
        if (proto == PROTO_TCP) {
            snprintf(line, sizeof line,
                     "\nTCP conversations: %u (one row per direction; times in seconds since the "
                     "first frame)\n%-8s %21s    %-21s %9s %9s %6s %11s %11s %12s %21s %5s %6s %8s "
                     "%9s\n",
                     flows, "stream", "from", "to", "bytes", "acked", "segs", "first data",
                     "last ACK", "throughput", "RTT min/avg/max ms", "retr", "dupACK", "segs/ACK",
                     "min win");
        } else {
            snprintf(line, sizeof line,
                     "\nUDP conversations: %u\n%-8s %21s    %-21s %9s %9s %11s %11s\n", flows,
                     "stream", "from", "to", "bytes", "datagrams", "first", "last");
        }
        out_str(o, line);
        for (uint32_t i = 0; i < n; i++) {
            const struct track_flow_summary *f = track_summary_flow(s, i);
            if (f->proto != proto) continue;
            text_row(o, f, ROLE_CLIENT, base_ns);
            text_row(o, f, ROLE_SERVER, base_ns);
        }
        if (proto == PROTO_TCP)
            out_str(o,
                    "bytes: payload sent (resends count again); acked: data bytes the other side "
                    "acknowledged;\n"
                    "throughput = acked / (last ACK - first data); RTT: SampleRTTs of this "
                    "direction's data (Karn's rule);\n"
                    "retr: resent segments; dupACK: duplicate ACKs the other side sent; segs/ACK: "
                    "data segments per ACK of new data;\n"
                    "min win: the smallest window the receiver advertised (scaled).\n");
    }
}

static void json_time(struct out *o, const char *key, bool known, uint64_t ns)
{
    out_str(o, key);
    if (!known) {
        out_str(o, "null");
        return;
    }
    out_char(o, '"');
    out_timestamp(o, ns);
    out_char(o, '"');
}

static void json_number(struct out *o, const char *key, double v, const char *fmt)
{
    char buf[48];
    out_str(o, key);
    if (v < 0) {
        out_str(o, "null");
        return;
    }
    snprintf(buf, sizeof buf, fmt, v);
    out_str(o, buf);
}

static void json_dir(struct out *o, const struct track_flow_summary *f, int dir)
{
    const struct track_dir_summary *d = &f->dir[dir], *peer = &f->dir[!dir];
    bool tcp = f->proto == PROTO_TCP;
    out_str(o, "{\"packets\":");
    out_u64(o, d->packets);
    out_str(o, ",\"data_segments\":");
    out_u64(o, d->data_segments);
    out_str(o, ",\"payload_bytes\":");
    out_u64(o, d->payload_bytes);
    json_time(o, ",\"first_data\":", d->has_data, d->first_data_ns);
    json_time(o, ",\"last_data\":", d->has_data, d->last_data_ns);
    if (tcp) {
        out_str(o, ",\"acked_bytes\":");
        out_u64(o, track_dir_acked_bytes(d));
        json_time(o, ",\"last_ack\":", d->acked, d->last_ack_ns);
        json_number(o, ",\"throughput\":", throughput(d), "%.1f");
        out_str(o, ",\"retransmissions\":");
        out_u64(o, d->retransmissions);
        out_str(o, ",\"fast_retransmissions\":");
        out_u64(o, d->fast_retransmissions);
        out_str(o, ",\"dup_acks\":");
        out_u64(o, peer->dup_acks_sent);
        out_str(o, ",\"acks_of_data\":");
        out_u64(o, d->acks_of_data);
        json_number(o, ",\"segments_per_ack\":",
                    d->acks_of_data ? (double)d->data_segments / (double)d->acks_of_data : -1,
                    "%.3f");
        out_str(o, ",\"min_window\":");
        if (peer->min_window >= 0)
            out_i64(o, peer->min_window);
        else
            out_str(o, "null");
        out_str(o, ",\"rtt_samples\":");
        out_u64(o, d->rtt_samples);
        bool r = d->rtt_samples > 0;
        json_number(o, ",\"rtt_min\":", r ? (double)d->rtt_min_ns / 1e9 : -1, "%.9f");
        json_number(o,
                    ",\"rtt_avg\":", r ? (double)d->rtt_sum_ns / (double)d->rtt_samples / 1e9 : -1,
                    "%.9f");
        json_number(o, ",\"rtt_max\":", r ? (double)d->rtt_max_ns / 1e9 : -1, "%.9f");
    }
    out_char(o, '}');
}

void export_stats_json(struct out *o, const struct track_summary *s)
{
    uint32_t n = track_summary_count(s);
    for (uint32_t i = 0; i < n; i++) {
        const struct track_flow_summary *f = track_summary_flow(s, i);
        char a[64], b[64];
        endpoint_format(&f->client, a, sizeof a);
        endpoint_format(&f->server, b, sizeof b);
        out_str(o, "{\"kind\":\"flow\",\"proto\":\"");
        out_str(o, f->proto == PROTO_TCP ? "tcp" : "udp");
        out_str(o, "\",\"stream\":");
        out_u64(o, f->stream);
        out_str(o, ",\"client\":\"");
        out_str(o, a);
        out_str(o, "\",\"server\":\"");
        out_str(o, b);
        out_str(o, "\",\"packets\":");
        out_u64(o, f->packets);
        json_time(o, ",\"first\":", true, f->first_ns);
        json_time(o, ",\"last\":", true, f->last_ns);
        out_str(o, ",\"client_to_server\":");
        json_dir(o, f, ROLE_CLIENT);
        out_str(o, ",\"server_to_client\":");
        json_dir(o, f, ROLE_SERVER);
        out_str(o, "}\n");
    }
}
