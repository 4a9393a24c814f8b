/* -w FILE: every captured frame written as a pcap (nanosecond when the handle has nanosecond
 * stamps) that `sockscope trace`, tcpdump and Wireshark read back. The capture thread writes,
 * before the ring, so frames the ring has to drop are still saved. */
#include "live_internal.h"

#include <stdio.h>

#include "sockscope/capture.h"

int capture_dump_open(pcap_t *p, const char *path, pcap_dumper_t **out, char *err,
                      size_t errlen)
{
    *out = pcap_dump_open(p, path);
    if (!*out) {
        /* libpcap's message already starts with the path. */
        snprintf(err, errlen, "-w: cannot create the capture file: %s", pcap_geterr(p));
        return STATUS_E_BAD_INPUT;
    }
    return STATUS_OK;
}

int capture_dump_flush(pcap_dumper_t *d, const char *path, char *err, size_t errlen)
{
    if (pcap_dump_flush(d) != 0 || ferror(pcap_dump_file(d))) {
        snprintf(err, errlen, "%s: writing the capture file failed (disk full?)", path);
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

void capture_dump_close(pcap_dumper_t *d)
{
    if (d)
        pcap_dump_close(d);
}
