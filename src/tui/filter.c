/* The diagram's display filter: a line of simple terms (tcp, stream 2, port 12000, host ADDR,
 * ADDR:PORT, flag SYN, not ...) parsed once, then matched per event against its conversation
 * and TCP flags. Pure, so the tests parse and match without a terminal. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sockscope/tui.h"

static const struct {
    const char *name;
    uint16_t bit;
} flag_names[] = {
    {"SYN", TCP_SYN}, {"ACK", TCP_ACK}, {"FIN", TCP_FIN}, {"RST", TCP_RST},
    {"PSH", TCP_PSH}, {"URG", TCP_URG}, {"ECE", TCP_ECE}, {"CWR", TCP_CWR},
};

static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    if (!isdigit((unsigned char)*s)) return false;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v > max) return false;
    *out = (uint32_t)v;
    return true;
}

static bool parse_flags(const char *s, uint16_t *out)
{
    *out = 0;
    while (*s) {
        size_t n = strcspn(s, "+,");
        bool found = false;
        for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
            if (strlen(flag_names[i].name) == n && !strncasecmp(s, flag_names[i].name, n)) {
                *out |= flag_names[i].bit;
                found = true;
            }
        if (!found) return false;
        s += n;
        if (*s) s++;
    }
    return *out != 0;
}

static bool parse_address(const char *s, struct ip_address *a)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, s, a->bytes) == 1) {
        a->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, s, a->bytes) == 1) {
        a->family = 6;
        return true;
    }
    return false;
}

/* "127.0.0.1:12000" or "[::1]:12000" */
static bool parse_endpoint(const char *s, struct endpoint *e)
{
    char addr[64];
    const char *colon;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof addr) return false;
        memcpy(addr, s + 1, (size_t)(close - s - 1));
        addr[close - s - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof addr || strchr(s, ':') != colon) return false;
        memcpy(addr, s, (size_t)(colon - s));
        addr[colon - s] = '\0';
    }
    uint32_t port;
    if (!parse_u32(colon + 1, 65535, &port) || !parse_address(addr, &e->addr)) return false;
    e->port = (uint16_t)port;
    return true;
}

/* Splits text into words in place; returns how many. */
static int split(char *text, char **words, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *s = strtok_r(text, " \t", &save); s && n < max; s = strtok_r(NULL, " \t", &save))
        words[n++] = s;
    return n;
}

int tui_filter_parse(struct tui_filter *f, const char *text, char *err, size_t errlen)
{
    struct tui_filter out = {0};
    while (*text == ' ' || *text == ':')
        text++;
    snprintf(out.text, sizeof out.text, "%s", text);
    char buf[TUI_FILTER_TEXT], *w[2 * TUI_FILTER_TERMS + 2];
    snprintf(buf, sizeof buf, "%s", out.text);
    int n = split(buf, w, (int)(sizeof w / sizeof w[0]));
    for (int i = 0; i < n; i++) {
        if (out.count == TUI_FILTER_TERMS) {
            snprintf(err, errlen, "at most %d terms", TUI_FILTER_TERMS);
            return -1;
        }
        struct tui_filter_term *t = &out.term[out.count];
        memset(t, 0, sizeof *t);
        char *word = w[i];
        if (!strcasecmp(word, "not") || (word[0] == '!' && !word[1])) {
            t->negate = true;
            if (++i == n) {
                snprintf(err, errlen, "'%s' needs a term after it", word);
                return -1;
            }
            word = w[i];
        } else if (word[0] == '!') {
            t->negate = true;
            word++;
        }
        /* keywords that take the next word as their value */
        const char *arg = i + 1 < n ? w[i + 1] : NULL;
        uint32_t v;
        if (!strcasecmp(word, "tcp") || !strcasecmp(word, "udp")) {
            t->kind = TUI_FILTER_PROTO;
            t->proto = tolower((unsigned char)word[0]) == 't' ? PROTO_TCP : PROTO_UDP;
        } else if (!strcasecmp(word, "stream")) {
            if (!arg) goto missing;
            t->kind = TUI_FILTER_STREAM;
            const char *num = arg;
            if (!strncasecmp(arg, "tcp:", 4) || !strncasecmp(arg, "udp:", 4)) {
                t->proto = tolower((unsigned char)arg[0]) == 't' ? PROTO_TCP : PROTO_UDP;
                num = arg + 4;
            }
            if (!parse_u32(num, UINT32_MAX - 1, &t->stream)) goto bad_value;
            i++;
        } else if (!strcasecmp(word, "port")) {
            if (!arg) goto missing;
            if (!parse_u32(arg, 65535, &v)) goto bad_value;
            t->kind = TUI_FILTER_PORT;
            t->ep.port = (uint16_t)v;
            i++;
        } else if (!strcasecmp(word, "host")) {
            if (!arg) goto missing;
            if (!parse_address(arg, &t->ep.addr)) goto bad_value;
            t->kind = TUI_FILTER_HOST;
            i++;
        } else if (!strcasecmp(word, "flag") || !strcasecmp(word, "flags")) {
            if (!arg) goto missing;
            if (!parse_flags(arg, &t->flags)) goto bad_value;
            t->kind = TUI_FILTER_FLAG;
            i++;
        } else if (parse_endpoint(word, &t->ep)) {
            t->kind = TUI_FILTER_ENDPOINT;
        } else {
            snprintf(err, errlen,
                     "'%s' is not a filter term: tcp, udp, stream N, port N, host ADDR, "
                     "ADDR:PORT, flag SYN, not TERM",
                     word);
            return -1;
        }
        out.count++;
        continue;
    missing:
        snprintf(err, errlen, "'%s' needs a value (e.g. %s)", word,
                 !strcasecmp(word, "stream") ? "stream 1"
                 : !strcasecmp(word, "port") ? "port 12000"
                 : !strcasecmp(word, "host") ? "host 127.0.0.1"
                                             : "flag SYN");
        return -1;
    bad_value:
        snprintf(err, errlen, "'%s %s': not a valid %s", word, arg,
                 !strcasecmp(word, "stream") ? "stream number (N, tcp:N or udp:N)"
                 : !strcasecmp(word, "port") ? "port (0-65535)"
                 : !strcasecmp(word, "host") ? "IPv4 or IPv6 address"
                                             : "flag list (SYN, ACK, FIN, RST, PSH, URG)");
        return -1;
    }
    *f = out;
    return 0;
}

static bool same_address(const struct ip_address *a, const struct ip_address *b)
{
    return a->family == b->family && !memcmp(a->bytes, b->bytes, a->family == 6 ? 16 : 4);
}

static bool term_holds(const struct tui_filter_term *t, const struct timeline_flow *f,
                       uint16_t flags)
{
    switch (t->kind) {
    case TUI_FILTER_PROTO:
        return f->proto == t->proto;
    case TUI_FILTER_STREAM:
        return f->stream == t->stream && (!t->proto || f->proto == t->proto);
    case TUI_FILTER_PORT:
        return f->client.port == t->ep.port || f->server.port == t->ep.port;
    case TUI_FILTER_HOST:
        return same_address(&f->client.addr, &t->ep.addr) ||
               same_address(&f->server.addr, &t->ep.addr);
    case TUI_FILTER_ENDPOINT:
        return endpoint_equal(&f->client, &t->ep) || endpoint_equal(&f->server, &t->ep);
    case TUI_FILTER_FLAG:
        return f->proto == PROTO_TCP && (flags & t->flags) == t->flags;
    }
    return false;
}

bool tui_filter_match(const struct tui_filter *f, const struct timeline_flow *flow,
                      uint16_t tcp_flags)
{
    if (f->count == 0) return true;
    if (!flow) return false;
    for (int i = 0; i < f->count; i++)
        if (term_holds(&f->term[i], flow, tcp_flags) == f->term[i].negate) return false;
    return true;
}
