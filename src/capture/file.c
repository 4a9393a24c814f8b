/* Reading saved captures (pcap and pcapng) through libpcap, with nanosecond stamps.
 * The BPF filter is applied per frame with pcap_offline_filter so frame numbers stay the
 * ones the file has, as tshark and Wireshark show them. */
#include "sockscope/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct capture_file {
    pcap_t *pcap;
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

int capture_file_open(const char *path, const char *bpf, struct capture_file **out, char *err,
                      size_t errlen)
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

    if (bpf && *bpf) {
        if (pcap_compile(f->pcap, &f->filter, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(err, errlen, "invalid filter expression '%s': %s", bpf,
                     pcap_geterr(f->pcap));
            pcap_close(f->pcap);
            free(f);
            return CAPTURE_E_BAD_INPUT;
        }
        f->has_filter = 1;
    }
    *out = f;
    return CAPTURE_OK;
}

int capture_file_next(struct capture_file *f, struct capture_frame *frame, char *err,
                      size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *data;

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
    pcap_close(f->pcap);
    free(f);
}
