/* JSON Lines export: one object per frame, in file order, with the meanings of tshark's
 * fields (tcp.stream, tcp.seq, tcp.window_size, tcp.analysis.*) so the two compare frame by
 * frame. This is the fast path of `trace`: each line is written straight into the output
 * buffer through a pointer (no printf, no strlen), after reserving room for the longest
 * line a frame can make. */
#include "sockscope/export.h"

#include <string.h>
#include <sys/socket.h>


#define JSON_PAYLOAD_PREVIEW 64
/* Longest line: fixed keys (~700) + two IPv6 endpoints twice (quote) + 64 payload bytes
 * escaped as \u00XX (6 each) + the why text (static, < 200). */
#define JSON_LINE_MAX 4096

#define PUT(w, lit) (memcpy((w), (lit), sizeof(lit) - 1), (w) + sizeof(lit) - 1)

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

/* Most numbers in a line fit 32 bits, and 32-bit arithmetic is cheaper: count the digits,
 * then write them backwards in pairs, straight into the line. */
static char *put_u32(char *w, uint32_t v)
{
    int n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5
          : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
    char *end = w + n, *e = end;
    while (v >= 100) {
        uint32_t r = v % 100;
        v /= 100;
        *--e = digit_pairs[2 * r + 1];
        *--e = digit_pairs[2 * r];
    }
    if (v >= 10) {
        *--e = digit_pairs[2 * v + 1];
        *--e = digit_pairs[2 * v];
    } else {
        *--e = (char)('0' + v);
    }
    return end;
}

static char *put_u64(char *w, uint64_t v)
{
    if (v <= UINT32_MAX)
        return put_u32(w, (uint32_t)v);
    char tmp[20];
    int i = 20;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        tmp[--i] = digit_pairs[2 * r + 1];
        tmp[--i] = digit_pairs[2 * r];
    }
    if (v >= 10) {
        tmp[--i] = digit_pairs[2 * v + 1];
        tmp[--i] = digit_pairs[2 * v];
    } else {
        tmp[--i] = (char)('0' + v);
    }
    memcpy(w, tmp + i, (size_t)(20 - i));
    return w + 20 - i;
}

static char *put_i64(char *w, int64_t v)
{
    if (v < 0) {
        *w++ = '-';
        return put_u64(w, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(w, (uint64_t)v);
}

/* "seconds.nnnnnnnnn" */
static char *put_seconds(char *w, uint64_t ns)
{
    w = put_u64(w, ns / 1000000000u);
    uint32_t frac = (uint32_t)(ns % 1000000000u);
    *w++ = '.';
    for (int i = 7; i >= 1; i -= 2, frac /= 100) {
        w[i] = digit_pairs[2 * (frac % 100)];
        w[i + 1] = digit_pairs[2 * (frac % 100) + 1];
    }
    w[0] = (char)('0' + frac);
    return w + 9;
}

static char *put_str(char *w, const char *s)
{
    size_t n = strlen(s);
    memcpy(w, s, n);
    return w + n;
}

/* Bytes that go into a JSON string as they are: printable ASCII but the quote and backslash. */
#define P1(c) ((c) >= 0x20 && (c) < 0x7f && (c) != '"' && (c) != '\\')
#define P4(c) P1(c), P1((c) + 1), P1((c) + 2), P1((c) + 3)
#define P16(c) P4(c), P4((c) + 4), P4((c) + 8), P4((c) + 12)
#define P64(c) P16(c), P16((c) + 16), P16((c) + 32), P16((c) + 48)
static const bool json_plain[256] = {P64(0), P64(64), P64(128), P64(192)};

static char *put_escaped(char *w, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        /* copy the run of plain characters in one go */
        size_t run = i;
        while (run < n && json_plain[s[run]])
            run++;
        if (run > i) {
            memcpy(w, s + i, run - i);
            w += run - i;
            i = run;
            if (i == n)
                break;
        }
        uint8_t c = s[i];
        *w++ = '\\';
        switch (c) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '\n': *w++ = 'n'; break;
        case '\r': *w++ = 'r'; break;
        case '\t': *w++ = 't'; break;
        default:
            w = PUT(w, "u00");
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        }
    }
    return w;
}

/* "127.0.0.1:42410" or "[::1]:12000" (or a bare address without port), quoted */
static char *format_endpoint(char *w, const struct ip_address *a, uint16_t port,
                             bool with_port)
{
    *w++ = '"';
    if (a->family == 4) {
        for (int i = 0; i < 4; i++) {
            if (i)
                *w++ = '.';
            w = put_u64(w, a->bytes[i]);
        }
    } else {
        char buf[64];
        ip_address_format(a, buf, sizeof buf);
        if (with_port)
            *w++ = '[';
        w = put_str(w, buf);
        if (with_port)
            *w++ = ']';
    }
    if (with_port) {
        *w++ = ':';
        w = put_u64(w, port);
    }
    *w++ = '"';
    return w;
}

/* The frames of one conversation repeat the same two endpoints: keep their quoted text in a
 * small direct-mapped cache (per thread: the demo's main thread and trace's writer thread each
 * format on their own). */
#define ENDPOINT_CACHE 64
struct endpoint_text {
    struct ip_address addr;
    uint16_t port;
    bool with_port, valid;
    uint8_t len;
    char text[62]; /* "[ffff:...:ffff]:65535" with quotes fits in 50 */
};
static _Thread_local struct endpoint_text endpoint_cache[ENDPOINT_CACHE];

static char *put_endpoint(char *w, const struct ip_address *a, uint16_t port, bool with_port)
{
    if (a->family != 6) /* a dotted quad is quicker to write than to look up */
        return format_endpoint(w, a, port, with_port);
    uint32_t words[4];
    memcpy(words, a->bytes, sizeof words);
    uint32_t h = (words[0] ^ words[1] ^ words[2] ^ words[3] ^ port) * 2654435761u;
    struct endpoint_text *e = &endpoint_cache[(h >> 16) % ENDPOINT_CACHE];
    size_t alen = 16;
    if (e->valid && e->port == port && e->with_port == with_port &&
        e->addr.family == a->family && !memcmp(e->addr.bytes, a->bytes, alen)) {
        memcpy(w, e->text, e->len);
        return w + e->len;
    }
    char *end = format_endpoint(w, a, port, with_port);
    if ((size_t)(end - w) <= sizeof e->text) {
        memset(&e->addr, 0, sizeof e->addr);
        e->addr.family = a->family;
        memcpy(e->addr.bytes, a->bytes, alen);
        e->port = port;
        e->with_port = with_port;
        e->len = (uint8_t)(end - w);
        memcpy(e->text, w, e->len);
        e->valid = true;
    }
    return end;
}

static char *put_flags(char *w, uint16_t flags)
{
    static const struct {
        uint16_t bit;
        char name[4];
    } order[] = {
        {TCP_SYN, "SYN"}, {TCP_FIN, "FIN"}, {TCP_RST, "RST"}, {TCP_PSH, "PSH"}, {TCP_URG, "URG"},
        {TCP_ACK, "ACK"}, {TCP_ECE, "ECE"}, {TCP_CWR, "CWR"}, {TCP_AE, "AE"},
    };
    char *start = w;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(flags & order[i].bit))
            continue;
        if (w != start)
            *w++ = '+';
        w = put_str(w, order[i].name);
    }
    if (w == start)
        w = PUT(w, "none");
    return w;
}

static char *put_state(char *w, enum tcp_state s)
{
    if (s == TCP_STATE_UNKNOWN)
        return PUT(w, "null");
    *w++ = '"';
    w = put_str(w, track_state_name(s));
    *w++ = '"';
    return w;
}

static const char *proto_name(enum packet_proto p)
{
    switch (p) {
    case PROTO_TCP: return "tcp";
    case PROTO_UDP: return "udp";
    case PROTO_ICMP: return "icmp";
    default: return "other";
    }
}

static const char *status_name(enum packet_status s)
{
    switch (s) {
    case PACKET_OK: return "ok";
    case PACKET_TRUNCATED: return "truncated";
    case PACKET_UNSUPPORTED: return "ok"; /* not ours to decode, nothing wrong with it */
    default: return "malformed";
    }
}

static char *put_tcp(char *w, const struct packet *p, const struct track_info *ti)
{
    w = PUT(w, ",\"flags\":\"");
    w = put_flags(w, p->flags);
    w = PUT(w, "\",\"flags_bits\":");
    w = put_u64(w, p->flags);
    w = PUT(w, ",\"seq\":");
    w = put_u64(w, ti->seq_rel);
    w = PUT(w, ",\"ack\":");
    w = put_u64(w, ti->ack_rel);
    w = PUT(w, ",\"seq_raw\":");
    w = put_u64(w, p->seq);
    w = PUT(w, ",\"ack_raw\":");
    w = put_u64(w, p->ack);
    w = PUT(w, ",\"len\":");
    w = put_u64(w, p->payload_len);
    w = PUT(w, ",\"win\":");
    w = put_i64(w, ti->window);
    if (ti->window_scale_unknown) /* handshake unseen: win is the raw field, as tshark's */
        w = PUT(w, ",\"win_scale_unknown\":true");
    w = PUT(w, ",\"analysis\":[");
    char *first = w;
    for (unsigned i = 0; ti->marks >> i; i++) {
        if (!(ti->marks & (1u << i)))
            continue;
        if (w != first)
            *w++ = ',';
        *w++ = '"';
        w = put_str(w, track_mark_name(i));
        *w++ = '"';
    }
    *w++ = ']';
    if (ti->marks & MARK_DUPLICATE_ACK) {
        w = PUT(w, ",\"dup_ack\":{\"n\":");
        w = put_u64(w, ti->dup_ack_count);
        w = PUT(w, ",\"of\":");
        w = put_u64(w, ti->dup_ack_of_frame);
        *w++ = '}';
    }
    if (ti->ack_rtt_ns >= 0) {
        w = PUT(w, ",\"ack_rtt\":");
        w = put_seconds(w, (uint64_t)ti->ack_rtt_ns);
        w = PUT(w, ",\"acks_frame\":");
        w = put_u64(w, ti->acked_frame);
    } else {
        w = PUT(w, ",\"ack_rtt\":null,\"acks_frame\":null");
    }
    if (ti->rtt.sample_ns >= 0) { /* only where Karn's rule allows a sample */
        w = PUT(w, ",\"sample_rtt\":");
        w = put_seconds(w, (uint64_t)ti->rtt.sample_ns);
        w = PUT(w, ",\"est_rtt\":");
        w = put_seconds(w, (uint64_t)ti->rtt.est_ns);
        w = PUT(w, ",\"dev_rtt\":");
        w = put_seconds(w, (uint64_t)ti->rtt.dev_ns);
        w = PUT(w, ",\"rto_est\":");
        w = put_seconds(w, (uint64_t)ti->rtt.rto_ns);
    }
    w = PUT(w, ",\"state_src\":");
    w = put_state(w, ti->state_src);
    w = PUT(w, ",\"state_dst\":");
    return put_state(w, ti->state_dst);
}

void export_json_frame(struct out *o, const struct export_frame *f)
{
    const struct packet *p = f->pkt;
    const struct track_info *ti = f->info;
    bool ports = p->proto == PROTO_TCP || p->proto == PROTO_UDP;
    char *w = out_reserve(o, JSON_LINE_MAX);

    w = PUT(w, "{\"kind\":\"packet\",\"frame\":");
    w = put_u64(w, f->number);
    w = PUT(w, ",\"ts\":\"");
    w = put_seconds(w, p->ts_ns);
    w = PUT(w, "\",\"proto\":\"");
    w = put_str(w, proto_name(p->proto));
    w = PUT(w, "\",\"stream\":");
    w = ti->has_flow ? put_u64(w, ti->stream) : PUT(w, "null");
    w = PUT(w, ",\"src\":");
    w = p->src.family ? put_endpoint(w, &p->src, p->sport, ports) : PUT(w, "null");
    w = PUT(w, ",\"dst\":");
    w = p->dst.family ? put_endpoint(w, &p->dst, p->dport, ports) : PUT(w, "null");

    if (p->proto == PROTO_TCP && p->tcp_header_len) {
        w = put_tcp(w, p, ti);
    } else if (p->proto == PROTO_UDP) {
        w = PUT(w, ",\"len\":");
        w = put_u64(w, p->payload_len);
    } else if (p->proto == PROTO_ICMP) {
        w = PUT(w, ",\"icmp_type\":");
        w = put_u64(w, p->icmp_type);
        w = PUT(w, ",\"icmp_code\":");
        w = put_u64(w, p->icmp_code);
        if (p->icmp_error && p->quote.valid) {
            w = PUT(w, ",\"quoted\":{\"src\":");
            w = put_endpoint(w, &p->quote.src, p->quote.sport, true);
            w = PUT(w, ",\"dst\":");
            w = put_endpoint(w, &p->quote.dst, p->quote.dport, true);
            w = PUT(w, ",\"proto\":");
            w = put_u64(w, p->quote.ip_proto);
            *w++ = '}';
        }
    }

    w = PUT(w, ",\"payload\":\"");
    if (p->payload && p->payload_caplen) {
        size_t n = p->payload_caplen < JSON_PAYLOAD_PREVIEW ? p->payload_caplen
                                                            : JSON_PAYLOAD_PREVIEW;
        w = put_escaped(w, p->payload, n);
    }
    w = PUT(w, "\",\"status\":\"");
    w = put_str(w, status_name(p->status));
    *w++ = '"';
    if (p->status != PACKET_OK && p->why) {
        w = p->status == PACKET_UNSUPPORTED ? PUT(w, ",\"note\":\"") : PUT(w, ",\"why\":\"");
        size_t n = strnlen(p->why, 120);
        w = put_escaped(w, (const uint8_t *)p->why, n);
        *w++ = '"';
    }
    w = PUT(w, "}\n");
    out_commit(o, w);
}

void export_json_api(struct out *o, const struct api_event *ev)
{
    char *w = out_reserve(o, JSON_LINE_MAX);
    w = PUT(w, "{\"kind\":\"api\",\"ts\":\"");
    w = put_seconds(w, ev->ts_ns);
    w = PUT(w, "\",\"endpoint\":");
    w = ev->local.addr.family ? put_endpoint(w, &ev->local.addr, ev->local.port, true)
                              : PUT(w, "null");
    w = PUT(w, ",\"peer\":");
    w = ev->peer.addr.family ? put_endpoint(w, &ev->peer.addr, ev->peer.port, true)
                             : PUT(w, "null");
    w = PUT(w, ",\"proto\":");
    w = ev->sock_type == SOCK_DGRAM ? PUT(w, "\"udp\"") : PUT(w, "\"tcp\"");
    w = PUT(w, ",\"call\":\"");
    w = put_str(w, api_call_name(ev->call));
    w = PUT(w, "\",\"phase\":\"");
    w = ev->phase == API_PHASE_CALL ? PUT(w, "call") : PUT(w, "return");
    w = PUT(w, "\",\"fd\":");
    w = put_i64(w, ev->fd);
    if (ev->phase == API_PHASE_RETURN) {
        w = PUT(w, ",\"result\":");
        w = put_i64(w, ev->result);
        if (ev->result < 0) {
            w = PUT(w, ",\"error\":\"");
            const char *e = strerror(ev->error);
            w = put_escaped(w, (const uint8_t *)e, strnlen(e, 120));
            *w++ = '"';
        }
    }
    if (ev->call == API_SEND || ev->call == API_SENDTO || ev->call == API_RECV ||
        ev->call == API_RECVFROM) {
        w = PUT(w, ",\"bytes\":");
        w = put_u64(w, ev->bytes);
    }
    if (ev->call == API_SETSOCKOPT) {
        const char *opt = api_option_name(ev->opt_level, ev->opt_name);
        w = PUT(w, ",\"level\":");
        w = put_i64(w, ev->opt_level);
        w = PUT(w, ",\"option\":");
        if (opt) {
            *w++ = '"';
            w = put_str(w, opt);
            *w++ = '"';
        } else {
            w = put_i64(w, ev->opt_name);
        }
        w = PUT(w, ",\"value\":");
        w = put_i64(w, ev->opt_value[0]);
        if (ev->opt_level == SOL_SOCKET && ev->opt_name == SO_LINGER) {
            w = PUT(w, ",\"linger_s\":");
            w = put_i64(w, ev->opt_value[1]);
        }
    }
    if (ev->call == API_SHUTDOWN) {
        w = PUT(w, ",\"how\":");
        w = put_u64(w, ev->bytes);
    }
    if (ev->abortive)
        w = PUT(w, ",\"abortive\":true");
    if (ev->listening)
        w = PUT(w, ",\"listening\":true");
    w = PUT(w, ",\"thread\":");
    w = put_u64(w, ev->thread);
    w = PUT(w, "}\n");
    out_commit(o, w);
}
