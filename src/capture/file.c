/* Reading saved captures with nanosecond stamps: classic pcap through a mapping
 * (pcap_mmap.c), pcapng and the rest through libpcap. The BPF filter is applied per frame with
 * pcap_offline_filter so frame numbers stay the ones the file has, as tshark shows them. */
#include "sockscope/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "map_internal.h"

struct capture_file {
    pcap_t *pcap;            /* always open: header checks, link type, filter compilation */
    struct capture_map *map; /* NULL: frames come from libpcap */
    struct bpf_program filter;
    int has_filter;
    uint32_t number;
    int nanosecond;
};

static int fail(char *err, size_t errlen, int code, const char *fmt, const char *a, const char *b)
{
    snprintf(err, errlen, fmt, a, b);
    return code;
}

/* libpcap's messages for files it cannot parse are terse; say it in plain words. */
static int explain_open_error(const char *path, const char *pcap_msg, char *err, size_t errlen)
{
    if (strstr(pcap_msg, "unknown file format") || strstr(pcap_msg, "bad dump file format"))
        return fail(err, errlen, CAPTURE_E_BAD_INPUT,
                    "%s: not a pcap or pcapng capture (%s)", path, pcap_msg);
    if (strstr(pcap_msg, "truncated"))
        return fail(err, errlen, CAPTURE_E_BAD_INPUT,
                    "%s: capture file header is truncated (%s)", path, pcap_msg);
    return fail(err, errlen, CAPTURE_E_BAD_INPUT, "%s: cannot read capture: %s", path, pcap_msg);
}

/* Link types whose records libpcap hands over untouched (no pseudo-header byte swapping)
 * with the usual 256 KiB ceiling on a record: the ones the mapped reader may take. */
static bool mappable_linktype(int dlt)
{
    switch (dlt) {
    case DLT_NULL:
    case DLT_EN10MB:
    case DLT_RAW:
    case DLT_LOOP:
    case DLT_LINUX_SLL:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

int capture_file_open(const char *path, const char *bpf, struct capture_file **out, char *err,
                      size_t errlen)
{
    return capture_file_open_reader(path, bpf, CAPTURE_READER_AUTO, out, err, errlen);
}

int capture_file_open_reader(const char *path, const char *bpf, enum capture_reader reader,
                             struct capture_file **out, char *err, size_t errlen)
{
    struct stat st;
    char pcap_err[PCAP_ERRBUF_SIZE] = "";

    *out = NULL;
    if (stat(path, &st) != 0)
        return fail(err, errlen, CAPTURE_E_BAD_INPUT, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return fail(err, errlen, CAPTURE_E_BAD_INPUT,
                    "%s: is a directory, expected a pcap or pcapng file%s", path, "");
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return fail(err, errlen, CAPTURE_E_BAD_INPUT, "%s: empty file, not a capture%s", path,
                    "");

    struct capture_file *f = calloc(1, sizeof *f);
    if (!f)
        return fail(err, errlen, CAPTURE_E_RUNTIME, "%s: out of memory%s", path, "");
    f->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
    if (!f->pcap) {
        free(f);
        return explain_open_error(path, pcap_err, err, errlen);
    }
    f->nanosecond = pcap_get_tstamp_precision(f->pcap) == PCAP_TSTAMP_PRECISION_NANO;
    if (reader == CAPTURE_READER_AUTO && S_ISREG(st.st_mode) &&
        mappable_linktype(pcap_datalink(f->pcap)))
        f->map = capture_map_open(path, pcap_snapshot(f->pcap));

    if (bpf && *bpf) {
        if (pcap_compile(f->pcap, &f->filter, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(err, errlen, "invalid filter expression '%s': %s", bpf,
                     pcap_geterr(f->pcap));
            capture_map_close(f->map);
            pcap_close(f->pcap);
            free(f);
            return CAPTURE_E_BAD_INPUT;
        }
        f->has_filter = 1;
    }
    *out = f;
    return CAPTURE_OK;
}

/* The mapped reader: same numbering, filter and error wording as the libpcap loop below. */
static int next_mapped(struct capture_file *f, struct capture_frame *frame, char *err,
                       size_t errlen)
{
    struct capture_map_record r;
    char why[256];

    for (;;) {
        int rc = capture_map_next(f->map, &r, why, sizeof why);
        if (rc == 0)
            return 0;
        if (rc < 0) {
            snprintf(err, errlen, "capture stops short after frame %u: %s", f->number, why);
            return CAPTURE_E_RUNTIME;
        }
        f->number++;
        if (f->has_filter) {
            struct pcap_pkthdr h = {.caplen = r.caplen, .len = r.wirelen};
            if (!pcap_offline_filter(&f->filter, &h, r.data))
                continue;
        }
        /* as libpcap: microseconds scaled up in 64 bits */
        int64_t frac = capture_map_nanosecond(f->map) ? r.frac : r.frac * 1000;
        frame->data = r.data;
        frame->caplen = r.caplen;
        frame->wirelen = r.wirelen;
        frame->ts_ns = (uint64_t)r.sec * 1000000000u + (uint64_t)frac;
        frame->number = f->number;
        return 1;
    }
}

int capture_file_next(struct capture_file *f, struct capture_frame *frame, char *err,
                      size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *data;

    if (f->map)
        return next_mapped(f, frame, err, errlen);
    for (;;) {
        int rc = pcap_next_ex(f->pcap, &h, &data);
        if (rc == PCAP_ERROR_BREAK)
            return 0;
        if (rc != 1) {
            snprintf(err, errlen, "capture stops short after frame %u: %s", f->number,
                     pcap_geterr(f->pcap));
            return CAPTURE_E_RUNTIME;
        }
        f->number++;
        if (f->has_filter && !pcap_offline_filter(&f->filter, h, data))
            continue;
        frame->data = data;
        frame->caplen = h->caplen;
        frame->wirelen = h->len;
        frame->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u +
                       (uint64_t)h->ts.tv_usec * (f->nanosecond ? 1u : 1000u);
        frame->number = f->number;
        return 1;
    }
}

bool capture_file_keep_frames(struct capture_file *f)
{
    if (!f->map)
        return false;
    capture_map_keep(f->map, true);
    return true;
}

void capture_file_release_before(struct capture_file *f, const uint8_t *data)
{
    if (f->map)
        capture_map_release_before(f->map, data);
}

int capture_file_linktype(const struct capture_file *f)
{
    return pcap_datalink(f->pcap);
}

const char *capture_file_linktype_name(const struct capture_file *f)
{
    const char *name = pcap_datalink_val_to_name(pcap_datalink(f->pcap));
    return name ? name : "unknown";
}

void capture_file_close(struct capture_file *f)
{
    if (!f)
        return;
    if (f->has_filter)
        pcap_freecode(&f->filter);
    capture_map_close(f->map);
    pcap_close(f->pcap);
    free(f);
}
