/* -w FILE: every captured frame written as a pcap (nanosecond when the handle has nanosecond
 * stamps) that `sockscope trace`, tcpdump and Wireshark read back. The capture thread writes,
 * before the ring, so frames the ring has to drop are still saved; it learns here where each
 * record starts, so nobody above has to know the pcap layout to find a frame again. */
#include "live_internal.h"

#include <stdio.h>

#include "sockscope/capture.h"

/* What pcap_dump writes before each frame's bytes: seconds, fraction, caplen, len (32 bits
 * each, the file's own byte order). */
#define PCAP_RECORD_HEADER 16

int capture_dump_open(pcap_t *p, const char *path, struct capture_dump *out, char *err,
                      size_t errlen)
{
    out->d = pcap_dump_open(p, path);
    if (!out->d) {
        /* libpcap's message already starts with the path. */
        snprintf(err, errlen, "-w: cannot create the capture file: %s", pcap_geterr(p));
        return STATUS_E_BAD_INPUT;
    }
    /* after the file header: where the first record goes */
    out->next_offset = pcap_dump_ftell64(out->d);
    return STATUS_OK;
}

int64_t capture_dump_write(struct capture_dump *d, const struct pcap_pkthdr *h,
                           const uint8_t *data)
{
    int64_t at = d->next_offset;
    pcap_dump((u_char *)d->d, h, data);
    if (at >= 0) d->next_offset = at + PCAP_RECORD_HEADER + (int64_t)h->caplen;
    return at;
}

int capture_dump_flush(struct capture_dump *d, const char *path, char *err, size_t errlen)
{
    if (pcap_dump_flush(d->d) != 0 || ferror(pcap_dump_file(d->d))) {
        snprintf(err, errlen, "%s: writing the capture file failed (disk full?)", path);
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

void capture_dump_close(struct capture_dump *d)
{
    if (d->d)
        pcap_dump_close(d->d);
    d->d = NULL;
}
