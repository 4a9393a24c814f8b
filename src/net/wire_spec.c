/* The wire's option values as a person writes them (25ms, 10mbit, 2%, data:3): parsed into
 * struct wire_config, each bad value refused with one line that says what is wrong and what
 * would be right. */
#include "sockscope/wire.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A decimal number at the start of s (no hex, no inf/nan): the value and where it ends. */
static bool leading_number(const char *s, double *v, const char **end)
{
    const char *p = s;
    if (*p == '-' || *p == '+') p++;
    if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1]))) return false;
    char *e;
    errno = 0;
    *v = strtod(s, &e);
    if (errno == ERANGE || !isfinite(*v)) return false;
    *end = e;
    return true;
}

int wire_spec_duration(const char *s, uint64_t *ns, char *err, size_t errlen)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    double v;
    const char *unit;
    if (!s || !leading_number(s, &v, &unit)) {
        snprintf(err, errlen, "'%s' is not a duration: give a number and a unit (25ms, 500us, 1s)",
                 s ? s : "");
        return STATUS_E_BAD_INPUT;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(unit, units[i].unit) != 0) continue;
        if (v < 0) {
            snprintf(err, errlen, "'%s': a duration cannot be negative", s);
            return STATUS_E_BAD_INPUT;
        }
        double t = v * units[i].ns;
        if (t > 3600e9) {
            snprintf(err, errlen, "'%s': more than an hour on the wire", s);
            return STATUS_E_BAD_INPUT;
        }
        *ns = (uint64_t)(t + 0.5);
        return 0;
    }
    snprintf(err, errlen, "'%s': %s: the unit is one of ns, us, ms, s (25ms)", s,
             *unit ? "unknown unit" : "no unit");
    return STATUS_E_BAD_INPUT;
}

int wire_spec_rate(const char *s, uint64_t *bps, char *err, size_t errlen)
{
    /* tc's convention: "bit" units are bits per second, "bps" units bytes per second */
    static const struct {
        const char *unit;
        double bits;
    } units[] = {{"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9},
                 {"bps", 8}, {"kbps", 8e3}, {"mbps", 8e6}, {"gbps", 8e9}};
    double v;
    const char *unit;
    if (!s || !leading_number(s, &v, &unit)) {
        snprintf(err, errlen, "'%s' is not a rate: give a number and a unit (10mbit, 500kbit)",
                 s ? s : "");
        return STATUS_E_BAD_INPUT;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(unit, units[i].unit) != 0) continue;
        double r = v * units[i].bits;
        if (r < 0) {
            snprintf(err, errlen, "'%s': a rate cannot be negative", s);
            return STATUS_E_BAD_INPUT;
        }
        if (r < 1) {
            snprintf(err, errlen,
                     "'%s': a rate of 0 lets nothing cross (leave the rate out for "
                     "no limit)",
                     s);
            return STATUS_E_BAD_INPUT;
        }
        if (r > 1e12) {
            snprintf(err, errlen, "'%s': more than 1000gbit", s);
            return STATUS_E_BAD_INPUT;
        }
        *bps = (uint64_t)(r + 0.5);
        return 0;
    }
    snprintf(err, errlen,
             "'%s': %s: the unit is one of bit, kbit, mbit, gbit (bits per second) "
             "or bps, kbps, mbps, gbps (bytes per second)",
             s, *unit ? "unknown unit" : "no unit");
    return STATUS_E_BAD_INPUT;
}

int wire_spec_percent(const char *s, double *fraction, char *err, size_t errlen)
{
    double v;
    const char *end;
    if (!s || !leading_number(s, &v, &end) || strcmp(end, "%") != 0) {
        snprintf(err, errlen, "'%s' is not a percentage: give a number and %% (2%%, 0.5%%)",
                 s ? s : "");
        return STATUS_E_BAD_INPUT;
    }
    if (v < 0) {
        snprintf(err, errlen, "'%s': a percentage cannot be negative", s);
        return STATUS_E_BAD_INPUT;
    }
    if (v > 100) {
        snprintf(err, errlen, "'%s': over 100 %%", s);
        return STATUS_E_BAD_INPUT;
    }
    *fraction = v / 100;
    return 0;
}

/* A positive decimal integer up to max, whole string. */
static bool parse_count(const char *s, unsigned long max, unsigned long *out)
{
    if (!s || !isdigit((unsigned char)*s)) return false;
    char *e;
    errno = 0;
    unsigned long v = strtoul(s, &e, 10);
    if (errno || *e || v > max) return false;
    *out = v;
    return true;
}

int wire_spec_queue(const char *s, uint32_t *frames, char *err, size_t errlen)
{
    unsigned long v;
    if (!parse_count(s, 1000000, &v)) {
        snprintf(err, errlen, "'%s' is not a queue length: give a number of frames, 1 to 1000000",
                 s ? s : "");
        return STATUS_E_BAD_INPUT;
    }
    if (v == 0) {
        snprintf(err, errlen, "'0': a queue of 0 frames lets nothing cross (at least 1)");
        return STATUS_E_BAD_INPUT;
    }
    *frames = (uint32_t)v;
    return 0;
}

int wire_spec_drop(const char *s, struct wire_drop *d, char *err, size_t errlen)
{
    static const char *const kinds[] = {
        [WIRE_DROP_SYN] = "syn",   [WIRE_DROP_SYNACK] = "synack", [WIRE_DROP_ACK] = "ack",
        [WIRE_DROP_DATA] = "data", [WIRE_DROP_FIN] = "fin",       [WIRE_DROP_RST] = "rst",
        [WIRE_DROP_UDP] = "udp"};
    static const char grammar[] = "[client:|server:]syn|synack|ack|data|fin|rst|udp[:N], as "
                                  "data:3 or server:data:2";
    memset(d, 0, sizeof *d);
    if (!s || strlen(s) >= sizeof d->text) {
        snprintf(err, errlen, "unknown drop '%s': give %s", s ? s : "", grammar);
        return STATUS_E_BAD_INPUT;
    }
    snprintf(d->text, sizeof d->text, "%s", s);
    char buf[sizeof d->text];
    snprintf(buf, sizeof buf, "%s", s);
    char *p = buf;
    int side = -1;
    if (strncmp(p, "client:", 7) == 0) {
        side = ROLE_CLIENT;
        p += 7;
    } else if (strncmp(p, "server:", 7) == 0) {
        side = ROLE_SERVER;
        p += 7;
    }
    char *colon = strchr(p, ':');
    const char *count = NULL;
    if (colon) {
        *colon = 0;
        count = colon + 1;
    }
    int kind = -1;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(p, kinds[i]) == 0) kind = (int)i;
    if (kind < 0) {
        snprintf(err, errlen, "unknown drop '%s': give %s", s, grammar);
        return STATUS_E_BAD_INPUT;
    }
    unsigned long nth = 1;
    if (count && (!parse_count(count, UINT32_MAX, &nth) || nth == 0)) {
        snprintf(err, errlen, "drop '%s': the count after '%s:' is a whole number from 1 (%s:3)", s,
                 kinds[kind], kinds[kind]);
        return STATUS_E_BAD_INPUT;
    }
    d->kind = (enum wire_drop_kind)kind;
    d->nth = (uint32_t)nth;
    d->sender =
        side >= 0 ? (enum role)side : (kind == WIRE_DROP_SYNACK ? ROLE_SERVER : ROLE_CLIENT);
    return 0;
}

int wire_spec_burst(const char *s, struct wire_burst *b, char *err, size_t errlen)
{
    static const char form[] = "give P,R[,BAD[,GOOD]] as percentages: P the chance to enter a "
                               "burst, R to leave it, BAD (100%%) and GOOD (0%%) the loss in and "
                               "out of it, as 1%%,30%%";
    char buf[128];
    if (!s || strlen(s) >= sizeof buf) {
        snprintf(err, errlen, "'%s': %s", s ? s : "", form);
        return STATUS_E_BAD_INPUT;
    }
    snprintf(buf, sizeof buf, "%s", s);
    double v[4] = {0, 0, 1, 0};
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char one[160];
        if (n == 4 || wire_spec_percent(tok, &v[n], one, sizeof one) < 0) {
            snprintf(err, errlen, "'%s': %s", s, n == 4 ? form : one);
            return STATUS_E_BAD_INPUT;
        }
        n++;
    }
    if (n < 2) {
        snprintf(err, errlen, "'%s': %s", s, form);
        return STATUS_E_BAD_INPUT;
    }
    *b = (struct wire_burst){.on = true, .p = v[0], .r = v[1], .bad_loss = v[2], .good_loss = v[3]};
    return 0;
}

/* "client:25ms" -> side client, "25ms"; "25ms" -> both. */
static const char *split_side(const char *value, int *first, int *last)
{
    *first = ROLE_CLIENT;
    *last = ROLE_SERVER;
    if (value && strncmp(value, "client:", 7) == 0) {
        *last = ROLE_CLIENT;
        return value + 7;
    }
    if (value && strncmp(value, "server:", 7) == 0) {
        *first = ROLE_SERVER;
        return value + 7;
    }
    return value;
}

int wire_spec_apply(struct wire_config *c, const char *name, const char *value, char *err,
                    size_t errlen)
{
    char why[320];
    int rc = 0;
    if (strcmp(name, "drop") == 0) {
        struct wire_drop d;
        if (c->ndrops == WIRE_MAX_DROPS) {
            snprintf(err, errlen, "--drop %s: at most %d drops", value ? value : "",
                     WIRE_MAX_DROPS);
            return STATUS_E_BAD_INPUT;
        }
        if (wire_spec_drop(value, &d, why, sizeof why) < 0) goto bad;
        c->drops[c->ndrops++] = d;
        return 0;
    }
    if (strcmp(name, "seed") == 0) {
        unsigned long long s;
        char *e;
        errno = 0;
        if (!value || !isdigit((unsigned char)*value) ||
            ((s = strtoull(value, &e, 10)), errno || *e)) {
            snprintf(why, sizeof why, "'%s' is not a seed: give a whole number (7)",
                     value ? value : "");
            goto bad;
        }
        c->seed = s;
        return 0;
    }
    int first, last;
    const char *v = split_side(value, &first, &last);
    struct wire_impair one = c->dir[first];
    if (strcmp(name, "delay") == 0)
        rc = wire_spec_duration(v, &one.delay_ns, why, sizeof why);
    else if (strcmp(name, "jitter") == 0)
        rc = wire_spec_duration(v, &one.jitter_ns, why, sizeof why);
    else if (strcmp(name, "rate") == 0)
        rc = wire_spec_rate(v, &one.rate_bps, why, sizeof why);
    else if (strcmp(name, "queue") == 0)
        rc = wire_spec_queue(v, &one.queue, why, sizeof why);
    else if (strcmp(name, "loss") == 0)
        rc = wire_spec_percent(v, &one.loss, why, sizeof why);
    else if (strcmp(name, "burst") == 0)
        rc = wire_spec_burst(v, &one.burst, why, sizeof why);
    else if (strcmp(name, "reorder") == 0)
        rc = wire_spec_percent(v, &one.reorder, why, sizeof why);
    else if (strcmp(name, "duplicate") == 0)
        rc = wire_spec_percent(v, &one.duplicate, why, sizeof why);
    else {
        snprintf(err, errlen, "unknown wire option '%s'", name);
        return STATUS_E_BAD_INPUT;
    }
    if (rc < 0) goto bad;
    /* copy only the field that was set, so that "client:" then "server:" values combine */
    for (int s = first; s <= last; s++) {
        struct wire_impair *d = &c->dir[s];
        if (strcmp(name, "delay") == 0) d->delay_ns = one.delay_ns;
        if (strcmp(name, "jitter") == 0) d->jitter_ns = one.jitter_ns;
        if (strcmp(name, "rate") == 0) d->rate_bps = one.rate_bps;
        if (strcmp(name, "queue") == 0) d->queue = one.queue;
        if (strcmp(name, "loss") == 0) d->loss = one.loss;
        if (strcmp(name, "burst") == 0) d->burst = one.burst;
        if (strcmp(name, "reorder") == 0) d->reorder = one.reorder;
        if (strcmp(name, "duplicate") == 0) d->duplicate = one.duplicate;
    }
    return 0;
bad:
    snprintf(err, errlen, "--%s: %s", name, why);
    return STATUS_E_BAD_INPUT;
}
