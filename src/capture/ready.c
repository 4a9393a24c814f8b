/* The liveness probe. A capture is only trusted once it has seen something sent after it
 * started: a UDP datagram from a socket on 127.0.0.1 to itself (so no ICMP is ever caused),
 * ending in a tag and a nonce. The capture thread recognises probes by those last bytes and
 * never delivers or saves them. */
#include "live_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sockscope/capture.h"

static const uint8_t probe_tag[CAPTURE_PROBE_TAG_LEN] = "sockscope-probe";

bool capture_probe_open(struct capture_probe *p)
{
    memset(p, 0, sizeof *p);
    p->fd = -1;
    memcpy(p->payload, probe_tag, CAPTURE_PROBE_TAG_LEN);
    uint8_t *nonce = p->payload + CAPTURE_PROBE_TAG_LEN;
    if (getrandom(nonce, 8, GRND_NONBLOCK) != 8) {
        /* No entropy yet: the nonce only has to differ between two sockscopes at once. */
        uint64_t v = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)p;
        memcpy(nonce, &v, 8);
    }

    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(p->err, sizeof p->err, "probe socket: %s", strerror(errno));
        return false;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0 ||
        connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        snprintf(p->err, sizeof p->err, "cannot use 127.0.0.1 for the probe (%s); is the "
                 "loopback interface up?", strerror(errno));
        close(fd);
        return false;
    }
    p->fd = fd;
    p->port = ntohs(a.sin_port);
    return true;
}

void capture_probe_close(struct capture_probe *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

int capture_probe_send(struct capture_probe *p, char *err, size_t errlen)
{
    uint8_t sink[CAPTURE_PROBE_LEN];
    while (recv(p->fd, sink, sizeof sink, MSG_DONTWAIT) >= 0)
        ;
    if (send(p->fd, p->payload, sizeof p->payload, MSG_DONTWAIT) < 0 && errno != EAGAIN &&
        errno != ENOBUFS) {
        snprintf(err, errlen, "cannot send the probe datagram to 127.0.0.1:%u: %s", p->port,
                 strerror(errno));
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

void capture_probe_filter(const struct capture_probe *p, const char *user, char *buf,
                          size_t size)
{
    snprintf(buf, size,
             "(%s) or (udp and src host 127.0.0.1 and dst host 127.0.0.1 and src port %u and "
             "dst port %u)",
             user, p->port, p->port);
}

enum probe_match capture_probe_match(const struct capture_probe *p, const uint8_t *data,
                                     uint32_t caplen, uint32_t wirelen)
{
    /* Link + IPv4 + UDP headers stay well under 100 bytes; anything longer is not a probe. */
    if (caplen != wirelen || caplen < CAPTURE_PROBE_LEN + 28 || caplen > CAPTURE_PROBE_LEN + 100)
        return PROBE_NONE;
    const uint8_t *tail = data + caplen - CAPTURE_PROBE_LEN;
    if (memcmp(tail, probe_tag, CAPTURE_PROBE_TAG_LEN) != 0)
        return PROBE_NONE;
    return memcmp(tail, p->payload, CAPTURE_PROBE_LEN) == 0 ? PROBE_OURS : PROBE_OTHER;
}
