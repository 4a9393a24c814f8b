/* Arrow labels in the words people use: "SYN+ACK seq=0 ack=1", "PSH+ACK seq=1 ack=1 len=15
 * "hello"", marks as words. Shortened to fit the arrow, least useful parts first. */
#include "sockscope/view.h"

#include <stdio.h>
#include <string.h>


/* A tiny string builder: labels are made for every packet of a capture, and snprintf was
 * most of the text diagram's time. Writes are clipped to the buffer, always terminated. */
struct sb {
    char *p;
    size_t len, cap;
};

static void sb_init(struct sb *b, char *buf, size_t cap)
{
    b->p = buf;
    b->len = 0;
    b->cap = cap;
    buf[0] = '\0';
}

static void sb_mem(struct sb *b, const char *s, size_t n)
{
    if (n > b->cap - 1 - b->len)
        n = b->cap - 1 - b->len;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(struct sb *b, const char *s)
{
    sb_mem(b, s, strlen(s));
}

static void sb_u64(struct sb *b, uint64_t v)
{
    char tmp[VIEW_U64_DIGITS];
    int i = view_u64_digits(v, tmp);
    sb_mem(b, tmp + i, sizeof tmp - (size_t)i);
}

void view_tcp_flags_name(uint16_t flags, char *buf, size_t size)
{
    /* Order as people say them: SYN+ACK, FIN+ACK, PSH+ACK, RST+ACK. */
    static const struct {
        uint16_t bit;
        const char *name;
    } order[] = {
        {TCP_SYN, "SYN"}, {TCP_FIN, "FIN"}, {TCP_RST, "RST"}, {TCP_PSH, "PSH"},
        {TCP_URG, "URG"}, {TCP_ACK, "ACK"}, {TCP_ECE, "ECE"}, {TCP_CWR, "CWR"},
        {TCP_AE, "AE"},
    };
    struct sb b;
    sb_init(&b, buf, size);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(flags & order[i].bit))
            continue;
        if (b.len)
            sb_mem(&b, "+", 1);
        sb_str(&b, order[i].name);
    }
    if (!b.len)
        sb_str(&b, "none");
}

enum style view_segment_style(enum segment_kind k)
{
    static const uint8_t styles[SEGMENT_KIND_COUNT] = {
        [SEGMENT_OTHER] = STYLE_NOTE, [SEGMENT_SYN] = STYLE_SYN, [SEGMENT_SYNACK] = STYLE_SYNACK,
        [SEGMENT_ACK] = STYLE_ACK,    [SEGMENT_DATA] = STYLE_DATA, [SEGMENT_FIN] = STYLE_FIN,
        [SEGMENT_RST] = STYLE_RST,    [SEGMENT_UDP] = STYLE_UDP,   [SEGMENT_ICMP] = STYLE_ICMP,
        [SEGMENT_SUSPECT] = STYLE_MARK,
    };
    return (unsigned)k < SEGMENT_KIND_COUNT ? (enum style)styles[k] : STYLE_NOTE;
}

/* The errors a course meets, in words; NULL for the rest (shown as type and code). */
static const char *icmp_words(const struct packet *p)
{
    if (p->src.family == 4) {
        if (p->icmp_type == 3) {
            static const char *const unreachable[] = {
                "network unreachable", "host unreachable", "protocol unreachable",
                "port unreachable", "fragmentation needed", "source route failed"};
            return p->icmp_code < 6 ? unreachable[p->icmp_code] : "destination unreachable";
        }
        if (p->icmp_type == 11)
            return "time exceeded";
        if (p->icmp_type == 0)
            return "echo reply";
        if (p->icmp_type == 8)
            return "echo request";
    } else if (p->src.family == 6) {
        if (p->icmp_type == 1)
            return p->icmp_code == 4 ? "port unreachable" : "destination unreachable";
        if (p->icmp_type == 2)
            return "packet too big";
        if (p->icmp_type == 3)
            return "time exceeded";
        if (p->icmp_type == 128)
            return "echo request";
        if (p->icmp_type == 129)
            return "echo reply";
    }
    return NULL;
}

/* The parts of a label, most important first; a shortened label drops from the end. */
struct label_parts {
    char head[96];    /* flags, seq, ack, len (or the UDP/ICMP words) */
    char marks[160];  /* "[suspected retransmission]" */
    char preview[96]; /* escaped payload, quoted */
    char preview_inner[80];
    char window[32];
    char options[96];
    bool preview_cut;
};

static void marks_words(const struct track_info *ti, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < MARK_COUNT; i++) {
        if (!(ti->marks & (1u << i)))
            continue;
        int n;
        /* Analysis marks are Wireshark's heuristics: say so for the ones that guess. */
        bool guess = (1u << i) & (MARK_RETRANSMISSION | MARK_FAST_RETRANSMISSION |
                                  MARK_SPURIOUS_RETRANSMISSION | MARK_OUT_OF_ORDER |
                                  MARK_LOST_SEGMENT | MARK_ACK_LOST_SEGMENT | MARK_KEEP_ALIVE |
                                  MARK_ZERO_WINDOW_PROBE);
        if ((1u << i) == MARK_DUPLICATE_ACK)
            n = snprintf(buf + used, size - used, "%sdup ACK #%u", used ? ", " : "[",
                         ti->dup_ack_count);
        else
            n = snprintf(buf + used, size - used, "%s%s%s", used ? ", " : "[",
                         guess ? "suspected " : "", track_mark_words(i));
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (used && used + 1 < size) {
        buf[used++] = ']';
        buf[used] = '\0';
    }
}

static void tcp_options_words(const struct packet *p, const struct track_info *ti, bool raw,
                              char *buf, size_t size)
{
    /* SACK edges are sequence numbers of the other side: relative to the same base as ack */
    uint32_t sack_base = raw ? 0 : p->ack - ti->ack_rel;
    struct sb b;
    sb_init(&b, buf, size);
    if (p->opt.has_mss) {
        sb_str(&b, "MSS=");
        sb_u64(&b, p->opt.mss);
    }
    if (p->opt.has_wscale) {
        sb_str(&b, b.len ? " WS=" : "WS=");
        sb_u64(&b, 1u << (p->opt.wscale > 14 ? 14 : p->opt.wscale));
    }
    if (p->opt.sack_permitted)
        sb_str(&b, b.len ? " SACK_PERM" : "SACK_PERM");
    for (int i = 0; i < p->opt.sack_count && i < TCP_MAX_SACK_BLOCKS; i++) {
        sb_str(&b, b.len ? " SACK=" : "SACK=");
        sb_u64(&b, p->opt.sack_left[i] - sack_base);
        sb_str(&b, "-");
        sb_u64(&b, p->opt.sack_right[i] - sack_base);
    }
}

static void build_parts(const struct packet *p, const struct track_info *ti,
                        const struct label_options *opt, struct label_parts *lp)
{
    lp->head[0] = lp->marks[0] = lp->preview[0] = lp->window[0] = lp->options[0] = '\0';
    lp->preview_cut = false;
    if (p->proto == PROTO_TCP && p->tcp_header_len) {
        struct sb b;
        char flags[48];
        view_tcp_flags_name(p->flags, flags, sizeof flags);
        sb_init(&b, lp->head, sizeof lp->head);
        sb_str(&b, flags);
        sb_str(&b, " seq=");
        sb_u64(&b, opt->raw_seq ? p->seq : ti->seq_rel);
        if (p->flags & TCP_ACK) {
            sb_str(&b, " ack=");
            sb_u64(&b, opt->raw_seq ? p->ack : ti->ack_rel);
        }
        if (p->payload_len) {
            sb_str(&b, " len=");
            sb_u64(&b, p->payload_len);
        }
        sb_init(&b, lp->window, sizeof lp->window);
        sb_str(&b, "win=");
        sb_u64(&b, ti->window < 0 ? 0 : (uint64_t)ti->window);
        if (p->opt.has_mss || p->opt.has_wscale || p->opt.sack_permitted || p->opt.sack_count)
            tcp_options_words(p, ti, opt->raw_seq, lp->options, sizeof lp->options);
        if (ti->marks)
            marks_words(ti, lp->marks, sizeof lp->marks);
    } else if (p->proto == PROTO_UDP) {
        struct sb b;
        sb_init(&b, lp->head, sizeof lp->head);
        sb_str(&b, "UDP len=");
        sb_u64(&b, p->payload_len);
    } else if (p->proto == PROTO_ICMP) {
        const char *words = icmp_words(p);
        if (words)
            snprintf(lp->head, sizeof lp->head, "ICMP%s %s", p->src.family == 6 ? "v6" : "",
                     words);
        else
            snprintf(lp->head, sizeof lp->head, "ICMP type=%u code=%u", p->icmp_type,
                     p->icmp_code);
    } else {
        snprintf(lp->head, sizeof lp->head, "%s", p->why ? p->why : "other");
    }
    if (p->proto != PROTO_ICMP && p->payload && p->payload_caplen) {
        lp->preview_cut = view_escape_preview(p->payload, p->payload_caplen, lp->preview_inner,
                                              60) ||
                          p->payload_caplen < p->payload_len;
        struct sb b;
        sb_init(&b, lp->preview, sizeof lp->preview);
        sb_str(&b, "\"");
        sb_str(&b, lp->preview_inner);
        if (lp->preview_cut)
            sb_str(&b, opt->ascii ? "..." : "\xe2\x80\xa6");
        sb_str(&b, "\"");
    }
}

/* Length in characters of a UTF-8 string (labels hold at most the ellipsis as non-ASCII). */
static int chars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int join(char *buf, size_t size, const char *const *parts, int count)
{
    struct sb b;
    sb_init(&b, buf, size);
    for (int i = 0; i < count; i++) {
        if (!parts[i][0])
            continue;
        if (b.len)
            sb_mem(&b, " ", 1);
        sb_str(&b, parts[i]);
    }
    return chars(buf);
}

/* Cuts a UTF-8 string to max characters, ending in an ellipsis. */
static int cut(char *buf, int max, bool ascii)
{
    if (max <= 0) {
        buf[0] = '\0';
        return 0;
    }
    int n = 0;
    char *s = buf;
    for (; *s; s++) {
        if (((unsigned char)*s & 0xC0) == 0x80)
            continue;
        if (n == max - 1)
            break;
        n++;
    }
    if (!*s)
        return n;
    strcpy(s, ascii ? "~" : "\xe2\x80\xa6");
    return max;
}

int view_arrow_label(const struct packet *p, const struct track_info *ti,
                     const struct label_options *opt, int max_chars, char *buf, size_t size)
{
    struct label_parts lp;
    build_parts(p, ti, opt, &lp);

    /* Marks right after the essentials: they are what a shortened label must keep. */
    const char *full[] = {lp.head, lp.marks, lp.window, lp.options, lp.preview};
    int n = join(buf, size, full, 5);
    if (n <= max_chars)
        return n;
    /* In a handshake the options (MSS, window scale) are the lesson; elsewhere the window. */
    if (p->proto == PROTO_TCP && (p->flags & TCP_SYN)) {
        const char *no_window_yet[] = {lp.head, lp.marks, lp.options, lp.preview};
        if ((n = join(buf, size, no_window_yet, 4)) <= max_chars)
            return n;
    }
    const char *no_options[] = {lp.head, lp.marks, lp.window, lp.preview};
    if ((n = join(buf, size, no_options, 4)) <= max_chars)
        return n;
    const char *no_window[] = {lp.head, lp.marks, lp.preview};
    if ((n = join(buf, size, no_window, 3)) <= max_chars)
        return n;
    if (lp.preview[0]) {
        /* Shorten the preview, keeping its quotes, before touching the essentials. */
        const char *essentials[] = {lp.head, lp.marks};
        int base = join(buf, size, essentials, 2);
        int room = max_chars - base - 1 - 2 - (opt->ascii ? 3 : 1); /* quotes, ellipsis */
        if (room >= 3) {
            char shorter[96];
            lp.preview_inner[room] = '\0';
            /* never leave half an escape such as "\x1" */
            char *slash = strrchr(lp.preview_inner, '\\');
            if (slash && (size_t)(lp.preview_inner + room - slash) < 4 &&
                !(slash > lp.preview_inner && slash[-1] == '\\'))
                *slash = '\0';
            snprintf(shorter, sizeof shorter, "\"%s%s\"", lp.preview_inner,
                     opt->ascii ? "..." : "\xe2\x80\xa6");
            const char *with_short[] = {lp.head, lp.marks, shorter};
            return join(buf, size, with_short, 3);
        }
    }
    const char *essentials[] = {lp.head, lp.marks};
    join(buf, size, essentials, 2);
    return cut(buf, max_chars, opt->ascii);
}
