/* The UDP uppercase-echo server: one socket, no connections; each datagram is answered with
 * its uppercase to the address it came from. */
#include "net_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { DATAGRAM_MAX = 65536 };

int net_udp_serve(int fd, const struct net_server_options *o, char *err, size_t errlen)
{
    struct probe_wait w = {o->stop, -1};
    char *buf = malloc(DATAGRAM_MAX);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    unsigned served = 0;
    int rc = STATUS_OK;
    while (!net_stopped(o->stop) && (o->max_clients == 0 || served < o->max_clients)) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        ssize_t n = probe_recvfrom_wait(o->probe, fd, buf, DATAGRAM_MAX, 0, (struct sockaddr *)&ss,
                                        &len, &w);
        if (n < 0) {
            if (errno == EINTR) break;
            if (errno == ECONNREFUSED || errno == ENOMEM || errno == ENOBUFS)
                continue; /* a past reply's ICMP error, or a passing shortage */
            snprintf(err, errlen, "recvfrom: %s", strerror(errno));
            rc = STATUS_E_RUNTIME;
            break;
        }
        char who[64], preview[80];
        net_format_sockaddr((struct sockaddr *)&ss, who, sizeof who);
        net_preview(buf, (size_t)n, preview, sizeof preview);
        net_log(o->log, "%s: %zd bytes %s", who, n, preview);
        net_uppercase(buf, (size_t)n);
        if (probe_sendto(o->probe, fd, buf, (size_t)n, 0, (struct sockaddr *)&ss, len) < 0)
            net_log(o->log, "%s: reply not sent: %s", who, strerror(errno));
        served++;
    }
    free(buf);
    return rc;
}
